"""FAL110 `app-without-route`: The fal.App class a ref deploys has no endpoint."""

from __future__ import annotations

from fallint.model.ref_target import symbol_location
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import ref_related
from fallint.rules.registry import ERROR, Example, register


@register
class AppWithoutRoute(RefRule):
    code = "FAL110"
    name = "app-without-route"
    severity = ERROR
    summary = "The fal.App class a ref deploys has no endpoint"
    what = """
        The `fal.App` subclass an app deploys defines no route: no method decorated
        with `@fal.endpoint(...)` or `@fal.realtime(...)`, inherited ones included.
    """
    why = "fal fails while building the app's OpenAPI metadata: `Failed to generate OpenAPI metadata`."
    fix = "Decorate the method that serves requests with `@fal.endpoint(\"/\")`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:4:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Base(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}


                class Web(Base):
                    machine_type = "M"
                """},
            title="an inherited endpoint",
        )
    ]

    def check_target(self, app, target):
        if not target.is_app or target.symbol.path is None:
            return
        sources = app.project.sources
        if sources.has_route(target.symbol) is not False:
            return
        loc = symbol_location(target.symbol)
        yield from self.in_python(
            app,
            loc,
            f"fal.App class `{target.symbol.name}` has no endpoint: fal cannot deploy it",
            help='decorate the method that serves requests with `@fal.endpoint("/")`',
            related=[ref_related(app, f"app `{app.key}` deploys this class")],
        )
