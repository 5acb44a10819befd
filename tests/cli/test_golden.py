"""Golden output of every format, through the CLI, on tests/fixtures/golden.

Regenerate with FALLINT_UPDATE_GOLDEN=1 after an intended change, and review the diff.
"""

from __future__ import annotations

import json
import os

import pytest

from ..helpers import REPO

FIXTURE = REPO / "tests" / "fixtures" / "golden"
UPDATE = bool(os.environ.get("FALLINT_UPDATE_GOLDEN"))


@pytest.mark.parametrize("fmt", ["full", "concise", "json", "github", "sarif"])
def test_golden(cli, fmt):
    res = cli(["check", "--output-format", fmt], cwd=FIXTURE)
    assert res.code == 1, res.err
    out = res.out
    if fmt == "sarif":
        data = json.loads(out)
        run = data["runs"][0]
        from fallint.rules.registry import all_rules

        rules = run["tool"]["driver"]["rules"]
        assert [r["id"] for r in rules] == [r.code for r in all_rules()]
        for result in run["results"]:
            # ruleIndex shifts whenever a rule is added: check it, then leave it out of the golden
            assert rules[result.pop("ruleIndex")]["id"] == result["ruleId"]
        run["tool"]["driver"] = {"name": run["tool"]["driver"]["name"]}
        run.pop("originalUriBaseIds", None)
        out = json.dumps(data, indent=2, sort_keys=True) + "\n"
    expected_file = FIXTURE / f"expected.{fmt}"
    if UPDATE or not expected_file.exists():
        expected_file.write_text(out, encoding="utf-8")
    assert out == expected_file.read_text(encoding="utf-8")
