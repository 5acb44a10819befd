"""``sarif``: SARIF 2.1.0 (one run; every registered rule in ``tool.driver.rules``)."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote

from fallint import __version__
from fallint.diagnostics import ERROR, Diagnostic, Location, display_path
from fallint.reports.common import (
    DOCS_URL,
    HOMEPAGE,
    Context,
    _dump_json,
    _plain_message,
    rule_url,
)
from fallint.rules import registry


def render(diagnostics: list[Diagnostic], ctx: Context) -> str:
    return _dump_json(_sarif_log(diagnostics, ctx.cwd))


SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


SARIF_VERSION = "2.1.0"


SRCROOT = "%SRCROOT%"


def _sarif_level(severity: str) -> str:
    return "error" if severity == ERROR else "warning"


def _sarif_rule(rule: type[registry.Rule]) -> dict:
    from inspect import cleandoc  # only here: importing inspect costs ~4 ms

    sections = [
        (title, cleandoc(body))
        for title, body in (("What it finds", rule.what), ("Why it matters", rule.why), ("How to fix", rule.fix))
        if body and body.strip()
    ]
    url = rule_url(rule.code)
    summary = getattr(rule, "summary", "") or rule.name
    help_text = "\n\n".join(f"{title}: {body}" for title, body in sections) or summary
    help_md = "\n\n".join(f"**{title}**\n\n{body}" for title, body in sections) or summary
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": cleandoc(rule.what) if rule.what.strip() else summary},
        "help": {"text": f"{help_text}\n\n{url}", "markdown": f"{help_md}\n\n[Documentation]({url})"},
        "helpUri": url,
        "defaultConfiguration": {"level": _sarif_level(rule.severity)},
    }


def _sarif_location(loc: Location, cwd: Path) -> dict:
    rel = display_path(loc.path, cwd)
    if rel.startswith("../") or rel == ".." or os.path.isabs(rel):
        artifact = {"uri": Path(os.path.abspath(os.path.join(cwd, loc.path))).as_uri()}
    else:
        # percent-encode the file name's bytes (as Path.as_uri does)
        artifact = {"uri": quote(os.fsencode(rel), safe="/"), "uriBaseId": SRCROOT}
    return {
        "physicalLocation": {
            "artifactLocation": artifact,
            "region": {
                "startLine": loc.line,
                "startColumn": loc.column,
                "endLine": loc.end_line,
                "endColumn": loc.end_column,
            },
        }
    }


def _sarif_log(diags: list[Diagnostic], cwd: Path) -> dict:
    rules = [_sarif_rule(rule) for rule in registry.all_rules()]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    for d in diags:  # codes no registered rule owns still get a descriptor
        if d.code not in index:
            index[d.code] = len(rules)
            rules.append(
                {
                    "id": d.code,
                    "name": d.name,
                    "helpUri": DOCS_URL,
                    "defaultConfiguration": {"level": _sarif_level(d.severity)},
                }
            )
    results = []
    for d in diags:
        result = {
            "ruleId": d.code,
            "ruleIndex": index[d.code],
            "level": _sarif_level(d.severity),
            "message": {"text": _plain_message(d)},
            "locations": [_sarif_location(d.location, cwd)],
        }
        if d.related:
            result["relatedLocations"] = [
                {"id": i, **_sarif_location(r.location, cwd), "message": {"text": r.message}}
                for i, r in enumerate(d.related)
            ]
        props = {k: v for k, v in (("app", d.app), ("key", d.key)) if v is not None}
        if props:
            result["properties"] = props
        results.append(result)
    root = Path(os.path.abspath(cwd)).as_uri().rstrip("/") + "/"
    return {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "fallint",
                        "version": __version__,
                        "informationUri": HOMEPAGE,
                        "rules": rules,
                    }
                },
                "originalUriBaseIds": {SRCROOT: {"uri": root}},
                "columnKind": "unicodeCodePoints",
                "results": results,
            }
        ],
    }
