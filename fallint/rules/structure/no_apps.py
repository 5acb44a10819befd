"""FAL008 `no-apps`: [tool.fal] has no apps, or [tool.fal.apps] is empty."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.rules.structure._common import APPS
from fallint.util.text import type_name


@register
class NoApps(Rule):
    code = "FAL008"
    name = "no-apps"
    severity = WARNING
    summary = "[tool.fal] has no apps, or [tool.fal.apps] is empty"
    what = "A `[tool.fal]` table without an `apps` table, or an empty `[tool.fal.apps]`."
    why = "`fal run <app>` and `fal deploy <app>` find nothing: probably a misspelt or forgotten table."
    fix = "Add `[tool.fal.apps.<name>]` tables, or remove the empty `[tool.fal]` table."
    invalid = [
        Example(
            '''
            [tool.fal]
            ''',
            expect=["1:1"],
        ),
        Example(
            '''
            [tool.fal.apps]
            ''',
            expect=["1:1"],
            title="empty apps table",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
        )
    ]

    def check_project(self, project):
        fal = project.fal
        if not isinstance(fal, dict) or project.broken_apps or project.partially_broken:
            return
        apps = {k.replace("--", "").replace("-", "_"): v for k, v in fal.items()}.get("apps")
        if apps is None:
            yield self.at_key(
                project,
                ("tool", "fal"),
                "[tool.fal] defines no apps",
                part="header",
                help="add a `[tool.fal.apps.<name>]` table",
            )
        elif isinstance(apps, dict) and not apps:
            yield self.at_key(
                project,
                APPS,
                "[tool.fal.apps] is empty",
                part="header",
                help="add a `[tool.fal.apps.<name>]` table",
            )
        elif not isinstance(apps, dict):
            yield self.at_key(
                project, APPS, f"[tool.fal] `apps` must be a table, not {type_name(apps)}"
            )
