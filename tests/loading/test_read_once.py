"""Each file is read from disk once per run, whichever rules look at it."""

from __future__ import annotations

import builtins
import os
import subprocess
import sys

from ..helpers import REPO

PYPROJECT = """
[project]
name = "svc"
version = "0.1.0"
dependencies = ["fal"]

[tool.fal.apps.one]
ref = "apps/one.py::One"

[tool.fal.apps.two]
ref = "apps/one.py::One"
keep_alive = 10

[tool.fal.apps.three]
python_entry_point = "svc.serve:Svc"
requirements = [".", "numpy>=1.26"]

[tool.fal.apps.four]
python_entry_point = "svc.serve:Svc"
requirements = [".", "numpy>=1.26"]
"""
APP = """
import fal
from helpers import GREETING  # FAL114: a rule reads this file's text too


class One(fal.App):
    @fal.endpoint("/")
    def run(self) -> dict:
        return {}
"""
SERVE = """
import fal


class Svc(fal.App):
    @fal.endpoint("/")
    def run(self) -> dict:
        return {}
"""


def _opened(monkeypatch) -> list[str]:
    opened: list[str] = []
    real = builtins.open

    def counting(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)):
            opened.append(os.path.realpath(file))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", counting)
    real_os_open = os.open

    def counting_os_open(file, flags, *args, **kwargs):  # fallint.loading.files.open_regular
        if isinstance(file, (str, os.PathLike)) and not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            opened.append(os.path.realpath(file))
        return real_os_open(file, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", counting_os_open)
    return opened


def test_each_project_file_is_opened_once(project, cli, monkeypatch, tmp_path):
    root = project({
        "pyproject.toml": PYPROJECT,
        "apps/one.py": APP,
        "apps/helpers.py": "GREETING = 'hi'\n",
        "src/svc/__init__.py": "",
        "src/svc/serve.py": SERVE,
    })
    for args in (["--no-cache"], ["--cache-dir", str(tmp_path / "cache")], ["--cache-dir", str(tmp_path / "cache")]):
        opened = _opened(monkeypatch)
        res = cli(["check", *args, "--output-format", "concise", str(root)])
        assert "FAL114" in res.out, res.out + res.err
        mine = [p for p in opened if p.startswith(os.path.realpath(root)) and "cache" not in p]
        assert sorted(mine) == sorted(set(mine)), (args, [p[len(os.path.realpath(root)):] for p in mine])  # never the same file twice
        assert os.path.realpath(root / "pyproject.toml") in mine
        assert os.path.realpath(root / "apps/one.py") in mine
        monkeypatch.undo()


def test_the_command_exits_with_its_code_and_flushes_its_output(tmp_path):
    """``fallint`` (cli.run) ends the process without interpreter teardown;
    its output and exit code must be complete anyway."""
    (tmp_path / "pyproject.toml").write_text('[tool.fal.apps.a]\nref = "missing.py::A"\n', encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), NO_COLOR="1")
    res = subprocess.run([sys.executable, "-m", "fallint", "check", "--no-cache", "--output-format", "json",
                          str(tmp_path)], capture_output=True, text=True, env=env)
    assert res.returncode == 1
    assert res.stdout.rstrip().endswith("]") and '"code": "FAL1' in res.stdout
    res = subprocess.run([sys.executable, "-m", "fallint", "check", "--no-cache", str(REPO / "examples" / "clean")],
                         capture_output=True, text=True, env=env)
    assert res.returncode == 0, res.stdout + res.stderr
