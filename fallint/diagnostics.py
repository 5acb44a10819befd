"""Diagnostics: what a rule reports, and where.

A :class:`Diagnostic` is plain data.  Positions are 1-based lines and
columns (columns count characters, not bytes); ``end_column`` is exclusive
and, on a one-line span, always greater than ``column`` so that every
annotation has a visible extent.
"""

from __future__ import annotations

import os

from fallint.util.records import dataclass, field
from pathlib import Path

ERROR = "error"
WARNING = "warning"
SEVERITIES = (ERROR, WARNING)
SEVERITY_RANK = {WARNING: 1, ERROR: 2}


@dataclass(frozen=True, order=True)
class Location:
    """A span in one file.  ``path`` is absolute (reporters relativise it)."""

    path: Path
    line: int
    column: int
    end_line: int
    end_column: int

    def __post_init__(self) -> None:
        line = max(1, self.line)
        column = max(1, self.column)
        end_line = max(line, self.end_line)
        end_column = self.end_column
        if end_line == line and end_column <= column:
            end_column = column + 1
        object.__setattr__(self, "line", line)
        object.__setattr__(self, "column", column)
        object.__setattr__(self, "end_line", end_line)
        object.__setattr__(self, "end_column", end_column)

    @classmethod
    def point(cls, path: Path, line: int, column: int, length: int = 1) -> "Location":
        return cls(path, line, column, line, column + max(1, length))


@dataclass(frozen=True)
class Related:
    """A secondary location shown as a note (full output) or a SARIF related location."""

    location: Location
    message: str


SAFE = "safe"
UNSAFE = "unsafe"
APPLICABILITIES = (SAFE, UNSAFE)


@dataclass(frozen=True)
class Edit:
    """Replace the text between two positions of one file by ``content``.

    Positions are 1-based lines and columns (characters) of the file's text
    as fallint reads it (BOM removed, CRLF read as LF), the end exclusive;
    an insertion has ``start == end``.
    """

    path: Path
    line: int
    column: int
    end_line: int
    end_column: int
    content: str = ""

    @classmethod
    def replace(cls, location: Location, content: str) -> "Edit":
        return cls(location.path, location.line, location.column, location.end_line,
                   location.end_column, content)

    @classmethod
    def insert(cls, path: Path, line: int, column: int, content: str) -> "Edit":
        return cls(path, line, column, line, column, content)


@dataclass(frozen=True)
class Fix:
    """What ``fallint check --fix`` does about a diagnostic: edits applied together.

    ``applicability`` is ``"safe"`` (applied by ``--fix``) or ``"unsafe"``
    (may change behaviour: applied only with ``--unsafe-fixes``).
    """

    applicability: str
    message: str
    edits: tuple[Edit, ...]

    @classmethod
    def safe(cls, message: str, *edits: Edit) -> "Fix":
        return cls(SAFE, message, tuple(edits))

    @classmethod
    def unsafe(cls, message: str, *edits: Edit) -> "Fix":
        return cls(UNSAFE, message, tuple(edits))


@dataclass(frozen=True)
class Diagnostic:
    code: str
    name: str
    severity: str
    message: str
    location: Location
    app: str | None = None
    key: str | None = None
    help: str | None = None
    related: tuple[Related, ...] = field(default=())
    #: the edit that fixes it, when fallint knows one (see fallint.engine.fixes)
    fix: Fix | None = None

    def sort_key(self, cwd: Path | None = None) -> tuple:
        loc = self.location
        return (display_path(loc.path, cwd), loc.line, loc.column, self.code, self.message)


def display_path(path: Path, cwd: Path | None = None) -> str:
    """``path`` relative to ``cwd`` (default: the working directory), ``/``-separated.

    Paths outside ``cwd`` are given relative with ``..`` when possible, else absolute.
    """
    base = str(cwd) if cwd is not None else os.getcwd()
    p = str(path)
    try:
        rel = os.path.relpath(p, base)
    except ValueError:  # different drive on Windows
        rel = p
    return rel.replace(os.sep, "/")


# -- plain data (the run cache stores diagnostics this way) ----------------------


def _pack_location(loc: Location) -> tuple:
    return (os.fspath(loc.path), loc.line, loc.column, loc.end_line, loc.end_column)


def _unpack_location(data: tuple) -> Location:
    path, line, column, end_line, end_column = data
    return Location(Path(path), line, column, end_line, end_column)


def pack(d: Diagnostic) -> tuple:
    """``d`` as tuples, strings and numbers (for :mod:`marshal`); :func:`unpack` reverses it."""
    fix = None
    if d.fix is not None:
        fix = (d.fix.applicability, d.fix.message, tuple(
            (os.fspath(e.path), e.line, e.column, e.end_line, e.end_column, e.content) for e in d.fix.edits
        ))
    related = tuple((_pack_location(r.location), r.message) for r in d.related)
    return (d.code, d.name, d.severity, d.message, _pack_location(d.location), d.app, d.key, d.help,
            related, fix)


def unpack(data: tuple) -> Diagnostic:
    code, name, severity, message, location, app, key, help, related, fix = data
    return Diagnostic(
        code, name, severity, message, _unpack_location(location), app, key, help,
        tuple(Related(_unpack_location(loc), text) for loc, text in related),
        None if fix is None else Fix(fix[0], fix[1], tuple(Edit(Path(e[0]), *e[1:]) for e in fix[2])),
    )
