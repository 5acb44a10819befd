"""FAL317 `misread-requirement-option`: A long option written with one dash, which uv accepts as a short option and its value."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, register
from fallint.rules.requirements._common import entry_point_app_toml
from fallint.rules.requirements.suspicious_requirement_option import (
    SuspiciousRequirementOption,
)


@register
class MisreadRequirementOption(SuspiciousRequirementOption):
    code = "FAL317"
    name = "misread-requirement-option"
    severity = WARNING
    summary = "A long option written with one dash, which uv accepts as a short option and its value"
    what = """
        An option such as `-target` or `-torch-backend` that uv reads as a short option and
        its value (`-t arget`: install into the directory `arget`) and accepts, so the
        install goes on, doing something other than what was meant. (When uv fails
        instead, FAL308 reports it as an error.)
    """
    why = "The packages are installed somewhere else, or with other settings, than the option says."
    fix = "Write long options with two dashes: `--target`."
    invalid = [Example(entry_point_app_toml('["-target", "out", "torch==2.4.1"]'), expect=["3:17"],
                       fixed=entry_point_app_toml('["--target", "out", "torch==2.4.1"]'))]
    valid = [Example(entry_point_app_toml('["--target", "out", "torch==2.4.1"]'))]
    uv_fails = False
    fix_safety = "unsafe"
