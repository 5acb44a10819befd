"""Text edits on a file's original bytes.

fallint reads a file as text with the BOM removed and CRLF read as LF;
diagnostics, and the :class:`~fallint.diagnostics.Edit` values of fixes,
are positions in that text.  :class:`SourceText` keeps the original bytes
and maps those positions back onto them, so an edit changes exactly the
span it names: the BOM, the line endings (CRLF, LF or mixed), comments,
spacing and everything else outside the span stay byte for byte.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable

from fallint.diagnostics import Edit

BOM = b"\xef\xbb\xbf"


class EditError(ValueError):
    """Edits that overlap or point outside the file."""


class SourceText:
    """One file's original text (BOM split off), with position mapping."""

    def __init__(self, path: Path, data: bytes) -> None:
        self.path = path
        self.data = data
        self.bom = data.startswith(BOM)
        self.text = (data[3:] if self.bom else data).decode("utf-8")  # raises UnicodeDecodeError
        self.crlf = self.text.count("\r\n") > self.text.count("\n") - self.text.count("\r\n")
        self._starts = [0]
        for i, ch in enumerate(self.text):
            if ch == "\n":
                self._starts.append(i + 1)

    def offset(self, line: int, column: int) -> int:
        """The index in :attr:`text` of a 1-based (line, column) of the LF-normalised text."""
        if line < 1 or column < 1:
            raise EditError(f"position {line}:{column} is before the start of the file")
        if line > len(self._starts):
            if line == len(self._starts) + 1 and column == 1 and self.text.endswith("\n"):
                return len(self.text)
            raise EditError(f"line {line} is past the end of the file")
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        if end > start and self.text[end - 1] == "\r" and line < len(self._starts):
            end -= 1  # the CR of a CRLF is not a column of the line
        pos = start + column - 1
        if pos > end:
            raise EditError(f"column {column} is past the end of line {line}")
        return pos

    def apply(self, edits: Iterable[Edit]) -> bytes:
        """The file's bytes with ``edits`` applied (they must not overlap)."""
        spans = []
        for e in edits:
            a, b = self.offset(e.line, e.column), self.offset(e.end_line, e.end_column)
            if b < a:
                raise EditError("an edit ends before it starts")
            content = e.content
            if self.crlf:
                content = content.replace("\r\n", "\n").replace("\n", "\r\n")
            spans.append((a, b, content))
        spans.sort(key=lambda s: (s[0], s[1]))
        out = []
        pos = 0
        for a, b, content in spans:
            if a < pos:
                raise EditError("overlapping edits")
            out.append(self.text[pos:a])
            out.append(content)
            pos = b
        out.append(self.text[pos:])
        body = "".join(out).encode("utf-8", errors="surrogatepass")
        return (BOM + body) if self.bom else body

    def line_text(self, line: int) -> str:
        """Line ``line`` (1-based) without its line ending."""
        start = self._starts[line - 1]
        end = self._starts[line] - 1 if line < len(self._starts) else len(self.text)
        text = self.text[start:end]
        return text[:-1] if text.endswith("\r") else text

    @property
    def line_count(self) -> int:
        return len(self._starts)


def edit_span(source: SourceText, edit: Edit) -> tuple[int, int]:
    return source.offset(edit.line, edit.column), source.offset(edit.end_line, edit.end_column)


def overlaps(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two spans conflict when they share a character, or are the same insertion point."""
    if a[0] == a[1] and b[0] == b[1]:
        return a[0] == b[0]
    return a[0] < b[1] and b[0] < a[1] or (a[0] == a[1] and b[0] < a[0] < b[1]) or (
        b[0] == b[1] and a[0] < b[0] < a[1])


def unified_diff(old: bytes, new: bytes, relpath: str) -> str:
    """A ``git apply``/``patch -p1`` compatible diff of one file (``a/`` and ``b/`` prefixes)."""
    import difflib

    a = _lines(old.decode("utf-8", errors="surrogateescape"))
    b = _lines(new.decode("utf-8", errors="surrogateescape"))
    out = []
    for line in difflib.unified_diff(a, b, f"a/{relpath}", f"b/{relpath}", lineterm="\n"):
        if line.endswith("\n"):
            out.append(line)
        else:
            out.append(line + "\n\\ No newline at end of file\n")
    return "".join(out)


def _lines(text: str) -> list[str]:
    """Lines split at LF only (what ``patch`` and ``git apply`` count), endings kept."""
    parts = text.split("\n")
    out = [p + "\n" for p in parts[:-1]]
    if parts[-1]:
        out.append(parts[-1])
    return out
