"""Inline suppression comments: ``# fallint: ignore`` and ``# fallint: ignore[FAL501,unknown-key]``.

On the line a diagnostic points at, the comment suppresses it there; on an
app's table header (``[tool.fal.apps.web]``, or the ``web = {`` line of an
inline table) it covers every diagnostic of that app.  The same comment
works in Python files and Dockerfiles, on the line the diagnostic points at.
"""

from __future__ import annotations

import re
from pathlib import Path

from fallint.rules.registry import resolve_selector
from fallint.util.records import dataclass, field

COMMENT_RE = re.compile(r"#\s*fallint:\s*ignore\b(?:\[([^\]]*)\])?", re.I)


@dataclass
class Suppression:
    path: Path
    line: int
    column: int
    length: int
    selectors: list[str] | None  # None = everything
    codes: set[str] | None
    unknown: list[str] = field(default_factory=list)
    app: str | None = None  # set: covers the whole app
    used: bool = False

    def covers(self, code: str) -> bool:
        return self.codes is None or code in self.codes


def parse_comment(path: Path, line: int, column: int, text: str) -> Suppression | None:
    m = COMMENT_RE.search(text)
    if not m:
        return None
    col = column + m.start()
    if m.group(1) is None:
        return Suppression(path, line, col, m.end() - m.start(), None, None)
    selectors = [s.strip() for s in m.group(1).split(",") if s.strip()]
    codes: set[str] = set()
    unknown = []
    for sel in selectors:
        resolved = resolve_selector(sel)
        if resolved is None:
            unknown.append(sel)
        else:
            codes.update(resolved)
    return Suppression(path, line, col, m.end() - m.start(), selectors, codes, unknown)


def line_suppressions(path: Path, lines: list[str], line: int) -> Suppression | None:
    """A suppression in a ``#`` comment on ``line`` of a non-TOML file (Python, Dockerfile)."""
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    idx = text.find("#")
    if idx < 0:
        return None
    return parse_comment(path, line, idx + 1, text[idx:])
