"""FAL901 `invalid-config`: An unknown key or a bad value in [tool.fallint]."""

from __future__ import annotations

from fallint.rules._fixes import (
    normalised,
    one_close,
    parse_keypath,
    rename_key,
    replace_string,
)
from fallint.rules.registry import WARNING, Example, Rule, register


@register
class InvalidConfig(Rule):
    code = "FAL901"
    name = "invalid-config"
    severity = WARNING
    summary = "An unknown key or a bad value in [tool.fallint]"
    what = """
        A `[tool.fallint]` setting fallint does not know, a selector that names no
        rule, or a value of the wrong type. Known settings: `select`,
        `extend-select`, `ignore` (a list, or a table of rule -> reason),
        `per-app-ignores`, `extra-machine-types`, `fail-on`, `fal-version` (a
        version that is not a fal release is FAL905).
    """
    why = "fallint ignores the setting, so the configuration does not do what it says."
    fix = "Correct the key or value; `fallint rules` lists every rule code and name."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            ignores = ["FAL503"]
            fail-on = "errors"
            ''',
            expect=["5:1", "6:11"],
            title="what `--fix --unsafe-fixes` writes",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            ignore = ["FAL503"]
            fail-on = "error"
            ''',
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            ignore = { FAL503 = "our fleet has custom machine types" }
            fail-on = "warning"
            ''',
        )
    ]

    def check_project(self, project):
        problems = list(project.config.problems)
        if project.selection is not None:  # the selectors that name no rule (see fallint.engine.selection)
            problems += project.selection.problems
        for p in problems:
            yield self.at_key(project, p.keypath, p.message, part=p.part, help=p.help)

    fix_availability = "sometimes"
    fix_safety = "mixed"

    def fix_for(self, diagnostic, project):
        """The one close setting name, `fail-on` value or rule code/name: safe when
        only the case (or `_`/`-`) differs, else unsafe (fallint then does what the
        setting says, which it did not before)."""
        from fallint.diagnostics import Fix
        from fallint.loading.config import KNOWN_KEYS
        from fallint.rules.registry import all_rules, resolve_selector

        keypath = parse_keypath(diagnostic.key)
        data = project.data if isinstance(project.data, dict) else {}
        table = data.get("tool", {}).get("fallint") if isinstance(data.get("tool"), dict) else None
        if keypath is None or keypath[:2] != ("tool", "fallint") or not isinstance(table, dict) or len(keypath) < 3:
            return None
        key = keypath[2]
        norm = key.replace("_", "-") if isinstance(key, str) else None
        present = {k.replace("_", "-") for k in table if isinstance(k, str)}
        if len(keypath) == 3 and norm not in KNOWN_KEYS:
            hint = one_close(norm, KNOWN_KEYS)
            if hint is None or hint in present:
                return None
            return rename_key(project, diagnostic, key, hint)
        value = table.get(key)
        for part in keypath[3:]:
            if isinstance(value, dict) and part in value or isinstance(value, list) and isinstance(part, int) and part < len(value):
                value = value[part]
            else:
                return None
        if not isinstance(value, str):
            return None
        if len(keypath) == 3 and norm == "fail-on":
            hint = one_close(value, ("error", "warning"))
        elif norm in ("select", "extend-select", "ignore", "fixable", "unfixable") and len(keypath) == 4 \
                and isinstance(keypath[3], int) and resolve_selector(value) is None:
            hint = one_close(value, [c for r in all_rules() for c in (r.code, r.name)])
        else:
            return None
        if hint is None or hint == value:
            return None
        edit = replace_string(project, keypath, hint)
        if edit is None:
            return None
        message = f'Write `"{hint}"`'
        return Fix.safe(message, edit) if normalised(hint) == normalised(value) else Fix.unsafe(message, edit)

