"""FAL433 `app-files-ignore-invalid-regex`: An app_files_ignore entry is not a valid regular expression."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.model.build import string_offset_location
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.model.project import App
from fallint.model.app_files import compile_ignore_pattern


@register
class AppFilesIgnoreInvalidRegex(Rule):
    code = "FAL433"
    name = "app-files-ignore-invalid-regex"
    severity = ERROR
    summary = "An app_files_ignore entry is not a valid regular expression"
    what = """
        An `app_files_ignore` entry that Python's `re` module cannot compile. The
        entries are regular expressions searched in the relative paths, not globs:
        `*.log` is invalid, `\\.log$` is meant.
    """
    why = "fal compiles every entry with `re.compile` before uploading and raises `re.error`."
    fix = "Write a regular expression (`'\\.log$'` as a TOML literal string avoids doubling backslashes)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_ignore = ['\\.pyc$', '*.log']
            ''',
            files={"app.py": "", "assets/logo.png": ""},
            expect=["4:32"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_ignore = ['\\.pyc$', '\\.log$']
            ''',
            files={"app.py": "", "assets/logo.png": ""},
        )
    ]

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        patterns = app.table.get("app_files_ignore")
        if not isinstance(patterns, list) or "image" in app.table:
            return  # container apps do not use it
        for index, pattern in enumerate(patterns):
            if not isinstance(pattern, str):
                continue
            _, error = compile_ignore_pattern(pattern)
            if error is None:
                continue
            pos = error.pos if isinstance(error.pos, int) else None
            path = ("app_files_ignore", index)
            location = (
                string_offset_location(app, path, pos, 1) if pos is not None else app.span(*path)
            )
            yield self.at_location(
                location,
                f"app_files_ignore entry {code(pattern)} is not a valid regular expression: "
                f"{error.msg}" + (f" at position {pos}" if pos is not None else ""),
                app=app.key,
                key=app.path + path,
                help="app_files_ignore takes regular expressions (`\\.log$`), not globs (`*.log`)",
            )
