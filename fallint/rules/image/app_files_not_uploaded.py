"""FAL430 `app-files-not-uploaded`: An app_files entry that fal skips (missing, a wildcard, ignored)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.loading import fs
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.util.suggest import did_you_mean
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.model.project import App
from fallint.model.app_files import AppFiles

_WILDCARDS = frozenset("*?[")


@register
class AppFilesNotUploaded(Rule):
    code = "FAL430"
    name = "app-files-not-uploaded"
    severity = WARNING
    summary = "An app_files entry that fal skips (missing, a wildcard, ignored)"
    what = """
        An `app_files` entry fal will not upload: the path does not exist relative to
        the directory fal resolves it against (`app_files_context_dir`, else the
        directory of the `ref` file), it contains a wildcard (fal does not expand
        them), it matches `app_files_ignore`, or it is a directory with nothing fal
        would upload.
    """
    why = """
        fal prints `... was not found, it will be skipped` (or nothing at all) and
        deploys without the file; the app then fails at runtime when it opens it.
    """
    fix = "Fix the path, list a directory instead of a wildcard, or set `app_files_context_dir`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            app_files = ["assets", "models/*.json"]
            ''',
            files={"apps/web.py": "", "assets/logo.png": "", "apps/models/a.json": ""},
            expect=["3:14", "3:24"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            app_files = ["assets", "apps/models"]
            app_files_context_dir = "."
            ''',
            files={"apps/web.py": "", "assets/logo.png": "", "apps/models/a.json": ""},
        )
    ]

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        files = app.app_files
        if files is None or not files.base_ok or files.upload is None or files.upload.truncated:
            return
        for index, (entry, result) in enumerate(zip(files.entries, files.upload.sources)):
            problem = self._problem(files, entry, result)
            if problem is not None:
                message, help = problem
                yield self.at(app, ("app_files", index), message, help=help)

    @staticmethod
    def _problem(files: AppFiles, entry: str, result) -> tuple[str, str] | None:
        where = files.base_display
        if result.status == "not-found":
            if _WILDCARDS & set(entry):
                return (
                    f"app_files entry {code(entry)} contains a wildcard, but fal does not "
                    "expand wildcards: it finds no path with that name and skips it",
                    "list the directory that holds the files, or each file",
                )
            return (
                f"app_files entry {code(entry)} does not exist in {where}: fal skips it "
                "(`was not found, it will be skipped`)",
                _missing_help(files, entry),
            )
        if result.status == "ignored":
            pattern = files.ignored_by(entry.lstrip("/")) or files.ignored_by(entry)
            by = f" pattern {code(pattern)}" if pattern else ""
            return (
                f"app_files entry {code(entry)} matches app_files_ignore{by}: fal skips it",
                "remove the entry, or narrow the app_files_ignore pattern",
            )
        if result.status == "uploaded" and not result.files and not result.errors:
            return (
                f"app_files entry {code(entry)} is a directory with no file fal uploads (it is "
                "empty, or app_files_ignore matches every file in it)",
                "put the files in it, or remove the entry",
            )
        return None


def _missing_help(files: AppFiles, entry: str) -> str:
    root = files.app.project.root
    if files.origin == "ref" and files.base is not None and fs.exists(root / entry):
        return (
            f"{code(entry)} exists in the pyproject directory, but app_files are relative to "
            f"the directory of the ref file; add `app_files_context_dir = \".\"`"
        )
    if files.base is not None:
        parent, _, name = entry.rstrip("/").rpartition("/")
        names = files.app.project.files.listdir(files.base / parent) if name else []
        close = did_you_mean(name, names)
        if close:
            return f"did you mean {code((parent + '/' if parent else '') + close)}?"
    origin = (
        "app_files_context_dir" if files.origin == "context_dir" else "the directory of the ref file"
    )
    return f"app_files are relative to {origin}"
