"""FAL302 `unknown-requirement-option`: An option uv pip install does not have."""

from __future__ import annotations

from fallint.rules._fixes import app_of, parse_keypath, remove_element, replace_string
from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import (
    UV_REFUSES,
    entry_point_app_toml,
    suggestion_help,
)


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
        Example(
            entry_point_app_toml(
                '["--extra-index-url https://download.pytorch.org/whl/cu124", "--use-pep517", "--No-Deps",'
                ' "torch==2.4.1"]'),
            expect=["3:17", "3:77", "3:93"],
            title="what `--fix` writes: the one uv spelling; a pip option uv does not need is dropped",
            fixed=entry_point_app_toml(
                '["--extra-index-url=https://download.pytorch.org/whl/cu124", "--no-deps", "torch==2.4.1"]'),
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

    fix_availability = "sometimes"
    fix_safety = "mixed"

    def fix_for(self, diagnostic, project):
        """The one uv spelling: an option and its value joined with `=`, the option in
        lower case with dashes, a long option's missing dash (safe); a pip flag uv
        does without removed (safe); the one close option name (unsafe)."""
        import re

        from fallint.diagnostics import Fix
        from fallint.formats.requirements import _PIP_ONLY

        app = app_of(project, diagnostic)
        keypath = parse_keypath(diagnostic.key)
        reqs = app.requirements if app is not None else None
        if reqs is None or keypath is None or keypath[: len(app.path)] != app.path:
            return None
        rel = keypath[len(app.path):]
        for layer, p in reqs.problems(("unknown-option",)):
            if layer.path != rel[:-1] or p.index != rel[-1]:
                continue
            text = layer.strings[p.index]
            name = text.split("=")[0]
            if name in _DROPPED and text == name:
                edit = remove_element(project, keypath)
                return Fix.safe(f"Remove `{name}` (uv does without it)", edit) if edit is not None else None
            if name in _PIP_ONLY or not p.suggestion:
                return None  # pip's options have no exact uv equivalent
            if p.suggestion.startswith("-"):
                new, safe = p.suggestion, True
            else:
                m = re.fullmatch(r"did you mean (--[a-z0-9-]+)\?", p.suggestion)
                if m is None or " " in text or not text.startswith("--"):
                    return None
                new, safe = m.group(1) + text[len(name):], False
            if new == text:
                return None
            edit = replace_string(project, keypath, new)
            if edit is None:
                return None
            message = f"Write `{new}`"
            return Fix.safe(message, edit) if safe else Fix.unsafe(message, edit)
        return None


#: pip flags whose effect uv always has (or never needs): dropping them changes nothing
_DROPPED = frozenset({"--use-pep517", "--no-warn-script-location", "--no-python-version-warning"})
