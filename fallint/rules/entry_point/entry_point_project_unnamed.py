"""FAL203 `entry-point-project-unnamed`: An entry-point app installs this project, which has no [project].name."""

from __future__ import annotations

from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import (
    INIT_PY,
    PYPROJECT,
    SERVE_PY,
    SRC,
    requirements_related,
)
from fallint.rules.registry import ERROR, Example, register


@register
class EntryPointProjectUnnamed(EntryPointRule):
    code = "FAL203"
    name = "entry-point-project-unnamed"
    severity = ERROR
    summary = "An entry-point app installs this project, which has no [project].name"
    what = """
        An app with a `python_entry_point` whose `requirements` install this project
        (`.`, `.[extra]`, a path to it) while its `pyproject.toml` has no `[project]`
        `name` (a `[tool.poetry]` name does not count).
    """
    why = """
        fal names the sdist it builds and uploads after `[project].name` and raises
        `Cannot resolve local-path requirement: [project].name is missing or empty` before
        deploying.
    """
    fix = """
        Add a `[project]` table with `name` and `version` (PEP 621), and a
        `[build-system]` if the project does not have one.
    """
    invalid = [
        Example(
            '''
            [tool.poetry]
            name = "textgen"
            version = "0.1.0"

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = ["."]
            ''',
            files={"textgen/__init__.py": INIT_PY, "textgen/serve.py": SERVE_PY},
            expect=["6:22"],
        )
    ]
    valid = [Example(PYPROJECT, files=SRC)]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.installs_project or ep.name is not None:
            return
        yield self.report(
            app,
            ep,
            "value",
            "fal cannot build this project for the worker: pyproject.toml has no `[project]` `name` "
            "(fal raises `[project].name is missing or empty`)",
            help='add `[project]` with `name = "..."` and `version = "..."` to pyproject.toml',
            related=requirements_related(app, ep.requirements.this_project, "this entry installs the project"),
        )
