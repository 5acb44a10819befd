"""FAL201 `entry-point-format`: python_entry_point is not `<module>:<symbol>` with dotted Python names."""

from __future__ import annotations

import os
from pathlib import Path

from fallint.loading import fs
from fallint.model.entry_point import EntryPoint, dotted_ok
from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import PYPROJECT, SRC
from fallint.rules.registry import ERROR, Example, register


def suggest_value(ep: EntryPoint) -> str | None:
    """A corrected ``<module>:<symbol>`` for a malformed value, when guessable."""
    value = ep.value.strip()
    if "::" in value:
        module, _, symbol = value.partition("::")
    elif ":" in value:
        module, symbol = value.split(":", 1)
    elif "." in value.rstrip("."):
        module, symbol = value.rsplit(".", 1)
    else:
        return None
    module, symbol = module.strip(), symbol.strip().lstrip(":").strip()
    if "/" in module or "\\" in module or module.endswith(".py"):
        module = _module_for_path(ep, module)
    module = module.replace("-", "_")
    fixed = f"{module}:{symbol}"
    if not (dotted_ok(module) and dotted_ok(symbol)) or fixed == ep.value:
        return None
    return fixed


def _module_for_path(ep: EntryPoint, path_text: str) -> str:
    """The import name of a file path written where a module name belongs."""
    path = ep.app.resolve_path(path_text.replace("\\", "/"))
    try:
        exists = fs.exists(path)
    except (OSError, ValueError):
        exists = False
    if exists:
        names = ep.layout.wheel_names(Path(os.path.abspath(path)))
        if names:
            return names[0]
    text = path_text.replace("\\", "/")
    text = text[:-3] if text.endswith(".py") else text
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    if len(parts) > 1 and parts[0] == "src":
        parts.pop(0)
    return ".".join(parts)


@register
class EntryPointFormat(EntryPointRule):
    code = "FAL201"
    name = "entry-point-format"
    severity = ERROR
    summary = "python_entry_point is not `<module>:<symbol>` with dotted Python names"
    what = """
        A `python_entry_point` without a `:`, with an empty module or symbol part (fal
        splits at the first `:`), or whose module or symbol is not a dotted Python name:
        a file path (`src/textgen/serve.py`), a `-` in a name, a relative module
        (`.serve`), or the `ref` separator `::`.
    """
    why = """
        fal raises `python_entry_point must be in '<module>:<symbol>' format.` for a
        missing `:` or an empty part. Anything else passes locally and fails on the
        worker, after the deploy: it runs `import <module>` and looks the symbol up as
        an attribute, so both must be Python names.
    """
    fix = """
        Write the import name of the module, a single `:`, and the name of the app class
        or fal function: `python_entry_point = "textgen.serve:TextGen"` (the module is
        the name you would `import` once the project is installed, not a file path).
    """
    invalid = [
        Example(
            PYPROJECT.replace("textgen.serve:TextGen", "src/textgen/serve.py:TextGen"),
            files=SRC,
            expect=["6:23"],
        ),
        Example(
            '''
            [tool.fal.apps.a]
            python_entry_point = "textgen.serve.TextGen"

            [tool.fal.apps.b]
            python_entry_point = "textgen.serve::TextGen"

            [tool.fal.apps.c]
            python_entry_point = ":TextGen"

            [tool.fal.apps.d]
            python_entry_point = 'text-gen.serve:TextGen'
            ''',
            expect=["2:22", "5:37", "8:22", "11:23"],
            title="no `:`, `::`, an empty module, a `-` in the module",
        ),
    ]
    valid = [
        Example(PYPROJECT, files=SRC),
        Example(
            '''
            [tool.fal.apps.svc]
            python_entry_point = "acme.serving.v2:build.App"
            image = { image = "ghcr.io/acme/serving:2.1" }
            ''',
            title="a dotted symbol, in a prebuilt image",
        ),
    ]

    def check_entry_point(self, app, ep):
        problem = ep.problem
        if problem is None:
            return
        fixed = suggest_value(ep)
        if fixed is not None:
            help = f'write `python_entry_point = "{fixed}"`'
        else:
            help = "write the module's import name, a `:`, and the app class or fal function name"
        yield self.report(app, ep, problem.part, problem.message, help=help)
