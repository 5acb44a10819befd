"""``json``: the machine contract, an array of objects with a fixed set of keys
(see :func:`fallint.reports.common._json_object`); never a summary."""

from __future__ import annotations

from fallint.diagnostics import Diagnostic
from fallint.reports.common import Context, _dump_json, _json_object


def render(diagnostics: list[Diagnostic], ctx: Context) -> str:
    return _dump_json([_json_object(d, ctx.cwd) for d in diagnostics])
