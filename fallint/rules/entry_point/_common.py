"""What several entry_point rules share: helpers and example projects."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from fallint.diagnostics import Location, Related
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App
    from fallint.model.sources import Symbol
from fallint.model.entry_point import EntryPoint

__all__ = ["EntryPoint"]


def requirements_related(app: "App", paths: list[tuple], message: str) -> list[Related]:
    """A note at the first of ``paths`` (requirement entries of ``app``)."""
    return [Related(app.span(*path), message) for path in paths[:1]]


# example projects (flush left: examples are dedented, and these are concatenated)
PYPROJECT = '''
[project]
name = "textgen"
version = "0.1.0"

[tool.fal.apps.textgen]
python_entry_point = "textgen.serve:TextGen"
requirements = ["."]
'''


INIT_PY = '''
from .serve import TextGen
'''


SERVE_PY = '''
import fal


class TextGen(fal.App):
    @fal.endpoint("/")
    def complete(self, prompt: str) -> str:
        return prompt[::-1]
'''


SRC = {"src/textgen/__init__.py": INIT_PY, "src/textgen/serve.py": SERVE_PY}


def definition_related(symbol: "Symbol") -> list[Related]:
    if symbol.path is None or not symbol.line:
        return []
    return [Related(Location.point(Path(symbol.path), symbol.line, symbol.column, len(symbol.name)),
                    f"{code(symbol.name)} is defined here")]
