"""Output formats: diagnostics as text for people, CI systems and tools.

:func:`render` turns a list of :class:`~fallint.diagnostics.Diagnostic` into
the complete text to write, in one of :data:`FORMATS`, one module each:
``full`` (default) and ``concise`` (:mod:`.text` renders both), ``json``,
``json-lines``, ``github``, ``sarif``, ``junit``, ``gitlab``, ``rdjson``,
``pylint``, ``azure`` and ``grouped``. Each module has
``render(diagnostics, ctx) -> str`` (:class:`~.common.Context`); it is
imported only when its format is asked for.

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

import importlib
from pathlib import Path
from typing import Iterable

from fallint.diagnostics import Diagnostic
from fallint.reports.common import (
    _SURROGATE_RE,
    DOCS_URL,
    Context,
    ReadLines,
    RunSummary,
    read_source_lines,
    rule_url,
    summary_line,
    use_color,
)

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

#: format name -> module in this package
FORMATS = {
    "full": "full",
    "concise": "concise",
    "json": "json",
    "github": "github",
    "sarif": "sarif",
    "json-lines": "json_lines",
    "junit": "junit",
    "gitlab": "gitlab",
    "rdjson": "rdjson",
    "pylint": "pylint",
    "azure": "azure",
    "grouped": "grouped",
}


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
) -> str:
    """The complete output for ``diagnostics`` in format ``fmt``.

    Returns ``""`` or text ending with a newline.  ``read_lines(path)``
    gives a file's lines for the source excerpts of the ``full`` format
    (None when unavailable); pass a cached reader so that each file is
    read once per run (None means :func:`read_source_lines`).
    Raises ValueError for an unknown format.
    """
    module = FORMATS.get(fmt)
    if module is None:
        raise ValueError(f"unknown output format {fmt!r} (choose from {', '.join(FORMATS)})")
    diags = sorted(diagnostics, key=lambda d: d.sort_key(cwd))
    ctx = Context(cwd, color, None if quiet else summary, statistics, read_lines or read_source_lines)
    text = importlib.import_module(f"{__name__}.{module}").render(diags, ctx)
    return _SURROGATE_RE.sub("\ufffd", text)
