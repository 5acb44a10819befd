"""FAL101 `invalid-ref`: ref is not `path/to/file.py` or `path/to/file.py::Name`."""

from __future__ import annotations

from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY
from fallint.rules.registry import ERROR, Example, register


@register
class InvalidRef(RefRule):
    code = "FAL101"
    name = "invalid-ref"
    severity = ERROR
    summary = "ref is not `path/to/file.py` or `path/to/file.py::Name`"
    what = """
        A `ref` that cannot name a Python file and a target in it: empty, nothing
        before or after `::`, a single `:` (`app.py:Web`), or a path that is not a
        `.py` file and does not exist (a module name such as `apps.web`).
    """
    why = """
        fal joins the `ref` to the project root and runs that file: a malformed
        `ref` makes `fal run` / `fal deploy` fail before anything is built.
    """
    fix = "Write the path of the file relative to `pyproject.toml`, then `::` and the class name."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py:Web"
            ''',
            files={"app.py": WEB_APP_PY},
            expect=["2:7"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps.web::Web"

            [tool.fal.apps.api]
            ref = "app.py::"

            [tool.fal.apps.empty]
            ref = ""
            ''',
            files={"apps/web.py": WEB_APP_PY, "app.py": WEB_APP_PY},
            expect=["2:7", "5:7", "8:7"],
            title="a module name, an empty name, an empty ref",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": WEB_APP_PY},
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web::Web"
            ''',
            files={"apps/web": WEB_APP_PY},
            title="fal runs a file without the .py suffix too",
        ),
    ]

    def check_target(self, app, target):
        if target.problem is not None:
            yield self.at(app, ("ref",), target.problem, help=target.problem_help)
