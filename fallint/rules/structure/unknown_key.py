"""FAL003 `unknown-key`: A key fal does not accept in an app, health_check, image, registry or retry_config table."""

from __future__ import annotations

from fallint.rules._fixes import app_of, rename_key
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.rules.structure._common import sub_tables
from fallint.rules.structure._releases import deferred_to_release_rules
from fallint.util.suggest import did_you_mean


@register
class UnknownKey(Rule):
    code = "FAL003"
    name = "unknown-key"
    severity = ERROR
    summary = "A key fal does not accept in an app, health_check, image, registry or retry_config table"
    what = """
        A key that fal 1.83.0 does not know in an app table or in its `health_check`,
        `image`, `image.registries.<name>` or `retry_config.<condition>` tables, with
        a "did you mean" suggestion. Keys inside an app are *not* normalised by fal:
        `machine-type` is not `machine_type`.

        **Depends on the fal release**: when the project pins or chooses a fal
        release (see "Which fal release" in the README), a key that some fal
        release reads is judged by FAL016/FAL017 against the deploying release(s)
        instead; this rule keeps the keys no release knows.
    """
    why = "fal raises `Found unexpected keys` and refuses to run or deploy the app."
    fix = "Correct the spelling (see the suggestion) or remove the key."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keepalive = 300
            machine-type = "GPU-H100"
            health_check = { path = "/health", timeout = 5 }
            ''',
            expect=["3:1", "4:1", "5:36"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 300
            machine_type = "GPU-H100"
            health_check = { path = "/health", timeout_seconds = 5 }
            ''',
        )
    ]

    def check_app(self, app):
        for path, table, known, what in sub_tables(app):
            for key in table:
                if key in known:
                    continue
                if path == () and key == "app_scale_settings" and "no_scale" in table:
                    continue  # reported as no-scale-with-scale-settings
                if deferred_to_release_rules(app, path, key):
                    continue  # judged by the pinned release: FAL016/FAL017
                hint = did_you_mean(key, known)
                yield self.at(
                    app,
                    path + (key,),
                    f"unknown key `{key}` in {what}" + (f"; did you mean `{hint}`?" if hint else ""),
                    part="key",
                    help=(f"rename it to `{hint}`" if hint else f"accepted keys: {', '.join(sorted(known))}"),
                )

    fix_availability = "sometimes"
    fix_safety = "mixed"

    def fix_for(self, diagnostic, project):
        """Rename the key to the one close candidate: safe when only case or `-`/`_` differ."""
        from fallint.rules.registry import format_keypath

        app = app_of(project, diagnostic)
        if app is None:
            return None
        for path, table, known, _what in sub_tables(app):
            for key in table:
                if key in known or format_keypath(app.path + path + (key,)) != diagnostic.key:
                    continue
                hint = did_you_mean(key, known)
                if hint and hint not in table:
                    return rename_key(project, diagnostic, key, hint)
        return None
