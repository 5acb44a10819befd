"""FAL902 `unused-suppression`: A `# fallint: ignore` comment that suppresses nothing."""

from __future__ import annotations

from fallint.diagnostics import Location
from fallint.rules.registry import WARNING, Example, Rule, iter_codes, register


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
