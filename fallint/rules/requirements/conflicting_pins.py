"""FAL315 `conflicting-pins`: Two requirements in one layer that no version satisfies."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import entry_point_app_toml
from fallint.util.text import code


@register
class ConflictingPins(RequirementsRule):
    code = "FAL315"
    name = "conflicting-pins"
    severity = ERROR
    summary = "Two requirements in one layer that no version satisfies"
    what = """
        An exact pin (`==`/`===`) of a project and another requirement of the same project
        in the same layer (with the same marker, or none) that excludes it:
        `torch==2.4.1` and `torch==2.5.0`, or `numpy==1.26.4` and `numpy>=2`.
    """
    why = "uv cannot pick a version that satisfies both: resolution fails and so does the deploy."
    fix = "Keep the pin you mean and drop (or widen) the other requirement."
    invalid = [
        Example(
            entry_point_app_toml('["torch==2.4.1", "diffusers", "torch==2.5.0"]'),
            expect=["3:46"],
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('''["torch==2.4.1; sys_platform == 'linux'", "torch==2.2.2; sys_platform == 'darwin'"]'''),
            title="pins for different platforms",
        )
    ]

    def check_requirements(self, reqs):
        # imported on first use: costly to import, only apps with requirements need it
        from fallint.formats.requirements import conflicting_pins

        for layer in reqs.layers:
            for first, second, name in conflicting_pins(layer.analysis):
                a, b = layer.strings[first].strip(), layer.strings[second].strip()
                yield self.element(
                    reqs, layer, second,
                    f"{code(b)} contradicts {code(a)}: no version of {code(name)} satisfies both, "
                    "so uv's resolution fails",
                    help="keep one requirement for the project",
                    related=[reqs.related(layer, first, f"{code(a)} is required here")],
                )  # fmt: skip
