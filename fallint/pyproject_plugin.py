"""validate-pyproject plugin: the ``tool.fal`` JSON Schema.

Registered as the ``fal`` entry point of ``validate_pyproject.tool_schema``.
It reads the committed, generated schema (``fallint/data/partial-fal.json``)
and imports nothing of fallint's: validate-pyproject loads every plugin on
each run, so this must stay cheap.
"""

from __future__ import annotations

import json
import os

#: validate-pyproject requires an ``$id``; the committed file has none (see fallint.jsonschema)
SCHEMA_ID = "https://raw.githubusercontent.com/fallint/fallint/main/fallint/data/partial-fal.json"


def schema(tool_name: str) -> dict:
    """fal.ai serverless apps (`[tool.fal.apps]`), checked by fallint's schema."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "partial-fal.json")
    with open(path, encoding="utf-8") as fh:
        data = json.load(fh)
    return {"$id": SCHEMA_ID, **data}
