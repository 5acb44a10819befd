"""FAL901 `invalid-config`: An unknown key or a bad value in [tool.fallint]."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, Rule, register


@register
class InvalidConfig(Rule):
    code = "FAL901"
    name = "invalid-config"
    severity = WARNING
    summary = "An unknown key or a bad value in [tool.fallint]"
    what = """
        A `[tool.fallint]` setting fallint does not know, a selector that names no
        rule, or a value of the wrong type. Known settings: `select`,
        `extend-select`, `ignore` (a list, or a table of rule -> reason),
        `per-app-ignores`, `extra-machine-types`, `fail-on`, `fal-version` (a
        version that is not a fal release is FAL905).
    """
    why = "fallint ignores the setting, so the configuration does not do what it says."
    fix = "Correct the key or value; `fallint rules` lists every rule code and name."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            ignores = ["FAL503"]
            fail-on = "errors"
            ''',
            expect=["5:1", "6:11"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            ignore = { FAL503 = "our fleet has custom machine types" }
            fail-on = "warning"
            ''',
        )
    ]

    def check_project(self, project):
        problems = list(project.config.problems)
        if project.selection is not None:  # the selectors that name no rule (see fallint.engine.selection)
            problems += project.selection.problems
        for p in problems:
            yield self.at_key(project, p.keypath, p.message, part=p.part, help=p.help)
