"""Output reporters: diagnostics as text for people, CI systems and tools.

:func:`render` turns a list of :class:`~fallint.diagnostics.Diagnostic` into
the complete text to write, in one of :data:`FORMATS`:

``full`` (default)
    ruff-like: ``path:line:col: SEVERITY CODE [app] message``, then the
    source line with a gutter and a ``^^^`` underline under the span, then
    ``= help:`` and one ``= note:`` per related location (with its own
    excerpt, underlined with ``---``); a blank line between diagnostics;
    then a blank line and a summary line.
``concise``
    the header line only, one per diagnostic; then the summary line.
``json``
    the machine contract: an array of objects with a fixed set of keys
    (see :func:`_json_object`); never a summary.
``github``
    one GitHub Actions workflow command (``::error ...::message``) per
    diagnostic, then the summary as a plain log line (no ``::``), which
    GitHub shows in the job log and does not turn into an annotation.
``sarif``
    SARIF 2.1.0 (one run; every registered rule in ``tool.driver.rules``).

``statistics`` replaces the per-diagnostic listing of the text formats
(``full``, ``concise``) by a table of counts per rule; ``quiet`` drops the
summary line.  Both are ignored by the machine formats.

Every format sorts the diagnostics by display path, line, column, code.
Text that reaches a terminal (messages, paths, source lines) has its
control characters replaced by visible symbols, so a crafted file cannot
emit escape sequences; lone surrogates (undecodable file names) become
U+FFFD so that the output can always be encoded as UTF-8.
"""

from __future__ import annotations

import json
import os
import re
import stat
import unicodedata
from pathlib import Path
from typing import Callable, Iterable
from urllib.parse import quote

from fallint.util.records import dataclass
from fallint import __version__
from fallint.rules import registry
from fallint.diagnostics import ERROR, SAFE, Diagnostic, Location, display_path
from fallint.loading.files import MAX_BYTES, read_bounded

__all__ = [
    "DOCS_URL",
    "FORMATS",
    "RunSummary",
    "read_source_lines",
    "render",
    "rule_url",
    "summary_line",
    "use_color",
]

DOCS_URL = "https://github.com/fallint/fallint/blob/main/rules.md"
HOMEPAGE = "https://github.com/fallint/fallint"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"

FORMATS = ("full", "concise", "json", "github", "sarif")

TAB_WIDTH = 4  # tab stops in source excerpts
EXCERPT_WIDTH = 160  # a longer source line is cut to this many characters ...
EXCERPT_CONTEXT = 40  # ... starting this many characters before the span

ReadLines = Callable[[Path], "list[str] | None"]


@dataclass
class RunSummary:
    """What a run covered, for the summary line."""

    projects: int = 0  # projects checked
    apps: int = 0  # apps checked


# --------------------------------------------------------------------------
# entry points


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


def render(
    diagnostics: Iterable[Diagnostic],
    fmt: str,
    *,
    cwd: Path,
    color: bool,
    summary: RunSummary,
    statistics: bool = False,
    quiet: bool = False,
    read_lines: ReadLines | None = read_source_lines,
    unsafe_fixes: bool = False,
    fixed: list[Diagnostic] | None = None,
) -> str:
    """The complete output for ``diagnostics`` in format ``fmt``.

    Returns ``""`` or text ending with a newline.  ``read_lines(path)``
    gives a file's lines for the source excerpts of the ``full`` format
    (None when unavailable); pass a cached reader so that each file is
    read once per run (None means :func:`read_source_lines`).
    ``unsafe_fixes``: unsafe fixes count as available (the ``[*]`` marker);
    ``fixed``: the diagnostics ``--fix`` fixed (a fix run: the summary says
    how many were fixed and how many remain).
    Raises ValueError for an unknown format.
    """
    diags = sorted(diagnostics, key=lambda d: d.sort_key(cwd))
    if fmt == "json":
        text = _dump_json([_json_object(d, cwd) for d in diags])
    elif fmt == "sarif":
        text = _dump_json(_sarif_log(diags, cwd))
    elif fmt in ("full", "concise", "github"):
        text = _render_lines(diags, fmt, cwd, color, summary, statistics, quiet, read_lines,
                             unsafe_fixes, fixed)
    else:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    return _SURROGATE_RE.sub("\ufffd", text)


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


def summary_line(diagnostics: list[Diagnostic], summary: RunSummary,
                 fixed: list[Diagnostic] | None = None) -> str:
    """``Found 2 errors and 1 warning (3 apps in 1 project checked).`` or
    ``All checks passed! (3 apps in 1 project checked)``; after ``--fix`` that
    fixed something, ``Found 3 errors (2 fixed, 1 remaining; 3 apps in 1 project checked).``"""
    scope = f"{_plural(summary.apps, 'app')} in {_plural(summary.projects, 'project')} checked"
    if fixed:
        found = list(fixed) + list(diagnostics)
        errors = sum(d.severity == ERROR for d in found)
        counts = [_plural(n, word) for n, word in ((errors, "error"), (len(found) - errors, "warning")) if n]
        return (f"Found {' and '.join(counts)} ({len(fixed)} fixed, {len(diagnostics)} remaining; "
                f"{scope}).")
    errors = sum(d.severity == ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    if not diagnostics and summary.projects == 0:
        return "No fal projects found: no pyproject.toml with a [tool.fal] table under the given paths."
    if not diagnostics:
        return f"All checks passed! ({scope})"
    counts = [_plural(n, word) for n, word in ((errors, "error"), (warnings, "warning")) if n]
    return f"Found {' and '.join(counts)} ({scope})."


# --------------------------------------------------------------------------
# text formats: full, concise, github


def _render_lines(
    diags: list[Diagnostic],
    fmt: str,
    cwd: Path,
    color: bool,
    summary: RunSummary,
    statistics: bool,
    quiet: bool,
    read_lines: ReadLines | None,
    unsafe_fixes: bool = False,
    fixed: list[Diagnostic] | None = None,
) -> str:
    if fmt == "github":
        commands = [_github_command(d, cwd) for d in diags]
        if not quiet:
            commands.append(summary_line(diags, summary, fixed))
            if fixed is not None:
                commands += fix_notes(diags, unsafe_fixes)
        return _join(commands)

    text = _TextRenderer(cwd, _Style(color), read_lines or read_source_lines)
    text.unsafe_fixes = unsafe_fixes
    out: list[str] = []
    if statistics:
        out += text.statistics(diags)
    elif fmt == "full":
        for d in diags:
            out += text.block(d) + [""]
    else:
        out += [text.header(d) for d in diags]
    if not quiet:
        if statistics and out:
            out.append("")
        out.append(text.summary(diags, summary, fixed))
        if fixed is not None:
            out += fix_notes(diags, unsafe_fixes)
    while out and not out[-1]:
        out.pop()
    return _join(out)


def fix_notes(diags: list[Diagnostic], unsafe_fixes: bool) -> list[str]:
    """After a fix run: the fixes left out because they are unsafe."""
    hidden = 0 if unsafe_fixes else sum(
        d.fix is not None and d.fix.applicability != SAFE for d in diags)
    if not hidden:
        return []
    fixes = "1 hidden fix" if hidden == 1 else f"{hidden} hidden fixes"
    return [f"{fixes} can be enabled with the `--unsafe-fixes` option."]


def _join(lines: list[str]) -> str:
    return "".join(line + "\n" for line in lines)


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


class _Style:
    """ANSI SGR colouring, or none."""

    RESET = "\x1b[0m"
    BOLD, RED, GREEN, YELLOW, BLUE, CYAN = "1", "31", "32", "33", "34", "36"

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, text: str, *codes: str) -> str:
        if not self.enabled or not text:
            return text
        return f"\x1b[{';'.join(codes)}m{text}{self.RESET}"

    def severity(self, text: str, severity: str) -> str:
        return self(text, self.BOLD, self.RED if severity == ERROR else self.YELLOW)


class _TextRenderer:
    def __init__(self, cwd: Path, style: _Style, read_lines: ReadLines) -> None:
        self.cwd = cwd
        self.style = style
        self._read_lines = read_lines
        self._lines: dict[Path, list[str] | None] = {}

    def read_lines(self, path: Path) -> list[str] | None:
        """``read_lines(path)``, asked at most once per file and render."""
        if path not in self._lines:
            self._lines[path] = self._read_lines(path)
        return self._lines[path]

    def position(self, loc: Location) -> str:
        path = _printable(display_path(loc.path, self.cwd))
        return f"{self.style(path, _Style.BOLD)}:{loc.line}:{loc.column}:"

    def header(self, d: Diagnostic) -> str:
        s = self.style
        parts = [self.position(d.location), s.severity(d.severity, d.severity), s(d.code, _Style.BOLD)]
        if d.fix is not None and (d.fix.applicability == SAFE or getattr(self, "unsafe_fixes", False)):
            parts.append(s("[*]", _Style.CYAN))
        if d.app is not None:
            parts.append(s(f"[{_printable(d.app)}]", _Style.CYAN))
        parts.append(_printable(d.message))
        return " ".join(parts)

    def block(self, d: Diagnostic) -> list[str]:
        """The ``full`` rendering of one diagnostic (header, excerpt, help, notes)."""
        s = self.style
        excerpts = [self.excerpt(d.location, "^", d.severity)]
        excerpts += [self.excerpt(r.location, "-", None) for r in d.related]
        width = len(str(max((ex[0] for ex in excerpts if ex), default=0)))
        pad = " " * (width + 1)

        out = [self.header(d)]
        out += self.frame(excerpts[0], width)
        if d.help:
            out += self.note(pad, s("help", _Style.BOLD, _Style.CYAN), d.help)
        for rel, ex in zip(d.related, excerpts[1:]):
            out += self.note(pad, s("note", _Style.BOLD), rel.message, self.position(rel.location) + " ")
            out += self.frame(ex, width)
        return out

    def note(self, pad: str, label: str, text: str, prefix: str = "") -> list[str]:
        """``= help: text`` / ``= note: PREFIXtext``; lines after the first are indented to align."""
        first, *rest = text.split("\n")
        indent = pad + " " * len("= help: ")
        return [f"{pad}= {label}: {prefix}{_printable(first)}"] + [
            f"{indent}{_printable(line)}".rstrip() for line in rest
        ]

    def frame(self, excerpt: tuple[int, str, str] | None, width: int) -> list[str]:
        """The gutter-framed source line and underline, or nothing."""
        if excerpt is None:
            return []
        line, source, marks = excerpt
        bar = self.style("|", _Style.BOLD, _Style.BLUE)
        pad = " " * width
        number = self.style(str(line).rjust(width), _Style.BOLD, _Style.BLUE)
        return [
            f"{pad} {bar}",
            f"{number} {bar} {source}".rstrip(),
            f"{pad} {bar} {marks}",
            f"{pad} {bar}",
        ]

    def excerpt(self, loc: Location, mark: str, severity: str | None) -> tuple[int, str, str] | None:
        """(line number, displayed source line, underline) for ``loc``, or None."""
        lines = self.read_lines(loc.path)
        if lines is None or loc.line > len(lines) + 1:
            return None
        text = lines[loc.line - 1] if loc.line <= len(lines) else ""  # one past: an empty last line
        end_column = loc.end_column if loc.end_line == loc.line else len(text) + 1
        source, start, stop = _layout(text, loc.column - 1, end_column - 1)
        color = (_Style.RED if severity == ERROR else _Style.YELLOW) if severity else _Style.BLUE
        marks = " " * start + self.style(mark * (stop - start), _Style.BOLD, color)
        return loc.line, source, marks

    def statistics(self, diags: list[Diagnostic]) -> list[str]:
        """``count  CODE  name  severity`` per rule, most frequent first."""
        rows: dict[str, list] = {}
        for d in diags:
            row = rows.setdefault(d.code, [0, d.name, d.severity])
            row[0] += 1
            if d.severity == ERROR:
                row[2] = ERROR
        ordered = sorted(rows.items(), key=lambda item: (-item[1][0], item[0]))
        count_w = max((len(str(r[0])) for r in rows.values()), default=1)
        name_w = max((len(r[1]) for r in rows.values()), default=0)
        return [
            f"{str(count).rjust(count_w)}  {self.style.severity(code, sev)}  {name.ljust(name_w)}  {sev}"
            for code, (count, name, sev) in ordered
        ]

    def summary(self, diags: list[Diagnostic], summary: RunSummary,
                fixed: list[Diagnostic] | None = None) -> str:
        text = summary_line(diags, summary, fixed)
        if diags or summary.projects == 0:
            return self.style(text, _Style.BOLD)
        head, _, tail = text.partition(" (")
        return f"{self.style(head, _Style.BOLD, _Style.GREEN)} ({tail}"


# -- source excerpts ---------------------------------------------------------

_CONTROL_PICTURES = {c: chr(0x2400 + c) for c in range(0x20)}
_CONTROL_PICTURES[0x7F] = "\u2421"
_CONTROL_PICTURES.update({c: "\ufffd" for c in range(0x80, 0xA0)})
# bidirectional overrides and isolates can reorder what a terminal shows
_CONTROL_PICTURES.update({c: "\ufffd" for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))})
_SURROGATE_RE = re.compile("[\ud800-\udfff]")


def _printable(text: str) -> str:
    """``text`` with control characters (tabs, newlines, ESC, ...) made visible."""
    return text.translate(_CONTROL_PICTURES)


def _char_width(ch: str) -> int:
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def _layout(text: str, start: int, stop: int) -> tuple[str, int, int]:
    """Lay out a source line for display and place the 0-based character span [start, stop).

    Tabs expand to :data:`TAB_WIDTH` stops, control characters become
    symbols, wide characters count two cells, and a line longer than
    :data:`EXCERPT_WIDTH` is cut around the span (marked with ``…``).
    Returns (display text, first underlined cell, cell after the last);
    the underline is at least one cell wide, also past the end of the line,
    and ends at the end of the line when the span goes beyond it.
    """
    start = max(0, min(start, len(text)))
    stop = max(start + 1, stop)
    lo, hi = 0, len(text)
    if len(text) > EXCERPT_WIDTH:
        lo = max(0, start - EXCERPT_CONTEXT)
        hi = min(len(text), lo + EXCERPT_WIDTH)
    cells: list[str] = ["…"] if lo else []
    col = len(cells)
    first = last = None
    for i in range(lo, hi):
        if i == start:
            first = col
        if i == stop:
            last = col
        ch = text[i]
        if ch == "\t":
            shown = " " * (TAB_WIDTH - col % TAB_WIDTH)
            width = len(shown)
        else:
            shown = ch.translate(_CONTROL_PICTURES)
            width = _char_width(shown)
        cells.append(shown)
        col += width
    if first is None:  # the span starts at (or past) the end of the line
        first = col
    if last is None:  # the span reaches the end of the shown text
        last = col
    if hi < len(text):
        cells.append("…")
    return "".join(cells), first, max(last, first + 1)


# --------------------------------------------------------------------------
# GitHub Actions workflow commands


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _plain_message(d: Diagnostic) -> str:
    """The message for annotations: ``[app] message`` plus a ``help:`` line."""
    text = f"[{d.app}] {d.message}" if d.app is not None else d.message
    return f"{text}\nhelp: {d.help}" if d.help else text


def _github_command(d: Diagnostic, cwd: Path) -> str:
    loc = d.location
    props = {
        "file": display_path(loc.path, cwd),
        "line": loc.line,
        "col": loc.column,
        "endLine": loc.end_line,
        "endColumn": loc.end_column,
        "title": f"{d.code} ({d.name})",
    }
    command = "error" if d.severity == ERROR else "warning"
    joined = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items())
    return f"::{command} {joined}::{_escape_data(_plain_message(d))}"


# --------------------------------------------------------------------------
# JSON


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
        "fix": _json_fix(d, cwd),
    }


def _json_fix(d: Diagnostic, cwd: Path) -> dict | None:
    if d.fix is None:
        return None
    return {
        "applicability": d.fix.applicability,
        "message": d.fix.message,
        "edits": [
            {"path": display_path(e.path, cwd), "line": e.line, "column": e.column,
             "end_line": e.end_line, "end_column": e.end_column, "content": e.content}
            for e in d.fix.edits
        ],
    }


def _sarif_fix(d: Diagnostic, cwd: Path) -> dict:
    """A SARIF ``fix``: one ``artifactChange`` per file, a ``replacement`` per edit."""
    by_path: dict[Path, list] = {}
    for e in d.fix.edits:
        by_path.setdefault(e.path, []).append(e)
    changes = []
    for path, edits in by_path.items():
        location = _sarif_location(Location.point(path, 1, 1), cwd)["physicalLocation"]["artifactLocation"]
        changes.append({
            "artifactLocation": location,
            "replacements": [
                {
                    "deletedRegion": {"startLine": e.line, "startColumn": e.column,
                                      "endLine": e.end_line, "endColumn": e.end_column},
                    "insertedContent": {"text": e.content},
                }
                for e in edits
            ],
        })
    return {
        "description": {"text": d.fix.message},
        "artifactChanges": changes,
        "properties": {"applicability": d.fix.applicability},
    }


# --------------------------------------------------------------------------
# SARIF 2.1.0


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
        if d.fix is not None:
            result["fixes"] = [_sarif_fix(d, cwd)]
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
