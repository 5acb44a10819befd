"""FAL431 `app-files-upload-fails`: An app_files entry that makes fal raise (outside the context, symlink loop, file over 1 GiB)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.model.copy_analysis import fal_error_text
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.model.project import App


@register
class AppFilesUploadFails(Rule):
    code = "FAL431"
    name = "app-files-upload-fails"
    severity = ERROR
    summary = "An app_files entry that makes fal raise (outside the context, symlink loop, file over 1 GiB)"
    what = """
        An `app_files` entry that leaves the directory fal resolves it against
        (`../shared`, an absolute path elsewhere, a symlink pointing outside, also
        inside a listed directory), a symlink loop, or a file larger than 1 GiB.
    """
    why = """
        fal raises `Parent directory reference is not allowed` (or
        `FileTooLargeError`) while collecting the files, and the deploy stops.
    """
    fix = "Set `app_files_context_dir` to a directory that contains every entry, and list the entries relative to it."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            app_files = ["../shared"]
            ''',
            files={"apps/web.py": "", "shared/util.py": ""},
            expect=["3:14"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            app_files = ["shared"]
            app_files_context_dir = "."
            ''',
            files={"apps/web.py": "", "shared/util.py": ""},
        )
    ]

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        files = app.app_files
        if files is None or files.upload is None:
            return
        for index, (entry, result) in enumerate(zip(files.entries, files.upload.sources)):
            if not result.errors:
                continue
            yield self.at(
                app,
                ("app_files", index),
                f"fal cannot upload app_files entry {code(entry)} and stops: "
                + fal_error_text(entry, result.errors),
                help="set app_files_context_dir to a directory that contains every entry "
                "(relative to the pyproject directory) and list the entries relative to it",
            )
