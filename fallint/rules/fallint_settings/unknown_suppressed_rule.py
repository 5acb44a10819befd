"""FAL903 `unknown-suppressed-rule`: A `# fallint: ignore[...]` comment names no rule."""

from __future__ import annotations

from fallint.diagnostics import Location
from fallint.rules._fixes import one_close
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
            title="one close rule code (what `--fix --unsafe-fixes` writes)",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-Z1"  # fallint: ignore[FAL503]
            ''',
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

    fix_availability = "sometimes"
    fix_safety = "unsafe"

    def fix_for(self, diagnostic, project):
        """Respell each unknown code or name that has one close rule code or name
        (unsafe: the comment then suppresses something)."""
        from fallint.diagnostics import Edit, Fix
        from fallint.engine.suppress import COMMENT_RE
        from fallint.rules.registry import all_rules, resolve_selector

        loc = diagnostic.location
        if loc.path != project.pyproject_path:
            return None
        lines = project.text.split("\n")
        if not 1 <= loc.line <= len(lines):
            return None
        text = lines[loc.line - 1]
        m = COMMENT_RE.match(text, loc.column - 1)
        if m is None or m.group(1) is None:
            return None
        candidates = [c for r in all_rules() for c in (r.code, r.name)]
        parts = m.group(1).split(",")
        out, changed, have = [], [], set()
        for part in parts:
            sel = part.strip()
            if sel and resolve_selector(sel) is None:
                hint = one_close(sel, candidates)
                if hint is not None:
                    part = part.replace(sel, hint, 1)
                    changed.append(f"`{sel}` -> `{hint}`")
                    if hint in have:
                        continue  # already listed: respelt, it would be there twice
                    sel = hint
            have.add(sel)
            out.append(part)
        if not changed:
            return None
        edit = Edit(loc.path, loc.line, m.start(1) + 1, loc.line, m.end(1) + 1, ",".join(out))
        return Fix.unsafe("Respell " + ", ".join(changed), edit)
