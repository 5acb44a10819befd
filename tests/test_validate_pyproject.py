"""The validate-pyproject plugin, through the real `validate-pyproject` command.

fallint's wheel is built from this checkout (offline: no build isolation, the
test extra brings a setuptools that builds wheels by itself) and installed in a
scratch directory put first on PYTHONPATH, so validate-pyproject discovers the
`validate_pyproject.tool_schema` entry point exactly as a user's environment
does, and reads the schema from the wheel's package data.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from fallint.jsonschema import SCHEMA_FILE
from fallint.pyproject_plugin import SCHEMA_ID, schema

from .conftest import REPO

BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A directory holding fallint installed from a wheel of this checkout."""
    tmp = tmp_path_factory.mktemp("vp")
    src = tmp / "src"
    shutil.copytree(REPO / "fallint", src / "fallint", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    subprocess.run(
        [*pip, "wheel", "--quiet", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(tmp / "dist"), str(src)],
        check=True,
        capture_output=True,
    )
    (wheel,) = (tmp / "dist").glob("fallint-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        assert "fallint/data/partial-fal.json" in names  # package data
        eps = zf.read(next(n for n in names if n.endswith(".dist-info/entry_points.txt"))).decode()
        assert "[validate_pyproject.tool_schema]" in eps and "fal = fallint.pyproject_plugin:schema" in eps
    target = tmp / "site"
    subprocess.run(
        [*pip, "install", "--quiet", "--no-deps", "--no-index", "--target", str(target), str(wheel)],
        check=True,
        capture_output=True,
    )
    return target


def _validate(site: Path, pyproject: Path) -> subprocess.CompletedProcess:
    exe = shutil.which("validate-pyproject", path=str(BIN)) or shutil.which("validate-pyproject")
    assert exe, "validate-pyproject is not installed: pip install -e '.[test]'"
    env = {**os.environ, "PYTHONPATH": str(site)}
    return subprocess.run([exe, str(pyproject)], capture_output=True, text=True, env=env, cwd=pyproject.parent)


def test_plugin_returns_the_committed_schema_with_an_id():
    data = schema("fal")
    assert data["$id"] == SCHEMA_ID
    assert {k: v for k, v in data.items() if k != "$id"} == json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))


def test_plugin_imports_nothing_heavy():
    code = "import sys, fallint.pyproject_plugin as p; p.schema('fal'); print(sorted(m for m in sys.modules if m.startswith('fallint')))"
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO, check=True)
    assert res.stdout.strip() == "['fallint', 'fallint.pyproject_plugin']"


def test_validate_pyproject_lists_the_fal_plugin(installed):
    exe = shutil.which("validate-pyproject", path=str(BIN)) or shutil.which("validate-pyproject")
    res = subprocess.run([exe, "--help"], capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(installed)})
    assert "'fal'" in res.stdout


def test_validate_pyproject_passes_a_clean_project(installed):
    res = _validate(installed, REPO / "examples" / "clean" / "pyproject.toml")
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Valid file" in res.stdout


def test_validate_pyproject_fails_a_bad_tool_fal_key(installed, tmp_path):
    bad = tmp_path / "pyproject.toml"
    bad.write_text(
        '[project]\nname = "x"\nversion = "1"\n\n[tool.fal.apps.web]\nref = "app.py::Web"\nkeepalive = 300\n',
        encoding="utf-8",
    )
    res = _validate(installed, bad)
    assert res.returncode == 1, res.stdout + res.stderr
    out = res.stdout + res.stderr
    assert "tool.fal.apps.web" in out and "keepalive" in out

    res = _validate(installed, REPO / "examples" / "broken" / "pyproject.toml")
    assert res.returncode == 1, res.stdout + res.stderr
