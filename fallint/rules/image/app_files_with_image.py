"""FAL401 `app-files-with-image`: app_files together with a container image."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class AppFilesWithImage(Rule):
    code = "FAL401"
    name = "app-files-with-image"
    severity = ERROR
    summary = "app_files together with a container image"
    what = "An app that sets both `app_files` and an `image` table."
    why = "fal raises `app_files is not supported for container apps`."
    fix = "COPY the files in the Dockerfile instead, or drop the `image` table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            image = { dockerfile = "Dockerfile" }
            ''',
            expect=["3:13"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            ''',
        )
    ]

    def check_app(self, app):
        files = app.table.get("app_files")
        if files and "image" in app.table:
            yield self.at(
                app,
                ("app_files",),
                "app_files is not supported for container apps (this app has an `image`)",
                help="COPY these files in the Dockerfile instead",
            )
