"""FAL009 `unknown-fal-setting`: A key directly under [tool.fal] that fal ignores (e.g. a misspelt [tool.fal.app.x])."""

from __future__ import annotations

from fallint.model.fal import (
    FAL_TOP_KEYS,
)
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.util.suggest import did_you_mean


@register
class UnknownFalSetting(Rule):
    code = "FAL009"
    name = "unknown-fal-setting"
    severity = WARNING
    summary = "A key directly under [tool.fal] that fal ignores (e.g. a misspelt [tool.fal.app.x])"
    what = """
        A key directly under `[tool.fal]` other than `apps`. fal normalises these keys
        (`--` removed, `-` turned into `_`) and then reads only `apps`: anything else,
        such as a misspelt `[tool.fal.app.web]`, is silently ignored.
    """
    why = "The apps under a misspelt table do not exist: `fal deploy web` says `App web not found`."
    fix = "Move the apps under `[tool.fal.apps]`, or remove the key."
    invalid = [
        Example(
            '''
            [tool.fal.app.web]
            ref = "app.py::Web"
            ''',
            expect=["1:11"],
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

    def check_project(self, project):
        fal = project.fal
        if not isinstance(fal, dict):
            return
        for key in fal:
            norm = key.replace("--", "").replace("-", "_")
            if norm in FAL_TOP_KEYS:
                continue
            hint = did_you_mean(norm, FAL_TOP_KEYS)
            yield self.at_key(
                project,
                ("tool", "fal", key),
                f"fal ignores `[tool.fal]` key `{key}`" + (f"; did you mean `{hint}`?" if hint else "")
                + (" (the apps under it do not exist)" if hint == "apps" else ""),
                part="key",
            )
