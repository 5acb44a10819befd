"""FAL423 `registry-password-literal`: A registry password written literally in pyproject.toml."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.diagnostics import Diagnostic
from fallint.rules.registry import WARNING, Example, Rule, register

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App
from fallint.rules.image._common import is_literal_secret


@register
class RegistryPasswordLiteral(Rule):
    code = "FAL423"
    name = "registry-password-literal"
    severity = WARNING
    summary = "A registry password written literally in pyproject.toml"
    what = "An `image.registries.<registry>.password` that is not a `$NAME` reference to a fal secret."
    why = """
        The registry password (or token) then sits in pyproject.toml, usually
        committed to version control; fal's documentation takes it from a secret
        (`password = "$DOCKERHUB_TOKEN"`).
    """
    fix = "Store it with `fal secrets set NAME=...`, write `password = \"$NAME\"`, and rotate the exposed token."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme", password = "ghp_x1y2z3" } }
            ''',
            expect=["3:60"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme", password = "$GHCR_TOKEN" } }
            ''',
        )
    ]

    def check_app(self, app: "App") -> Iterator[Diagnostic]:
        registries = app.get("image", "registries")
        if not isinstance(registries, dict):
            return
        for registry, entry in registries.items():
            if isinstance(entry, dict) and is_literal_secret(entry.get("password")):
                yield self.at(
                    app,
                    ("image", "registries", registry, "password"),
                    f"the password of registry `{registry}` is written literally in "
                    "pyproject.toml, not as a `$NAME` reference to a fal secret",
                    help="run `fal secrets set REGISTRY_TOKEN=...` and write "
                    '`password = "$REGISTRY_TOKEN"`',
                )
