"""What several image rules share: helpers and example projects."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.dockerfile import (
        Dockerfile,
    )
    from fallint.model.project import Project
from fallint.model.build import Build, string_offset_location

__all__ = ["Build", "string_offset_location"]


def standard_syntax(df: "Dockerfile") -> bool:
    """True unless a ``# syntax=`` directive selects a non-Docker frontend
    (whose grammar fallint does not know)."""
    directive = df.directives.get("syntax")
    if directive is None:
        return True
    value = directive.value.strip().lower()
    for prefix in ("docker.io/", "index.docker.io/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value.startswith("docker/dockerfile")


def dockerignore_builds(project: "Project") -> list[Build]:
    return [b for b in (app.build for app in project.apps) if b is not None and b.text is not None]


def is_literal_secret(value: Any) -> bool:
    """A string that is not a ``$NAME`` reference to a fal secret."""
    return isinstance(value, str) and not (value.startswith("$") and len(value) > 1)
