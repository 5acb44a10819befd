"""Every rule's own VALID/INVALID examples, run through the public API."""

from __future__ import annotations

import os

import pytest

from fallint.engine.run import Options, check_paths
from fallint.rules.registry import all_rules

from ..helpers import write_files

CASES = []
for rule in all_rules():
    for i, ex in enumerate(rule.invalid):
        CASES.append(pytest.param(rule, ex, True, id=f"{rule.code}-{rule.name}-invalid{i}"))
    for i, ex in enumerate(rule.valid):
        CASES.append(pytest.param(rule, ex, False, id=f"{rule.code}-{rule.name}-valid{i}"))


def _positions(result, rule, root):
    out = []
    for d in result.diagnostics:
        if d.code != rule.code:
            continue
        rel = os.path.relpath(d.location.path, root).replace(os.sep, "/")
        pos = f"{d.location.line}:{d.location.column}"
        out.append(pos if rel == "pyproject.toml" else f"{rel}:{pos}")
    return sorted(out)


@pytest.mark.parametrize("rule,example,invalid", CASES)
def test_rule_example(tmp_path, rule, example, invalid):
    write_files(tmp_path, {"pyproject.toml": example.pyproject, **example.files})
    result = check_paths([str(tmp_path)], Options(project_options={"no_cache": True}), cwd=tmp_path)
    assert not result.internal_errors, result.internal_errors
    got = _positions(result, rule, tmp_path)
    if invalid:
        assert example.expect, "an invalid example must say where the rule fires"
        assert got == sorted(example.expect), [d.message for d in result.diagnostics if d.code == rule.code]
        for d in result.diagnostics:
            if d.code == rule.code:
                assert d.name == rule.name and d.severity == rule.severity
    else:
        assert got == [], [d.message for d in result.diagnostics if d.code == rule.code]


def test_every_rule_has_examples_and_docs():
    for rule in all_rules():
        assert rule.invalid and rule.valid, rule.code
        assert rule.summary and rule.what.strip() and rule.why.strip() and rule.fix.strip(), rule.code
