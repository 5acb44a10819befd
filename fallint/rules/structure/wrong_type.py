"""FAL004 `wrong-type`: A value of the wrong type (a bool is not an integer, 3.12 is not \"3.12\")."""

from __future__ import annotations

from fallint.rules._fixes import app_of, parse_keypath, text_at
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.rules.structure._common import sub_tables
from fallint.util.text import type_name


@register
class WrongType(Rule):
    code = "FAL004"
    name = "wrong-type"
    severity = ERROR
    summary = "A value of the wrong type (a bool is not an integer, 3.12 is not \"3.12\")"
    what = """
        A key whose value has a type fal or the fal server does not accept: a string
        where an integer is needed, a boolean where an integer is needed (`true` is
        not `1`), a float for `python_version`, a `requirements` string, a
        `health_check` or `image` that is not a table, and so on.
    """
    why = "fal raises before deploying (`must be an integer`, `must be a list of strings` ...) or the server rejects the app."
    fix = "Write the value with the type shown in the message."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = true
            python_version = 3.12
            requirements = "numpy"
            ''',
            expect=["3:14", "4:18", "5:16"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = "300"  # seconds
            python_version = 3.10
            health_check = { path = "/health", timeout_seconds = '5' }
            ''',
            expect=["3:14", "4:18", "5:54"],
            title="values with one obvious spelling (what `--fix` changes)",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 300  # seconds
            python_version = "3.10"
            health_check = { path = "/health", timeout_seconds = 5 }
            ''',
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 300
            python_version = "3.12"
            requirements = [["numpy"], ["torch"]]
            ''',
        )
    ]

    def check_app(self, app):
        for path, table, known, _what in sub_tables(app):
            for key, value in table.items():
                kind = known.get(key)
                if kind is None or kind.check(value) or (key == "requirements" and isinstance(value, list)):
                    # an array of the wrong shape: FAL301 points at the offending elements
                    continue
                extra = ""
                if key == "python_version" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    extra = f" (write `\"{_number_text(app, path + (key,), value)}\"`)"
                yield self.at(
                    app,
                    path + (key,),
                    f"`{'.'.join(map(str, path + (key,)))}` must be {kind.name}, not {type_name(value)}{extra}",
                )
        img = app.table.get("image")
        if isinstance(img, dict):
            regs = img.get("registries")
            if isinstance(regs, dict):
                for reg, entry in regs.items():
                    if not isinstance(entry, dict):
                        yield self.at(
                            app,
                            ("image", "registries", reg),
                            f"registry `{reg}` must be a table with `username` and `password`, not {type_name(entry)}",
                        )
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond, entry in rc.items():
                if not isinstance(entry, dict):
                    yield self.at(
                        app,
                        ("retry_config", cond),
                        f"retry_config.{cond} must be a table `{{ retries = <int> }}`, not {type_name(entry)}",
                    )

    fix_availability = "sometimes"

    def fix_for(self, diagnostic, project):
        """`"300"` -> `300` for an integer, `"true"` -> `true` for a boolean, and a
        number -> the same digits quoted for `python_version`."""
        import re

        from fallint.diagnostics import Edit, Fix

        app = app_of(project, diagnostic)
        keypath = parse_keypath(diagnostic.key)
        if app is None or keypath is None or keypath[: len(app.path)] != app.path:
            return None
        sub = keypath[len(app.path):]
        known = next((k for p, _t, k, _w in sub_tables(app) if p == sub[:-1]), None)
        kind = known.get(sub[-1]) if known is not None else None
        value = app.get(*sub)
        source = text_at(project, diagnostic.location)
        if kind is None or source is None:
            return None
        new = None
        if isinstance(value, str) and re.fullmatch(r"-?[0-9]+", value.strip()) and kind.check(int(value)):
            new = str(int(value))
        elif isinstance(value, str) and value in ("true", "false") and kind.check(value == "true"):
            new = value
        elif (sub[-1] == "python_version" and isinstance(value, (int, float)) and not isinstance(value, bool)
              and re.fullmatch(r"[0-9]+(\.[0-9]+)?", source)):
            new = f'"{source}"'
        if new is None:
            return None
        return Fix.safe(f"Write `{new}`", Edit.replace(diagnostic.location, new))


def _number_text(app, path: tuple, value) -> str:
    """The digits of a number as written (`3.10`, not `3.1`), else as read."""
    import re


    source = text_at(app.project, app.project.index.span(app.path + path, "value"))
    return source if source is not None and re.fullmatch(r"[0-9]+(\.[0-9]+)?", source) else str(value)
