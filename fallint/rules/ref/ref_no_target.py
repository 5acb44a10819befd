"""FAL108 `ref-no-target`: A ref without `::Name` whose file has no fal.App and no fal.function."""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, Iterator

from fallint.rules.registry import ERROR, Example, register

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import Project
from fallint.model.ref_target import RefTarget
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import (
    WEB_APP_PY,
    misapplied_fal_functions,
)


@register
class RefNoTarget(RefRule):
    code = "FAL108"
    name = "ref-no-target"
    severity = ERROR
    summary = "A ref without `::Name` whose file has no fal.App and no fal.function"
    what = """
        A `ref` without `::Name` naming a file in which fal's scan of the module's
        globals finds no `fal.App` subclass and no `fal.function`.
    """
    why = "fal raises `No fal.App or fal.function found in the module.`"
    fix = "Point `ref` at the file that defines the app, or add `::Name`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "models.py"
            ''',
            files={"models.py": "from pydantic import BaseModel\n\n\nclass Prompt(BaseModel):\n    text: str\n",
                   "app.py": WEB_APP_PY},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py"
            ''',
            files={"app.py": WEB_APP_PY},
        )
    ]

    def check_target(self, app, target):
        scan = target.scan
        if scan is None or scan.apps or scan.functions or scan.unknown:
            return
        sources = app.project.sources
        index = target.index
        if any(sources.lookup(target.path, n) is None for n in index.names()):
            return  # a name from an import fallint cannot follow might be the app
        if misapplied_fal_functions(sources, target.path):
            return  # FAL111 / a decorator order problem is the real cause
        others = [p for p in _files_defining_app_hint(app.project, target)]
        help = f'did you mean `ref = "{others[0]}"`?' if len(others) == 1 else \
            "define a class deriving from `fal.App` in the file, or point `ref` at the file that does"
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` defines no fal.App subclass and no fal.function: fal finds nothing to run",
            help=help,
        )


_APP_CLASS_RE = re.compile(r"^class\s+\w+\s*\([^)]*\bApp\b", re.M)


def _files_defining_app_hint(project: "Project", target: RefTarget) -> Iterator[str]:
    """Other project files that textually look like they define a fal.App (for a hint)."""
    for relpath in project.python_files:
        path = project.root / relpath
        if os.path.abspath(path) == os.path.abspath(target.path):
            continue
        text = project.read(path).text
        if text and "fal" in text and _APP_CLASS_RE.search(text):
            yield relpath
