"""What several runtime rules share: helpers and example projects."""

from __future__ import annotations


def machine_types(app) -> list[tuple[tuple, str]]:
    mt = app.table.get("machine_type")
    if isinstance(mt, str):
        return [(("machine_type",), mt)]
    if isinstance(mt, list):
        return [(("machine_type", i), v) for i, v in enumerate(mt) if isinstance(v, str)]
    return []
