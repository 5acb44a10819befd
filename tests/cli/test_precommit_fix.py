"""The `fallint-fix` pre-commit hook, run by the real pre-commit: it rewrites the file and
fails (pre-commit fails a hook that changed files), then passes on the fixed file."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from ..helpers import REPO, write_files
from .test_precommit import APP, PYPROJECT, git, isolated_env, snapshot_repository

HOOK_ID = "fallint-fix"


def test_fix_hook_is_declared_like_the_check_hook():
    hooks = {h["id"]: h for h in yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())}
    assert hooks[HOOK_ID]["files"] == hooks["fallint"]["files"]
    assert "--fix-only" in hooks[HOOK_ID]["entry"]


def test_fix_hook_rewrites_and_fails_then_passes(tmp_path):
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if exe is None or shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("needs pre-commit, git and a git checkout")
    env = isolated_env(tmp_path / "home")
    hook_repo = tmp_path / "fallint-repo"
    hook_repo.mkdir()
    sha = snapshot_repository(hook_repo, env)
    config = tmp_path / "config.yaml"
    config.write_text(json.dumps({"repos": [{"repo": str(hook_repo), "rev": sha, "hooks": [{"id": HOOK_ID}]}]}))
    root = tmp_path / "project"
    write_files(root, {"pyproject.toml": PYPROJECT.lstrip() + "keepalive = 1\n", "app.py": APP.lstrip()})
    git(root, env, "init", "-q")
    git(root, env, "add", "-A")

    def run():
        res = subprocess.run([exe, "run", "--config", str(config), "--color", "never", "--files", "pyproject.toml"],
                             cwd=root, env=env, capture_output=True, text=True, timeout=600)
        m = re.search(r"^fallint \(fix\)\.+(Passed|Failed)$", res.stdout, re.M)
        return res.returncode, m.group(1) if m else None, res.stdout + res.stderr

    code, status, out = run()
    assert (code, status) == (1, "Failed"), out
    assert "files were modified by this hook" in out
    assert "keep_alive = 1" in (root / "pyproject.toml").read_text()
    git(root, env, "add", "-A")
    code, status, out = run()
    assert (code, status) == (0, "Passed"), out
