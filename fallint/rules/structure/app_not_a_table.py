"""FAL002 `app-not-a-table`: An entry of [tool.fal.apps] is not a table."""

from __future__ import annotations

import json

from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.rules.structure._common import APPS
from fallint.util.text import type_name


def _fmt(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict,)):
        return "a table"
    if isinstance(value, list):
        return "an array"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


@register
class AppNotATable(Rule):
    code = "FAL002"
    name = "app-not-a-table"
    severity = ERROR
    summary = "An entry of [tool.fal.apps] is not a table"
    what = "An app under `[tool.fal.apps]` whose value is a string, number or array instead of a table."
    why = "fal's loader copies each app as a table; any other value crashes `fal run`/`fal deploy` for that app."
    fix = "Make the app a table: `[tool.fal.apps.web]` with keys below it, or `web = { ref = \"app.py::Web\" }`."
    invalid = [
        Example(
            '''
            [tool.fal.apps]
            web = "app.py::Web"
            ''',
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps]
            web = { ref = "app.py::Web" }
            ''',
            files={"app.py": "import fal\n\nclass Web(fal.App):\n    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n"},
        )
    ]

    def check_project(self, project):
        table = project.apps_table
        if not isinstance(table, dict):
            return
        for key, value in table.items():
            if not isinstance(value, dict) and project.selected(key):
                yield self.at_key(
                    project,
                    APPS + (key,),
                    f"app `{key}` must be a table, not {type_name(value)} ({_fmt(value)})",
                    app=key,
                    help=f"write `[tool.fal.apps.{key}]` with `ref = ...` below it",
                )
