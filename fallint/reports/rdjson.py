"""``rdjson``: reviewdog's Diagnostic Format (``reviewdog -f=rdjson``).

Columns are 1-based UTF-8 byte offsets, as the format defines them (fallint's
own columns count characters); the end position is exclusive.
"""

from __future__ import annotations

import json

from fallint.diagnostics import ERROR, display_path
from fallint.reports.common import (
    HOMEPAGE,
    Context,
    _plain_message,
    read_source_lines,
    rule_url,
)


def render(diagnostics, ctx: Context) -> str:
    cwd, summary = ctx.cwd, ctx.summary
    lines: dict = {}

    def byte_column(path, line: int, column: int) -> int:
        if path not in lines:
            lines[path] = read_source_lines(path)
        text = lines[path]
        if text is None or line > len(text):
            return column
        return len(text[line - 1][: column - 1].encode("utf-8", "surrogatepass")) + max(0, column - 1 - len(text[line - 1])) + 1

    def location(loc) -> dict:
        return {
            "path": display_path(loc.path, cwd),
            "range": {
                "start": {"line": loc.line, "column": byte_column(loc.path, loc.line, loc.column)},
                "end": {"line": loc.end_line, "column": byte_column(loc.path, loc.end_line, loc.end_column)},
            },
        }

    out = []
    for d in diagnostics:
        item = {
            "message": _plain_message(d),
            "location": location(d.location),
            "severity": "ERROR" if d.severity == ERROR else "WARNING",
            "code": {"value": d.code, "url": rule_url(d.code)},
        }
        if d.related:
            item["related_locations"] = [{"message": r.message, "location": location(r.location)} for r in d.related]
        out.append(item)
    result = {"source": {"name": "fallint", "url": HOMEPAGE}, "diagnostics": out}
    return json.dumps(result, indent=2, ensure_ascii=False) + "\n"
