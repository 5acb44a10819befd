"""FAL107 `ref-not-an-app`: The name after `::` is neither a fal.App subclass nor a fal.function."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fallint.diagnostics import Related
from fallint.rules.registry import ERROR, Example, register

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.sources import SourceProject
from fallint.model.ref_target import RefTarget, symbol_location
from fallint.rules.ref._base import RefRule


def _target_related(target: RefTarget, message: str) -> list[Related]:
    loc = symbol_location(target.symbol) if target.symbol is not None else None
    return [Related(loc, message)] if loc is not None else []


def _suggest_apps(target: RefTarget, sources: "SourceProject") -> str | None:
    apps = sources.scan(target.path).apps
    if len(apps) == 1:
        return f'did you mean `ref = "{target.file_part}::{apps[0].binding or apps[0].name}"`?'
    return None


@register
class RefNotAnApp(RefRule):
    code = "FAL107"
    name = "ref-not-an-app"
    severity = ERROR
    summary = "The name after `::` is neither a fal.App subclass nor a fal.function"
    what = """
        A `ref = "file.py::Name"` where `Name` is certainly something else: a
        pydantic model, a plain class or function, a constant, a module. Names
        whose nature depends on a third-party base class are left alone.
    """
    why = "fal raises `Function 'Name' is not a fal.App or a fal.function`."
    fix = "Point `ref` at the class that derives from `fal.App` (or a `@fal.function(...)` function)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Prompt"
            ''',
            files={"app.py": """
                import fal
                from pydantic import BaseModel


                class Prompt(BaseModel):
                    text: str


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self, prompt: Prompt) -> dict:
                        return {"text": prompt.text}
                """},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.job]
            ref = "app.py::job"

            [tool.fal.apps.mixin]
            ref = "app.py::Other"
            ''',
            files={"app.py": """
                import fal
                from mycorp.apps import Base

                job = fal.function(requirements=["numpy"])(lambda: 1)


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}


                class Other(Base):  # a third-party base: maybe a fal.App
                    pass
                """},
            title="fal.function applied by call, unknown bases",
        )
    ]

    def check_target(self, app, target):
        if target.not_target is None:
            return
        sources = app.project.sources
        yield self.at(
            app,
            ("ref",),
            f"`{target.name}` in `{target.file_part}` is {target.not_target}, "
            f"not a fal.App subclass or a fal.function",
            help=_suggest_apps(target, sources),
            related=_target_related(target, f"`{target.name}` is defined here"),
        )
