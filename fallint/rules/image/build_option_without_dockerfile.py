"""FAL404 `build-option-without-dockerfile`: image.build_args or image.secrets without image.dockerfile."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class BuildOptionWithoutDockerfile(Rule):
    code = "FAL404"
    name = "build-option-without-dockerfile"
    severity = ERROR
    summary = "image.build_args or image.secrets without image.dockerfile"
    what = "`build_args` or build-time `secrets` in an `image` table that pulls an `image` instead of building a `dockerfile`."
    why = "fal raises `Image key(s) ... are only supported with image.dockerfile`."
    fix = "Remove the build options, or build from a Dockerfile."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "python:3.12"
            build_args = { VERSION = "1" }
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { VERSION = "1" }
            ''',
            files={"Dockerfile": "FROM python:3.12\nARG VERSION\nRUN echo $VERSION\n"},
        )
    ]

    def check_app(self, app):
        img = app.table.get("image")
        if not isinstance(img, dict) or "dockerfile" in img or "image" not in img:
            return
        for key in ("build_args", "secrets"):
            if key in img:
                yield self.at(
                    app,
                    ("image", key),
                    f"image.{key} is only supported with image.dockerfile",
                    part="key",
                )
