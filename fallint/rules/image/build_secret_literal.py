"""FAL421 `build-secret-literal`: A build secret written literally in pyproject.toml."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.diagnostics import Diagnostic
from fallint.rules.registry import WARNING, Example, Rule, register

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App
from fallint.rules.image._common import is_literal_secret


@register
class BuildSecretLiteral(Rule):
    code = "FAL421"
    name = "build-secret-literal"
    severity = WARNING
    summary = "A build secret written literally in pyproject.toml"
    what = "A value in `image.secrets` that is not a `$NAME` reference to a fal secret."
    why = """
        The secret's value then sits in pyproject.toml, usually committed to version
        control. A `$NAME` value makes fal take it from the secrets stored with
        `fal secrets set NAME=...`.
    """
    fix = "Store the value with `fal secrets set NAME=...` and write `\"$NAME\"`; rotate the exposed secret."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            secrets = { HF_TOKEN = "hf_aBcD1234" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            expect=["3:24"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            secrets = { HF_TOKEN = "$HF_TOKEN" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n"},
        )
    ]

    def check_app(self, app: "App") -> Iterator[Diagnostic]:
        secrets = app.get("image", "secrets")
        if not isinstance(secrets, dict):
            return
        for name, value in secrets.items():
            if is_literal_secret(value):
                yield self.at(
                    app,
                    ("image", "secrets", name),
                    f"build secret `{name}` is written literally in pyproject.toml, not as a "
                    "`$NAME` reference to a fal secret",
                    help=f'run `fal secrets set {name}=...` and write `"${name}"`',
                )
