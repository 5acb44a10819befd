"""FAL403 `image-source`: An image table needs exactly one of dockerfile and image."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class ImageSourceConflict(Rule):
    code = "FAL403"
    name = "image-source"
    severity = ERROR
    summary = "An image table needs exactly one of dockerfile and image"
    what = "An `image` table with neither `dockerfile` nor `image`, or with both."
    why = "fal raises `image must specify either 'dockerfile' (path) or 'image'` / `only one of`."
    fix = "Keep exactly one: `dockerfile = \"Dockerfile\"` to build, or `image = \"repo/name:tag\"` to pull."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            image = "python:3.12"
            ''',
            expect=["3:1"],
        ),
        Example(
            '''
            [tool.fal.apps.web.image]
            cmd = ["python", "serve.py"]
            ''',
            expect=["1:20"],
            title="neither",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "python:3.12"
            cmd = ["python", "serve.py"]
            ''',
        )
    ]

    def check_app(self, app):
        img = app.table.get("image")
        if not isinstance(img, dict):
            return
        if "dockerfile" in img and "image" in img:
            yield self.at(
                app,
                ("image", "image"),
                "image sets both `dockerfile` and `image`; fal accepts only one",
                part="key",
            )
        elif "dockerfile" not in img and "image" not in img:
            yield self.at(
                app,
                ("image",),
                "image must set `dockerfile` (a path to build) or `image` (a reference to pull)",
                part="key",
            )
