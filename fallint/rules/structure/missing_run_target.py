"""FAL005 `missing-run-target`: An app has no ref, python_entry_point or image."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class MissingRunTarget(Rule):
    code = "FAL005"
    name = "missing-run-target"
    severity = ERROR
    summary = "An app has no ref, python_entry_point or image"
    what = "An app table with none of `ref`, `python_entry_point` or `image`: there is nothing to run."
    why = "fal raises `App ... does not have a ref key in pyproject.toml`."
    fix = "Add `ref = \"path/to/file.py::ClassName\"` (or a `python_entry_point`, or an `image` table)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            machine_type = "S"
            ''',
            expect=["1:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "S"
            ''',
        )
    ]

    def check_app(self, app):
        if not any(k in app.table for k in ("ref", "python_entry_point", "image")):
            yield self.at(
                app,
                (),
                f"app `{app.key}` has nothing to run: set `ref`, `python_entry_point` or `image`",
                part="key",
                help='add `ref = "app.py::MyApp"`',
            )
