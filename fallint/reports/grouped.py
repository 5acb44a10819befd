"""``grouped``: the diagnostics under their file's name, then the summary line.

::

    examples/broken/pyproject.toml:
      11:7  FAL106 error [image-gen] `apps/image_gen.py` has no module-level name ...
       = help: did you mean ...

    Found 8 errors and 3 warnings (4 apps in 1 project checked).
"""

from __future__ import annotations

from itertools import groupby

from fallint.diagnostics import display_path
from fallint.reports.common import Context, _printable, summary_line


def render(diagnostics, ctx: Context) -> str:
    cwd, summary = ctx.cwd, ctx.summary
    diagnostics = list(diagnostics)
    out: list[str] = []
    for path, group in groupby(diagnostics, key=lambda d: display_path(d.location.path, cwd)):
        group = list(group)
        width = max(len(f"{d.location.line}:{d.location.column}") for d in group)
        out.append(f"{_printable(path)}:")
        for d in group:
            pos = f"{d.location.line}:{d.location.column}".rjust(width)
            app = f" [{_printable(d.app)}]" if d.app is not None else ""
            out.append(f"  {pos}  {d.code} {d.severity}{app} {_printable(d.message)}")
            if d.help:
                out.append(f"  {' ' * width}  = help: {_printable(d.help)}")
        out.append("")
    if summary is not None:
        out.append(summary_line(diagnostics, summary))
    while out and not out[-1]:
        out.pop()
    return "".join(line + "\n" for line in out)
