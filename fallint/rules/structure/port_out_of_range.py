"""FAL012 `port-out-of-range`: exposed_port or metrics_port outside 0-65535."""

from __future__ import annotations

from fallint.model.fal import (
    PORT_KEYS,
)
from fallint.rules.registry import ERROR, Example, Rule, register


@register
class PortOutOfRange(Rule):
    code = "FAL012"
    name = "port-out-of-range"
    severity = ERROR
    summary = "exposed_port or metrics_port outside 0-65535"
    what = "An `exposed_port` or `metrics_port` below 0 or above 65535."
    why = "fal raises `must be between 0 and 65535`."
    fix = "Use a valid TCP port number."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            exposed_port = 80800
            ''',
            expect=["3:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            exposed_port = 8080
            ''',
        )
    ]

    def check_app(self, app):
        for key in PORT_KEYS:
            v = app.table.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and not 0 <= v <= 65535:
                yield self.at(app, (key,), f"{key} {v} is outside 0-65535")
