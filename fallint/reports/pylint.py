"""``pylint``: pylint's parseable format, ``path:line: [CODE(name), app] message``.

What editors and CI parsers that read pylint's ``--output-format=parseable``
expect (the object slot holds the app key).
"""

from __future__ import annotations

from fallint.diagnostics import display_path
from fallint.reports.common import Context, _printable


def render(diagnostics, ctx: Context) -> str:
    cwd, summary = ctx.cwd, ctx.summary
    out = []
    for d in diagnostics:
        path = _printable(display_path(d.location.path, cwd))
        obj = f", {_printable(d.app)}" if d.app is not None else ""
        out.append(f"{path}:{d.location.line}: [{d.code}({d.name}){obj}] {_printable(d.message)}")
    return "".join(line + "\n" for line in out)
