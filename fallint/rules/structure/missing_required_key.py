"""FAL007 `missing-required-key`: health_check without path, or a retry_config condition without retries."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class MissingRequiredKey(Rule):
    code = "FAL007"
    name = "missing-required-key"
    severity = ERROR
    summary = "health_check without path, or a retry_config condition without retries"
    what = "A `health_check` table without `path`, or a `retry_config.<condition>` table without `retries`."
    why = "fal raises (`health_check must specify 'path'`, `retry_config[...] must be an object of the form {\"retries\": ...}`)."
    fix = "Add the missing key."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            health_check = { timeout_seconds = 5 }

            [tool.fal.apps.web.retry_config]
            timeout = {}
            ''',
            expect=["3:16", "6:11"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            health_check = { path = "/health", timeout_seconds = 5 }

            [tool.fal.apps.web.retry_config]
            timeout = { retries = 2 }
            ''',
        )
    ]

    def check_app(self, app):
        hc = app.table.get("health_check")
        if isinstance(hc, dict) and "path" not in hc:
            yield self.at(app, ("health_check",), "health_check must set `path`", help='add `path = "/health"`')
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond, entry in rc.items():
                if isinstance(entry, dict) and "retries" not in entry:
                    yield self.at(
                        app,
                        ("retry_config", cond),
                        f"retry_config.{cond} must set `retries`",
                        help=f"write `{cond} = {{ retries = 3 }}`",
                    )
