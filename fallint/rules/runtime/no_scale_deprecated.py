"""FAL501 `no-scale-deprecated`: no_scale is deprecated; use app_scale_settings."""

from __future__ import annotations

from fallint.rules._fixes import app_of, replace_value, text_at
from fallint.rules.registry import WARNING, Example, Rule, register


@register
class NoScaleDeprecated(Rule):
    code = "FAL501"
    name = "no-scale-deprecated"
    severity = WARNING
    summary = "no_scale is deprecated; use app_scale_settings"
    what = "An app that sets the deprecated `no_scale`."
    why = """
        fal prints a deprecation warning and translates it: `no_scale = true` means
        `app_scale_settings = false` (keep the scaling settings of the deployed app)
        and `no_scale = false` means `app_scale_settings = true`.
    """
    fix = "Replace it with the equivalent `app_scale_settings` value shown in the message."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            no_scale = true
            ''',
            expect=["3:1"],
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
        v = app.table.get("no_scale")
        if "no_scale" in app.table:
            repl = f"app_scale_settings = {'false' if v else 'true'}" if isinstance(v, bool) else "app_scale_settings"
            yield self.at(
                app,
                ("no_scale",),
                f"`no_scale` is deprecated; use `{repl}`",
                part="key",
                help=f"replace the line with `{repl}`",
            )

    fix_availability = "sometimes"

    def fix_for(self, diagnostic, project):
        """`no_scale = B` -> `app_scale_settings = not B` (what fal translates it to)."""
        from fallint.diagnostics import Edit, Fix

        app = app_of(project, diagnostic)
        if app is None or "app_scale_settings" in app.table:
            return None
        value = app.table.get("no_scale")
        if not isinstance(value, bool) or text_at(project, diagnostic.location) not in (
                "no_scale", '"no_scale"', "'no_scale'"):
            return None
        new = "false" if value else "true"
        value_edit = replace_value(project, app.path + ("no_scale",), new)
        if value_edit is None:
            return None
        return Fix.safe(f"Replace with `app_scale_settings = {new}`",
                        Edit.replace(diagnostic.location, "app_scale_settings"), value_edit)
