"""FAL305 `requirements-layer-only-options`: An install layer with options but nothing to install."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import UV_REFUSES, entry_point_app_toml


@register
class RequirementsLayerOnlyOptions(RequirementsRule):
    code = "FAL305"
    name = "requirements-layer-only-options"
    severity = ERROR
    summary = "An install layer with options but nothing to install"
    what = """
        A `requirements` list (or one inner list of a layered list) whose strings are all
        options and option values: no requirement, `-r`, `-e` or `--group`. Typically an
        index option in a layer of its own, meant for the next layer.
    """
    why = f"""
        fal runs `uv pip install` once per layer, and uv refuses to run with nothing to
        install (`the following required arguments were not provided`): {UV_REFUSES}.
        Options do not carry over from one layer to the next.
    """
    fix = "Move the options into the layer whose packages need them."
    invalid = [
        Example(
            entry_point_app_toml('[["--extra-index-url", "https://download.pytorch.org/whl/cu124"], ["torch==2.4.1"]]'),
            expect=["3:17"],
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('[["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"], ["flash-attn"]]'),
        )
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("no-requirements",)):
            what = "this layer" if len(layer.path) > 1 else "`requirements`"
            yield self.problem(
                reqs, layer, p,
                f"{what} has options but nothing to install (no requirement, `-r`, `-e` or "
                f"`--group`): {UV_REFUSES}",
                help="put the options into the layer with the packages that need them",
            )  # fmt: skip
