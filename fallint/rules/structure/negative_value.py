"""FAL013 `negative-value`: A count, timeout or retry number below zero."""

from __future__ import annotations

from fallint.model.fal import (
    INT_KEYS,
)
from fallint.rules.registry import WARNING, Example, Rule, register


@register
class NegativeValue(Rule):
    code = "FAL013"
    name = "negative-value"
    severity = WARNING
    summary = "A count, timeout or retry number below zero"
    what = """
        A negative value for a concurrency count, timeout, delay, `keep_alive`,
        `num_gpus`, a health-check number, or `retries`.
    """
    why = """
        fal passes these to the server unchecked (and clamps negative `retries` to 0):
        a negative number is never what was meant and is rejected or ignored remotely.
    """
    fix = "Use zero or a positive number."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = -1
            retry_config = { timeout = { retries = -2 } }
            ''',
            expect=["3:14", "4:40"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 0
            retry_config = { timeout = { retries = 2 } }
            ''',
        )
    ]

    def check_app(self, app):
        def neg(v):
            return isinstance(v, int) and not isinstance(v, bool) and v < 0

        for key in INT_KEYS:
            if neg(app.table.get(key)):
                yield self.at(app, (key,), f"{key} is negative ({app.table[key]})")
        hc = app.table.get("health_check")
        if isinstance(hc, dict):
            for key in ("start_period_seconds", "timeout_seconds", "failure_threshold"):
                if neg(hc.get(key)):
                    yield self.at(app, ("health_check", key), f"health_check.{key} is negative ({hc[key]})")
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond, entry in rc.items():
                if isinstance(entry, dict) and neg(entry.get("retries")):
                    yield self.at(
                        app,
                        ("retry_config", cond, "retries"),
                        f"retry_config.{cond}.retries is negative ({entry['retries']}); fal treats it as 0",
                    )
