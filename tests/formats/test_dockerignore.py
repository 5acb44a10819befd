from __future__ import annotations

import os
from pathlib import Path

import pytest

from fallint.formats.dockerfile import fal_copy_sources, parse_dockerfile
from fallint.formats.dockerignore import (
    BadPattern,
    DockerIgnore,
    fal_upload,
    go_clean,
    go_match,
    match_sources,
    source_exists,
)

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")


def make_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)
    return root


@pytest.fixture
def ctx(tmp_path: Path) -> Path:
    return make_tree(
        tmp_path,
        {
            "a.py": "",
            "b.py": "",
            "README.md": "",
            "README-secret.md": "",
            "src/pkg/x.py": "",
            "src/pkg/y.txt": "",
            "src/z.py": "",
            "data/d.txt": "",
            "data/keep/k.txt": "",
            "docs/n.md": "",
        },
    )


# --------------------------------------------------------------------------
# Go primitives


@pytest.mark.parametrize(
    "path, cleaned",
    [("", "."), ("a//b/./c/", "a/b/c"), ("a/../../b", "../b"), ("/../a", "/a"), ("//a", "/a")],
)
def test_go_clean(path, cleaned):
    assert go_clean(path) == cleaned


def test_go_match():
    assert go_match("*.py", "a.py") and not go_match("*.py", "d/a.py")
    assert go_match("?.py", "a.py") and not go_match("?.py", "ab.py")
    assert go_match("[a-c]x", "bx") and not go_match("[^a-c]x", "bx")
    assert go_match("\\*", "*") and not go_match("\\*", "a")
    assert go_match("**", "abc") and not go_match("**", "a/b")  # ** is just * here
    for bad in ("[", "[]", "[a-]", "a\\", "[-a]"):
        with pytest.raises(BadPattern):
            go_match(bad, "x")


# --------------------------------------------------------------------------
# Docker semantics


def test_comments_blank_lines_and_cleaning():
    ignore = DockerIgnore.from_text("# comment\n\n   \n #not-a-comment\n/abs\n./x/../cleaned\n")
    assert [p.pattern for p in ignore.patterns] == ["#not-a-comment", "abs", "cleaned"]
    assert ignore.patterns[0].line == 4
    assert ignore.excluded("#not-a-comment")
    assert ignore.excluded("abs") and ignore.excluded("cleaned/sub")
    assert not ignore.excluded("comment")


def test_patterns_are_anchored_at_the_context_root():
    ignore = DockerIgnore.from_text("foo\n*.md\n")
    assert ignore.excluded("foo") and ignore.excluded("foo/bar/baz")
    assert not ignore.excluded("a/foo")
    assert ignore.excluded("README.md") and not ignore.excluded("docs/n.md")
    assert not ignore.excluded(".")


def test_double_star_and_wildcards():
    ignore = DockerIgnore.from_text("**/*.pyc\ndocs/**\nbuild?\n[ab]x\nlit\\*\n")
    assert ignore.excluded("m.pyc") and ignore.excluded("a/b/m.pyc")
    assert ignore.excluded("docs/n.md") and ignore.excluded("docs/a/b")
    assert ignore.excluded("build1") and not ignore.excluded("build12")
    assert ignore.excluded("ax") and not ignore.excluded("cx")
    assert ignore.excluded("lit*") and not ignore.excluded("litx")


def test_last_match_wins_docker_docs_example():
    ignore = DockerIgnore.from_text("*.md\n!README*.md\nREADME-secret.md\n")
    assert ignore.excluded("CHANGES.md")
    assert not ignore.excluded("README.md")
    assert ignore.excluded("README-secret.md")


def test_negation_reincludes_below_an_excluded_directory():
    ignore = DockerIgnore.from_text("data\n!data/keep\n")
    assert ignore.excluded("data/d.txt")
    assert not ignore.excluded("data/keep/k.txt")
    assert ignore.excluded("data")  # the directory itself; BuildKit still sends it as a parent
    assert ignore.has_negations


def test_invalid_docker_patterns():
    ignore = DockerIgnore.from_text("ok\n!\n  [abc\n!/\n")
    problems = [
        (p.line, p.column, p.end_column, p.affects)
        for p in ignore.problems
        if p.affects == "docker"
    ]
    assert problems == [(2, 1, 2, "docker"), (3, 3, 7, "docker"), (4, 1, 3, "docker")]
    assert "illegal exclusion" in ignore.problems[0].message
    assert [p.pattern for p in ignore.patterns] == ["ok"]


def test_missing_and_unreadable_files(tmp_path: Path):
    missing = DockerIgnore.from_file(tmp_path)
    assert not missing.exists and missing.read_error is None
    assert not missing.excluded("README.md")  # Docker: nothing excluded
    assert missing.fal_excluded("README.md") and missing.fal_excluded("pkg/__pycache__/m.pyc")
    (tmp_path / ".dockerignore").write_bytes(b"\x00\x01binary")
    broken = DockerIgnore.from_file(tmp_path)
    assert broken.read_error and not broken.excluded("x") and not broken.fal_excluded("x")


def test_from_file_reads_patterns(tmp_path: Path):
    (tmp_path / ".dockerignore").write_text("*.log\n")
    ignore = DockerIgnore.from_file(tmp_path)
    assert ignore.exists and ignore.path == tmp_path / ".dockerignore"
    assert ignore.excluded("a.log") and not ignore.fal_excluded("README.md")


# --------------------------------------------------------------------------
# fal semantics


def test_fal_reads_patterns_like_gitignore():
    ignore = DockerIgnore.from_text("foo\ndocs/\n/root.txt\n")
    assert ignore.fal_excluded("a/foo") and not ignore.excluded("a/foo")
    assert ignore.fal_excluded("docs/n.md") and ignore.fal_excluded("x/docs/n.md")
    assert ignore.fal_excluded("root.txt") and not ignore.fal_excluded("a/root.txt")


def test_fal_treats_negations_as_exclusions():
    ignore = DockerIgnore.from_text("*.txt\n!keep.txt\n")
    assert not ignore.excluded("keep.txt")
    assert ignore.fal_excluded("keep.txt")


def test_patterns_fal_cannot_convert():
    ignore = DockerIgnore.from_text("ok\n!\nfoo\\\n")
    fal = [(p.line, p.affects) for p in ignore.problems if p.affects == "fal"]
    assert fal == [(2, "fal"), (3, "fal")]


# --------------------------------------------------------------------------
# resolving sources (BuildKit)


def statuses(ctx, sources, ignore=None, **kw):
    return {s: match_sources(ctx, s, ignore, **kw).status for s in sources}


def test_literal_sources(ctx: Path):
    assert match_sources(ctx, "a.py").paths == ("a.py",)
    assert match_sources(ctx, "/src/pkg/").paths == ("src/pkg",)
    assert match_sources(ctx, "./src/../a.py").paths == ("a.py",)
    for root in (".", "./", "/"):
        assert match_sources(ctx, root).paths == (".",)
    missing = match_sources(ctx, "nope.py")
    assert missing.status == "missing" and missing.build_fails
    assert "not found" in missing.message


def test_wildcards_match_one_segment(ctx: Path):
    assert match_sources(ctx, "*.py").paths == ("a.py", "b.py")
    assert match_sources(ctx, "src/*/x.py").paths == ("src/pkg/x.py",)
    assert match_sources(ctx, "src/*").paths == ("src/pkg", "src/z.py")
    assert match_sources(ctx, "**/x.py").status == "no-match"  # ** is not recursive in COPY
    assert match_sources(ctx, "src/**/x.py").paths == ("src/pkg/x.py",)
    nothing = match_sources(ctx, "*.rs")
    assert nothing.status == "no-match" and not nothing.build_fails
    no_dir = match_sources(ctx, "lib/*.py")
    assert no_dir.status == "missing" and "lib" in no_dir.message
    assert match_sources(ctx, "[").status == "no-match"


def test_sources_after_dockerignore(ctx: Path):
    ignore = DockerIgnore.from_text("data\n!data/keep\n*.md\n")
    got = statuses(
        ctx, ["data", "data/d.txt", "data/keep/k.txt", "README.md", "docs/n.md", "*.md"], ignore
    )
    assert got == {
        "data": "ok",  # sent as the parent of data/keep
        "data/d.txt": "excluded",
        "data/keep/k.txt": "ok",
        "README.md": "excluded",
        "docs/n.md": "ok",
        "*.md": "no-match",
    }
    assert match_sources(ctx, "data/*", ignore).paths == ("data/keep",)
    gone = DockerIgnore.from_text("src\n")
    assert match_sources(ctx, "src/*.py", gone).status == "excluded"
    assert match_sources(ctx, "src", gone).build_fails


def test_escaping_and_unknown_sources(ctx: Path):
    got = statuses(ctx, ["../x", "a/../../x", "/../x", "$SRC", "${SRC}/a", "cost$", "a$.py"])
    assert got == {
        "../x": "escapes",
        "a/../../x": "escapes",
        "/../x": "escapes",
        "$SRC": "unknown",
        "${SRC}/a": "unknown",
        "cost$": "missing",
        "a$.py": "missing",
    }


def test_source_exists_and_limit(ctx: Path):
    assert source_exists(ctx, "*.py") is True
    assert source_exists(ctx, "*.rs") is False
    assert source_exists(ctx, "$X") is None
    assert match_sources(ctx, "src/*", limit=1).paths == ("src/pkg",)


def test_budget_gives_unknown(tmp_path: Path):
    make_tree(tmp_path, {f"d/f{i}.txt": "" for i in range(50)})
    result = match_sources(tmp_path, "d/*.py", max_entries=10)
    assert result.status == "unknown"


@needs_symlinks
def test_symlinks_loops_and_escapes(ctx: Path):
    os.symlink("src/pkg/x.py", ctx / "link.py")
    os.symlink("loop2", ctx / "loop1")
    os.symlink("loop1", ctx / "loop2")
    os.symlink("..", ctx / "src" / "up")  # a directory cycle
    os.symlink("/etc/hostname", ctx / "abs")  # re-rooted inside the context
    assert match_sources(ctx, "link.py").paths == ("link.py",)
    assert match_sources(ctx, "loop1").status == "missing"
    assert match_sources(ctx, "abs").status == "missing"
    assert match_sources(ctx, "src/up/a.py").paths == ("src/up/a.py",)
    assert match_sources(ctx, "src/*").paths == ("src/pkg", "src/up", "src/z.py")
    ignore = DockerIgnore.from_text("src/pkg\n")
    assert match_sources(ctx, "link.py", ignore).status == "excluded"  # its target is


def test_sources_against_an_explicit_file_set(ctx: Path):
    files = {"a.py", "src/pkg/x.py"}
    got = statuses(
        ctx, ["a.py", "src", "src/pkg", "b.py", "*.py", "src/*/x.py", "lib/*"], available=files
    )
    assert got == {
        "a.py": "ok",
        "src": "ok",
        "src/pkg": "ok",
        "b.py": "missing",  # on disk, but not in the set
        "*.py": "ok",
        "src/*/x.py": "ok",
        "lib/*": "missing",
    }
    assert match_sources(ctx, "*.py", available=files).paths == ("a.py",)


# --------------------------------------------------------------------------
# what fal uploads


def test_fal_upload_is_literal_and_uses_default_ignores(ctx: Path):
    upload = fal_upload(ctx, ["*.py", "$SRC", "README.md", "a.py", "src", "missing"], None)
    assert [(s.source, s.status) for s in upload.sources] == [
        ("*.py", "not-found"),
        ("$SRC", "not-found"),
        ("README.md", "ignored"),  # fal's default *.md
        ("a.py", "uploaded"),
        ("src", "uploaded"),
        ("missing", "not-found"),
    ]
    assert upload.files == {"a.py", "src/pkg/x.py", "src/pkg/y.txt", "src/z.py"}
    assert not upload.errors


def test_fal_upload_honours_fal_reading_of_dockerignore(ctx: Path):
    ignore = DockerIgnore.from_text("*.txt\n!keep.txt\npkg\n")
    (ctx / "keep.txt").write_text("")
    upload = fal_upload(ctx, [".", "keep.txt"], ignore)
    assert "keep.txt" not in upload.files  # fal drops the negation
    assert "src/pkg/x.py" not in upload.files  # 'pkg' matches at any depth
    assert {"a.py", "README.md", "src/z.py"} <= upload.files
    assert upload.sources[1].status == "ignored"


@needs_symlinks
def test_fal_upload_resolves_symlinks_and_rejects_escapes(ctx: Path, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside") / "secret.txt"
    outside.write_text("")
    os.symlink("src/pkg/x.py", ctx / "link.py")
    os.symlink(str(outside), ctx / "out.txt")
    upload = fal_upload(ctx, ["link.py"], DockerIgnore.from_text(""))
    assert upload.files == {"src/pkg/x.py"}  # uploaded under the target's path
    bad = fal_upload(ctx, ["out.txt", "../x"], DockerIgnore.from_text(""))
    assert [s.status for s in bad.sources] == ["error", "error"]
    assert len(bad.errors) == 2 and "outside the build context" in bad.errors[0]


def test_fal_upload_truncates(tmp_path: Path):
    make_tree(tmp_path, {f"d/f{i}.txt": "" for i in range(30)})
    upload = fal_upload(tmp_path, ["d"], DockerIgnore.from_text(""), max_files=10)
    assert upload.truncated and len(upload.files) == 10


def test_remote_build_sees_only_what_fal_uploads(ctx: Path):
    dockerfile = (
        "FROM python:3.11\n"
        "ARG SRC=src\n"
        "COPY README.md a.py /app/\n"
        "COPY *.py /app/\n"
        "COPY $SRC /app/src\n"
        "COPY src/*/x.py /app/\n"
    )
    df = parse_dockerfile(dockerfile)
    ignore = DockerIgnore.from_file(ctx)  # no .dockerignore: fal's defaults
    upload = fal_upload(ctx, fal_copy_sources(dockerfile).paths, ignore)
    assert upload.files == {"a.py"}
    remote = {
        s.value: match_sources(ctx, s.value, available=upload.files).status
        for copy in df.copies(build_args={})
        for s in copy.context_sources
    }
    assert remote == {
        "README.md": "missing",  # *.md is in fal's default ignore list
        "a.py": "ok",
        "*.py": "ok",  # matches a.py only because another COPY uploaded it
        "src": "missing",  # fal does not expand $SRC, so src/ is never uploaded
        "src/*/x.py": "missing",
    }
    # the same Dockerfile built locally by Docker would be fine
    local = {
        s.value: match_sources(ctx, s.value, ignore).status
        for c in df.copies({})
        for s in c.context_sources
    }
    assert set(local.values()) == {"ok"}


def test_excluded_directories_are_not_walked_without_a_matching_negation(tmp_path: Path):
    make_tree(tmp_path, {f"node_modules/m{i}/index.js": "" for i in range(40)})
    make_tree(tmp_path, {"a.py": "", "README.md": "", "docs/README.md": ""})
    literal = DockerIgnore.from_text("node_modules\n*.md\n!README.md\n")
    # a literal '!' pattern outside node_modules: no need to look inside it
    assert match_sources(tmp_path, "*", literal, max_entries=30).paths == (
        "README.md",
        "a.py",
        "docs",
    )
    wildcard = DockerIgnore.from_text("node_modules\n!**/index.js\n")
    assert match_sources(tmp_path, "*", wildcard, max_entries=30).status == "unknown"
    assert "node_modules" in match_sources(tmp_path, "*", wildcard).paths
