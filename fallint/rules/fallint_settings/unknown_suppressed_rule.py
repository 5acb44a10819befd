"""FAL903 `unknown-suppressed-rule`: A `# fallint: ignore[...]` comment names no rule."""

from __future__ import annotations

from fallint.diagnostics import Location
from fallint.rules.registry import WARNING, Example, Rule, register


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
