"""fallint.loading.cache: per-file results on disk, keyed by content and versions."""

from __future__ import annotations

import errno
import json
import os
import shlex
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fallint.loading import cache as cache_mod
from fallint.loading.cache import CACHE_DIR_NAME, Cache, project_cache, user_project_dir
from fallint.model.sources import SourceProject, load_bytes, load_file

from ..helpers import REPO, run_cli, write_files

APP = '''\
import fal


class {name}(fal.App):
    machine_type = "S"

    @fal.endpoint("/")
    def run(self) -> dict:
        return {{"ok": True}}
'''

PYPROJECT = '''\
[tool.fal.apps.a]
ref = "apps/a.py::A"

[tool.fal.apps.b]
ref = "apps/b.py::B"
'''


@pytest.fixture(autouse=True)
def user_cache(tmp_path, monkeypatch):
    """Keep the user cache directory inside the test's tmp_path."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path / "xdg" / "fallint"


@pytest.fixture
def proj(tmp_path) -> Path:
    root = tmp_path / "proj"
    write_files(root, {
        "pyproject.toml": PYPROJECT,
        "apps/a.py": APP.format(name="A"),
        "apps/b.py": APP.format(name="B"),
        "apps/broken.py": "def f(:\n    pass\n",
    })
    return root


def files_of(root: Path) -> list[Path]:
    return [root / "apps" / name for name in ("a.py", "b.py", "broken.py")]


def load(root: Path, cache: Cache | None = None, **kwargs) -> SourceProject:
    sources = SourceProject(root, cache=cache if cache is not None else project_cache(root), jobs=1, **kwargs)
    sources.prefetch(files_of(root))
    return sources


def entries(directory: Path) -> list[Path]:
    return sorted((directory / cache_mod.ENTRIES_DIR).glob("*/*.bin"))


def results(sources: SourceProject, root: Path) -> list[dict]:
    return [sources.file(path).to_dict() for path in files_of(root)]


# -- hits and misses ---------------------------------------------------------


def test_cold_run_writes_entries_and_warm_run_parses_nothing(proj):
    cold = load(proj)
    assert (cold.parse_count, cold.cache_hits) == (3, 0)
    directory = proj / CACHE_DIR_NAME
    assert len(entries(directory)) == 3  # the syntax error is a fact about the bytes too
    assert (directory / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (directory / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")

    warm = load(proj)
    assert (warm.parse_count, warm.cache_hits) == (0, 3)
    assert results(warm, proj) == results(cold, proj) == [load_file(p).to_dict() for p in files_of(proj)]
    assert warm.file(proj / "apps" / "broken.py").error == "syntax"


def test_file_loads_through_the_cache_too(proj):
    load(proj)
    sources = SourceProject(proj, cache=project_cache(proj))
    assert sources.file(proj / "apps" / "a.py").index.class_named("A").line == 4
    assert (sources.parse_count, sources.cache_hits) == (0, 1)


def test_warm_run_does_not_import_libcst(proj):
    script = textwrap.dedent(f"""
        import io, sys, contextlib
        from fallint.cli import main
        with contextlib.redirect_stdout(io.StringIO()) as out:
            code = main(["check", "--output-format", "json", {str(proj)!r}])
        print(code, "libcst" in sys.modules, len(out.getvalue()))
    """)
    runs = [
        subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
        for _ in range(2)
    ]
    cold, warm = (run.stdout.split() for run in runs)
    # the cold run indexes its files from the interpreter's ast (libcst only
    # parses what the interpreter cannot); the warm one reads the cache
    assert cold[1] == "False" and warm[1] == "False", runs
    assert cold[0] == warm[0] and cold[2] == warm[2]


def test_changed_content_is_parsed_again(proj):
    load(proj)
    (proj / "apps" / "a.py").write_text(APP.format(name="A") + "\nEXTRA = 1\n")
    warm = load(proj)
    assert (warm.parse_count, warm.cache_hits) == (1, 2)
    assert warm.index(proj / "apps" / "a.py").binding("EXTRA") is not None
    assert len(entries(proj / CACHE_DIR_NAME)) == 4


@pytest.mark.parametrize("position", [0, 1, 2])
def test_another_version_is_a_miss(proj, monkeypatch, position):
    load(proj)
    versions = list(cache_mod.cache_versions())
    versions[position] = "other"
    monkeypatch.setattr(cache_mod, "cache_versions", lambda: versions)
    again = load(proj)
    assert (again.parse_count, again.cache_hits) == (3, 0)
    assert load(proj).cache_hits == 3  # rewritten for the new versions


def test_the_key_ignores_the_path(tmp_path, proj):
    """Content addressed: a copy of a file elsewhere is a hit."""
    load(proj)
    other = tmp_path / "elsewhere"
    write_files(other, {"apps/a.py": APP.format(name="A"), "apps/b.py": "", "apps/broken.py": ""})
    sources = load(other, project_cache(proj))
    assert sources.cache_hits == 1
    assert sources.index(other / "apps" / "a.py").class_named("A") is not None


# -- damaged entries -----------------------------------------------------------


def _valid_entry(proj: Path) -> Path:
    load(proj)
    data = (proj / "apps" / "a.py").read_bytes()
    return Cache(proj / CACHE_DIR_NAME).entry_path(Cache.digest(data))


def _with_checksum(header: dict, payload: bytes) -> bytes:
    """An entry signed with this user's key (as only fallint itself could),
    holding the value of ``payload`` (JSON text, for legibility)."""
    payload = cache_mod.dump_payload(json.loads(payload))
    header = dict(header, mac=cache_mod._mac(payload, cache_mod.cache_secret()))
    return json.dumps(header).encode() + b"\n" + payload


def _damage(entry: Path, kind: str) -> None:
    blob = entry.read_bytes()
    head, _, payload = blob.partition(b"\n")
    header = json.loads(head)
    if kind == "garbage":
        entry.write_bytes(os.urandom(300))
    elif kind == "empty":
        entry.write_bytes(b"")
    elif kind == "truncated":
        entry.write_bytes(blob[: len(blob) // 2])
    elif kind == "header only":
        entry.write_bytes(head)
    elif kind == "flipped byte":
        entry.write_bytes(blob[:-10] + bytes([blob[-10] ^ 1]) + blob[-9:])
    elif kind == "foreign version":
        entry.write_bytes(json.dumps(dict(header, versions=["0.0.1", "0.1", 0])).encode() + b"\n" + payload)
    elif kind == "other digest":
        entry.write_bytes(json.dumps(dict(header, digest="0" * 40)).encode() + b"\n" + payload)
    elif kind == "header not a dict":
        entry.write_bytes(b"[1, 2]\n" + payload)
    elif kind == "payload not a list":
        entry.write_bytes(_with_checksum(header, b'{"index": 1}'))
    elif kind == "index of the wrong shape":
        entry.write_bytes(_with_checksum(header, b'[[1, 2, 3], null, null, null, null]'))
    elif kind == "index of the wrong type":
        entry.write_bytes(_with_checksum(header, b'["classes", null, null, null, null]'))
    elif kind == "error that is not cacheable":
        entry.write_bytes(_with_checksum(header, b'[null, "missing", "gone", null, null]'))
    elif kind == "message of the wrong type":
        entry.write_bytes(_with_checksum(header, b'[null, "syntax", 42, 1, 1]'))
    elif kind == "directory":
        entry.unlink()
        entry.mkdir()
    else:  # pragma: no cover
        raise AssertionError(kind)


DAMAGE = [
    "garbage", "empty", "truncated", "header only", "flipped byte", "foreign version", "other digest",
    "header not a dict", "payload not a list", "index of the wrong shape", "index of the wrong type",
    "error that is not cacheable", "message of the wrong type", "directory",
]


@pytest.mark.parametrize("kind", DAMAGE)
def test_damaged_entry_is_ignored_and_rebuilt(proj, kind):
    entry = _valid_entry(proj)
    _damage(entry, kind)
    again = load(proj)
    assert (again.parse_count, again.cache_hits) == (1, 2)
    assert results(again, proj) == [load_file(p).to_dict() for p in files_of(proj)]
    if kind != "directory":  # rebuilt in place
        assert load(proj).cache_hits == 3


def test_unreadable_files_are_not_cached(proj):
    (proj / "apps" / "b.py").unlink()
    (proj / "apps" / "broken.py").unlink()
    (proj / "apps" / "broken.py").mkdir()
    sources = load(proj)
    assert sources.file(proj / "apps" / "b.py").error == "missing"
    assert sources.file(proj / "apps" / "broken.py").error == "directory"
    assert len(entries(proj / CACHE_DIR_NAME)) == 1


def test_cache_of_a_custom_loader_is_not_used(proj):
    calls = []

    def loader(path):
        calls.append(path)
        return load_file(path)

    load(proj)
    sources = load(proj, loader=loader)
    assert sources.cache is None and len(calls) == 3


# -- where ------------------------------------------------------------------------


def _refuse_under(root: Path):
    """A stand-in for ``Cache``'s directory creation that fails under ``root``
    (tests run as root, for whom permissions do not stop anything)."""
    real = cache_mod._create

    def create(directory: Path) -> None:
        if Path(directory).is_relative_to(root):
            raise PermissionError(errno.EROFS, "Read-only file system", str(directory))
        real(directory)

    return create


def test_unwritable_project_uses_the_user_cache(proj, monkeypatch, user_cache):
    monkeypatch.setattr(cache_mod, "_create", _refuse_under(proj))
    cold = load(proj)
    assert cold.parse_count == 3
    assert not (proj / CACHE_DIR_NAME).exists()
    fallback = user_project_dir(proj)
    assert fallback.parent == user_cache and len(entries(fallback)) == 3
    warm = load(proj)
    assert (warm.parse_count, warm.cache_hits) == (0, 3)
    assert warm.cache.directory == fallback


def test_unwritable_everywhere_silently_writes_nothing(proj, monkeypatch, tmp_path):
    monkeypatch.setattr(cache_mod, "_create", _refuse_under(tmp_path))
    sources = load(proj)
    assert sources.parse_count == 3 and sources.cache.writable is False and sources.cache.writes == 0
    assert results(sources, proj) == [load_file(p).to_dict() for p in files_of(proj)]


def test_a_full_disk_stops_writing(proj, monkeypatch):
    def full(path, blob):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(cache_mod, "_write_atomic", full)
    cache = Cache(proj / "elsewhere")
    sources = load(proj, cache)
    assert sources.parse_count == 3 and cache.writable is False


def test_cli_no_cache_writes_nothing(proj, user_cache):
    result = run_cli(["check", "--no-cache", str(proj)])
    assert result.code in (0, 1), result.err
    assert not (proj / CACHE_DIR_NAME).exists() and not user_cache.exists()


def test_cli_cache_dir(proj, tmp_path):
    directory = tmp_path / "shared"
    first = run_cli(["check", "--output-format", "json", "--cache-dir", str(directory), str(proj)])
    assert not (proj / CACHE_DIR_NAME).exists()
    assert len(entries(directory)) == 2  # the two files the apps name
    second = run_cli(["check", "--output-format", "json", "--cache-dir", str(directory), str(proj)])
    assert first == second
    default = run_cli(["check", "--output-format", "json", str(proj)])
    assert default.out == first.out and (proj / CACHE_DIR_NAME).is_dir()


# -- fallint clean --------------------------------------------------------------------


def test_clean_removes_project_and_user_caches(proj, tmp_path, monkeypatch):
    other = write_files(tmp_path / "other", {"pyproject.toml": PYPROJECT, "apps/a.py": APP.format(name="A")})
    load(proj)
    with monkeypatch.context() as patch:
        patch.setattr(cache_mod, "_create", _refuse_under(other))
        load(other)
    assert user_project_dir(other).is_dir()
    (proj / "keep.txt").write_text("mine")

    result = run_cli(["clean", str(tmp_path)])
    assert result.code == 0
    assert f"removed {proj / CACHE_DIR_NAME}" in result.out
    assert f"removed {user_project_dir(other)}" in result.out
    assert not (proj / CACHE_DIR_NAME).exists() and not user_project_dir(other).exists()
    assert (proj / "keep.txt").exists() and (proj / "apps" / "a.py").exists()

    again = run_cli(["clean", str(proj)])
    assert again.code == 0 and again.out == "nothing to clean\n"


def test_clean_cache_dir_removes_only_fallint_entries(proj, tmp_path):
    directory = tmp_path / "shared"
    load(proj, Cache(directory))
    (directory / "notes.txt").write_text("not fallint's")
    result = run_cli(["clean", str(proj), "--cache-dir", str(directory)])
    assert result.code == 0 and f"removed {directory}" in result.out
    assert sorted(p.name for p in directory.iterdir()) == ["notes.txt"]


def test_clean_missing_path_is_a_warning(tmp_path):
    result = run_cli(["clean", str(tmp_path / "nope")])
    assert result.code == 0 and "no such file" in result.err


# -- concurrency ------------------------------------------------------------------------


def test_two_runs_at_once_share_the_cache(tmp_path):
    root = tmp_path / "many"
    write_files(root, {"pyproject.toml": "".join(
        f'[tool.fal.apps.app{i}]\nref = "apps/m{i}.py::M{i}"\n\n' for i in range(12)
    ), **{f"apps/m{i}.py": APP.format(name=f"M{i}") for i in range(12)}})
    command = [sys.executable, "-m", "fallint", "check", "--output-format", "json", str(root)]
    env = dict(os.environ, XDG_CACHE_HOME=str(tmp_path / "xdg"))
    runs = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO, env=env)
            for _ in range(2)]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert outputs[0][0] == outputs[1][0]
    paths = [root / "apps" / f"m{i}.py" for i in range(12)]
    sources = SourceProject(root, cache=project_cache(root), jobs=1)
    sources.prefetch(paths)
    assert (sources.parse_count, sources.cache_hits) == (0, 12)
    assert not list((root / CACHE_DIR_NAME).rglob(".tmp-*"))


def _can_mount_read_only(tmp_path: Path) -> bool:
    probe = tmp_path / "probe"
    probe.mkdir()
    try:
        run = subprocess.run(
            ["unshare", "-m", "sh", "-c", f"mount --bind -o ro {probe} {probe} && ! touch {probe}/x 2>/dev/null"],
            capture_output=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return run.returncode == 0


def test_read_only_project_mount_uses_the_user_cache(proj, tmp_path, user_cache):
    """The real thing: the project on a read-only bind mount (needs mount rights)."""
    if not _can_mount_read_only(tmp_path):
        pytest.skip("cannot bind-mount read-only here")
    script = textwrap.dedent(f"""
        from pathlib import Path
        from fallint.loading.cache import project_cache
        from fallint.model.sources import SourceProject
        root = Path({str(proj)!r})
        sources = SourceProject(root, cache=project_cache(root), jobs=1)
        sources.prefetch([root / "apps" / "a.py", root / "apps" / "b.py"])
        print(sources.parse_count, sources.cache_hits, sources.cache.directory)
    """)
    program = tmp_path / "run.py"
    program.write_text(script)
    once = f"{shlex.quote(sys.executable)} {shlex.quote(str(program))}"
    mount = f"mount --bind -o ro {shlex.quote(str(proj))} {shlex.quote(str(proj))}"
    command = f"{mount} && {once} && {once}"
    run = subprocess.run(["unshare", "-m", "sh", "-c", command], capture_output=True, text=True,
                         cwd=REPO, timeout=60)
    assert run.returncode == 0, run.stderr
    cold, warm = (line.split() for line in run.stdout.splitlines())
    assert cold[:2] == ["2", "0"] and warm[:2] == ["0", "2"]
    assert cold[2] == warm[2] == str(user_project_dir(proj))
    assert not (proj / CACHE_DIR_NAME).exists()


# -- signed entries ----------------------------------------------------------------


def test_entries_signed_with_another_key_are_ignored(proj, monkeypatch):
    """A .fallint_cache that came with the checkout (committed to a pull
    request, say) was not signed by this user: nothing in it is used."""
    monkeypatch.setenv(cache_mod.KEY_ENV, "someone else")
    planted = load(proj)
    assert planted.parse_count == 3
    monkeypatch.delenv(cache_mod.KEY_ENV)
    mine = load(proj)
    assert (mine.parse_count, mine.cache_hits) == (3, 0)  # parsed again, and re-signed
    assert load(proj).cache_hits == 3


def test_a_forged_entry_does_not_hide_a_problem(proj, monkeypatch):
    """An entry claiming `B` is a fine fal.App, for a file that defines none,
    planted under another key, changes nothing."""
    monkeypatch.setenv(cache_mod.KEY_ENV, "attacker")
    load(proj)
    (proj / "apps" / "b.py").write_text("X = 1\n", encoding="utf-8")
    attacker = Cache(proj / CACHE_DIR_NAME)
    forged = load_bytes(proj / "apps" / "b.py", APP.format(name="B").encode())  # "b.py defines B"
    attacker.put(Cache.digest((proj / "apps" / "b.py").read_bytes()), forged)
    assert run_cli(["check", "--output-format", "concise", str(proj)]).code == 0  # the attacker's own key: fooled
    monkeypatch.delenv(cache_mod.KEY_ENV)
    res = run_cli(["check", "--output-format", "concise", str(proj)])
    assert res.code == 1 and "FAL106" in res.out and "`B`" in res.out, res.out


def test_the_key_file_is_made_once_and_private(user_cache, proj):
    load(proj)
    key = user_cache / cache_mod.KEY_FILE
    assert key.is_file() and (os.name != "posix" or key.stat().st_mode & 0o077 == 0)
    before = key.read_bytes()
    load(proj)
    assert key.read_bytes() == before and load(proj).cache_hits == 3


def test_no_key_means_no_cache(proj, monkeypatch, tmp_path):
    (tmp_path / "not-a-dir").write_text("x", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "not-a-dir"))  # the key cannot be made
    first, second = load(proj), load(proj)
    assert (first.parse_count, second.parse_count, second.cache_hits) == (3, 3, 0)
    assert not (proj / CACHE_DIR_NAME).exists()
    assert run_cli(["check", str(proj)]).code in (0, 1)


def test_no_home_directory_means_no_key(proj, monkeypatch):
    """Without $HOME (and $XDG_CACHE_HOME) there is nowhere private for the
    key: the cache is off, and nothing is written next to the project."""
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(os.path, "expanduser", lambda path: path)  # "~" stays "~"
    assert cache_mod.cache_secret() is None
    monkeypatch.chdir(proj)
    assert run_cli(["check", "."]).code in (0, 1)
    assert not (proj / "~").exists() and not (proj / CACHE_DIR_NAME).exists()


def test_broken_example_reports_the_same_cold_warm_and_uncached(tmp_path):
    """The same diagnostics, Python-side ones included, whether the indexes
    come from parsing or (lazily decoded) from the cache."""
    import shutil

    project = tmp_path / "broken"
    shutil.copytree(REPO / "examples" / "broken", project, ignore=shutil.ignore_patterns(CACHE_DIR_NAME))
    cache_dir = str(tmp_path / "cache")

    def run(*options: str) -> str:
        result = run_cli(["check", "--output-format", "json", *options, str(project)])
        assert result.code == 1, result.err
        return result.out

    cold = run("--cache-dir", cache_dir)
    assert entries(Path(cache_dir)), "the cold run wrote no entries"
    assert '"path": "' in cold and ".py" in cold  # diagnostics in Python files too
    assert run("--cache-dir", cache_dir) == cold
    assert run("--no-cache") == cold
