"""FAL210 `entry-point-module-outside-project`: The python_entry_point module is a symlink leading out of the project."""

from __future__ import annotations

from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import INIT_PY, PYPROJECT, SRC
from fallint.rules.registry import WARNING, Example, Symlink, register
from fallint.util.text import code


@register
class EntryPointModuleOutsideProject(EntryPointRule):
    code = "FAL210"
    name = "entry-point-module-outside-project"
    severity = WARNING
    summary = "The python_entry_point module is a symlink leading out of the project"
    what = """
        The file of a `python_entry_point` module found in the project (`src/pkg/app.py`,
        or a package's `__init__.py`) that is a symbolic link leading out of the
        directory of pyproject.toml.
    """
    why = """
        The build follows the link, so the app depends on the machine it is deployed
        from: a clone of the repository or a CI runner does not have that file.
        fallint does not read it either (a pull request could point it at any file of
        the machine and have its lines quoted in the report), so the module is not
        checked.
    """
    fix = "Keep the module inside the project as a regular file."
    invalid = [
        Example(
            PYPROJECT,
            files={"src/textgen/__init__.py": INIT_PY, "src/textgen/serve.py": Symlink("/etc/hosts")},
            expect=["6:23"],
        )
    ]
    valid = [Example(PYPROJECT, files=SRC)]

    def check_entry_point(self, app, ep):
        if not ep.outside:
            return
        yield self.report(
            app,
            ep,
            "module",
            f"module {code(ep.module)} is a symbolic link leading out of the project directory "
            f"({code(ep.display(ep.location.path))}): fallint does not read it, and deploying works "
            "only where its target exists",
            help="keep the module a regular file inside the directory of pyproject.toml",
        )
