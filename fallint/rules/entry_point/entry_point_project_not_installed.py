"""FAL202 `entry-point-project-not-installed`: python_entry_point names a module of this project, but requirements do not install the project."""

from __future__ import annotations

from fallint.diagnostics import Related
from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import PYPROJECT, SRC
from fallint.rules.registry import ERROR, Example, register
from fallint.util.text import code


@register
class EntryPointProjectNotInstalled(EntryPointRule):
    code = "FAL202"
    name = "entry-point-project-not-installed"
    severity = ERROR
    summary = "python_entry_point names a module of this project, but requirements do not install the project"
    what = """
        An app without `image` whose `python_entry_point` module is (or is inside) a
        package of this project, while no `requirements` entry installs the project:
        none is `.`, `.[extra]`, or another path to the pyproject directory (relative to
        `requirements_context_dir` when it is set), and none names the project. Apps
        that upload `app_files` are left alone (fal puts those on the worker's path).
    """
    why = """
        fal does not upload the project's source for an entry-point app: the worker only
        gets what `requirements` install, then runs `import <module>`. Without the
        project among them the import fails with `ModuleNotFoundError` when the app
        starts.
    """
    fix = """
        Add the project to `requirements`: `requirements = [".", ...]` (or `.[serve]` to
        install an extra); fal builds the project as an sdist, uploads it and the worker
        installs it. The project needs a `[project]` table with a `name`.
    """
    invalid = [
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = ["torch==2.4.1"]
            ''',
            files=SRC,
            expect=["6:22"],
        )
    ]
    valid = [
        Example(PYPROJECT.replace('["."]', '[".", "torch==2.4.1"]'), files=SRC),
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [".."]
            requirements_context_dir = "deploy"
            ''',
            files={**SRC, "deploy/README": "requirements are relative to this directory\n"},
            title="a path to the project, relative to requirements_context_dir",
        ),
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.from_this_project or ep.installs_project:
            return
        if not ep.requirements.valid or ep.uploads_files:
            return
        where = ep.display(ep.location.path if ep.origin == "module" else ep.found_prefix[1].path)
        message = (
            f"the worker cannot import {code(ep.module)}: it is part of this project "
            f"({code(where)}), but `requirements` do not install the project"
        )
        help = 'add the project to requirements: `requirements = [".", ...]`'
        if ep.name is None:
            help += ", and give pyproject.toml a `[project]` `name` (fal needs it to build the project)"
        related = []
        if app.has("requirements"):
            related.append(Related(app.span("requirements"), "the requirements the worker installs"))
        yield self.report(app, ep, "value", message, help=help, related=related)
