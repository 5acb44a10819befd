"""``junit``: JUnit XML, as GitHub, GitLab and Jenkins test reporters read it.

One ``<testsuite>`` per file, one failing ``<testcase>`` per diagnostic
(``classname`` is the file, ``name`` the rule and position); a clean run is
one passing test case, so that the report is never empty.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from itertools import groupby

from fallint.diagnostics import display_path
from fallint.reports.common import Context, _plain_message, _printable, summary_line


def render(diagnostics, ctx: Context) -> str:
    cwd, summary = ctx.cwd, ctx.summary
    diagnostics = list(diagnostics)
    root = ET.Element(
        "testsuites",
        name="fallint",
        tests=str(max(1, len(diagnostics))),
        failures=str(len(diagnostics)),
        errors="0",
        time="0",
    )
    if not diagnostics:
        suite = ET.SubElement(root, "testsuite", name="fallint", tests="1", failures="0", errors="0", skipped="0", time="0")
        text = summary_line([], summary) if summary is not None else "no diagnostics"
        ET.SubElement(suite, "testcase", classname="fallint", name=_printable(text), time="0")
    for path, group in groupby(diagnostics, key=lambda d: display_path(d.location.path, cwd)):
        group = list(group)
        path = _printable(path)
        suite = ET.SubElement(
            root, "testsuite", name=path, tests=str(len(group)), failures=str(len(group)), errors="0", skipped="0", time="0"
        )
        for d in group:
            loc = d.location
            case = ET.SubElement(
                suite,
                "testcase",
                classname=path,
                name=f"{d.code} ({d.name}) at {loc.line}:{loc.column}",
                file=path,
                line=str(loc.line),
                time="0",
            )
            failure = ET.SubElement(case, "failure", message=_printable(d.message), type=d.severity)
            body = _plain_message(d).split("\n")
            failure.text = "\n".join(
                [f"{path}:{loc.line}:{loc.column}: {d.severity} {d.code} {_printable(body[0])}"]
                + [_printable(line) for line in body[1:]]
            )
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
