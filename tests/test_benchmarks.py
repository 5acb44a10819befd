"""The benchmark scripts keep working (on a tiny size: no timing asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


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
        "cold (CI: fresh clone, --no-cache)", "warm", "pre-commit: one app file changed, files passed"]
