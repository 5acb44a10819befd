"""FAL306 `invalid-requirement`: A requirement or environment marker that does not parse."""

from __future__ import annotations

from fallint.rules._fixes import parse_keypath, text_at, toml_string
from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import (
    UV_REFUSES,
    entry_point_app_toml,
    explain_syntax_error,
)
from fallint.util.text import code


@register
class InvalidRequirement(RequirementsRule):
    code = "FAL306"
    name = "invalid-requirement"
    severity = ERROR
    summary = "A requirement or environment marker that does not parse"
    what = """
        A string that is neither an option nor a valid requirement as uv reads it: PEP 508
        syntax errors (`numpy==`, `torch=2.4`, `diffusers>=0.30,,<1`, two requirements in
        one string), bad markers (`; python_version > 3.10`, unknown variables), URLs
        uv cannot install (a page instead of an archive, a Git URL without `git+`) and
        unsupported VCS (`hg+`, `svn+`). The diagnostic points at the character where
        parsing stops.
    """
    why = f"uv parses every requirement before resolving: {UV_REFUSES} (`error: Failed to parse`)."
    fix = "Correct the requirement at the reported column (see the help for the likely fix)."
    invalid = [
        Example(
            entry_point_app_toml('["diffusers>=0.30,,<1", "torch=2.4.1", "transformers; python_version > 3.10"]'),
            expect=["3:34", "3:46", "3:87"],
        ),
        Example(
            entry_point_app_toml('["diffusers>=0.30,,<1", \'torch=2.4.1\', "numpy<2>=1.26"]'),
            expect=["3:34", "3:46", "3:63"],
            title="spellings with one equivalent uv accepts (what `--fix --unsafe-fixes` writes)",
            fixed=entry_point_app_toml('["diffusers>=0.30,<1", \'torch==2.4.1\', "numpy<2,>=1.26"]'),
        ),
    ]
    valid = [
        Example(
            entry_point_app_toml('["diffusers>=0.30,<1", "torch==2.4.1", "transformers; python_version > \'3.10\'"]'),
        )
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("invalid-requirement", "invalid-marker")):
            text = layer.strings[p.index]
            why = explain_syntax_error(text, p)
            what = "marker" if p.kind == "invalid-marker" else "requirement"
            yield self.element(
                reqs, layer, p.index, f"invalid {what} {code(text.strip())}: {why.message}",
                why.start, why.end, help=why.help,
            )  # fmt: skip

    fix_availability = "sometimes"
    fix_safety = "mixed"

    def fix_for(self, diagnostic, project):
        """The one spelling uv accepts, when the help names it and it differs from the
        string only in commas, `=` signs or quotes (`,,` -> `,`, `=` -> `==`, `"1.0"` -> `1.0`)."""
        import re

        from fallint.diagnostics import Edit, Fix

        m = re.fullmatch(r"write `([^`]+)`", diagnostic.help or "")
        keypath = parse_keypath(diagnostic.key)
        if m is None or keypath is None or diagnostic.location.path != project.pyproject_path:
            return None
        new = m.group(1)
        loc = project.index.span(keypath, "value")
        source = text_at(project, loc)
        value = project.data
        for part in keypath:
            try:
                value = value[part]
            except (KeyError, IndexError, TypeError):
                return None
        if not isinstance(value, str) or source is None or source[:1] not in ("'", '"') or source[:3] in ("'''", '"""'):
            return None
        squash = lambda s, extra="": re.sub(r"[\s,=" + extra + "]", "", s)  # noqa: E731
        if squash(new, "'\"") != squash(value, "'\""):
            return None
        try:
            from packaging.requirements import Requirement

            Requirement(new)
        except Exception:
            return None
        fixed = value[: len(value) - len(value.lstrip())] + new + value[len(value.rstrip()):]
        edit = Edit.replace(loc, toml_string(fixed, source))
        message = f"Write `{new}`"
        return Fix.safe(message, edit) if squash(new) == squash(value) else Fix.unsafe(message, edit)
