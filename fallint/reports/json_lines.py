"""``json-lines``: one JSON object per line, the objects of the ``json`` format."""

from __future__ import annotations

import json

from fallint.reports.common import Context, _json_object


def render(diagnostics, ctx: Context) -> str:
    cwd, summary = ctx.cwd, ctx.summary
    return "".join(json.dumps(_json_object(d, cwd), ensure_ascii=False) + "\n" for d in diagnostics)
