"""Small text helpers shared by rules and libraries (cheap to import)."""

from __future__ import annotations

import re
from typing import Any


def code(text: Any) -> str:
    """``text`` as inline code in a message (backticks inside are replaced)."""
    return "`" + str(text).replace("`", "'") + "`"


def canonical_name(name: str) -> str:
    """PEP 503 normalisation of a project name: lower case, runs of ``-_.`` -> ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def type_name(value: Any) -> str:
    """How a TOML value's type is said in a message: ``an integer``, ``a table`` ..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return "a date/time"
