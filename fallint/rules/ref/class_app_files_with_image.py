"""FAL115 `class-app-files-with-image`: The app class sets app_files while the TOML app has an image."""

from __future__ import annotations

from fallint.diagnostics import Location, Related
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY
from fallint.rules.registry import ERROR, Example, register


@register
class ClassAppFilesWithImage(RefRule):
    code = "FAL115"
    name = "class-app-files-with-image"
    severity = ERROR
    summary = "The app class sets app_files while the TOML app has an image"
    what = """
        A `ref` app whose `fal.App` class (or a base class) sets a non-empty
        `app_files`, while its TOML table has an `image` (a container app).
    """
    why = "fal raises `app_files is not supported for container apps.` before deploying."
    fix = "Copy the files into the image in the Dockerfile (`COPY`) and remove `app_files` from the class."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "Dockerfile" }
            ''',
            files={"Dockerfile": "FROM python:3.11-slim\n",
                   "app.py": """
                import fal


                class Web(fal.App):
                    app_files = ["assets"]

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "Dockerfile" }
            ''',
            files={"Dockerfile": "FROM python:3.11-slim\nCOPY assets /app/assets\n", "assets/x.txt": "x\n",
                   "app.py": WEB_APP_PY},
        )
    ]

    def check_target(self, app, target):
        if not target.is_app or not isinstance(app.table.get("image"), dict):
            return
        setting = app.project.sources.class_settings(target.symbol).get("app_files")
        if setting is None or not (setting.literal and setting.value):
            return
        yield self.at(
            app,
            ("image",),
            f"class `{target.symbol.name}` sets `app_files`, which fal refuses for a container app "
            f"(\"app_files is not supported for container apps\")",
            part="key",
            help="COPY the files in the Dockerfile and remove `app_files` from the class",
            related=[Related(Location.point(setting.path, setting.line, setting.column, len(setting.name)),
                             f"`{setting.class_name}` sets `app_files` here")],
        )
