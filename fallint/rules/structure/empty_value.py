"""FAL014 `empty-value`: A string fal requires to be non-empty is empty (image.image, _scheduler)."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class EmptyValue(Rule):
    code = "FAL014"
    name = "empty-value"
    severity = ERROR
    summary = "A string fal requires to be non-empty is empty (image.image, _scheduler)"
    what = "`image.image` or `_scheduler` set to an empty or blank string."
    why = "fal raises `must be a non-empty string`."
    fix = "Give the value, or remove the key."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = " "
            ''',
            expect=["2:9"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "python:3.12-slim"
            ''',
        )
    ]

    def check_app(self, app):
        v = app.get("image", "image")
        if isinstance(v, str) and not v.strip():
            yield self.at(app, ("image", "image"), "image.image must be a non-empty image reference")
        v = app.table.get("_scheduler")
        if isinstance(v, str) and not v:
            yield self.at(app, ("_scheduler",), "_scheduler must be a non-empty string")
