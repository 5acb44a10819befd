"""FAL209 `entry-point-app-without-routes`: The python_entry_point fal.App serves no route."""

from __future__ import annotations

from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import PYPROJECT, SRC, definition_related
from fallint.rules.registry import ERROR, Example, register
from fallint.util.text import code


@register
class EntryPointAppWithoutRoutes(EntryPointRule):
    code = "FAL209"
    name = "entry-point-app-without-routes"
    severity = ERROR
    summary = "The python_entry_point fal.App serves no route"
    what = """
        A `python_entry_point` naming a `fal.App` subclass with no method decorated with
        `@fal.endpoint(...)` or `@fal.realtime(...)`, itself or inherited (when every
        base is known).
    """
    why = "fal builds the app's OpenAPI metadata on the worker and raises when the app has no route."
    fix = "Decorate the method(s) the app serves with `@fal.endpoint(\"/path\")`."
    invalid = [
        Example(
            PYPROJECT,
            files={
                **SRC,
                "src/textgen/serve.py": '''
                    import fal


                    class TextGen(fal.App):
                        def complete(self, prompt: str) -> str:
                            return prompt[::-1]
                ''',
            },
            expect=["6:37"],
        )
    ]
    valid = [Example(PYPROJECT, files=SRC)]

    def check_entry_point(self, app, ep):
        symbol = ep.target
        if symbol is None or "." in ep.symbol or symbol.kind not in ("class", "external"):
            return
        sources = ep.project.sources
        if sources.is_fal_app(symbol) is not True or sources.has_route(symbol) is not False:
            return
        yield self.report(
            app,
            ep,
            "symbol",
            f"fal.App {code(ep.symbol)} serves no route: fal raises while building its metadata on the worker",
            help='decorate a method with `@fal.endpoint("/")`',
            related=definition_related(symbol),
        )
