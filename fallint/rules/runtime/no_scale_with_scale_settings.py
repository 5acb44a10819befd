"""FAL502 `no-scale-with-scale-settings`: no_scale and app_scale_settings set together."""

from __future__ import annotations

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
