"""FAL010 `duplicate-app-name`: Two app keys deploy under the same name."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, Rule, register


@register
class DuplicateAppName(Rule):
    code = "FAL010"
    name = "duplicate-app-name"
    severity = WARNING
    summary = "Two app keys deploy under the same name"
    what = "Two app tables whose deployed name (`name`, defaulting to the table key) is the same."
    why = "Each `fal deploy` of one silently replaces the other."
    fix = "Give each app a distinct `name`, or remove the duplicate table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.web-gpu]
            ref = "app.py::Web"
            name = "web"
            ''',
            expect=["1:16", "6:8"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.web-gpu]
            ref = "app.py::Web"
            name = "web-gpu"
            ''',
        )
    ]

    def check_project(self, project):
        by_name: dict[str, list] = {}
        for app in project.all_apps:
            by_name.setdefault(app.deployed_name, []).append(app)
        for name, apps in by_name.items():
            if len(apps) < 2:
                continue
            for app in apps:
                if not project.selected(app.key):
                    continue
                others = ", ".join(f"`{a.key}`" for a in apps if a is not app)
                where = ("name",) if "name" in app.table else ()
                yield self.at(
                    app,
                    where,
                    f"app `{app.key}` deploys as `{name}`, like {others}: each deploy replaces the other",
                    part="value" if where else "key",
                    help="set a distinct `name`",
                )
