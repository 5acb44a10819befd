"""fallint.loading.fs: the one door to the file system, and its record."""

from __future__ import annotations

import ast
import os
import time
from pathlib import Path

import pytest

from fallint.loading import fs

from ..helpers import REPO

#: modules that may touch the file system directly: fs itself, the readers
#: it records, the caches (their own files), writers (fixes, reports to a
#: file), fallint's own package data, and commands that are not a check
ALLOWED = {
    "loading/fs.py",
    "loading/files.py",
    "loading/cache.py",
    "loading/runcache.py",
    "engine/fixes.py",
    "cli.py",
    "cli_fix.py",
    "docs.py",
    "jsonschema.py",
    "pyproject_plugin.py",
    "releases/__init__.py",
    "releases/refresh.py",
    "releases/probe.py",
    "rules/__init__.py",
    "rules/registry.py",
}
ALLOWED_DIRS = ("server/", "reports/")
OS_CALLS = {"stat", "lstat", "listdir", "scandir", "walk", "readlink", "open"}
OS_PATH_CALLS = {"exists", "isfile", "isdir", "islink", "lexists", "realpath", "getsize", "getmtime", "samefile"}
PATH_METHODS = {"exists", "is_file", "is_dir", "is_symlink", "iterdir", "glob", "rglob", "resolve", "stat",
                "lstat", "read_text", "read_bytes", "open", "samefile", "readlink"}


def _direct_calls(tree: ast.AST) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "open":
            found.append((node.lineno, "open()"))
        elif isinstance(func, ast.Attribute):
            owner = func.value
            if isinstance(owner, ast.Name) and owner.id == "os" and func.attr in OS_CALLS:
                found.append((node.lineno, f"os.{func.attr}()"))
            elif (isinstance(owner, ast.Attribute) and owner.attr == "path" and isinstance(owner.value, ast.Name)
                  and owner.value.id == "os" and func.attr in OS_PATH_CALLS):
                found.append((node.lineno, f"os.path.{func.attr}()"))
            elif (func.attr in PATH_METHODS and not (isinstance(owner, ast.Name) and owner.id in ("fs", "self"))
                  and not (func.attr == "resolve" and node.args)):  # Path.resolve takes no positional argument
                found.append((node.lineno, f".{func.attr}()"))
    return found


def test_the_file_system_is_asked_through_fs_only():
    """A run's record (and so the run cache) is complete only if every
    question the model, formats and rules ask goes through fallint.loading.fs."""
    package = REPO / "fallint"
    offenders = []
    for path in sorted(package.rglob("*.py")):
        rel = path.relative_to(package).as_posix()
        if rel in ALLOWED or rel.startswith(ALLOWED_DIRS):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        offenders += [f"fallint/{rel}:{line}: {what}" for line, what in _direct_calls(tree)]
    assert offenders == []


def test_the_scan_sees_a_direct_call():
    tree = ast.parse("import os\nos.path.isfile('x')\nPath('y').is_dir()\nopen('z')\nfs.isdir('w')\n")
    assert [what for _, what in _direct_calls(tree)] == ["os.path.isfile()", ".is_dir()", "open()"]


def _record(body):
    with fs.recording(time.time_ns() + 10 * fs.RACY_NS) as recorder:  # nothing is "just modified"
        body()
    return recorder


def _old(path: Path) -> None:
    """Date ``path`` back, out of the racy window."""
    past = time.time_ns() - 10 * fs.RACY_NS
    os.utime(path, ns=(past, past))


@pytest.mark.parametrize("change", ["write", "delete", "add-sibling", "add-subdir", "replace-by-dir", "symlink"])
def test_every_kind_of_question_notices_a_change(tmp_path, change):
    from fallint.loading.files import read_text

    (tmp_path / "pkg").mkdir()
    target = tmp_path / "pkg" / "a.py"
    target.write_text("x = 1\n")
    _old(target)

    def body():
        read_text(target)
        fs.isfile(tmp_path / "pkg" / "b.py")
        fs.listdir(tmp_path / "pkg")
        list(fs.walk(tmp_path))
        fs.realpath(tmp_path / "pkg" / "link")
        fs.glob(tmp_path, "pkg/*.py")

    questions = fs.questions(_record(body))
    assert fs.unchanged(questions) is None
    if change == "write":
        target.write_text("x = 2\n")  # same size
        _old(target)  # and the same modification time: the change time still differs
    elif change == "delete":
        target.unlink()
    elif change == "add-sibling":
        (tmp_path / "pkg" / "b.py").write_text("")
    elif change == "add-subdir":
        (tmp_path / "pkg" / "sub").mkdir()
    elif change == "replace-by-dir":
        target.unlink()
        target.mkdir()
    elif change == "symlink":
        (tmp_path / "pkg" / "link").symlink_to(target)
    assert fs.unchanged(questions) is not None


def test_a_file_modified_just_now_is_compared_by_content(tmp_path):
    from fallint.loading.files import read_text

    target = tmp_path / "a.py"
    target.write_text("x = 1\n")
    with fs.recording(time.time_ns()) as recorder:
        read_text(target)
    questions = fs.questions(recorder)
    (answer,) = [a for kind, _, a in questions if kind == "read"]
    assert answer[2] is not None  # a digest was taken
    assert fs.unchanged(questions) is None
    stat = target.stat()
    target.write_text("x = 2\n")
    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert fs.unchanged(questions) == str(target)


def test_two_answers_to_one_question_spoil_the_record(tmp_path):
    target = tmp_path / "a"

    def body():
        fs.exists(target)
        target.write_text("")
        fs.exists(target)

    assert _record(body).spoiled is not None


def test_nothing_is_recorded_outside_a_recording(tmp_path):
    assert fs.active() is None
    fs.isfile(tmp_path)
    with fs.recording(0) as recorder:
        pass
    assert recorder.answers == {}  # (no question was asked inside)


def test_walk_is_os_walk(tmp_path):
    for name in ("a/b/c", "a/d", "e"):
        (tmp_path / name).mkdir(parents=True)
    (tmp_path / "a" / "f.txt").write_text("")
    (tmp_path / "link").symlink_to(tmp_path / "a")
    assert list(fs.walk(tmp_path)) == list(os.walk(tmp_path))
    assert list(fs.walk(tmp_path, followlinks=True)) == list(os.walk(tmp_path, followlinks=True))


def test_questions_about_missing_paths_become_one_listing(tmp_path):
    (tmp_path / "pkg").mkdir()
    names = [f"mod{i}.py" for i in range(50)]

    def body():
        for name in names:
            fs.isfile(tmp_path / "pkg" / name)
            fs.isdir(tmp_path / "pkg" / "deep" / "er" / name)

    questions = fs.questions(_record(body))
    assert [(kind, path) for kind, path, _ in questions] == [("list", str(tmp_path / "pkg"))]
    assert fs.unchanged(questions) is None
    (tmp_path / "pkg" / "deep").mkdir()  # the deeper paths' nearest directory changed
    assert fs.unchanged(questions) == str(tmp_path / "pkg")


@pytest.mark.parametrize("create", ["pkg/mod7.py", "pkg/MOD7.PY", "pkg/deep/er/mod3.py"])
def test_a_missing_path_that_appears_is_noticed(tmp_path, create):
    (tmp_path / "pkg").mkdir()

    def body():
        fs.isfile(tmp_path / "pkg" / "mod7.py")
        fs.isdir(tmp_path / "pkg" / "deep" / "er" / "mod3.py")

    questions = fs.questions(_record(body))
    target = tmp_path / create
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text("")
    assert fs.unchanged(questions) is not None


def test_a_name_present_in_another_case_keeps_its_own_question(tmp_path):
    (tmp_path / "Torch.py").write_text("")
    questions = fs.questions(_record(lambda: fs.isfile(tmp_path / "torch.py")))
    assert [kind for kind, _, _ in questions] == ["stat"]
