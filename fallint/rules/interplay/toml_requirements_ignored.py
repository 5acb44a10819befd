"""FAL602 `toml-requirements-ignored`: TOML requirements on a ref app: fal installs the class's requirements instead."""

from __future__ import annotations

from fallint.diagnostics import Related
from fallint.model.ref_target import (
    short as _short,
)
from fallint.model.ref_target import (
    symbol_location,
)
from fallint.rules.interplay._common import (
    decorator_keywords,
    known_target,
    same_value,
    setting_related,
    toml_text,
    value_related,
)
from fallint.rules.registry import WARNING, Example, Rule, register


@register
class TomlRequirementsIgnored(Rule):
    code = "FAL602"
    name = "toml-requirements-ignored"
    severity = WARNING
    summary = "TOML requirements on a ref app: fal installs the class's requirements instead"
    what = """
        `requirements` in the TOML table of an app whose `ref` names a `fal.App`
        class (or a `@fal.function(requirements=...)`).
    """
    why = """
        fal builds a class-based app's environment from the class's `requirements`
        attribute (empty when it sets none) and never reads the TOML list: the
        packages listed here are not installed and the app fails on import.
    """
    fix = "Move the requirements into the class: `requirements = [...]` in its body."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            requirements = ["numpy==2.1.0"]
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        import numpy

                        return {"version": numpy.__version__}
                """},
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.job]
            ref = "job.py::job"
            requirements = ["numpy==2.1.0"]
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    requirements = ["numpy==2.1.0"]

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """,
                   "job.py": "import fal\n\n\n@fal.function()\ndef job() -> int:\n    return 1\n"},
            title="requirements on the class; a fal.function that passes none",
        )
    ]

    def check_app(self, app):
        if "requirements" not in app.table:
            return
        target = known_target(app)
        if target is None:
            return
        value = app.table["requirements"]
        name = target.symbol.name
        if target.is_app:
            setting = app.project.sources.class_settings(target.symbol).get("requirements")
            if setting is not None and same_value(setting.literal, setting.value, value):
                return
            if setting is None:
                what = f"class `{name}` sets none, so none of these are installed"
                related = [Related(symbol_location(target.symbol), f"`{name}` has no `requirements`")]
            else:
                what = f"fal installs class `{name}`'s `requirements = {_short(setting.source)}`"
                related = [setting_related(setting)]
            help = f"move these requirements into the class: `requirements = {toml_text(value)}` in `{name}`"
        else:
            keyword = decorator_keywords(app, target).get("requirements")
            if keyword is None or same_value(keyword.literal, keyword.value, value):
                return
            what = f"`{name}`'s `fal.function(...)` passes `requirements={_short(keyword.source)}`, which fal uses"
            related = [value_related(target.symbol.path, keyword, "`requirements` is passed here")]
            help = "keep the requirements in one place: the `fal.function(...)` arguments"
        yield self.at(
            app,
            ("requirements",),
            f"`requirements` is ignored for this `ref` app: {what}",
            part="key",
            help=help,
            related=related,
        )
