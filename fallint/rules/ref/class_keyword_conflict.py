"""FAL112 `class-keyword-conflict`: `machine_type`, `num_gpus` or `regions` passed as a class keyword."""

from __future__ import annotations

from pathlib import Path

from fallint.diagnostics import Location
from fallint.model.fal import DIRECT_SETTINGS
from fallint.model.ref_target import class_ancestry, short
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import ref_related
from fallint.rules.registry import ERROR, Example, register


@register
class ClassKeywordConflict(RefRule):
    code = "FAL112"
    name = "class-keyword-conflict"
    severity = ERROR
    summary = "`machine_type`, `num_gpus` or `regions` passed as a class keyword"
    what = """
        A fal.App class an app deploys (or one of its project base classes) passing
        `machine_type=`, `num_gpus=` or `regions=` as a class keyword:
        `class Web(fal.App, machine_type="GPU-A100")`.
    """
    why = """
        fal passes these three settings from the class attributes *and* every class
        keyword to `fal.function(...)`: it fails with `TypeError: got multiple
        values for keyword argument 'machine_type'`.
    """
    fix = "Set them as class attributes: `machine_type = \"GPU-A100\"` in the class body."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App, machine_type="GPU-A100", keep_alive=300):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:4:20"],
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


                class Web(fal.App, keep_alive=300):
                    machine_type = "GPU-A100"

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
        )
    ]

    def check_target(self, app, target):
        if not target.is_app:
            return
        for symbol, entry in class_ancestry(app.project.sources, target.symbol):
            for keyword, value in entry.keywords.items():
                if keyword not in DIRECT_SETTINGS:
                    continue
                line, column = entry.keyword_positions.get(keyword, [value.line, value.column])
                yield from self.in_python(
                    app,
                    Location.point(Path(symbol.path), line, column, len(keyword)),
                    f"class keyword `{keyword}=` makes fal fail with a TypeError "
                    f"(\"got multiple values for keyword argument '{keyword}'\")",
                    help=f"set it in the class body instead: `{keyword} = {short(value.source)}`",
                    related=[ref_related(app, f"app `{app.key}` deploys `{target.symbol.name}`")],
                )
