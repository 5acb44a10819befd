"""The text formats' renderer (``full``, ``concise`` and ``--statistics``):
headers, source excerpts with a gutter and an underline, help and notes."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fallint.diagnostics import ERROR, Diagnostic, Location, display_path
from fallint.reports.common import (
    _CONTROL_PICTURES,
    Context,
    ReadLines,
    RunSummary,
    _join,
    _printable,
    read_source_lines,
    summary_line,
)


def render_text(diags: list[Diagnostic], ctx: Context, full: bool) -> str:
    """``full`` (``full=True``) or ``concise`` output, or the statistics table."""
    text = _TextRenderer(ctx.cwd, _Style(ctx.color), ctx.read_lines or read_source_lines)
    out: list[str] = []
    if ctx.statistics:
        out += text.statistics(diags)
    elif full:
        for d in diags:
            out += text.block(d) + [""]
    else:
        out += [text.header(d) for d in diags]
    if ctx.summary is not None:
        if ctx.statistics and out:
            out.append("")
        out.append(text.summary(diags, ctx.summary))
    while out and not out[-1]:
        out.pop()
    return _join(out)


TAB_WIDTH = 4  # tab stops in source excerpts


EXCERPT_WIDTH = 160  # a longer source line is cut to this many characters ...


EXCERPT_CONTEXT = 40  # ... starting this many characters before the span




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

    def summary(self, diags: list[Diagnostic], summary: RunSummary) -> str:
        text = summary_line(diags, summary)
        if diags or summary.projects == 0:
            return self.style(text, _Style.BOLD)
        head, _, tail = text.partition(" (")
        return f"{self.style(head, _Style.BOLD, _Style.GREEN)} ({tail}"


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
