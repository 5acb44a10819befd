"""Hostile input (GitHub issue #11): each case through the CLI, fast, with a
clear diagnostic or a one-line error, never a traceback, a hang or a write
outside the project."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..helpers import REPO, run_cli, write_files

APP = 'import fal\n\n\nclass A(fal.App):\n    @fal.endpoint("/")\n    def run(self) -> dict:\n        return {}\n'


def _json(root: Path, *extra: str, env: dict | None = None):
    start = time.perf_counter()
    res = run_cli(["check", "--output-format", "json", *extra, str(root)], cwd=root, env=env)
    elapsed = time.perf_counter() - start
    assert "Traceback" not in res.err and "internal error" not in res.err, res.err
    return res, (json.loads(res.out) if res.out.strip() else None), elapsed


def _codes(diags) -> list[str]:
    return sorted(d["code"] for d in diags)


def _subprocess(args: list[str], cwd: Path, env: dict | None = None, timeout: float = 30):
    full_env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1", **(env or {}))
    return subprocess.run([sys.executable, "-m", "fallint", *args], cwd=cwd, env=full_env,
                          capture_output=True, text=True, timeout=timeout)


# 1 ---------------------------------------------------------------------------


@pytest.mark.parametrize("opening,closing", [("[", "]"), ("{a=", "}")])
def test_deeply_nested_toml_is_an_invalid_toml_diagnostic(tmp_path, opening, closing):
    write_files(tmp_path, {
        "pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\n\n[tool.fal.apps.b]\n'
                          f'x = {opening * 1000}1{closing * 1000}\n',
        "app.py": APP,
    })
    res, diags, elapsed = _json(tmp_path, "--no-cache")
    assert res.code == 1 and elapsed < 5
    [bad] = [d for d in diags if d["code"] == "FAL001"]
    assert "nested more than 400" in bad["message"] and bad["line"] == 5
    proc = _subprocess(["check", "--no-cache", str(tmp_path)], tmp_path)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr and proc.stdout


# 2 ---------------------------------------------------------------------------


def test_a_million_component_ref_is_refused_in_linear_time(tmp_path):
    ref = "a/" * 1_000_000 + "app.py::A"
    write_files(tmp_path, {"pyproject.toml": f'[tool.fal.apps.a]\nref = "{ref}"\n'})
    res, diags, elapsed = _json(tmp_path, "--no-cache")
    assert res.code == 1 and elapsed < 3
    assert _codes(diags) == ["FAL101"] and "characters long" in diags[0]["message"]


def test_long_paths_resolve_in_linear_time():
    from fallint.loading.files import forget_real_paths, real_path, resolved

    forget_real_paths()
    start = time.perf_counter()
    real_path("a/" * 1_000_000 + "x")
    resolved("a/" * 1_000_000 + "x")
    assert time.perf_counter() - start < 2


# 3 ---------------------------------------------------------------------------


def test_a_megabyte_word_in_copy_is_fast(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": '[tool.fal.apps.a]\nimage = { dockerfile = "Dockerfile" }\n',
        "Dockerfile": "FROM python:3.12\nCOPY " + "x" * 1_000_000 + " /app/\n",
    })
    res, diags, elapsed = _json(tmp_path, "--no-cache")
    assert res.code == 1 and elapsed < 5
    assert _codes(diags) == ["FAL416"]  # fal cannot upload it (the name is too long)


# 4 and 5 -----------------------------------------------------------------------


def _listed_outside(monkeypatch, root: Path) -> list[str]:
    listed: list[str] = []
    real_listdir, real_scandir = os.listdir, os.scandir
    top = os.path.realpath(root)

    def note(path):
        real = os.path.realpath(path if path is not None else ".")
        if real != top and not real.startswith(top + os.sep):
            listed.append(real)

    def listdir(path="."):
        note(path)
        return real_listdir(path)

    def scandir(path="."):
        note(path)
        return real_scandir(path)

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "scandir", scandir)
    return listed


@pytest.mark.parametrize("packaging", [
    '[tool.setuptools]\npackage-dir = {"" = "/"}\n',
    '[tool.setuptools.packages.find]\nwhere = ["../../.."]\n',
    '[tool.setuptools]\npackage-dir = {"pkg" = "/usr"}\n',
])
def test_package_discovery_stays_inside_the_project(tmp_path, monkeypatch, packaging):
    root = tmp_path / "a" / "b" / "c" / "project"
    write_files(root, {
        "pyproject.toml": f'[project]\nname = "x"\n{packaging}'
                          '[tool.fal.apps.a]\npython_entry_point = "foo.bar:A"\nrequirements = ["."]\n',
    })
    # tmp_path/a holds a package that `where = ["../../.."]` would find
    write_files(tmp_path / "a", {"foo/__init__.py": "", "foo/bar.py": APP})
    listed = _listed_outside(monkeypatch, root)
    res, diags, elapsed = _json(root, "--no-cache")
    monkeypatch.undo()
    assert elapsed < 3
    assert listed == []
    assert "FAL205" in _codes(diags)


def test_directory_symlinks_to_dot_are_walked_once(tmp_path):
    write_files(tmp_path, {
        "pyproject.toml": '[project]\nname = "x"\n[tool.setuptools.packages.find]\nwhere = ["src"]\n'
                          '[tool.fal.apps.a]\npython_entry_point = "pkg.mod:A"\nrequirements = ["."]\n',
        "src/pkg/__init__.py": "",
        "src/pkg/mod.py": APP,
        "app.py": APP,
    })
    for where in (tmp_path, tmp_path / "src", tmp_path / "src" / "pkg"):
        for name in ("l1", "l2", "l3", "l4"):
            os.symlink(".", where / name)
    os.symlink("..", tmp_path / "src" / "pkg" / "up")
    res, diags, elapsed = _json(tmp_path, "--no-cache")
    assert elapsed < 3, elapsed
    assert res.code == 0, diags


# 6 ---------------------------------------------------------------------------


def test_a_deleted_working_directory_is_a_one_line_error(tmp_path):
    write_files(tmp_path, {"p/pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\n', "p/app.py": APP})
    gone = tmp_path / "gone"
    script = (
        "import os, sys; os.chdir(sys.argv[1]); os.rmdir(sys.argv[1]); "
        "from fallint.cli import main; sys.exit(main(sys.argv[2:]))"
    )
    for args in (["check", str(tmp_path / "p")], ["check"], ["clean"]):
        gone.mkdir()
        proc = subprocess.run([sys.executable, "-c", script, str(gone), *args],
                              env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True,
                              timeout=30)
        assert proc.returncode == 2, proc.stderr
        assert proc.stderr.count("\n") == 1 and "working directory was deleted" in proc.stderr


# 7 and 8 -----------------------------------------------------------------------


def _cache_env(tmp_path: Path) -> dict:
    return {"FALLINT_CACHE_KEY": "hostile-tests", "XDG_CACHE_HOME": str(tmp_path / "xdg")}


def test_a_fifo_in_place_of_a_cache_entry_does_not_block(tmp_path):
    from fallint.loading.cache import Cache, project_cache

    root = write_files(tmp_path / "p", {"pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\n', "app.py": APP})
    cache = project_cache(root)
    entry = Path(cache.entry_file(Cache.digest(APP.encode())))
    entry.parent.mkdir(parents=True)
    os.mkfifo(entry)
    proc = _subprocess(["check", str(root)], root, env=_cache_env(tmp_path), timeout=30)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_a_fifo_as_a_project_file_is_not_opened(tmp_path):
    root = write_files(tmp_path / "p", {
        "pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\nimage = { dockerfile = "Dockerfile" }\n',
    })
    os.mkfifo(root / "app.py")
    os.mkfifo(root / "Dockerfile")
    os.mkfifo(root / ".dockerignore")
    proc = _subprocess(["check", "--output-format", "json", str(root)], root, env=_cache_env(tmp_path), timeout=30)
    assert proc.returncode == 1 and "Traceback" not in proc.stderr
    assert {"FAL104", "FAL410"} <= {d["code"] for d in json.loads(proc.stdout)}


@pytest.mark.parametrize("where", [".fallint_cache", ".fallint_cache/ENTRIES", ".fallint_cache/ENTRIES/PREFIX"])
def test_a_symlinked_cache_directory_is_never_written_through(tmp_path, where):
    from fallint.loading.cache import ENTRIES_DIR, Cache

    root = write_files(tmp_path / "p", {"pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\n', "app.py": APP})
    outside = tmp_path / "outside"
    outside.mkdir()
    link = root / where.replace("ENTRIES", ENTRIES_DIR).replace("PREFIX", Cache.digest(APP.encode())[:2])
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(outside, link)
    env = _cache_env(tmp_path)
    for _ in range(2):  # cold, then warm
        res, diags, _ = _json(root, env=env)
        assert res.code == 0 and diags == []
    assert list(outside.iterdir()) == []
    # the entries went to the user cache directory instead
    assert list((tmp_path / "xdg" / "fallint").rglob("*.bin"))


def test_a_cache_directory_that_is_a_file_falls_back(tmp_path):
    root = write_files(tmp_path / "p", {
        "pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\n', "app.py": APP, ".fallint_cache": "not a directory",
    })
    res, diags, _ = _json(root, env=_cache_env(tmp_path))
    assert res.code == 0 and (root / ".fallint_cache").read_text() == "not a directory"
    assert list((tmp_path / "xdg" / "fallint").rglob("*.bin"))


# 9 and 10 ----------------------------------------------------------------------


def test_files_over_the_read_limit_are_reported(tmp_path):
    big = b"# padding\n" * (1_100_000)  # 11 MB
    write_files(tmp_path, {
        "pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\n\n'
                          '[tool.fal.apps.b]\nimage = { dockerfile = "Dockerfile" }\n\n'
                          '[tool.fal.apps.c]\npython_entry_point = "big:A"\n',
        "app.py": big,
        "Dockerfile": big,
        "big.py": big,
    })
    res, diags, elapsed = _json(tmp_path, "--no-cache")
    assert elapsed < 3
    too_large = [d for d in diags if d["code"] == "FAL904"]
    assert sorted(d["app"] for d in too_large) == ["a", "b", "c"]
    assert all("bytes are not read" in d["message"] for d in too_large)


def test_a_200000_line_app_file_is_bounded(tmp_path):
    lines = [APP] + [f"V{i} = {i}" for i in range(200_000)]
    write_files(tmp_path, {"pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A"\n', "app.py": "\n".join(lines)})
    script = (
        # the peak of this process's own memory: VmHWM (getrusage's ru_maxrss keeps the
        # parent's peak across fork and exec on Linux, so a big pytest process would count)
        "import sys; from fallint.cli import main; code = main(sys.argv[1:]); "
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')]; "
        "print(int(hwm[0].split()[1]) if hwm else 0, file=sys.stderr); sys.exit(code)"
    )
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", script, "check", "--no-cache", "--output-format", "json", str(tmp_path)],
                          env=dict(os.environ, PYTHONPATH=str(REPO)), capture_output=True, text=True, timeout=60)
    assert time.perf_counter() - start < 10
    assert int(proc.stderr.strip().splitlines()[-1]) < 300_000  # KiB
    [diag] = json.loads(proc.stdout)
    assert diag["code"] == "FAL904" and "20,000 lines" in diag["message"]


# 11 and 12 ---------------------------------------------------------------------


def test_a_nul_in_the_dockerfile_path_is_one_diagnostic(tmp_path):
    write_files(tmp_path, {"pyproject.toml": '[tool.fal.apps.a]\nimage = { dockerfile = "\\u0000" }\n'})
    res, diags, _ = _json(tmp_path, "--no-cache")
    assert res.code == 1 and res.err == ""
    assert _codes(diags) == ["FAL410"] and "NUL" in diags[0]["message"]


def test_internal_errors_are_one_line_per_failure(tmp_path, monkeypatch):
    from fallint.model import build as image

    def broken(self):
        raise ValueError("boom")

    monkeypatch.setattr(image.Build, "ignore", property(broken))
    write_files(tmp_path, {"pyproject.toml": '[tool.fal.apps.a]\nimage = { dockerfile = "Dockerfile" }\n',
                           "Dockerfile": "FROM python\nCOPY a.txt /\n"})
    res = run_cli(["check", "--no-cache", str(tmp_path)], cwd=tmp_path)
    assert res.code == 2
    lines = res.err.splitlines()
    assert len(lines) == 1 and "rules FAL4" in lines[0] and "ValueError: boom" in lines[0]


@pytest.mark.parametrize("how", ["absolute", "symlink", "dotdot"])
def test_a_dockerfile_outside_the_project_is_never_quoted(tmp_path, how):
    secret = tmp_path / "secret"
    secret.write_text("root:x:0:0:SECRET-CONTENT:/root:/bin/bash\nCOPY SECRET-WORD /\n")
    root = tmp_path / "p"
    value = {"absolute": str(secret), "symlink": "Dockerfile", "dotdot": "../secret"}[how]
    write_files(root, {"pyproject.toml": f'[tool.fal.apps.a]\nimage = {{ dockerfile = "{value}" }}\n'})
    if how == "symlink":
        os.symlink(secret, root / "Dockerfile")
    for fmt in ("full", "json", "sarif", "github", "concise"):
        res = run_cli(["check", "--no-cache", "--output-format", fmt, str(root)], cwd=root)
        assert "SECRET" not in res.out + res.err
        assert "FAL424" in res.out


def test_a_form_feed_in_dockerignore_keeps_positions_right(tmp_path):
    """Found by the fuzz suite: fal splits .dockerignore with splitlines (a form
    feed ends a line), positions count "\\n" only."""
    write_files(tmp_path, {"pyproject.toml": '[tool.fal.apps.web]\nimage = { dockerfile = "Dockerfile" }\n',
                           "Dockerfile": "FROM python:3.12-slim\n", ".dockerignore": "\x0c\n\\"})
    res, diags, _ = _json(tmp_path, "--no-cache")
    assert res.code == 1 and [(d["code"], d["line"]) for d in diags] == [("FAL417", 2)]
