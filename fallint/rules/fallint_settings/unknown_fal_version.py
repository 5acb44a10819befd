"""FAL905 `unknown-fal-version`: `[tool.fallint] fal-version` names no known fal release."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class UnknownFalVersion(Rule):
    code = "FAL905"
    name = "unknown-fal-version"
    severity = ERROR
    summary = "`[tool.fallint] fal-version` names no known fal release"
    what = """
        `fal-version` in `[tool.fallint]` chooses the fal release fallint judges the
        project by (see "Which fal release" in the README). It must be `latest`, a
        release fallint's table knows (`"1.75.2"`), a series (`"1.75"`) or a PEP 440
        specifier admitting at least one known release (`">=1.70,<1.76"`). A version
        that is not a fal release gets a "did you mean" among the known releases.
        (`--fal-version` on the command line overrides it, and is checked the same
        way: a bad one is a usage error, exit 2.)
    """
    why = """
        With a version fallint does not know it cannot tell which keys and names the
        deploying fal accepts, so every release-dependent rule would judge the wrong
        release.
    """
    fix = "Use a released fal version (`pip index versions fal`), a specifier, or `latest`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            fal-version = "1.75.99"
            ''',
            expect=["5:15"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            fal-version = "1.75.2"
            ''',
        )
    ]

    def check_project(self, project):
        value = project.config.fal_version
        if not value:
            return
        from fallint.model.fal_release import check_version_choice

        problem = check_version_choice(value)
        if problem is None:
            return
        message, hint = problem
        yield self.at_key(
            project,
            ("tool", "fallint", "fal-version"),
            message + (f"; did you mean `{hint}`?" if hint else ""),
            help="use `latest`, a known release, a series (\"1.75\") or a specifier (\">=1.70,<1.76\")",
        )
