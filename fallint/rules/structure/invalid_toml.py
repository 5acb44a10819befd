"""FAL001 `invalid-toml`: pyproject.toml cannot be read or parsed."""

from __future__ import annotations

from fallint.diagnostics import Location
from fallint.rules.registry import ERROR, Example, Rule, register


@register
class InvalidToml(Rule):
    code = "FAL001"
    name = "invalid-toml"
    severity = ERROR
    summary = "pyproject.toml cannot be read or parsed"
    what = """
        A syntax error in `pyproject.toml` (at the parser's position), or a file
        that is not UTF-8 text, too large, or unreadable. fallint reports every
        syntax error it can find: after each one it skips the broken statement and
        keeps checking the apps that parsed.
    """
    why = """
        fal parses the whole file with tomli before it looks at any app: one syntax
        error anywhere stops every `fal run` and `fal deploy` in the project.
    """
    fix = "Correct the TOML at the reported position (an unclosed string, a missing `=` or value, a key defined twice)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web
            ''',
            expect=["2:19"],
            title="unterminated string",
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ref = "other.py::Web"
            ''',
            expect=["3:1"],
            title="a key defined twice",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": "import fal\n\nclass Web(fal.App):\n    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n"},
        )
    ]

    def check_project(self, project):
        for err in project.load_errors:
            loc = Location.point(project.pyproject_path, err.line, err.column)
            yield self.at_location(loc, err.message)
