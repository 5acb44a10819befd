"""The run cache: a `fallint check` with nothing changed replays the last
result, and any change that could matter makes it run again
(fallint/loading/runcache.py)."""

from __future__ import annotations

import json
import os
import shutil
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from fallint.loading import fs, runcache

from ..helpers import run_cli, write_files

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"

[tool.fal.apps.klass]
ref = "app.py::MyApp"

[tool.fal.apps.built]
ref = "other.py::Built"
image = { dockerfile = "Dockerfile" }

[tool.fal.apps.entry]
python_entry_point = "demo.main:App"
requirements = ["-r requirements.txt"]
"""

APP = """\
import fal
import torch


class MyApp(fal.App):
    machine_type = "GPU-A100"

    @fal.endpoint("/")
    def run(self) -> dict:
        return {}
"""

OTHER = """\
import fal


class Built(fal.App):
    @fal.endpoint("/")
    def run(self) -> dict:
        return {}
"""

FILES = {
    "pyproject.toml": PYPROJECT,
    "app.py": APP,
    "other.py": OTHER,
    "Dockerfile": "FROM python:3.11\nCOPY . /app/\nCOPY data/weights.bin /w/\nRUN pip install fal\n",
    ".dockerignore": "*.md\n",
    "data/weights.bin": "0" * 100,
    "requirements.txt": "numpy==2.1.0\n",
    "src/demo/__init__.py": "",
    "src/demo/main.py": "import fal\n\n\nclass App(fal.App):\n    pass\n",
}


def _replays(monkeypatch) -> list[int]:
    """Count the runs that ran (not replayed): check_paths is only called then."""
    import fallint.engine.run as engine

    calls: list[int] = []
    real = engine.check_paths

    def counting(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(engine, "check_paths", counting)
    return calls


def test_a_warm_run_replays_the_same_report(tmp_path, monkeypatch):
    root = write_files(tmp_path / "p", FILES)
    ran = _replays(monkeypatch)
    for fmt in ("full", "json", "sarif", "github", "concise"):
        first = run_cli(["check", "--output-format", fmt], cwd=root)
        second = run_cli(["check", "--output-format", fmt], cwd=root)
        assert (second.code, second.out, second.err) == (first.code, first.out, first.err)
    assert first.code == 1 and "FAL" in run_cli(["check"], cwd=root).out
    assert len(ran) == 1  # the first run; every other (any format) was replayed
    cold = run_cli(["check", "--no-cache", "--output-format", "json"], cwd=root)
    assert cold.out == run_cli(["check", "--output-format", "json"], cwd=root).out
    assert len(ran) == 2  # --no-cache ran


def test_the_command_line_is_part_of_the_key(tmp_path, monkeypatch):
    root = write_files(tmp_path / "p", FILES)
    ran = _replays(monkeypatch)
    run_cli(["check"], cwd=root)
    assert run_cli(["check", "--select", "FAL1"], cwd=root).out != run_cli(["check"], cwd=root).out
    run_cli(["check", "--app", "klass"], cwd=root)
    run_cli(["check", "--exit-zero", "--statistics", "-q"], cwd=root)  # printing only: replayed
    assert len(ran) == 3
    assert run_cli(["check", "--app", "nope"], cwd=root).err == run_cli(["check", "--app", "nope"], cwd=root).err
    assert "no app named nope" in run_cli(["check", "--app", "nope"], cwd=root).err


def test_fixes_verbose_and_settings_never_replay(tmp_path, monkeypatch):
    root = write_files(tmp_path / "p", {**FILES, "pyproject.toml": PYPROJECT + 'python_version = 3.11\n'})
    ran = _replays(monkeypatch)
    run_cli(["check"], cwd=root)
    run_cli(["check"], cwd=root)
    assert len(ran) == 1
    for args in (["--diff"], ["-v"], ["--show-settings"], ["--diff"]):
        before = len(ran)
        shown = run_cli(["check", *args], cwd=root)
        assert len(ran) > before, args  # ran again
        assert shown.out and shown.out != run_cli(["check"], cwd=root).out or shown.err, args
    before = len(ran)
    fixed = run_cli(["check", "--fix"], cwd=root)
    assert len(ran) > before
    assert 'python_version = "3.11"' in (root / "pyproject.toml").read_text()
    after = run_cli(["check", "--output-format", "json"], cwd=root)
    assert after.out == run_cli(["check", "--no-cache", "--output-format", "json"], cwd=root).out
    assert fixed.code == after.code


def test_an_entry_that_is_not_ours_is_ignored(tmp_path, monkeypatch):
    root = write_files(tmp_path / "p", FILES)
    cache = tmp_path / "cache"
    first = run_cli(["check", "--cache-dir", str(cache)], cwd=root)
    (entry,) = (cache / runcache.RUNS_DIR).iterdir()
    blob = entry.read_bytes()
    head, _, payload = blob.partition(b"\n")
    # a forged result: no diagnostics, same header (its MAC no longer matches)
    import marshal

    forged = marshal.loads(payload)
    forged["result"]["diagnostics"] = []
    forged["result"]["failed"] = False
    entry.write_bytes(head + b"\n" + marshal.dumps(forged))
    ran = _replays(monkeypatch)
    again = run_cli(["check", "--cache-dir", str(cache)], cwd=root)
    assert (again.code, again.out) == (first.code, first.out)
    assert len(ran) == 1
    # another user's key: the entry is ignored too
    other = run_cli(["check", "--cache-dir", str(cache)], cwd=root, env={"FALLINT_CACHE_KEY": "someone else"})
    assert (other.code, other.out) == (first.code, first.out)
    assert len(ran) == 2


def test_no_cache_writes_no_run_and_clean_removes_them(tmp_path):
    root = write_files(tmp_path / "p", FILES)
    cache = tmp_path / "cache"
    run_cli(["check", "--no-cache", "--cache-dir", str(cache)], cwd=root)
    assert not (cache / runcache.RUNS_DIR).exists()
    run_cli(["check", "--cache-dir", str(cache)], cwd=root)
    assert len(list((cache / runcache.RUNS_DIR).iterdir())) == 1
    out = run_cli(["clean", "--cache-dir", str(cache)], cwd=root).out
    assert runcache.RUNS_DIR in out
    assert not (cache / runcache.RUNS_DIR).exists()


def test_old_runs_are_pruned(tmp_path, monkeypatch):
    root = write_files(tmp_path / "p", FILES)
    cache = tmp_path / "cache"
    monkeypatch.setattr(runcache, "MAX_ENTRIES", 3)
    for code in ("FAL1", "FAL2", "FAL3", "FAL4", "FAL5"):
        run_cli(["check", "--cache-dir", str(cache), "--select", code], cwd=root)
    assert len(list((cache / runcache.RUNS_DIR).iterdir())) == 3


# -- any change that matters is seen -------------------------------------------------


def _edit(path: Path, old: str, new: str) -> None:
    path.write_text(path.read_text().replace(old, new))


MUTATIONS = {
    "rename-class": lambda r: _edit(r / "app.py", "class MyApp", "class MyApq"),
    "grow-app": lambda r: _edit(r / "app.py", 'machine_type = "GPU-A100"', 'machine_type = "GPU-X"'),
    "same-size-edit": lambda r: _edit(r / "app.py", "GPU-A100", "GPU-A10G"),
    "delete-dockerfile": lambda r: (r / "Dockerfile").unlink(missing_ok=True),
    "restore-dockerfile": lambda r: (r / "Dockerfile").write_text(FILES["Dockerfile"]),
    "ignore-weights": lambda r: (r / ".dockerignore").write_text("*.md\ndata/\n"),
    "delete-weights": lambda r: shutil.rmtree(r / "data", ignore_errors=True),
    "shadow-torch": lambda r: (r / "torch.py").write_text("x = 1\n"),
    "unshadow-torch": lambda r: (r / "torch.py").unlink(missing_ok=True),
    "config-ignore": lambda r: (r / "pyproject.toml").write_text(
        PYPROJECT + '\n[tool.fallint]\nignore = ["FAL114"]\n'),
    "config-restore": lambda r: (r / "pyproject.toml").write_text(PYPROJECT),
    "break-toml": lambda r: (r / "pyproject.toml").write_text(PYPROJECT + "[[[\n"),
    "drop-requirements": lambda r: (r / "requirements.txt").unlink(missing_ok=True),
    "bad-requirements": lambda r: (r / "requirements.txt").write_text("numpy=2\n"),
    "move-entry-module": lambda r: (r / "src/demo/main.py").exists() and os.replace(
        r / "src/demo/main.py", r / "src/demo/main2.py"),
    "symlink-other": lambda r: (r / "other.py").unlink() or (r / "other.py").symlink_to("app.py"),
    "other-to-dir": lambda r: (r / "other.py").unlink() or (r / "other.py").mkdir(),
    "pin-old-fal": lambda r: (r / "requirements-dev.txt").write_text("fal==1.60.0\n"),
}


@settings(max_examples=12, derandomize=True, deadline=None, database=None,
          suppress_health_check=list(HealthCheck))
@given(steps=st.lists(st.sampled_from(sorted(MUTATIONS)), min_size=1, max_size=5),
       racy=st.booleans())
def test_warm_runs_equal_cold_runs_after_any_change(tmp_path_factory, steps, racy):
    """After each change, a cached run prints what a run without the cache
    prints: the change was noticed (or did not matter)."""
    root = write_files(tmp_path_factory.mktemp("p"), FILES)
    old = fs.RACY_NS
    # racy=False: files count as modified long ago, so reads are judged by
    # their identity (times, size, inode) alone, not by content
    fs.RACY_NS = old if racy else -(10 ** 12)
    import fallint.engine.run as engine

    real, ran = engine.check_paths, []
    engine.check_paths = lambda *a, **k: ran.append(1) or real(*a, **k)
    try:
        args = ["check", "--output-format", "json"]
        run_cli(args, cwd=root)
        for step in steps:
            try:
                MUTATIONS[step](root)
            except OSError:
                continue
            cold = run_cli([*args, "--no-cache"], cwd=root)
            for _ in range(2):  # the first stores the new result, the second replays it
                warm = run_cli(args, cwd=root)
                assert (warm.code, warm.out) == (cold.code, cold.out), step
            before = len(ran)
            run_cli(args, cwd=root)
            assert len(ran) == before, f"{step}: not replayed"
    finally:
        fs.RACY_NS = old
        engine.check_paths = real


def test_the_benchmark_shaped_warm_run_imports_no_rule(tmp_path):
    """A replay loads no parser, model, engine or rule (a subprocess, as a user runs it)."""
    import subprocess
    import sys

    root = write_files(tmp_path / "p", FILES)
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    code = (
        "import sys; sys.argv = ['fallint', 'check', '-q']\n"
        "from fallint.cli import main\n"
        "rc = main()\n"
        "heavy = ('fallint.formats', 'fallint.model', 'fallint.engine', 'fallint.rules.', 'libcst', 'packaging', 'tomli')\n"
        "print(sorted(m for m in sys.modules if m.startswith(heavy) and m != 'fallint.rules.registry'), file=sys.stderr)\n"
        "sys.exit(rc)"
    )
    first = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    second = subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True)
    assert "fallint.engine.run" in first.stderr
    assert second.stderr.strip().splitlines()[-1] == "[]", second.stderr
    assert (second.returncode, second.stdout) == (first.returncode, first.stdout)
