"""43x: ``app_files``, the files fal uploads next to a (non-container) app.

What fal 1.83.0 does with them (``fal/cli/_utils.py``, ``fal/file_sync.py``,
``fal/api/api.py``, ``fal/utils.py``):

* the entries are resolved against ``app_files_context_dir`` (relative to the
  pyproject directory) when it is set, else against the directory of the
  app's ``ref`` file -- *not* the pyproject directory -- and, for a
  ``python_entry_point`` app, against the working directory of ``fal deploy``
  (unknown here, so those apps are only checked with a context dir);
* each entry is a literal path: no wildcard expansion. A path that does not
  exist is skipped with a printed note (``was not found, it will be
  skipped``); one matching ``app_files_ignore`` is skipped silently;
* symlinks are resolved; a path resolving outside the context directory
  (``../x``, an absolute path elsewhere, a symlink out) makes fal raise
  ``Parent directory reference is not allowed``, a file over 1 GiB
  ``FileTooLargeError``;
* ``app_files_ignore`` entries are compiled with :func:`re.compile` (fal
  raises on an invalid one) and searched in context-relative paths; without
  them fal ignores ``\\.pyc$``, ``__pycache__/``, ``\\.git/``, ``\\.DS_Store$``.

A class that sets ``app_files`` itself wins over the TOML's (fal uses the
TOML value only as a fallback); these rules check the TOML entries as
written.
"""

from __future__ import annotations

import os
import sys
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from fallint.util.records import dataclass
from fallint.rules.registry import ERROR, WARNING, Example, Rule, register
from fallint.util.suggest import did_you_mean
from fallint.util.text import code
from fallint.rules.image import fal_error_text, string_offset_location

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.formats.dockerignore import FalUpload
    from fallint.model.project import App

#: ``fal.app.DEFAULT_APP_FILES_IGNORE`` (used when app_files_ignore is not set)
DEFAULT_APP_FILES_IGNORE = (r"\.pyc$", r"__pycache__/", r"\.git/", r"\.DS_Store$")

_WILDCARDS = frozenset("*?[")


def _compile(pattern: str):
    """``(regex, None)`` or ``(None, re.error)`` for one app_files_ignore entry."""
    import re
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(pattern), None
    except re.error as exc:
        if sys.version_info < (3, 11) and (
            str(exc.msg).startswith("multiple repeat") or "?>" in str(exc.msg)
        ):
            return None, None  # possessive quantifiers / atomic groups: valid on 3.11+
        return None, exc
    except (RecursionError, OverflowError, ValueError):
        return None, None  # cannot tell: say nothing


@dataclass(eq=False)
class AppFiles:
    """An app's ``app_files`` as fal collects them."""

    app: "App"
    entries: list[str]
    #: the directory the entries are relative to (``None``: not known statically)
    base: Path | None
    #: how ``base`` was chosen: ``"context_dir"`` or ``"ref"``
    origin: str

    @property
    def base_display(self) -> str:
        """``base`` relative to the pyproject directory, for messages."""
        if self.base is None:
            return "?"
        try:
            rel = os.path.relpath(self.base, os.path.realpath(self.app.project.root))
        except ValueError:
            return str(self.base)
        return "the pyproject directory" if rel == "." else code(Path(rel).as_posix() + "/")

    @cached_property
    def base_ok(self) -> bool:
        return self.base is not None and self.base.is_dir()

    @cached_property
    def patterns(self) -> list:
        raw = self.app.table.get("app_files_ignore")
        if not (isinstance(raw, list) and all(isinstance(p, str) for p in raw)):
            raw = list(DEFAULT_APP_FILES_IGNORE)
        return [regex for regex, _ in map(_compile, raw) if regex is not None]

    @cached_property
    def upload(self) -> "FalUpload | None":
        if self.base is None:
            return None
        from fallint.formats.dockerignore import fal_collect

        return fal_collect(
            self.base, self.entries, self.patterns, context_name="app files context directory"
        )

    def ignored_by(self, rel: str) -> str | None:
        return next((p.pattern for p in self.patterns if p.search(rel)), None)


def app_files_of(app: "App") -> AppFiles | None:
    """The app's TOML ``app_files`` (a list of strings) when fal uses them:
    not for a container app (FAL401 reports that)."""

    def make() -> AppFiles | None:
        entries = app.table.get("app_files")
        if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
            return None
        if "image" in app.table:
            return None
        root = app.project.root
        context_dir = app.table.get("app_files_context_dir")
        if isinstance(context_dir, str) and context_dir:
            path = Path(context_dir)
            base = Path(os.path.realpath(path if path.is_absolute() else root / path))
            return AppFiles(app, entries, base, "context_dir")
        ref = app.table.get("ref")
        if isinstance(ref, str) and "python_entry_point" not in app.table:
            file_part = ref.split("::", 1)[0] if ref.find("::") > 1 else ref
            target = Path(os.path.realpath(root / file_part))
            return AppFiles(app, entries, target if target.is_dir() else target.parent, "ref")
        return AppFiles(app, entries, None, "")

    return app.project.memo(("app-files", app.key), make)


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
        files = app_files_of(app)
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
    if files.origin == "ref" and files.base is not None and (root / entry).exists():
        return (
            f"{code(entry)} exists in the pyproject directory, but app_files are relative to "
            f"the directory of the ref file; add `app_files_context_dir = \".\"`"
        )
    if files.base is not None:
        parent, _, name = entry.rstrip("/").rpartition("/")
        try:
            names = os.listdir(files.base / parent) if name else []
        except OSError:
            names = []
        close = did_you_mean(name, names)
        if close:
            return f"did you mean {code((parent + '/' if parent else '') + close)}?"
    origin = (
        "app_files_context_dir" if files.origin == "context_dir" else "the directory of the ref file"
    )
    return f"app_files are relative to {origin}"


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
        files = app_files_of(app)
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
        files = app_files_of(app)
        if files is None or files.origin != "context_dir" or files.base_ok:
            return
        value = app.table["app_files_context_dir"]
        assert files.base is not None
        if files.base.exists():
            message = f"app_files_context_dir {code(value)} is a file, not a directory"
            help = "point it at the directory that holds the app files"
        else:
            message = f"app_files_context_dir {code(value)} does not exist"
            root = app.project.root
            parent = Path(value).parent
            try:
                names = [n for n in os.listdir(root / parent) if (root / parent / n).is_dir()]
            except OSError:
                names = []
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


@register
class AppFilesIgnoreInvalidRegex(Rule):
    code = "FAL433"
    name = "app-files-ignore-invalid-regex"
    severity = ERROR
    summary = "An app_files_ignore entry is not a valid regular expression"
    what = """
        An `app_files_ignore` entry that Python's `re` module cannot compile. The
        entries are regular expressions searched in the relative paths, not globs:
        `*.log` is invalid, `\\.log$` is meant.
    """
    why = "fal compiles every entry with `re.compile` before uploading and raises `re.error`."
    fix = "Write a regular expression (`'\\.log$'` as a TOML literal string avoids doubling backslashes)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_ignore = ['\\.pyc$', '*.log']
            ''',
            files={"app.py": "", "assets/logo.png": ""},
            expect=["4:32"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_ignore = ['\\.pyc$', '\\.log$']
            ''',
            files={"app.py": "", "assets/logo.png": ""},
        )
    ]

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        patterns = app.table.get("app_files_ignore")
        if not isinstance(patterns, list) or "image" in app.table:
            return  # container apps do not use it
        for index, pattern in enumerate(patterns):
            if not isinstance(pattern, str):
                continue
            _, error = _compile(pattern)
            if error is None:
                continue
            pos = error.pos if isinstance(error.pos, int) else None
            path = ("app_files_ignore", index)
            location = (
                string_offset_location(app, path, pos, 1) if pos is not None else app.span(*path)
            )
            yield self.at_location(
                location,
                f"app_files_ignore entry {code(pattern)} is not a valid regular expression: "
                f"{error.msg}" + (f" at position {pos}" if pos is not None else ""),
                app=app.key,
                key=app.path + path,
                help="app_files_ignore takes regular expressions (`\\.log$`), not globs (`*.log`)",
            )
