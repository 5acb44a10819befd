"""``azure``: Azure Pipelines logging commands (``##vso[task.logissue ...]``).

Azure shows each as an error or warning of the step, with its file and
position.  Property values escape ``%``, ``;``, ``]`` and line breaks as the
agent decodes them (``%AZP25``, ``%3B``, ``%5D``, ``%0D``, ``%0A``).
"""

from __future__ import annotations

from fallint.diagnostics import ERROR, display_path
from fallint.reports.common import Context, _plain_message


def _data(text: str) -> str:
    return text.replace("%", "%AZP25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(";", "%3B").replace("]", "%5D")


def render(diagnostics, ctx: Context) -> str:
    cwd, summary = ctx.cwd, ctx.summary
    out = []
    for d in diagnostics:
        loc = d.location
        props = {
            "type": "error" if d.severity == ERROR else "warning",
            "sourcepath": display_path(loc.path, cwd),
            "linenumber": loc.line,
            "columnnumber": loc.column,
            "code": d.code,
        }
        joined = "".join(f"{k}={_property(str(v))};" for k, v in props.items())
        out.append(f"##vso[task.logissue {joined}]{_data(_plain_message(d))}")
    return "".join(line + "\n" for line in out)
