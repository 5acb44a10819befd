"""FAL308 `suspicious-requirement-option`: A long option written with one dash, read by uv as a short option and its value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.rules._fixes import app_of, parse_keypath, replace_string
from fallint.rules.registry import ERROR, Example, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.requirements import (
        ReqProblem,
    )
from fallint.model.requirement_layers import AppRequirements, Layer
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import entry_point_app_toml, suggestion_help

#: short options whose misreading makes uv fail (a file, directory or interpreter that does not exist)
_FAILING_SHORT = frozenset({"--requirements", "--editable", "--constraints", "--build-constraints",
                            "--python", "--find-links"})


@register
class SuspiciousRequirementOption(RequirementsRule):
    code = "FAL308"
    name = "suspicious-requirement-option"
    severity = ERROR
    summary = "A long option written with one dash, read by uv as a short option and its value"
    what = """
        An option such as `-extra-index-url` or `-target`: uv reads the first letter as a
        short option and the rest as its value (`-e xtra-index-url`: install the directory
        `xtra-index-url` as editable; `-t arget`: install into the directory `arget`),
        and the next string, meant as the value, becomes a requirement. Reported when uv
        then certainly fails (a file, directory, index or interpreter that does not
        exist); when uv accepts what it read (`-target`, `-torch-backend`), FAL317 reports
        it as a warning.
    """
    why = "The option does not do what it says: uv fails or installs somewhere else."
    fix = "Write long options with two dashes: `--extra-index-url`."
    invalid = [
        Example(
            entry_point_app_toml('["-extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
            expect=["3:17"],
            fixed=entry_point_app_toml(
                '["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
        )
    ]

    #: report the one-dash options after which uv fails (True) or goes on (False)
    uv_fails = True

    def check_requirements(self, reqs):
        for layer, p, message, fails in _one_dash_options(reqs):
            if fails is self.uv_fails:
                yield self.problem(reqs, layer, p, message, help=suggestion_help(p.suggestion))

    fix_availability = "always"
    fix_safety = "safe"

    def fix_for(self, diagnostic, project):
        """Add the missing dash (`-target` -> `--target`): the one spelling uv reads as
        the long option.  Safe when uv fails without it (FAL308); unsafe when uv
        accepts the misreading (FAL317: the fix changes what gets installed where)."""
        from fallint.diagnostics import Fix

        app = app_of(project, diagnostic)
        keypath = parse_keypath(diagnostic.key)
        reqs = app.requirements if app is not None else None
        if reqs is None or keypath is None or keypath[: len(app.path)] != app.path:
            return None
        rel = keypath[len(app.path):]
        for layer, p, _message, fails in _one_dash_options(reqs):
            if layer.path != rel[:-1] or p.index != rel[-1] or fails is not self.uv_fails:
                continue
            text = layer.strings[p.index]
            if p.suggestion != "-" + text:
                return None
            edit = replace_string(project, keypath, p.suggestion)
            if edit is None:
                return None
            message = f"Write `{p.suggestion.split('=')[0]}`"
            return Fix.safe(message, edit) if self.uv_fails else Fix.unsafe(message, edit)
        return None


def _one_dash_options(reqs: AppRequirements) -> Iterator[tuple[Layer, "ReqProblem", str, bool]]:
    """Each long option of ``reqs`` written with one dash: its layer, the
    problem, the message, and whether uv then certainly fails."""
    # imported on first use: costly to import, only apps with requirements need it
    from fallint.formats.requirements import option_spec

    for layer, p in reqs.problems(("suspicious-option",)):
        text = layer.strings[p.index]
        spec = option_spec(text[:2])
        meant = option_spec((p.suggestion or "").split("=")[0])
        swallowed = ""
        fails = spec is not None and spec.name in _FAILING_SHORT
        if spec is not None and spec.name == "--index-url":
            fails = any(i.kind == "requirement" for i in layer.analysis.items)  # PyPI is replaced
        nxt = p.index + 1
        if meant is not None and meant.takes_value and "=" not in text and nxt < len(layer.strings):
            swallowed = f", and {code(layer.strings[nxt])} becomes a requirement"
            fails = fails or any(q.index == nxt and q.parse_time for q in layer.analysis.problems)
        fails = fails or any(q.index == p.index and q.parse_time for q in layer.analysis.problems)
        consequence = "uv fails" if fails else "uv accepts it and does something else"
        yield layer, p, f"{p.message}{swallowed}: {consequence}", fails
