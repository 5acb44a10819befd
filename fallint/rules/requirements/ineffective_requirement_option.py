"""FAL316 `ineffective-requirement-option`: A uv option that installs elsewhere, installs nothing, or breaks the environment."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import FILE_OPTIONS, entry_point_app_toml

#: option notes from :mod:`fallint.formats.requirements` that other rules cover
_NOTES_ELSEWHERE = frozenset({"--editable"}) | FILE_OPTIONS


@register
class IneffectiveRequirementOption(RequirementsRule):
    code = "FAL316"
    name = "ineffective-requirement-option"
    severity = WARNING
    summary = "A uv option that installs elsewhere, installs nothing, or breaks the environment"
    what = """
        A `uv pip install` option that works against fal's environment: `--target`,
        `--prefix`, `--system`, `--python` (install outside the app's virtualenv),
        `--dry-run`, `--check`, `--help` (install nothing), `--exact` (uninstalls what the
        layer does not list, fal's own packages and earlier layers included),
        `--python-version`/`--python-platform` (resolve for another interpreter),
        `--offline` (a new build has an empty cache), `--directory`.
    """
    why = "uv accepts them, so the build succeeds, and the app then fails to import what it needs."
    fix = "Remove the option: fal already installs into the app's own virtual environment."
    invalid = [
        Example(
            entry_point_app_toml('["--target", "/opt/packages", "torch==2.4.1"]'),
            expect=["3:17"],
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('["--no-cache", "--compile-bytecode", "torch==2.4.1"]'),
        )
    ]

    def check_requirements(self, reqs):
        # imported on first use: costly to import, only apps with requirements need it
        from fallint.formats.requirements import option_spec

        for layer, item in reqs.items():
            if item.kind != "option" or not item.option or item.option in _NOTES_ELSEWHERE:
                continue
            if any(p.index == item.index and p.kind == "suspicious-option" for p in layer.analysis.problems):
                continue  # `-target`: FAL308/FAL317 explain it
            spec = option_spec(item.option)
            if spec is None or not spec.note:
                continue
            text = layer.strings[item.index]
            end = len(text.split("=", 1)[0]) if text.startswith("--") else len(text)
            yield self.element(
                reqs, layer, item.index, f"{item.option} {spec.note}", 0, end,
                help=f"remove {item.option}",
            )  # fmt: skip
