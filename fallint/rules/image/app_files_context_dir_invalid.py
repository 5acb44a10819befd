"""FAL432 `app-files-context-dir-invalid`: app_files_context_dir does not exist or is not a directory."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from fallint.loading import fs
from fallint.loading.files import is_dir
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.util.suggest import did_you_mean
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.model.project import App


@register
class AppFilesContextDirInvalid(Rule):
    code = "FAL432"
    name = "app-files-context-dir-invalid"
    severity = WARNING
    summary = "app_files_context_dir does not exist or is not a directory"
    what = "An `app_files_context_dir` (relative to the pyproject directory) that is not an existing directory."
    why = """
        fal resolves every `app_files` entry against it, finds none of them, skips
        them all and deploys the app without its files.
    """
    fix = "Point `app_files_context_dir` at an existing directory, relative to pyproject.toml."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_context_dir = "sources"
            ''',
            files={"app.py": "", "src/assets/logo.png": ""},
            expect=["4:25"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_context_dir = "src"
            ''',
            files={"app.py": "", "src/assets/logo.png": ""},
        )
    ]

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        files = app.app_files
        if files is None or files.origin != "context_dir" or files.base_ok:
            return
        value = app.table["app_files_context_dir"]
        assert files.base is not None
        if fs.exists(files.base):
            message = f"app_files_context_dir {code(value)} is a file, not a directory"
            help = "point it at the directory that holds the app files"
        else:
            message = f"app_files_context_dir {code(value)} does not exist"
            root = app.project.root
            parent = Path(value).parent
            names = [n for n in app.project.files.listdir(root / parent) if is_dir(root / parent / n)]
            close = did_you_mean(Path(value).name, names)
            help = (
                f"did you mean {code((parent / close).as_posix())}?"
                if close
                else "the path is relative to the pyproject directory"
            )
        yield self.at(
            app,
            ("app_files_context_dir",),
            message + ": fal finds none of the app_files and deploys without them",
            help=help,
        )
