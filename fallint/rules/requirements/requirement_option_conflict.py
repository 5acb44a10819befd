"""FAL304 `requirement-option-conflict`: A uv option given twice, options uv refuses together, or one uv does not support."""

from __future__ import annotations

import re

from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import (
    UV_REFUSES,
    entry_point_app_toml,
    suggestion_help,
)
from fallint.util.text import code


@register
class RequirementOptionConflict(RequirementsRule):
    code = "FAL304"
    name = "requirement-option-conflict"
    severity = ERROR
    summary = "A uv option given twice, options uv refuses together, or one uv does not support"
    what = """
        In one layer: an option uv accepts only once given again (`--index-url` twice,
        `-i` and `--index-url`), two options uv refuses together (`--target` and
        `--prefix`, `-q` and `-v`), pip's `--user`, or `--extra`/`--all-extras`
        without a `-r pyproject.toml` (uv applies them only to such a source).
    """
    why = f"uv checks its arguments before resolving: {UV_REFUSES}."
    fix = """
        Keep one occurrence (extra indexes go in `--extra-index-url`, which may repeat),
        drop the unsupported option, and write extras on the requirement (`pkg[extra]`).
    """
    invalid = [
        Example(
            entry_point_app_toml('["-i", "https://pypi.org/simple", "--index-url", "https://download.pytorch.org/whl/cu124", "torch"]'),
            expect=["3:50"],
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('["--extra-index-url", "https://a.example/simple", "--extra-index-url", "https://b.example/simple",'
                 ' "torch"]'),
        )
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("repeated-option", "conflicting-options", "unsupported-option")):
            message, related = p.message, []
            m = _ELEMENT_REF.search(message)
            if m is not None:  # "(first given in element 0)": a note at that element instead
                first = int(m.group(1))
                message = message[: m.start()].rstrip() + message[m.end():]
                word = "given" if p.kind == "repeated-option" else "given first"
                related.append(reqs.related(layer, first, f"{code(layer.strings[first].strip())} is {word} here"))
            yield self.problem(reqs, layer, p, f"{message}: {UV_REFUSES}", help=suggestion_help(p.suggestion),
                               related=related)


_ELEMENT_REF = re.compile(r"\s*\((?:first given in )?element (\d+)\)")
