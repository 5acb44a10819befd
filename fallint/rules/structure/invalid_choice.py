"""FAL011 `invalid-choice`: A value outside the allowed set (auth, deployment_strategy, regions, retry conditions)."""

from __future__ import annotations

from fallint.model.fal import (
    AUTH_MODES,
    DEPLOYMENT_STRATEGIES,
    REGIONS,
    RETRY_CONDITIONS,
)
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.util.suggest import did_you_mean_text

_CHOICES = {
    "auth": AUTH_MODES,
    "deployment_strategy": DEPLOYMENT_STRATEGIES,
}


_LIST_CHOICES = {
    "regions": REGIONS,
    "skip_retry_conditions": RETRY_CONDITIONS,
}


@register
class InvalidChoice(Rule):
    code = "FAL011"
    name = "invalid-choice"
    severity = ERROR
    summary = "A value outside the allowed set (auth, deployment_strategy, regions, retry conditions)"
    what = """
        `auth` other than `private`/`public`/`shared`, `deployment_strategy` other than
        `rolling`/`recreate`, a region other than `us-west`, `us-central`, `us-east`,
        `eu-north`, `eu-west`, or a retry condition (in `skip_retry_conditions` or as a
        `retry_config` key) other than `timeout`, `server_error`, `connection_error`.
    """
    why = "fal raises for regions and retry conditions; the server rejects unknown auth modes and strategies."
    fix = "Use one of the values listed in the message."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            auth = "Public"
            regions = ["us-west", "eu-central"]
            skip_retry_conditions = ["timeouts"]
            ''',
            expect=["3:8", "4:23", "5:26"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            auth = "public"
            regions = ["us-west", "eu-west"]
            skip_retry_conditions = ["timeout"]
            ''',
        )
    ]

    def check_app(self, app):
        for key, allowed in _CHOICES.items():
            value = app.table.get(key)
            if isinstance(value, str) and value not in allowed:
                yield self._bad(app, (key,), key, value, allowed)
        for key, allowed in _LIST_CHOICES.items():
            value = app.table.get(key)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str) and item not in allowed:
                        yield self._bad(app, (key, i), key, item, allowed)
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond in rc:
                if cond not in RETRY_CONDITIONS:
                    yield self._bad(app, ("retry_config", cond), "retry_config", cond, RETRY_CONDITIONS, part="key")

    def _bad(self, app, path, key, value, allowed, part="value"):
        return self.at(
            app,
            path,
            f"`{value}` is not a valid {key} value{did_you_mean_text(value, allowed)}",
            part=part,
            help="allowed: " + ", ".join(allowed),
        )
