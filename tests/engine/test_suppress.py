"""fallint.engine.suppress: inline `# fallint: ignore[...]` comments, and unused ones (FAL902)."""

from __future__ import annotations

import json

from ..cli_projects import APP_PY, codes


def test_inline_suppression(project, cli):
    root = project(
        {
            "app.py": APP_PY,
            "pyproject.toml": '''
[tool.fal.apps.web]
ref = "app.py::Web"
keepalive = 300  # fallint: ignore[FAL003]
machine_type = "GPU-h100"  # fallint: ignore[unknown-machine-type, FAL5]
regions = ["mars"]  # fallint: ignore
num_gpus = 1  # fallint: ignore[FAL003]

[tool.fal.apps.other]  # fallint: ignore[FAL003]
ref = "app.py::Web"
name = "other"
typo_one = 1
typo_two = 2
'''
        }
    )
    res = cli(["check", str(root), "--output-format", "json"], cwd=root)
    found = [(d["code"], d["line"], d["column"]) for d in json.loads(res.out)]
    assert found == [("FAL902", 6, 15)]  # the only unused suppression


def test_unused_suppression_not_reported_when_rules_are_deselected(project, cli):
    root = project({"pyproject.toml": '[tool.fal.apps.web]\nref = "a.py::W"\nnum_gpus = 1  # fallint: ignore[FAL003]\n'})
    res = cli(["check", str(root), "--output-format", "json", "--select", "FAL9", "--ignore", "FAL003"], cwd=root)
    assert codes(res) == []
    res = cli(["check", str(root), "--output-format", "json", "--app", "web"], cwd=root)
    assert "FAL902" not in codes(res)
