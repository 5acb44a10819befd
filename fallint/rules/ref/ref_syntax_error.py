"""FAL105 `ref-syntax-error`: The ref file is not valid Python."""

from __future__ import annotations

from fallint.diagnostics import Location
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY, ref_related
from fallint.rules.registry import ERROR, Example, register


@register
class RefSyntaxError(RefRule):
    code = "FAL105"
    name = "ref-syntax-error"
    severity = ERROR
    summary = "The ref file is not valid Python"
    what = """
        A syntax error in the file an app's `ref` names, reported at its position
        in the Python file. Any Python 3 syntax counts as valid, whatever the
        Python running fallint (a PEP 695 `type X = int` is fine).
    """
    why = "fal runs the file to find the app: a syntax error stops `fal run` and `fal deploy`."
    fix = "Correct the syntax at the reported position."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict
                        return {}
                """},
            expect=["app.py:6:26"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": "type Payload = dict[str, int]\n" + WEB_APP_PY},
        )
    ]

    def check_target(self, app, target):
        result = target.result
        if result is None or result.error != "syntax":
            return
        yield from self.in_python(
            app,
            Location.point(target.path, result.line or 1, result.column or 1),
            f"invalid Python: {result.message}; fal cannot run `{target.file_part}`",
            related=[ref_related(app, f"app `{app.key}` runs this file")],
        )
