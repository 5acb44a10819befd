"""FAL015 `empty-retry-config`: retry_config has no conditions."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, Rule, register


@register
class EmptyRetryConfig(Rule):
    code = "FAL015"
    name = "empty-retry-config"
    severity = WARNING
    summary = "retry_config has no conditions"
    what = "A `retry_config` table with no condition in it."
    why = "fal accepts it and it does nothing: probably the conditions were forgotten or misplaced."
    fix = "Add conditions (`timeout = { retries = 3 }`) or remove the table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            retry_config = {}
            ''',
            expect=["3:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            retry_config = { timeout = { retries = 3 } }
            ''',
        )
    ]

    def check_app(self, app):
        rc = app.table.get("retry_config")
        if isinstance(rc, dict) and not rc:
            yield self.at(app, ("retry_config",), "retry_config has no conditions")
