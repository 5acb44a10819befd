"""FAL006 `ref-with-entry-point`: An app sets both ref and python_entry_point."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class RefWithEntryPoint(Rule):
    code = "FAL006"
    name = "ref-with-entry-point"
    severity = ERROR
    summary = "An app sets both ref and python_entry_point"
    what = "An app with both `ref` and `python_entry_point`."
    why = "fal raises `cannot have both ref and python_entry_point keys`."
    fix = "Keep one of them: `ref` for a file in this repository, `python_entry_point` for an installed module."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            python_entry_point = "web.app:Web"
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
        )
    ]

    def check_app(self, app):
        if "ref" in app.table and "python_entry_point" in app.table:
            yield self.at(
                app,
                ("python_entry_point",),
                "`ref` and `python_entry_point` cannot both be set",
                part="key",
                help="remove one of them",
            )
