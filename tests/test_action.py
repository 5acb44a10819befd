"""action.yml: its steps' commands, run as the GitHub runner runs them.

Each `run:` step of the composite action is executed with bash, with its
`env:` expressions (`${{ inputs.X }}`, `${{ github.action_path }}`) evaluated
from the inputs given here and the runner's variables (RUNNER_TEMP,
GITHUB_PATH, GITHUB_ACTIONS=true) set.  pip is kept offline with its own
environment variables: it finds fallint's dependencies already installed
(PYTHONPATH) and a wheel of this checkout for `version`.  The `uses:` step
(the SARIF upload) is GitHub's own action: here the test checks the file it
would upload.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml

from fallint import __version__

from .conftest import REPO

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent
_EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def _inputs(given: dict) -> dict:
    out = {name: str(spec.get("default", "")) for name, spec in ACTION["inputs"].items()}
    unknown = set(given) - set(out)
    assert not unknown, unknown
    out.update(given)
    return out


def _eval(expr: str, inputs: dict, action_path: Path) -> str | bool:
    m = re.fullmatch(r"inputs\.([\w-]+)(?:\s*==\s*'(.*)')?", expr)
    if m:
        value = inputs[m.group(1)]
        return value == m.group(2) if m.group(2) is not None else value
    if expr == "github.action_path":
        return str(action_path)
    raise AssertionError(f"test does not evaluate ${{{{ {expr} }}}}")


def _subst(text: str, inputs: dict, action_path: Path) -> str:
    return _EXPR.sub(lambda m: str(_eval(m.group(1), inputs, action_path)), text)


def run_action(tmp_path: Path, workspace: Path, given: dict, pip_env: dict) -> list[subprocess.CompletedProcess]:
    """Run every step of action.yml in order, as the runner would; stop at the first failure."""
    inputs = _inputs(given)
    action_path = tmp_path / "action"
    if not action_path.exists():  # `uses: fallint/fallint@v1` checks the action's repository out here
        shutil.copytree(REPO / "fallint", action_path / "fallint", ignore=shutil.ignore_patterns("__pycache__"))
        for name in ("pyproject.toml", "README.md", "action.yml"):
            shutil.copy(REPO / name, action_path / name)
    runner_temp = tmp_path / "runner_temp"
    runner_temp.mkdir(exist_ok=True)
    github_path = tmp_path / "github_path"
    github_path.write_text("", encoding="utf-8")
    results = []
    for step in ACTION["runs"]["steps"]:
        cond = step.get("if")
        if cond is not None and not _eval(_EXPR.fullmatch(cond).group(1), inputs, action_path):
            continue
        if "uses" in step:
            results.append(step)  # GitHub's own action: checked by the caller
            continue
        assert step["shell"] == "bash"
        extra_path = [line for line in github_path.read_text(encoding="utf-8").splitlines() if line]
        env = {
            "PATH": os.pathsep.join([*extra_path, str(BIN), "/usr/bin", "/bin"]),
            "HOME": str(tmp_path),
            "RUNNER_TEMP": str(runner_temp),
            "GITHUB_PATH": str(github_path),
            "GITHUB_ACTIONS": "true",
            "GITHUB_WORKSPACE": str(workspace),
            "NO_COLOR": "1",
            **pip_env,
        }
        env.update({k: _subst(str(v), inputs, action_path) for k, v in (step.get("env") or {}).items()})
        res = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=workspace, env=env, capture_output=True, text=True, timeout=300,
        )
        res.step = step["name"]
        results.append(res)
        if res.returncode != 0:
            break
    return results


@pytest.fixture(scope="module")
def pip_env(tmp_path_factory) -> dict:
    """pip offline: dependencies found installed, fallint itself from a local wheel."""
    wheels = tmp_path_factory.mktemp("wheels")
    src = tmp_path_factory.mktemp("src")
    shutil.copytree(REPO / "fallint", src / "fallint", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(wheels), str(src)],
        check=True, capture_output=True,
    )
    # fallint's dependencies and setuptools, already installed -- but not fallint itself
    deps = tmp_path_factory.mktemp("deps")
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if "fallint" not in entry.name.lower() and entry.suffix != ".pth":
            (deps / entry.name).symlink_to(entry)
    return {
        "PYTHONPATH": str(deps),
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": str(wheels),
        "PIP_NO_BUILD_ISOLATION": "0",  # pip reads this as --no-build-isolation
        "PIP_CONFIG_FILE": os.devnull,
    }


def test_action_yml_is_a_valid_action():
    exe = shutil.which("check-jsonschema", path=str(BIN)) or shutil.which("check-jsonschema")
    res = subprocess.run([exe, "--builtin-schema", "vendor.github-actions", str(REPO / "action.yml")], capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr
    assert set(ACTION["inputs"]) == {"args", "src", "version", "upload-sarif", "sarif-file"}


def test_action_from_checkout_annotates_the_broken_example(tmp_path, pip_env):
    workspace = tmp_path / "ws"
    shutil.copytree(REPO / "examples" / "broken", workspace)
    results = run_action(tmp_path, workspace, {}, pip_env)
    assert [r.step for r in results] == ["Install fallint", "fallint check"], [(r.step, r.stderr) for r in results]
    install, check = results
    assert install.returncode == 0, install.stderr
    venv_bin = (tmp_path / "github_path").read_text(encoding="utf-8").strip()
    assert Path(venv_bin, "fallint").exists()
    # installed in the action's venv, not taken from the test environment
    where = subprocess.run([f"{venv_bin}/python", "-c", "import fallint; print(fallint.__file__)"],
                           capture_output=True, text=True, env={"PYTHONPATH": pip_env["PYTHONPATH"]}, cwd=tmp_path)
    assert where.stdout.startswith(str(tmp_path / "runner_temp")), where.stdout
    # GITHUB_ACTIONS=true and no --output-format: workflow commands
    assert check.returncode == 1, check.stdout + check.stderr
    lines = check.stdout.splitlines()
    assert lines[0].startswith("::error file=Dockerfile,line=3,"), lines[0]
    assert any("FAL106" in line for line in lines)


def test_action_with_version_args_src_and_sarif(tmp_path, pip_env):
    workspace = tmp_path / "ws"
    shutil.copytree(REPO / "examples", workspace)
    given = {
        "version": __version__,
        "args": "--select FAL5 --fail-on warning --output-format concise",
        "src": "clean broken",
        "upload-sarif": "true",
        "sarif-file": "out/fallint.sarif",
    }
    (workspace / "out").mkdir()
    results = run_action(tmp_path, workspace, given, pip_env)
    names = [r["name"] if isinstance(r, dict) else r.step for r in results]
    assert names == ["Install fallint", "SARIF report", "Upload SARIF", "fallint check"], names
    install, sarif, upload, check = results
    assert install.returncode == 0 and sarif.returncode == 0, install.stderr + sarif.stderr
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif-file }}"
    log = json.loads((workspace / "out" / "fallint.sarif").read_text(encoding="utf-8"))
    codes = {r["ruleId"] for r in log["runs"][0]["results"]}
    assert codes and all(c.startswith("FAL5") for c in codes), codes
    assert check.returncode == 1
    assert all(" FAL5" in line for line in check.stdout.splitlines()[:-1]), check.stdout
    assert check.stdout.splitlines()[-1].startswith("Found ")
