"""Files reached through symlinks leading out of the project are never read
nor quoted (issue #11): a `ref` file, an entry-point module, a `.dockerignore`."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from fallint.rules.registry import Symlink

from ..helpers import run_cli, write_files

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="symbolic links")

SECRET = "SECRET-7f3a9c-do-not-leak"
#: a Python file with the secret on every line, and a syntax error (FAL105 would quote it)
SECRET_PY = f'import fal\n# {SECRET}\nclass Web(fal.App):\n    token = "{SECRET}"\n  {SECRET} = (\n'
FORMATS = ["full", "concise", "json", "github", "sarif", "json-lines", "junit", "gitlab", "rdjson",
           "pylint", "azure", "grouped"]


def outside_files(tmp_path: Path) -> Path:
    write_files(tmp_path / "outside", {
        "secret.py": SECRET_PY,
        "ok.py": f'import fal\n\nclass Web(fal.App):\n    """{SECRET}"""\n    x = 1\n',
        "dockerignore": f"{SECRET}\n!{SECRET}\n**/[{SECRET}\n",
    })
    return tmp_path / "outside"


def run_all_formats(root: Path) -> list[str]:
    outputs = []
    for fmt in FORMATS:
        r = run_cli(["check", "--no-cache", "--output-format", fmt, str(root)])
        assert r.code in (0, 1), (fmt, r.err)
        outputs.append(r.out + r.err)
    return outputs


def codes(root: Path) -> list[str]:
    r = run_cli(["check", "--no-cache", "--output-format", "json", str(root)])
    return [d["code"] for d in json.loads(r.out)]


@pytest.mark.parametrize("target", ["secret.py", "ok.py"])
def test_ref_symlink_leading_out(tmp_path, target):
    out = outside_files(tmp_path)
    root = tmp_path / "proj"
    write_files(root, {"pyproject.toml": '[tool.fal.apps.web]\nref = "app.py::Web"\n',
                       "app.py": Symlink(str(out / target))})
    assert codes(root) == ["FAL102"]
    for text in run_all_formats(root):
        assert SECRET not in text
    # the same file as a path that leaves the project: not read either
    (root / "pyproject.toml").write_text(f'[tool.fal.apps.web]\nref = "../outside/{target}::Web"\n')
    assert codes(root) == ["FAL102"]
    for text in run_all_formats(root):
        assert SECRET not in text


@pytest.mark.parametrize("target", ["secret.py", "ok.py"])
def test_entry_point_module_symlink_leading_out(tmp_path, target):
    out = outside_files(tmp_path)
    root = tmp_path / "proj"
    write_files(root, {
        "pyproject.toml": (
            '[project]\nname = "pkg"\nversion = "0.1"\n\n'
            '[tool.fal.apps.web]\npython_entry_point = "pkg.app:Web"\nrequirements = ["."]\n'
        ),
        "pkg/__init__.py": "",
        "pkg/app.py": Symlink(str(out / target)),
    })
    assert codes(root) == ["FAL210"]
    for text in run_all_formats(root):
        assert SECRET not in text


def test_dockerignore_symlink_leading_out(tmp_path):
    out = outside_files(tmp_path)
    root = tmp_path / "proj"
    write_files(root, {
        "pyproject.toml": '[tool.fal.apps.web.image]\ndockerfile = "Dockerfile"\n'
                          '[tool.fal.apps.api.image]\ndockerfile = "Dockerfile"\n',
        "Dockerfile": "FROM python:3.12-slim\nCOPY app.py /app/\n",
        "app.py": "x = 1\n",
        ".dockerignore": Symlink(str(out / "dockerignore")),
    })
    assert codes(root) == ["FAL424"]  # once per project, not per app
    for text in run_all_formats(root):
        assert SECRET not in text
    # a regular .dockerignore with the same lines is read (and its bad line quoted)
    os.unlink(root / ".dockerignore")
    (root / ".dockerignore").write_text((out / "dockerignore").read_text())
    assert any(SECRET in text for text in run_all_formats(root))


def test_imported_module_symlink_leading_out(tmp_path):
    """An in-project app file imports its base class from a module that is a
    symlink leading out of the project: that module is never read, so none of
    its lines is quoted (inside the project, FAL602 quotes the class default)."""
    base = f"import fal\n\nclass Base(fal.App):\n    requirements = []  # {SECRET}\n"
    write_files(tmp_path / "outside", {"base.py": base})
    root = tmp_path / "proj"
    write_files(root, {
        "pyproject.toml": '[tool.fal.apps.web]\nref = "app.py::Web"\nrequirements = ["numpy"]\n',
        "app.py": "import fal\nfrom base import Base\n\nclass Web(Base):\n"
                  "    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n",
        "base.py": Symlink(str(tmp_path / "outside" / "base.py")),
    })
    for text in run_all_formats(root):
        assert SECRET not in text
    # the same module as a real file inside the project is read, and quoted
    (root / "base.py").unlink()
    (root / "base.py").write_text(base)
    assert "FAL602" in codes(root)
    assert any(SECRET in text for text in run_all_formats(root))
