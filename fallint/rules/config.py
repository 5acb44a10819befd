"""9xx: fallint's own configuration and suppression comments."""

from __future__ import annotations

from fallint.diagnostics import Location
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
        `per-app-ignores`, `extra-machine-types`, `fail-on`.
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
        for p in project.config.problems:
            yield self.at_key(project, p.keypath, p.message, part=p.part, help=p.help)


@register
class UnusedSuppression(Rule):
    code = "FAL902"
    name = "unused-suppression"
    severity = WARNING
    summary = "A `# fallint: ignore` comment that suppresses nothing"
    phase = "post"
    what = """
        A `# fallint: ignore[...]` comment in `pyproject.toml` that suppressed no
        diagnostic in this run. (Not reported when `--app` limits the run, or when a
        rule it names is not selected.)
    """
    why = "Stale suppressions hide the next real problem on that line."
    fix = "Remove the comment, or the codes in it that no longer apply."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 300  # fallint: ignore[FAL004]
            ''',
            expect=["3:19"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = "300"  # fallint: ignore[FAL004]
            ''',
        )
    ]

    def check_project(self, project):
        if project.app_filter is not None:
            return
        from fallint.rules.registry import iter_codes

        everything = set(iter_codes())
        enabled = project.selection.enabled if project.selection is not None else everything
        for s in project.suppressions:
            if s.used:
                continue
            if s.codes is None:
                if enabled != everything:
                    continue
            elif not s.codes or not s.codes <= enabled:
                continue
            what = "`# fallint: ignore`" if s.selectors is None else f"ignore[{', '.join(s.selectors)}]"
            yield self.at_location(
                Location.point(s.path, s.line, s.column, s.length),
                f"{what} suppresses nothing here",
                help="remove the comment",
            )


@register
class UnknownSuppressedRule(Rule):
    code = "FAL903"
    name = "unknown-suppressed-rule"
    severity = WARNING
    summary = "A `# fallint: ignore[...]` comment names no rule"
    phase = "post"
    what = "A suppression comment listing a code or name that matches no fallint rule."
    why = "The comment does not suppress what its author meant (a typo in a code)."
    fix = "Use a rule code (`FAL503`), a prefix (`FAL5`) or a name (`unknown-machine-type`)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-Z1"  # fallint: ignore[FAL5O3]
            ''',
            expect=["3:26"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-Z1"  # fallint: ignore[FAL503]
            ''',
        )
    ]

    def check_project(self, project):
        for s in project.suppressions:
            if s.unknown:
                yield self.at_location(
                    Location.point(s.path, s.line, s.column, s.length),
                    f"suppression names no rule: {', '.join(s.unknown)}",
                )
