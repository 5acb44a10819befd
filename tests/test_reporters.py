"""Output reporters: golden outputs for every format, colour, escaping, SARIF structure."""

from __future__ import annotations

import io
import json
import os
import re
from pathlib import Path

import pytest

from fallint import __version__
from fallint.rules import registry
from fallint.reports import common as reporters
from fallint.reports import github
from fallint.reports import text as text_format
from fallint.diagnostics import Diagnostic, Location, Related
from fallint.reports import (
    DOCS_URL,
    FORMATS,
    RunSummary,
    read_source_lines,
    render,
    use_color,
)

# -- throwaway rules (registered only inside an isolated registry) -----------


class ErrorRule(registry.Rule):
    code = "FAL998"
    name = "test-error-rule"
    severity = registry.ERROR
    summary = "A throwaway error rule"
    what = """
        Finds `things`.
        """
    why = "They break\ndeploys."
    fix = "Remove them."


class WarningRule(registry.Rule):
    code = "FAL999"
    name = "test-warning-rule"
    severity = registry.WARNING
    summary = "A throwaway warning rule"
    why = "\n    "  # blank: no section


@pytest.fixture
def real_registry():
    """Requesting this fixture opts a test out of the isolated registry."""
    return registry


@pytest.fixture(autouse=True)
def isolated_registry(request, monkeypatch):
    """Only the two throwaway rules are registered (restored afterwards), so that
    goldens do not depend on the real rules and no other test sees ours."""
    if "real_registry" in request.fixturenames:
        return
    monkeypatch.setattr(registry, "_REGISTRY", {})
    monkeypatch.setattr(registry, "_BY_NAME", {})
    monkeypatch.setattr(registry, "_LOADED", True)
    registry.register(ErrorRule)
    registry.register(WarningRule)


# -- the fixed diagnostics ----------------------------------------------------

PYPROJECT = (
    "[tool.fal.apps.web]\n"
    'ref = "app.py::Web"\n'
    "\tkeepalive = 10\n"  # a tab before the key
    "machine_type = [\n"
    '  "GPU-H100",\n'
    "]\n"
    "\n"
    "[tool.fal.apps.worker]\n"
    'ref = "worker.py::Worker"\n'
    "min_concurrency = 5\n"
    "max_concurrency = 2\n"
)
APP = 'import fal\n\n\nclass Web(fal.App):\n    machine_type = "GPU-H100"\n'
SUMMARY = RunSummary(projects=1, apps=2)


@pytest.fixture
def root(tmp_path):
    (tmp_path / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    (tmp_path / "app.py").write_text(APP, encoding="utf-8")
    return tmp_path


@pytest.fixture
def diags(root):
    """Errors and warnings, with and without app/help/related, two files, a tab,
    a multi-line span, two-digit line numbers; deliberately not in order."""
    py, app = root / "pyproject.toml", root / "app.py"
    return [
        Diagnostic(
            "FAL999",
            "test-warning-rule",
            "warning",
            "machine type set in two places",
            Location(py, 4, 16, 6, 2),
            app="web",
            key="machine_type",
            related=(Related(Location(app, 5, 5, 5, 17), "also set here"),),
        ),
        Diagnostic(
            "FAL998",
            "test-error-rule",
            "error",
            "unknown key `keepalive`",
            Location(py, 3, 2, 3, 11),
            app="web",
            key="keepalive",
            help="did you mean `keep_alive`?",
        ),
        Diagnostic(
            "FAL998",
            "test-error-rule",
            "error",
            "max_concurrency (2) is below min_concurrency (5)",
            Location(py, 11, 19, 11, 20),
            app="worker",
            key="max_concurrency",
            related=(Related(Location(py, 10, 19, 10, 20), "min_concurrency set here"),),
        ),
        Diagnostic(
            "FAL998",
            "test-error-rule",
            "error",
            "class `Web` has no entry point",
            Location(app, 4, 7, 4, 10),
        ),
    ]


def run(diags, fmt, root, *, color=False, summary=SUMMARY, **kw):
    return render(diags, fmt, cwd=root, color=color, summary=summary, **kw)


def diag(root, code="FAL998", message="msg", line=1, col=1, end_col=None, severity="error", **kw):
    name = {"FAL998": "test-error-rule", "FAL999": "test-warning-rule"}.get(code, "other-rule")
    loc = Location(root / kw.pop("file", "pyproject.toml"), line, col, line, end_col or col + 1)
    return Diagnostic(code, name, severity, message, loc, **kw)


ANSI_RE = re.compile(r"\x1b\[[0-9;]*m")

# -- full ---------------------------------------------------------------------

FULL = """\
app.py:4:7: error FAL998 class `Web` has no entry point
  |
4 | class Web(fal.App):
  |       ^^^
  |

pyproject.toml:3:2: error FAL998 [web] unknown key `keepalive`
  |
3 |     keepalive = 10
  |     ^^^^^^^^^
  |
  = help: did you mean `keep_alive`?

pyproject.toml:4:16: warning FAL999 [web] machine type set in two places
  |
4 | machine_type = [
  |                ^
  |
  = note: app.py:5:5: also set here
  |
5 |     machine_type = "GPU-H100"
  |     ------------
  |

pyproject.toml:11:19: error FAL998 [worker] max_concurrency (2) is below min_concurrency (5)
   |
11 | max_concurrency = 2
   |                   ^
   |
   = note: pyproject.toml:10:19: min_concurrency set here
   |
10 | min_concurrency = 5
   |                   -
   |

Found 3 errors and 1 warning (2 apps in 1 project checked).
"""


def test_full_golden(diags, root):
    assert run(diags, "full", root) == FULL


def test_full_is_the_same_whatever_the_input_order(diags, root):
    assert run(list(reversed(diags)), "full", root) == FULL


def test_full_quiet_has_no_summary(diags, root):
    out = run(diags, "full", root, quiet=True)
    assert out == FULL.split("\n\nFound")[0] + "\n"
    assert "Found" not in out and out.endswith("|\n")


def test_full_colour(diags, root):
    out = run(diags, "full", root, color=True)
    assert ANSI_RE.sub("", out) == FULL
    assert "\x1b[1;31merror\x1b[0m" in out
    assert "\x1b[1;33mwarning\x1b[0m" in out
    assert "\x1b[1;31m^^^^^^^^^\x1b[0m" in out  # the error's underline is red
    assert "\x1b[1;33m^\x1b[0m" in out  # the warning's yellow
    assert "\x1b[" not in run(diags, "full", root, color=False)


def test_full_clean_run(root):
    assert run([], "full", root) == "All checks passed! (2 apps in 1 project checked)\n"
    assert run([], "full", root, quiet=True) == ""
    coloured = run([], "full", root, color=True)
    assert coloured == "\x1b[1;32mAll checks passed!\x1b[0m (2 apps in 1 project checked)\n"


def test_full_without_source_keeps_help_and_notes(diags, root):
    out = run(diags[1:2], "full", root, read_lines=lambda path: None, quiet=True)
    assert out == "pyproject.toml:3:2: error FAL998 [web] unknown key `keepalive`\n  = help: did you mean `keep_alive`?\n"


def test_full_uses_the_given_reader(root):
    seen = []

    def reader(path):
        seen.append(path)
        return ["first", "x = 1"]

    d = diag(root, line=2, col=1, end_col=2, related=(Related(Location(root / "other.toml", 1, 1, 1, 6), "here"),))
    out = run([d, d], "full", root, read_lines=reader, quiet=True)
    assert "2 | x = 1\n  | ^\n" in out
    assert "1 | first\n  | -----\n" in out
    assert seen == [root / "pyproject.toml", root / "other.toml"]  # each asked once


def test_full_default_reader(diags, root):
    assert run(diags, "full", root, read_lines=None) == FULL


def test_full_line_beyond_the_file_shows_no_excerpt(root):
    out = run([diag(root, line=99)], "full", root, quiet=True)
    assert out == "pyproject.toml:99:1: error FAL998 msg\n"


def test_full_span_at_end_of_file(root):
    # PYPROJECT ends with a newline: line 12 is the empty last line
    out = run([diag(root, line=12)], "full", root, quiet=True)
    assert out.splitlines()[1:] == ["   |", "12 |", "   | ^", "   |"]


def test_full_multiline_help_is_indented(root):
    out = run([diag(root, help="add:\n  ref = 'a.py::A'")], "full", root, quiet=True)
    assert out.splitlines()[-2:] == ["  = help: add:", "            ref = 'a.py::A'"]


def test_full_related_in_a_missing_file_has_note_without_excerpt(root):
    rel = Related(Location(root / "missing.py", 3, 1, 3, 2), "defined here")
    out = run([diag(root, related=(rel,))], "full", root, quiet=True)
    assert out.splitlines()[-1] == "  = note: missing.py:3:1: defined here"


def test_text_output_neutralises_control_characters(root):
    d = diag(root, message="key `a\x1b[31mb\nc`", app="w\tx")
    for fmt in ("full", "concise"):
        out = run([d], fmt, root, quiet=True)
        assert "\x1b" not in out
        assert out.splitlines()[0] == "pyproject.toml:1:1: error FAL998 [w\u2409x] key `a\u241b[31mb\u240ac`"
    # machine formats keep the exact text
    assert json.loads(run([d], "json", root))[0]["message"] == "key `a\x1b[31mb\nc`"


def test_undecodable_path_does_not_break_encoding(tmp_path):
    bad = Path(os.fsdecode(b"caf\xe9.toml"))  # a lone surrogate on POSIX
    d = Diagnostic("FAL998", "test-error-rule", "error", "m", Location(tmp_path / bad, 1, 1, 1, 2))
    for fmt in FORMATS:
        out = run([d], fmt, tmp_path)
        out.encode("utf-8")  # must not raise
        if os.name == "posix":  # SARIF URIs percent-encode the real bytes
            assert ('"caf%E9.toml"' if fmt == "sarif" else "caf\ufffd.toml") in out


# -- source excerpt layout ----------------------------------------------------


@pytest.mark.parametrize(
    "text,start,stop,shown,marks",
    [
        ("abc = 1", 0, 3, "abc = 1", "^^^"),
        ("\tabc", 1, 4, "    abc", "    ^^^"),  # tab to the first stop
        ("ab\tc", 3, 4, "ab  c", "    ^"),  # tab to the next stop, not 4 spaces
        ("\t\tx", 0, 3, "        x", "^^^^^^^^^"),  # the underline covers the tabs
        ("界 = 1", 2, 3, "界 = 1", "   ^"),  # wide characters take two cells
        ("ab", 2, 3, "ab", "  ^"),  # a span at the end of the line: one caret after it
        ("ab", 0, 9, "ab", "^^"),  # a span past the end stops at the end
        ("a\x1bb", 2, 3, "a\u241bb", "  ^"),  # control characters are shown as one cell
    ],
)
def test_layout(text, start, stop, shown, marks):
    out, first, last = text_format._layout(text, start, stop)
    assert out == shown
    assert " " * first + "^" * (last - first) == marks


def test_layout_cuts_long_lines_around_the_span():
    text = "x" * 300 + "KEY" + "y" * 300
    out, first, last = text_format._layout(text, 300, 303)
    assert out.startswith("…") and out.endswith("…")
    assert len(out) == text_format.EXCERPT_WIDTH + 2
    assert out[first:last] == "KEY"


# -- concise ------------------------------------------------------------------

CONCISE = """\
app.py:4:7: error FAL998 class `Web` has no entry point
pyproject.toml:3:2: error FAL998 [web] unknown key `keepalive`
pyproject.toml:4:16: warning FAL999 [web] machine type set in two places
pyproject.toml:11:19: error FAL998 [worker] max_concurrency (2) is below min_concurrency (5)
Found 3 errors and 1 warning (2 apps in 1 project checked).
"""


def test_concise_golden(diags, root):
    assert run(diags, "concise", root) == CONCISE
    assert run(diags, "concise", root, quiet=True) == CONCISE.rsplit("Found", 1)[0]
    assert run([], "concise", root, quiet=True) == ""


def test_concise_colour(diags, root):
    out = run(diags, "concise", root, color=True)
    assert ANSI_RE.sub("", out) == CONCISE
    assert out.splitlines()[0] == (
        "\x1b[1mapp.py\x1b[0m:4:7: \x1b[1;31merror\x1b[0m \x1b[1mFAL998\x1b[0m class `Web` has no entry point"
    )


# -- statistics ---------------------------------------------------------------

STATISTICS = """\
3  FAL998  test-error-rule    error
1  FAL999  test-warning-rule  warning

Found 3 errors and 1 warning (2 apps in 1 project checked).
"""


def test_statistics(diags, root):
    assert run(diags, "full", root, statistics=True) == STATISTICS
    assert run(diags, "concise", root, statistics=True) == STATISTICS
    assert run(diags, "full", root, statistics=True, quiet=True) == STATISTICS.split("\n\n")[0] + "\n"
    assert run([], "full", root, statistics=True) == "All checks passed! (2 apps in 1 project checked)\n"


def test_statistics_sorted_by_count_then_code(root):
    ds = [diag(root, "FAL999", severity="warning", line=i) for i in range(1, 11)]
    ds += [diag(root, "FAL998", line=i) for i in (1, 2)]
    ds += [diag(root, "FAL997", line=i) for i in (1, 2)]
    table = run(ds, "full", root, statistics=True, quiet=True)
    assert table == (
        "10  FAL999  test-warning-rule  warning\n"
        " 2  FAL997  other-rule         error\n"
        " 2  FAL998  test-error-rule    error\n"
    )


def test_statistics_ignored_by_machine_formats(diags, root):
    for fmt in ("json", "sarif", "github"):
        assert run(diags, fmt, root, statistics=True) == run(diags, fmt, root)


# -- summary ------------------------------------------------------------------


@pytest.mark.parametrize(
    "errors,warnings,projects,apps,expected",
    [
        (0, 0, 1, 1, "All checks passed! (1 app in 1 project checked)"),
        (0, 0, 2, 4, "All checks passed! (4 apps in 2 projects checked)"),
        (0, 0, 0, 0, "No fal projects found: no pyproject.toml with a [tool.fal] table under the given paths."),
        (1, 0, 1, 1, "Found 1 error (1 app in 1 project checked)."),
        (2, 0, 1, 3, "Found 2 errors (3 apps in 1 project checked)."),
        (0, 1, 1, 1, "Found 1 warning (1 app in 1 project checked)."),
        (0, 2, 1, 1, "Found 2 warnings (1 app in 1 project checked)."),
        (1, 1, 1, 2, "Found 1 error and 1 warning (2 apps in 1 project checked)."),
        (3, 2, 2, 5, "Found 3 errors and 2 warnings (5 apps in 2 projects checked)."),
    ],
)
def test_summary_pluralisation(root, errors, warnings, projects, apps, expected):
    ds = [diag(root, line=i) for i in range(errors)]
    ds += [diag(root, "FAL999", severity="warning", line=i) for i in range(warnings)]
    summary = RunSummary(projects=projects, apps=apps)
    assert run(ds, "concise", root, summary=summary).splitlines()[-1] == expected


def test_run_summary_defaults():
    assert RunSummary() == RunSummary(projects=0, apps=0)


# -- json ---------------------------------------------------------------------

JSON_KEYS = [
    "code",
    "name",
    "severity",
    "message",
    "path",
    "line",
    "column",
    "end_line",
    "end_column",
    "app",
    "key",
    "help",
    "url",
    "related",
]


def test_json_golden(diags, root):
    out = run(diags, "json", root)
    assert out.endswith("]\n")
    data = json.loads(out)
    assert [list(obj) for obj in data] == [JSON_KEYS] * 4
    assert [(o["path"], o["line"], o["column"], o["code"]) for o in data] == [
        ("app.py", 4, 7, "FAL998"),
        ("pyproject.toml", 3, 2, "FAL998"),
        ("pyproject.toml", 4, 16, "FAL999"),
        ("pyproject.toml", 11, 19, "FAL998"),
    ]
    assert data[1] == {
        "code": "FAL998",
        "name": "test-error-rule",
        "severity": "error",
        "message": "unknown key `keepalive`",
        "path": "pyproject.toml",
        "line": 3,
        "column": 2,
        "end_line": 3,
        "end_column": 11,
        "app": "web",
        "key": "keepalive",
        "help": "did you mean `keep_alive`?",
        "url": DOCS_URL + "#fal998-test-error-rule",
        "related": [],
    }
    assert data[0]["app"] is None and data[0]["key"] is None and data[0]["help"] is None
    assert data[2]["severity"] == "warning"
    assert data[2]["url"] == DOCS_URL + "#fal999-test-warning-rule"
    assert (data[2]["end_line"], data[2]["end_column"]) == (6, 2)
    assert data[2]["related"] == [
        {"path": "app.py", "line": 5, "column": 5, "end_line": 5, "end_column": 17, "message": "also set here"}
    ]
    assert list(data[3]["related"][0]) == ["path", "line", "column", "end_line", "end_column", "message"]


def test_json_is_indented_and_never_has_a_summary(diags, root):
    out = run(diags, "json", root, color=True)
    assert out.startswith('[\n  {\n    "code": "FAL998",\n')
    assert "Found" not in out and "\x1b" not in out
    assert run([], "json", root) == "[]\n"
    assert run([], "json", root, quiet=True) == "[]\n"


def test_json_paths_are_relative_and_slash_separated(root):
    d = diag(root, file="sub/dir/pyproject.toml", related=(Related(Location(root.parent / "x.py", 1, 1, 1, 2), "r"),))
    obj = json.loads(run([d], "json", root))[0]
    assert obj["path"] == "sub/dir/pyproject.toml"
    assert obj["related"][0]["path"] == "../x.py"


def test_json_url_of_an_unregistered_code_is_the_docs_page(root):
    obj = json.loads(run([diag(root, "FAL001")], "json", root))[0]
    assert obj["url"] == DOCS_URL


def test_json_keeps_non_ascii(root):
    out = run([diag(root, message="clé «x»")], "json", root)
    assert '"message": "clé «x»"' in out


# -- github -------------------------------------------------------------------

GITHUB = """\
::error file=app.py,line=4,col=7,endLine=4,endColumn=10,title=FAL998 (test-error-rule)::class `Web` has no entry point
::error file=pyproject.toml,line=3,col=2,endLine=3,endColumn=11,title=FAL998 (test-error-rule)::[web] unknown key `keepalive`%0Ahelp: did you mean `keep_alive`?
::warning file=pyproject.toml,line=4,col=16,endLine=6,endColumn=2,title=FAL999 (test-warning-rule)::[web] machine type set in two places
::error file=pyproject.toml,line=11,col=19,endLine=11,endColumn=20,title=FAL998 (test-error-rule)::[worker] max_concurrency (2) is below min_concurrency (5)
Found 3 errors and 1 warning (2 apps in 1 project checked).
"""


def test_github_golden(diags, root):
    assert run(diags, "github", root) == GITHUB
    assert run(diags, "github", root, color=True) == GITHUB  # never coloured
    quiet = run(diags, "github", root, quiet=True)
    assert quiet == GITHUB.rsplit("Found", 1)[0]
    assert all(line.startswith("::") for line in quiet.splitlines())


def test_github_clean_run_prints_a_plain_summary(root):
    assert run([], "github", root) == "All checks passed! (2 apps in 1 project checked)\n"
    assert run([], "github", root, quiet=True) == ""


def test_github_escaping(root):
    d = diag(root, message="100% bad\r\nnext: a,b", file="we:ird,dir/p%.toml")
    assert run([d], "github", root, quiet=True) == (
        "::error file=we%3Aird%2Cdir/p%25.toml,line=1,col=1,endLine=1,endColumn=2,"
        "title=FAL998 (test-error-rule)::100%25 bad%0D%0Anext: a,b\n"
    )


def test_github_escaping_rules():
    assert github._escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert github._escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"
    assert github._escape_data("%0A") == "%250A"  # no double unescaping


def test_github_end_is_after_start(root):
    # Location turns an empty span into a one-character one; the annotation keeps it
    d = Diagnostic("FAL998", "test-error-rule", "error", "m", Location(root / "pyproject.toml", 2, 5, 2, 5))
    assert ",col=5,endLine=2,endColumn=6," in run([d], "github", root)


# -- sarif --------------------------------------------------------------------


def _region_ok(region):
    assert set(region) == {"startLine", "startColumn", "endLine", "endColumn"}
    assert all(isinstance(v, int) and v >= 1 for v in region.values())
    assert (region["endLine"], region["endColumn"]) > (region["startLine"], region["startColumn"])


def _check_sarif(log):
    """The parts of the SARIF 2.1.0 schema fallint relies on, checked by hand
    (no schema is available offline)."""
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run_ = log["runs"][0]
    driver = run_["tool"]["driver"]
    assert driver["name"] == "fallint" and driver["version"] == __version__
    assert driver["informationUri"].startswith("https://")
    ids = [r["id"] for r in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule in driver["rules"]:
        assert re.fullmatch(r"FAL\d{3}", rule["id"])
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")
        assert rule["helpUri"].startswith(DOCS_URL)
    assert run_["columnKind"] == "unicodeCodePoints"
    base = run_["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert base.startswith("file:///") and base.endswith("/")
    for result in run_["results"]:
        assert driver["rules"][result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] in ("error", "warning")
        assert isinstance(result["message"]["text"], str) and result["message"]["text"]
        assert len(result["locations"]) == 1
        for loc in result["locations"] + result.get("relatedLocations", []):
            phys = loc["physicalLocation"]
            uri = phys["artifactLocation"]["uri"]
            assert "\\" not in uri and " " not in uri
            if "uriBaseId" in phys["artifactLocation"]:
                assert phys["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
                assert not uri.startswith(("/", "../")) and ":" not in uri
            else:
                assert uri.startswith("file:///")
            _region_ok(phys["region"])
        related = result.get("relatedLocations", [])
        assert [r["id"] for r in related] == list(range(len(related)))
        assert all(r["message"]["text"] for r in related)
    return run_


def test_sarif_structure(diags, root):
    log = json.loads(run(diags, "sarif", root))
    run_ = _check_sarif(log)
    assert run_["originalUriBaseIds"]["%SRCROOT%"]["uri"] == root.as_uri() + "/"
    results = run_["results"]
    assert [(r["ruleId"], r["ruleIndex"], r["level"]) for r in results] == [
        ("FAL998", 0, "error"),
        ("FAL998", 0, "error"),
        ("FAL999", 1, "warning"),
        ("FAL998", 0, "error"),
    ]
    assert results[1]["message"]["text"] == "[web] unknown key `keepalive`\nhelp: did you mean `keep_alive`?"
    assert results[1]["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "pyproject.toml", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 3, "startColumn": 2, "endLine": 3, "endColumn": 11},
    }
    assert results[1]["properties"] == {"app": "web", "key": "keepalive"}
    assert "properties" not in results[0] and "relatedLocations" not in results[0]
    assert results[2]["relatedLocations"] == [
        {
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": "app.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 5, "startColumn": 5, "endLine": 5, "endColumn": 17},
            },
            "message": {"text": "also set here"},
        }
    ]


def test_sarif_rule_metadata(root):
    driver = _check_sarif(json.loads(run([], "sarif", root)))["tool"]["driver"]
    assert driver["rules"] == [
        {
            "id": "FAL998",
            "name": "test-error-rule",
            "shortDescription": {"text": "A throwaway error rule"},
            "fullDescription": {"text": "Finds `things`."},
            "help": {
                "text": "What it finds: Finds `things`.\n\nWhy it matters: They break\ndeploys.\n\n"
                "How to fix: Remove them.\n\n" + DOCS_URL + "#fal998-test-error-rule",
                "markdown": "**What it finds**\n\nFinds `things`.\n\n**Why it matters**\n\nThey break\ndeploys.\n\n"
                "**How to fix**\n\nRemove them.\n\n[Documentation](" + DOCS_URL + "#fal998-test-error-rule)",
            },
            "helpUri": DOCS_URL + "#fal998-test-error-rule",
            "defaultConfiguration": {"level": "error"},
        },
        {
            "id": "FAL999",
            "name": "test-warning-rule",
            "shortDescription": {"text": "A throwaway warning rule"},
            "fullDescription": {"text": "A throwaway warning rule"},
            "help": {
                "text": "A throwaway warning rule\n\n" + DOCS_URL + "#fal999-test-warning-rule",
                "markdown": "A throwaway warning rule\n\n[Documentation](" + DOCS_URL + "#fal999-test-warning-rule)",
            },
            "helpUri": DOCS_URL + "#fal999-test-warning-rule",
            "defaultConfiguration": {"level": "warning"},
        },
    ]


def test_sarif_clean_run_has_empty_results_and_no_summary(root):
    out = run([], "sarif", root)
    assert "All checks passed" not in out and out.endswith("}\n")
    assert json.loads(out)["runs"][0]["results"] == []


def test_sarif_unregistered_code_gets_a_descriptor(root):
    run_ = _check_sarif(json.loads(run([diag(root, "FAL001", severity="warning")], "sarif", root)))
    rules = run_["tool"]["driver"]["rules"]
    assert rules[-1] == {
        "id": "FAL001",
        "name": "other-rule",
        "helpUri": DOCS_URL,
        "defaultConfiguration": {"level": "warning"},
    }
    assert run_["results"][0]["ruleIndex"] == len(rules) - 1


def test_sarif_uris(root):
    ds = [
        diag(root, file="sub dir/pyproject.toml"),
        diag(root, related=(Related(Location(root.parent / "elsewhere.py", 1, 1, 1, 2), "outside"),)),
    ]
    results = _check_sarif(json.loads(run(ds, "sarif", root)))["results"]
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert set(by_uri) == {"pyproject.toml", "sub%20dir/pyproject.toml"}
    outside = by_uri["pyproject.toml"]["relatedLocations"][0]["physicalLocation"]["artifactLocation"]
    assert outside == {"uri": (root.parent / "elsewhere.py").as_uri()}


def test_sarif_lists_every_registered_rule(real_registry, monkeypatch, tmp_path):
    real = real_registry.all_rules()  # loads the real rules first
    monkeypatch.setattr(real_registry, "_REGISTRY", dict(real_registry._REGISTRY))
    monkeypatch.setattr(real_registry, "_BY_NAME", dict(real_registry._BY_NAME))
    real_registry.register(ErrorRule)
    driver = _check_sarif(json.loads(run([], "sarif", tmp_path)))["tool"]["driver"]
    assert [r["id"] for r in driver["rules"]] == sorted([rule.code for rule in real] + ["FAL998"])
    for entry, rule in zip(driver["rules"], real_registry.all_rules()):
        assert entry["name"] == rule.name
        assert entry["shortDescription"]["text"] == rule.summary
        assert entry["helpUri"] == f"{DOCS_URL}#{rule.anchor()}"


# -- misc ---------------------------------------------------------------------


def test_unknown_format(root):
    with pytest.raises(ValueError, match="unknown output format 'xml'"):
        run([], "xml", root)


def test_every_format_ends_with_a_newline(diags, root):
    for fmt in FORMATS:
        assert run(diags, fmt, root).endswith("\n")
        assert not run(diags, fmt, root).endswith("\n\n")


class _Stream:
    def __init__(self, tty):
        self.tty = tty

    def isatty(self):
        return self.tty


@pytest.mark.parametrize(
    "no_color,force_color,tty,expected",
    [
        (None, None, True, True),
        (None, None, False, False),
        ("1", None, True, False),
        ("", None, True, True),  # an empty NO_COLOR is ignored
        (None, "1", False, True),
        (None, "0", False, False),
        (None, "", False, False),
        (None, "0", True, True),  # FORCE_COLOR=0 falls back to the terminal check
        ("1", "1", True, False),  # NO_COLOR wins
    ],
)
def test_use_color(monkeypatch, no_color, force_color, tty, expected):
    for name, value in (("NO_COLOR", no_color), ("FORCE_COLOR", force_color)):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    assert use_color(_Stream(tty)) is expected


def test_use_color_on_odd_streams(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    assert use_color(object()) is False  # no isatty at all
    closed = io.StringIO()
    closed.close()
    assert use_color(closed) is False  # isatty raises ValueError


# -- default source reader ----------------------------------------------------


def test_read_source_lines(tmp_path):
    p = tmp_path / "f.toml"
    p.write_bytes(b"\xef\xbb\xbfa = 1\r\nb = \xff\n\x0cc\n")
    assert read_source_lines(p) == ["a = 1", "b = \ufffd", "\x0cc", ""]  # only \n splits lines


def test_read_source_lines_failures(tmp_path, monkeypatch):
    assert read_source_lines(tmp_path / "missing") is None
    assert read_source_lines(tmp_path) is None  # a directory
    if hasattr(os, "mkfifo"):
        os.mkfifo(tmp_path / "fifo")
        assert read_source_lines(tmp_path / "fifo") is None  # must not block
    big = tmp_path / "big"
    big.write_text("x" * 100)
    monkeypatch.setattr(reporters, "MAX_BYTES", 10)
    assert read_source_lines(big) is None
