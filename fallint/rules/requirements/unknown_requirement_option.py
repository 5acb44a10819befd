"""FAL302 `unknown-requirement-option`: An option uv pip install does not have."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import UV_REFUSES, entry_point_app_toml, suggestion_help


@register
class UnknownRequirementOption(RequirementsRule):
    code = "FAL302"
    name = "unknown-requirement-option"
    severity = ERROR
    summary = "An option uv pip install does not have"
    what = """
        An element starting with `-` that is not an option of `uv pip install` (uv
        0.13): a typo, a pip-only option such as `--prefer-binary` or
        `--use-pep517`, an option and its value written in one string with a space
        (`"--index-url https://..."`), or an unknown letter in a short option.
    """
    why = f"""
        fal passes every string of a layer to `uv pip install` as one argument: {UV_REFUSES}
        (`error: unexpected argument`).
    """
    fix = """
        Use the option's uv spelling (see the suggestion), and write an option and its
        value as two strings (`"--index-url", "https://..."`) or joined with `=`
        (`"--index-url=https://..."`).
    """
    invalid = [
        Example(
            entry_point_app_toml('["--extra-index-url https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
            expect=["3:17"],
        ),
        Example(
            entry_point_app_toml('["--prefer-binary", "--no-dep", "torch==2.4.1"]'),
            expect=["3:17", "3:36"],
            title="a pip-only option and a typo",
        ),
    ]
    valid = [
        Example(
            entry_point_app_toml('["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
        ),
        Example(
            entry_point_app_toml('["--extra-index-url=https://download.pytorch.org/whl/cu124", "-U", "torch==2.4.1"]'),
            title="a value joined with `=`; a short flag",
        ),
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("unknown-option",)):
            yield self.problem(reqs, layer, p, f"{p.message}: {UV_REFUSES}", help=suggestion_help(p.suggestion))
