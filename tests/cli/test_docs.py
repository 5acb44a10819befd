"""rules.md is generated from the registry and must not be stale."""

from __future__ import annotations

import subprocess
import sys

from fallint.docs import render_rules_md
from fallint.rules.registry import all_rules

from ..helpers import REPO


def test_rules_md_is_up_to_date():
    current = (REPO / "rules.md").read_text(encoding="utf-8")
    assert current == render_rules_md(), "rules.md is stale: run `python -m fallint.docs`"


def test_docs_check_mode_detects_staleness(tmp_path):
    res = subprocess.run([sys.executable, "-m", "fallint.docs", "--check"], capture_output=True, text=True)
    assert res.returncode == 0, res.stderr


def test_every_rule_is_documented_with_an_anchor():
    text = render_rules_md()
    for rule in all_rules():
        assert f"## {rule.code} {rule.name}" in text
        assert f"(#{rule.anchor()})" in text
        assert "### Bad" in text and "### Good" in text


def test_readme_quick_start_has_exactly_two_commands():
    import re

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = re.search(r"^## Quick start$(.*?)(?=^## )", readme, re.S | re.M).group(1)
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    commands = [l for l in block.splitlines() if l.strip() and not l.strip().startswith("#")]
    assert len(commands) == 2
    assert "fallint check examples/clean" in commands[0]
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1] in ci, "CI must run exactly the README's test command"


def test_bundled_clean_example_is_clean(cli):
    res = cli(["check", str(REPO / "examples" / "clean"), "--fail-on", "warning"], cwd=REPO)
    assert res.code == 0, res.out
    assert "All checks passed" in res.out
