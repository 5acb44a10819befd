"""What the output formats share: the run summary, the render context, rule
links, making text safe for a terminal, and the JSON object of a diagnostic
(the ``json`` format's contract, reused by other machine formats)."""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Callable

from fallint.diagnostics import ERROR, Diagnostic, Location, display_path
from fallint.loading.files import MAX_BYTES, read_bounded
from fallint.rules import registry
from fallint.util.records import dataclass

DOCS_URL = "https://github.com/fallint/fallint/blob/main/rules.md"


HOMEPAGE = "https://github.com/fallint/fallint"


ReadLines = Callable[[Path], "list[str] | None"]


@dataclass
class RunSummary:
    """What a run covered, for the summary line."""

    projects: int = 0  # projects checked
    apps: int = 0  # apps checked


@dataclass
class Context:
    """What every format's ``render(diagnostics, ctx)`` gets besides the
    (sorted) diagnostics."""

    cwd: Path
    color: bool = False
    summary: RunSummary | None = None  # None: no summary line (--quiet)
    statistics: bool = False  # counts per rule instead of the listing (text formats)
    read_lines: ReadLines = None  # a file's lines for source excerpts (None: read_source_lines)


def read_source_lines(path: Path) -> list[str] | None:
    """The lines of ``path`` (UTF-8, undecodable bytes replaced), or None.

    Lines are split on ``\\n`` only (a trailing ``\\r`` is dropped), the way
    the TOML and Python position finders count lines.  Never raises:
    missing, unreadable, non-regular and oversized files give None.
    """
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_BYTES:
            return None
        with open(path, "rb") as fh:
            data = read_bounded(fh, MAX_BYTES)
    except (OSError, ValueError):
        return None
    if data is None:
        return None
    text = data.decode("utf-8-sig", errors="replace")
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def use_color(stream) -> bool:
    """Whether to write ANSI colours to ``stream``.

    ``NO_COLOR`` (any non-empty value) disables colour; otherwise
    ``FORCE_COLOR`` (non-empty and not ``"0"``) enables it; otherwise colour
    is used when ``stream`` is a terminal.
    """
    if os.environ.get("NO_COLOR"):
        return False
    force = os.environ.get("FORCE_COLOR")
    if force and force != "0":
        return True
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # no isatty / closed stream
        return False


def rule_url(code: str) -> str:
    """The documentation URL of rule ``code`` (the docs page itself if unknown)."""
    rule = registry.get_rule(code)
    return f"{DOCS_URL}#{rule.anchor()}" if rule is not None else DOCS_URL


def summary_line(diagnostics: list[Diagnostic], summary: RunSummary) -> str:
    """``Found 2 errors and 1 warning (3 apps in 1 project checked).`` or
    ``All checks passed! (3 apps in 1 project checked)``."""
    scope = f"{_plural(summary.apps, 'app')} in {_plural(summary.projects, 'project')} checked"
    errors = sum(d.severity == ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    if not diagnostics and summary.projects == 0:
        return "No fal projects found: no pyproject.toml with a [tool.fal] table under the given paths."
    if not diagnostics:
        return f"All checks passed! ({scope})"
    counts = [_plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    return f"Found {' and '.join(counts)} ({scope})."


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


_CONTROL_PICTURES = {c: chr(0x2400 + c) for c in range(0x20)}
_CONTROL_PICTURES[0x7F] = "\u2421"
_CONTROL_PICTURES.update({c: "\ufffd" for c in range(0x80, 0xA0)})
# bidirectional overrides and isolates can reorder what a terminal shows
_CONTROL_PICTURES.update({c: "\ufffd" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})


_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _printable(text: str) -> str:
    """``text`` with control characters (tabs, newlines, ESC, ...) made visible."""
    return text.translate(_CONTROL_PICTURES)


def _plain_message(d: Diagnostic) -> str:
    """The message for annotations: ``[app] message`` plus a ``help:`` line."""
    text = f"[{d.app}] {d.message}" if d.app is not None else d.message
    return f"{text}\nhelp: {d.help}" if d.help else text


def _dump_json(obj) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def _span(loc: Location, cwd: Path) -> dict:
    return {
        "path": display_path(loc.path, cwd),
        "line": loc.line,
        "column": loc.column,
        "end_line": loc.end_line,
        "end_column": loc.end_column,
    }


def _json_object(d: Diagnostic, cwd: Path) -> dict:
    """One diagnostic of the ``json`` format; the key set and order are a contract."""
    return {
        "code": d.code,
        "name": d.name,
        "severity": d.severity,
        "message": d.message,
        **_span(d.location, cwd),
        "app": d.app,
        "key": d.key,
        "help": d.help,
        "url": rule_url(d.code),
        "related": [{**_span(r.location, cwd), "message": r.message} for r in d.related],
    }
