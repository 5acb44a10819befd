"""What several interplay rules share: helpers and example projects."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fallint.diagnostics import Location, Related
from fallint.model.ref_target import (
    RefTarget,
)

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App


def toml_text(value: Any) -> str:
    """A TOML value as the user wrote it (near enough), for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def same_value(literal: bool, value: Any, toml_value: Any) -> bool:
    """Does the code's literal value equal the TOML value (nothing is lost)?"""
    return literal and value == toml_value and type(value) is type(toml_value)


def decorator_keywords(app: "App", target: RefTarget) -> dict:
    """The keywords of the ``@fal.function(...)`` (or ``fal.function(...)(f)``) a
    function target is built with; empty for anything else (``fal.wrap_app``)."""
    if target.kind != "function" or target.symbol is None:
        return {}
    sources = app.project.sources
    decorator = sources.fal_function_decorator(target.symbol)
    if decorator is None or not decorator.called:
        return {}
    return decorator.keywords


def value_related(path: Path, value: Any, message: str) -> Related:
    return Related(Location.point(Path(path), value.line, value.column, len(value.source.split("\n")[0])), message)


def setting_related(setting: Any) -> Related:
    where = f"`{setting.class_name}` sets `{setting.name}` here"
    return Related(Location.point(setting.path, setting.line, setting.column, len(setting.name)), where)


def known_target(app: "App") -> RefTarget | None:
    """The app's resolved ``ref`` target, when fal's choice of it is known."""
    target = app.ref_target
    if target is None or target.symbol is None or target.symbol.path is None:
        return None
    return target
