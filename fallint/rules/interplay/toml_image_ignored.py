"""FAL604 `toml-image-ignored`: TOML image on a ref app: fal builds the class's environment instead."""

from __future__ import annotations

from fallint.diagnostics import Related
from fallint.model.ref_target import (
    environment_owner,
    symbol_location,
)
from fallint.rules.registry import WARNING, Example, Rule, register


@register
class TomlImageIgnored(Rule):
    code = "FAL604"
    name = "toml-image-ignored"
    severity = WARNING
    summary = "TOML image on a ref app: fal builds the class's environment instead"
    what = """
        An `image` table on an app whose `ref` names a `fal.App` class or a
        `@fal.function`.
    """
    why = """
        fal merges the TOML environment into the one the class (or decorator)
        already defines without overwriting it, and that one always has a `kind`
        (`virtualenv` unless the code says otherwise). So the container `kind`
        from the TOML `image` never takes effect: the Dockerfile is read and
        checked, but the app is not built from it. (A TOML `image` does take
        effect for `python_entry_point` apps and for image-only apps.)
    """
    fix = """
        Set the image in code (`image = ContainerImage.from_dockerfile("Dockerfile")`
        in the class body, or `kind="container", image=...` in `@fal.function`), or
        deploy the module with `python_entry_point` so the TOML `image` applies.
    """
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "Dockerfile" }
            ''',
            files={
                "app.py": """
                import fal


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """,
                "Dockerfile": "FROM python:3.12-slim\n",
            },
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            image = { dockerfile = "Dockerfile" }
            exposed_port = 8080
            ''',
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "-m", "http.server", "8080"]\n'},
            title="an image-only app",
        )
    ]

    def check_app(self, app):
        if "image" not in app.table:
            return
        target = environment_owner(app)
        if target is None:
            return
        name = target.symbol.name
        what = f"class `{name}`" if target.is_app else f"`{name}`'s `fal.function(...)`"
        yield self.at(
            app,
            ("image",),
            f"`image` is ignored for this `ref` app: fal keeps the environment {what} defines "
            "and does not build this image",
            part="key",
            help="set the image in code (ContainerImage in the class), or use python_entry_point",
            related=[Related(symbol_location(target.symbol), f"`{name}` defines the environment")],
        )
