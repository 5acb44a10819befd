"""A hostile project whose every file writes a marker if executed or
imported: fallint must never run any of it, in any mode (cache off, cold and
warm, serial and parallel parsing, every output format)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import REPO, run_cli, write_files


def _payload(marker: Path, who: str) -> str:
    return f"open({str(marker)!r} + '-{who}', 'w').write('executed')\n"


def _hostile_project(root: Path, marker: Path) -> Path:
    app = "import fal\nimport helpers\n" + _payload(marker, "app") + (
        'class A(fal.App):\n    @fal.endpoint("/")\n    def run(self):\n        return {}\n'
    )
    files = {
        "pyproject.toml": (
            '[project]\nname = "svc"\nversion = "0.1"\n'
            '[build-system]\nrequires = ["setuptools"]\nbuild-backend = "setuptools.build_meta"\n'
            '[tool.fal.apps.ref]\nref = "app.py::A"\n'
            '[tool.fal.apps.entry]\npython_entry_point = "svc.main:A"\nrequirements = [".", "-r requirements.txt"]\n'
            '[tool.fal.apps.docker]\nref = "app.py"\nimage = { dockerfile = "Dockerfile" }\n'
            + "".join(f'[tool.fal.apps.m{i}]\nref = "apps/m{i}.py::A"\n' for i in range(10))
        ),
        "app.py": app,
        "helpers.py": _payload(marker, "helpers"),
        "src/svc/__init__.py": _payload(marker, "package"),
        "src/svc/main.py": "from . import helpers\n" + app,
        "src/svc/helpers.py": _payload(marker, "package-helpers"),
        "setup.py": _payload(marker, "setup"),
        "conftest.py": _payload(marker, "conftest"),
        "sitecustomize.py": _payload(marker, "sitecustomize"),
        "usercustomize.py": _payload(marker, "usercustomize"),
        "hostile.pth": "import os; " + _payload(marker, "pth"),
        "fal.py": _payload(marker, "fal-shadow"),
        "requirements.txt": "-e .\n",
        "Dockerfile": f"FROM python:3.12\nRUN touch {marker}-run\nCOPY . /app\n",
        ".dockerignore": "*.pyc\n",
        **{f"apps/m{i}.py": app for i in range(10)},
    }
    return write_files(root, files)


def _markers(tmp_path: Path) -> list[str]:
    return sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("MARKER"))


def test_nothing_in_the_project_is_ever_executed(tmp_path):
    marker = tmp_path / "MARKER"
    root = _hostile_project(tmp_path / "project", marker)
    env = {"FALLINT_CACHE_KEY": "canary", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
    modes = [["--no-cache"], ["--no-cache", "--jobs", "1"], ["--no-cache", "--jobs", "2"]]
    modes += [["--cache-dir", str(tmp_path / "cache"), "--jobs", "2"]] * 2  # cold, then warm
    modes += [[]] * 2  # the project's own .fallint_cache, cold then warm
    for mode in modes:
        for fmt in ("full", "concise", "json", "github", "sarif"):
            res = run_cli(["check", "--output-format", fmt, *mode, str(root)], cwd=root, env=env)
            assert res.code in (0, 1), res.err
            assert _markers(tmp_path) == [], (mode, fmt)
    # the command itself, run from inside the project (its directory first on sys.path)
    for args in (["check", "."], ["check", "--jobs", "2", "app.py", "pyproject.toml"], ["clean"]):
        proc = subprocess.run([sys.executable, "-m", "fallint", *args], cwd=root,
                              env=dict(os.environ, PYTHONPATH=str(REPO), **env),
                              capture_output=True, text=True, timeout=60)
        assert proc.returncode in (0, 1), proc.stderr
        assert _markers(tmp_path) == [], args
