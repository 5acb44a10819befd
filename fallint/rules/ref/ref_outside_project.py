"""FAL102 `ref-outside-project`: ref points outside the project directory."""

from __future__ import annotations

import os

from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY
from fallint.rules.registry import WARNING, Example, Symlink, register


@register
class RefOutsideProject(RefRule):
    code = "FAL102"
    name = "ref-outside-project"
    severity = WARNING
    summary = "ref points outside the project directory"
    what = """
        A `ref` path that leaves the project root: `../shared/app.py`, an absolute path
        elsewhere, or a file in the project that is a symlink leading out of it. fallint
        does not read such a file (a pull request could point it at any file of the
        machine and have its lines quoted in the report), so it is not checked further.
    """
    why = """
        fal runs whatever file the path reaches, but the app then depends on the
        layout of the machine it is deployed from: a clone of the repository, a
        colleague or a CI runner does not have that file.
    """
    fix = "Move the app file into the project (or the pyproject.toml up to the repository root)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "../shared/app.py::Web"
            ''',
            expect=["2:7"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": Symlink("/etc/hosts")},
            expect=["2:7"],
            title="a symlink leading out of the project",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": WEB_APP_PY},
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/../app.py::Web"
            ''',
            files={"app.py": WEB_APP_PY},
            title="`..` that stays inside the project",
        ),
    ]

    def check_target(self, app, target):
        if target.path is None:
            return
        root = os.path.normpath(str(app.project.root))
        try:
            inside = os.path.commonpath([root, str(target.path)]) == root
        except ValueError:  # another drive
            inside = False
        if inside and target.result is not None and target.result.error == "outside":
            yield self.at(
                app,
                ("ref",),
                f"`ref` file `{target.file_part}` is a symbolic link leading out of the project directory: "
                "fallint does not read it, and deploying works only where its target exists",
                help="keep the app file inside the directory of pyproject.toml (a regular file, not a link)",
            )
        if not inside:
            where = "an absolute path" if os.path.isabs(target.file_part) else "a path"
            yield self.at(
                app,
                ("ref",),
                f"`ref` is {where} outside the project directory: deploying works only "
                f"where `{target.file_part}` exists",
                help="keep the app file inside the directory of pyproject.toml",
            )
