"""FAL314 `duplicate-requirement`: The same project required twice in one install layer."""

from __future__ import annotations

from fallint.model.requirement_layers import Layer
from fallint.rules._fixes import app_of, parse_keypath, remove_element
from fallint.rules.registry import WARNING, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import entry_point_app_toml
from fallint.util.text import code


def _same_extras(layer: Layer, a: int, b: int) -> bool:
    items = layer.analysis.items
    return items[a].extras == items[b].extras


@register
class DuplicateRequirement(RequirementsRule):
    code = "FAL314"
    name = "duplicate-requirement"
    severity = WARNING
    summary = "The same project required twice in one install layer"
    what = """
        Two strings of one layer that require the same project (names compared after
        normalisation: `Pillow` and `pillow`, `typing_extensions` and
        `typing-extensions`), with the same marker or none. Requirements that only add
        different extras (`ray[serve]`, `ray[tune]`) are left alone, and pins that
        contradict each other are FAL315.
    """
    why = """
        uv combines both, so the list says one thing in two places: usually a leftover
        after an upgrade, and the next edit changes only one of them.
    """
    fix = "Keep one requirement per project, with all its constraints (`numpy>=1.26,<2`)."
    invalid = [
        Example(
            entry_point_app_toml('["numpy>=1.26", "torch==2.4.1", "NumPy<2"]'),
            expect=["3:48"],
        ),
        Example(
            entry_point_app_toml('["numpy>=1.26,<2", "torch==2.4.1", "numpy>=1.26,<2"]'),
            expect=["3:51"],
            title="the same string twice (what `--fix` removes)",
            fixed=entry_point_app_toml('["numpy>=1.26,<2", "torch==2.4.1"]'),
        ),
    ]
    valid = [
        Example(
            entry_point_app_toml('[["numpy>=1.26,<2"], ["numpy==1.26.4"]]'),
            title="a later layer may change a pin",
        )
    ]

    def check_requirements(self, reqs):
        # imported on first use: costly to import, only apps with requirements need it
        from fallint.formats.requirements import conflicting_pins, duplicates

        for layer in reqs.layers:
            conflicts = {(a, b) for a, b, _ in conflicting_pins(layer.analysis)}
            for first, second, name in duplicates(layer.analysis):
                if (first, second) in conflicts or not _same_extras(layer, first, second):
                    continue
                yield self.element(
                    reqs, layer, second,
                    f"{code(name)} is already required in this layer "
                    f"({code(layer.strings[first].strip())})",
                    help="merge both into one requirement",
                    related=[reqs.related(layer, first, f"{code(name)} is first required here")],
                )  # fmt: skip

    fix_availability = "sometimes"

    def fix_for(self, diagnostic, project):
        """Remove a requirement that repeats an earlier one of its layer word for word
        (different spellings are left to merge by hand)."""
        from fallint.diagnostics import Fix

        app = app_of(project, diagnostic)
        keypath = parse_keypath(diagnostic.key)
        reqs = app.requirements if app is not None else None
        if reqs is None or keypath is None or keypath[: len(app.path)] != app.path:
            return None
        rel = keypath[len(app.path):]
        layer = next((la for la in reqs.layers if la.path == rel[:-1]), None)
        index = rel[-1]
        if layer is None or not isinstance(index, int) or not 0 < index < len(layer.strings):
            return None
        text = layer.strings[index].strip()
        if all(s.strip() != text for s in layer.strings[:index]):
            return None
        edit = remove_element(project, keypath)
        return Fix.safe(f"Remove the repeated `{text}`", edit) if edit is not None else None
