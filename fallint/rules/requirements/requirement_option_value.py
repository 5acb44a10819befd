"""FAL303 `requirement-option-value`: A uv option without its value, or with a value uv refuses."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import (
    UV_REFUSES,
    editable_locals,
    entry_point_app_toml,
    suggestion_help,
)


@register
class RequirementOptionValue(RequirementsRule):
    code = "FAL303"
    name = "requirement-option-value"
    severity = ERROR
    summary = "A uv option without its value, or with a value uv refuses"
    what = """
        An option that needs a value but is the last string of its layer (or is followed
        by another option), a value outside the option's choices (`--prerelease allwo`),
        a malformed value (`--python-version three`, `--config-setting foo`), a value
        given to a flag (`--no-deps=1`), or `-e` with something uv cannot install as
        editable (a URL, a Git link, an archive).
    """
    why = f"uv checks option values before anything else: {UV_REFUSES}."
    fix = "Give the value as the next string (or after `=`), using one of the values uv accepts."
    invalid = [
        Example(
            entry_point_app_toml('["torch==2.4.1", "--extra-index-url"]'),
            expect=["3:33"],
        ),
        Example(
            entry_point_app_toml('["--prerelease", "alow", "-e", "git+https://github.com/acme/lib", "diffusers"]'),
            expect=["3:33", "3:47"],
            title="a value outside the choices; a Git link as editable",
        ),
    ]
    valid = [
        Example(
            entry_point_app_toml('["--prerelease", "allow", "diffusers", "-f", "https://data.example.com/wheels/"]'),
        )
    ]

    def check_requirements(self, reqs):
        editable_local = editable_locals(reqs)
        for layer, p in reqs.problems(("missing-value", "bad-option-value")):
            if (id(layer), p.index) in editable_local and p.kind == "bad-option-value":
                continue  # FAL313
            yield self.problem(reqs, layer, p, f"{p.message}: {UV_REFUSES}", help=suggestion_help(p.suggestion))
