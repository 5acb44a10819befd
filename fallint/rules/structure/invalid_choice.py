"""FAL011 `invalid-choice`: A value outside the allowed set (auth, deployment_strategy, regions, retry conditions)."""

from __future__ import annotations

from fallint.model.fal import (
    AUTH_MODES,
    DEPLOYMENT_STRATEGIES,
    REGIONS,
    RETRY_CONDITIONS,
)
from fallint.rules._fixes import (
    app_of,
    normalised,
    one_close,
    parse_keypath,
    rename_key,
    replace_string,
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
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            auth = "Public"
            regions = ["us-west", "EU_West"]
            skip_retry_conditions = ["timeouts"]
            ''',
            expect=["3:8", "4:23", "5:26"],
            title="one close value (what `--fix --unsafe-fixes` writes; a region is only respelt, never guessed)",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            auth = "public"
            regions = ["us-west", "eu-west"]
            skip_retry_conditions = ["timeout"]
            ''',
        ),
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

    fix_availability = "sometimes"
    fix_safety = "mixed"

    def fix_for(self, diagnostic, project):
        """The one close allowed value: safe when only the case differs, else unsafe."""
        from fallint.diagnostics import Fix

        app = app_of(project, diagnostic)
        keypath = parse_keypath(diagnostic.key)
        if app is None or keypath is None or keypath[: len(app.path)] != app.path:
            return None
        rel = keypath[len(app.path):]
        if len(rel) == 2 and rel[0] == "retry_config" and isinstance(rel[1], str):
            table = app.table.get("retry_config")
            hint = one_close(rel[1], RETRY_CONDITIONS)
            if not isinstance(table, dict) or hint is None or hint in table:
                return None
            return rename_key(project, diagnostic, rel[1], hint)
        allowed = _CHOICES.get(rel[0]) if len(rel) == 1 else _LIST_CHOICES.get(rel[0]) if len(rel) == 2 else None
        value = app.table.get(rel[0])
        if len(rel) == 2:
            value = value[rel[1]] if isinstance(value, list) and isinstance(rel[1], int) and rel[1] < len(value) else None
        if allowed is None or not isinstance(value, str):
            return None
        hint = one_close(value, allowed)
        if hint is None or hint == value:
            return None
        if rel[0] == "regions" and normalised(hint) != normalised(value):
            return None  # another region is a decision, not a spelling

        if len(rel) == 2 and hint in app.table.get(rel[0]):
            return None  # already listed: the fix would duplicate it
        edit = replace_string(project, keypath, hint)
        if edit is None:
            return None
        message = f'Write `"{hint}"`'
        return Fix.safe(message, edit) if hint.lower() == value.lower() else Fix.unsafe(message, edit)
