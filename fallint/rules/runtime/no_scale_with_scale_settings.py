"""FAL502 `no-scale-with-scale-settings`: no_scale and app_scale_settings set together."""

from __future__ import annotations

from fallint.rules._fixes import app_of, remove_pair
from fallint.rules.registry import ERROR, Example, Rule, register


@register
class NoScaleWithScaleSettings(Rule):
    code = "FAL502"
    name = "no-scale-with-scale-settings"
    severity = ERROR
    summary = "no_scale and app_scale_settings set together"
    what = "An app that sets both `no_scale` and `app_scale_settings`."
    why = "When `no_scale` is present fal never reads `app_scale_settings`, then raises `Found unexpected keys`."
    fix = "Remove `no_scale` and keep `app_scale_settings`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            no_scale = true
            app_scale_settings = false
            ''',
            expect=["4:1"],
            title="what `--fix` removes (`no_scale = true` said the same)",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_scale_settings = false
            ''',
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_scale_settings = false
            ''',
        )
    ]

    def check_app(self, app):
        if "no_scale" in app.table and "app_scale_settings" in app.table:
            yield self.at(
                app,
                ("app_scale_settings",),
                "`app_scale_settings` cannot be combined with the deprecated `no_scale`",
                part="key",
                help="remove `no_scale`",
            )

    fix_availability = "sometimes"
    fix_safety = "mixed"

    def fix_for(self, diagnostic, project):
        """Remove the `no_scale` line: safe when it says what `app_scale_settings`
        says (`no_scale = B` is `app_scale_settings = not B`), else unsafe (the
        two disagree and `app_scale_settings` is kept)."""
        from fallint.diagnostics import Fix

        app = app_of(project, diagnostic)
        if app is None or "no_scale" not in app.table:
            return None
        edit = remove_pair(project, app.path + ("no_scale",))
        if edit is None:
            return None
        no_scale, scale = app.table.get("no_scale"), app.table.get("app_scale_settings")
        same = isinstance(no_scale, bool) and isinstance(scale, bool) and no_scale is not scale
        message = "Remove `no_scale`"
        return Fix.safe(message, edit) if same else Fix.unsafe(message + " (it disagrees with `app_scale_settings`)", edit)
