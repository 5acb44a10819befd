"""The benchmark scripts keep working (on a tiny size: no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

from ..helpers import REPO


def test_generate_own_dockerfiles_is_clean(tmp_path):
    project = tmp_path / "p"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "14", str(project),
                    "--own-dockerfiles"], check=True, capture_output=True, timeout=60)
    dockerfiles = sorted(p.relative_to(project).as_posix() for p in project.glob("docker/*/Dockerfile"))
    assert dockerfiles == ["docker/app_0005/Dockerfile", "docker/app_0012/Dockerfile"]
    assert "COPY . /app/" in (project / dockerfiles[0]).read_text()
    assert json.loads((project / ".benchmark-project.json").read_text())["own_dockerfiles"] is True
    run = subprocess.run([sys.executable, "-m", "fallint", "check", "--fail-on", "warning", str(project)],
                         capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_scale_script_runs(tmp_path):
    run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "scale.py"), "--sizes", "2",
                          "--runs", "1", "--workdir", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("| 2 |")]
    assert [line.split("|")[2].strip() for line in lines] == [
        "cold (CI: fresh clone, --no-cache)", "first run (empty cache: writes it)",
        "warm (nothing changed: the run is replayed)", "pre-commit: one app file changed, files passed"]


def test_realistic_project_is_clean_and_real_shaped(tmp_path):
    project = tmp_path / "p"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "realistic.py"), "14", str(project)],
                   check=True, capture_output=True, timeout=60)
    assert sorted(p.relative_to(project).as_posix() for p in project.glob("docker/*/Dockerfile")) == [
        "docker/app_0005/Dockerfile", "docker/app_0012/Dockerfile"]
    assert "COPY . /app/" in (project / "docker/app_0005/Dockerfile").read_text()
    assert (project / ".dockerignore").is_file()
    pyproject = (project / "pyproject.toml").read_text()
    assert 'python_entry_point = "realpkg.app_0003.app:Svc"' in pyproject
    assert 'ref = "apps/app_0001/app.py::App0001"' in pyproject
    sizes = []
    for app in project.glob("*/**/app_*/app.py"):
        text = app.read_text()
        sizes.append(text.count("\n"))
        assert (app.parent / "helpers.py").is_file() and (app.parent / "nn" / "blocks.py").is_file()
        assert "import torch\n" in text and ".helpers import" in text
    assert len(sizes) == 14 and all(90 <= s <= 1600 for s in sizes), sizes
    run = subprocess.run([sys.executable, "-m", "fallint", "check", "--no-cache", "--fail-on", "warning",
                          str(project)], capture_output=True, text=True, cwd=REPO, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr


def test_scale_script_runs_real_shape(tmp_path):
    run = subprocess.run([sys.executable, str(REPO / "benchmarks" / "scale.py"), "--shape", "real",
                          "--sizes", "2", "--runs", "1", "--workdir", str(tmp_path)],
                         capture_output=True, text=True, cwd=REPO, timeout=300, check=False)
    assert run.returncode == 0, run.stderr
    lines = [line for line in run.stdout.splitlines() if line.startswith("| 2 |")]
    assert len(lines) == 4 and all(line.count("|") == 10 for line in lines), lines
