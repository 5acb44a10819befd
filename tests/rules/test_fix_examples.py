"""Generated from the rule registry: every rule with a fix turns its documented
bad example into its documented good one, and the result is clean for that rule."""

from __future__ import annotations

import pytest

from fallint.engine.run import Options, check_paths
from fallint.rules.registry import all_rules

from ..helpers import run_cli, write_files

FIXABLE = [pytest.param(r, id=f"{r.code}-{r.name}") for r in all_rules() if r.fix_availability]
#: every other invalid example that documents its fixed text
MORE_FIXED = [
    pytest.param(r, ex, id=f"{r.code}-{r.name}-{i}")
    for r in all_rules() if r.fix_availability
    for i, ex in enumerate(r.invalid)
    if ex.fixed is not None and ex is not r.fix_example()[0]
]


def test_fixable_rules_declare_their_fixes():
    assert len(FIXABLE) >= 7
    for rule in all_rules():
        assert rule.fix_availability in (None, "always", "sometimes"), rule.code
        assert rule.fix_safety in ("safe", "unsafe", "mixed"), rule.code
        if rule.fix_availability:
            assert rule.fix_example() is not None, rule.code


@pytest.mark.parametrize("rule", FIXABLE)
def test_bad_example_fixes_into_good_example(tmp_path, rule):
    example, fixed = rule.fix_example()
    _check_fixes_into(tmp_path, rule, example, fixed)


@pytest.mark.parametrize(("rule", "example"), MORE_FIXED)
def test_every_fixed_example(tmp_path, rule, example):
    _check_fixes_into(tmp_path, rule, example, example.fixed)


def test_rules_without_fixes_document_no_fixed_text():
    for rule in all_rules():
        if not rule.fix_availability:
            assert all(ex.fixed is None for ex in rule.invalid), rule.code


def _check_fixes_into(tmp_path, rule, example, fixed):
    write_files(tmp_path, {"pyproject.toml": example.pyproject, **example.files})
    # every rule runs (FAL902 looks at what the others report), every fix is applied
    before = check_paths([str(tmp_path)], Options(project_options={"no_cache": True}), cwd=tmp_path)
    assert any(d.fix is not None for d in before.diagnostics if d.code == rule.code), "the example shows no fix"
    r = run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", str(tmp_path)], cwd=tmp_path)
    assert r.code in (0, 1), r.err
    assert (tmp_path / "pyproject.toml").read_text(encoding="utf-8") == fixed
    after = check_paths([str(tmp_path)], Options(project_options={"no_cache": True}), cwd=tmp_path)
    assert [d for d in after.diagnostics if d.code == rule.code] == []
    # idempotent: a second run changes nothing
    again = run_cli(["check", "--no-cache", "--diff", "--unsafe-fixes", str(tmp_path)], cwd=tmp_path)
    assert again.code == 0 and again.out == "", again.out


def test_readme_lists_every_fixable_rule():
    from ..helpers import REPO

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    listed = {line.split("|")[1].strip() for line in readme.splitlines() if line.startswith("| FAL")}
    assert listed == {f"{r.code} {r.name}" for r in all_rules() if r.fix_availability}
