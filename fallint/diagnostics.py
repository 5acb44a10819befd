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
