"""FAL603 `private-logs-attribute-ignored`: private_logs set as a class attribute: fal ignores it."""

from __future__ import annotations

from pathlib import Path

from fallint.diagnostics import Location, Related
from fallint.model.ref_target import (
    class_ancestry,
)
from fallint.model.ref_target import (
    short as _short,
)
from fallint.rules.ref._base import RefRule
from fallint.rules.registry import WARNING, Example, register


@register
class PrivateLogsAttributeIgnored(RefRule):
    code = "FAL603"
    name = "private-logs-attribute-ignored"
    severity = WARNING
    summary = "private_logs set as a class attribute: fal ignores it"
    what = """
        `private_logs = ...` in the body of the `fal.App` class an app deploys (or
        of a base class).
    """
    why = """
        fal reads `private_logs` only as a class keyword
        (`class Web(fal.App, private_logs=True)`) or from the TOML: the attribute
        has no effect and the logs stay as they were.
    """
    fix = "Pass it as a class keyword, or set `private_logs` in the app's TOML table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    private_logs = True

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:5:5"],
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


                class Web(fal.App, private_logs=True):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
        )
    ]

    def check_target(self, app, target):
        if not target.is_app:
            return
        sources = app.project.sources
        read = sources.class_settings(target.symbol).get("private_logs")
        for symbol, entry in class_ancestry(sources, target.symbol):
            attribute = entry.attribute("private_logs")
            if attribute is None:
                continue
            if (read is not None and read.via == "attribute" and read.line == attribute.line
                    and Path(read.path) == Path(symbol.path)):
                continue  # a base passes private_logs= as a keyword: fal reads the attribute
            yield from self.in_python(
                app,
                Location.point(Path(symbol.path), attribute.line, attribute.column, len("private_logs")),
                f"`private_logs = {_short(attribute.value.source)}` in the class body is ignored by fal; "
                f"only the class keyword (or the TOML) sets it",
                help=f"write `class {entry.name}(..., private_logs={_short(attribute.value.source)})`, "
                     f"or `private_logs = ...` in the app's TOML table",
                related=[Related(app.span("ref"), f"app `{app.key}` deploys `{target.symbol.name}`")],
            )
