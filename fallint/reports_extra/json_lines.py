"""``json-lines``: one JSON object per line, the objects of the ``json`` format."""

from __future__ import annotations

import json

from ..reporters import _json_object


def render(diagnostics, cwd, summary) -> str:
    return "".join(json.dumps(_json_object(d, cwd), ensure_ascii=False) + "\n" for d in diagnostics)
