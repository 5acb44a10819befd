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
        ),
        Example(
            '''
            # fallint: ignore[FAL503]
            [tool.fal.apps.web]  # fallint: ignore[FAL501]
            ref = "app.py::Web"
            keep_alive = 300  # fallint: ignore[FAL004] -- was a string
            ''',
            expect=["1:1", "2:22", "4:19"],
            title="what `--fix` removes",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 300
            ''',
        ),
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

    fix_availability = "sometimes"

    def fix_for(self, diagnostic, project):
        """Remove the comment (the whole line when it holds nothing else); not when it
        names an unknown rule (FAL903): a misspelt code is a comment meant to work."""
        from fallint.diagnostics import Edit, Fix

        loc = diagnostic.location
        if loc.path != project.pyproject_path:
            return None
        if any(s.unknown for s in project.suppressions if s.line == loc.line and s.column == loc.column):
            return None
        lines = project.text.split("\n")
        if not 1 <= loc.line <= len(lines):
            return None
        text = lines[loc.line - 1]
        comment = next((c for c in project.index.comments
                        if c.line == loc.line and c.column <= loc.column), None)
        if comment is None:
            return None
        start = comment.column - 1
        if start == loc.column - 1:
            end = len(text)  # the comment is the suppression (and its reason)
        else:
            end = loc.end_column - 1  # a suppression inside a longer comment: only it goes
            start = loc.column - 1
        code_part = text[:start].rstrip()
        if not code_part and end == len(text):
            if loc.line < len(lines):
                return Fix.safe("Remove the comment", Edit(loc.path, loc.line, 1, loc.line + 1, 1, ""))
            return Fix.safe("Remove the comment", Edit(loc.path, loc.line, 1, loc.line, len(text) + 1, ""))
        return Fix.safe("Remove the suppression",
                        Edit(loc.path, loc.line, len(code_part) + 1, loc.line, end + 1, ""))
