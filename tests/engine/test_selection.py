"""fallint.engine.run: which rules and apps a run checks (--select, --ignore, --extend-select, --app)."""

from __future__ import annotations

import json

from ..cli_projects import APP_PY, BAD, codes


def test_select_accepts_codes_prefixes_and_names(project, cli):
    root = project({"pyproject.toml": BAD, "app.py": APP_PY})
    base = ["check", str(root), "--output-format", "json"]
    assert codes(cli(base, cwd=root)) == ["FAL003", "FAL503"]
    assert codes(cli(base + ["--select", "FAL5"], cwd=root)) == ["FAL503"]
    assert codes(cli(base + ["--select", "unknown-key"], cwd=root)) == ["FAL003"]
    assert codes(cli(base + ["--ignore", "unknown-machine-type"], cwd=root)) == ["FAL003"]
    assert codes(cli(base + ["--select", "FAL0", "--extend-select", "FAL503"], cwd=root)) == ["FAL003", "FAL503"]


def test_app_filter(project, cli):
    root = project(
        {
            "app.py": APP_PY,
            "pyproject.toml": '''
[tool.fal.apps.a]
ref = "app.py::A"
keepalive = 1

[tool.fal.apps.b]
ref = "app.py::B"
keepalive = 1
'''
        }
    )
    res = cli(["check", str(root), "--output-format", "json", "--app", "b"], cwd=root)
    assert [d["app"] for d in json.loads(res.out)] == ["b"]
    res = cli(["check", str(root), "--app", "zzz"], cwd=root)
    assert "no app named zzz" in res.err
