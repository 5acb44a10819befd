"""``pylint``: pylint's parseable format, ``path:line: [CODE(name), app] message``.

What editors and CI parsers that read pylint's ``--output-format=parseable``
expect (the object slot holds the app key).
"""

from __future__ import annotations

from ..diagnostics import display_path
from ..reporters import _printable


def render(diagnostics, cwd, summary) -> str:
    out = []
    for d in diagnostics:
        path = _printable(display_path(d.location.path, cwd))
        obj = f", {_printable(d.app)}" if d.app is not None else ""
        out.append(f"{path}:{d.location.line}: [{d.code}({d.name}){obj}] {_printable(d.message)}")
    return "".join(line + "\n" for line in out)
