"""FAL402 `app-files-context-without-app-files`: app_files_context_dir without app_files."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class AppFilesContextWithoutAppFiles(Rule):
    code = "FAL402"
    name = "app-files-context-without-app-files"
    severity = ERROR
    summary = "app_files_context_dir without app_files"
    what = "`app_files_context_dir` set on an app that has no `app_files`."
    why = "fal raises `app_files_context_dir is only supported when app_files is provided`."
    fix = "Add `app_files`, or remove `app_files_context_dir`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files_context_dir = "src"
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_context_dir = "."
            ''',
            files={"assets/logo.txt": "x"},
        )
    ]

    def check_app(self, app):
        if "app_files_context_dir" in app.table and "app_files" not in app.table:
            yield self.at(
                app,
                ("app_files_context_dir",),
                "app_files_context_dir is only supported together with app_files",
                part="key",
            )
