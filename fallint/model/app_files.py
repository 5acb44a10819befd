r"""43x: ``app_files``, the files fal uploads next to a (non-container) app.

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
  them fal ignores ``\.pyc$``, ``__pycache__/``, ``\.git/``, ``\.DS_Store$``.

A class that sets ``app_files`` itself wins over the TOML's (fal uses the
TOML value only as a fallback); these rules check the TOML entries as
written."""

from __future__ import annotations

import os
import re
import sys
import warnings
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from fallint.loading import fs
from fallint.model.fal import DEFAULT_APP_FILES_IGNORE
from fallint.util.records import dataclass
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.dockerignore import FalUpload
    from fallint.model.project import App




def compile_ignore_pattern(pattern: str):
    """``(regex, None)`` or ``(None, re.error)`` for one app_files_ignore entry."""
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
            rel = os.path.relpath(self.base, fs.realpath(self.app.project.root))
        except ValueError:
            return str(self.base)
        return "the pyproject directory" if rel == "." else code(Path(rel).as_posix() + "/")

    @cached_property
    def base_ok(self) -> bool:
        return self.base is not None and fs.isdir(self.base)

    @cached_property
    def patterns(self) -> list:
        raw = self.app.table.get("app_files_ignore")
        if not (isinstance(raw, list) and all(isinstance(p, str) for p in raw)):
            raw = list(DEFAULT_APP_FILES_IGNORE)
        return [regex for regex, _ in map(compile_ignore_pattern, raw) if regex is not None]

    @cached_property
    def upload(self) -> "FalUpload | None":
        if self.base is None:
            return None
        # imported on first use: costly to import, only Dockerfile / app_files apps need it
        from fallint.formats.dockerignore import fal_collect

        return fal_collect(
            self.base, self.entries, self.patterns, context_name="app files context directory"
        )

    def ignored_by(self, rel: str) -> str | None:
        return next((p.pattern for p in self.patterns if p.search(rel)), None)


def app_files_of(app: "App") -> AppFiles | None:
    """The app's TOML ``app_files`` (a list of strings) when fal uses them:
    not for a container app (FAL401 reports that)."""
    entries = app.table.get("app_files")
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return None
    if "image" in app.table:
        return None
    root = app.project.root
    context_dir = app.table.get("app_files_context_dir")
    if isinstance(context_dir, str) and context_dir:
        path = Path(context_dir)
        base = Path(fs.realpath(path if path.is_absolute() else root / path))
        return AppFiles(app, entries, base, "context_dir")
    if app.ref_file is not None and "python_entry_point" not in app.table:
        target = Path(fs.realpath(app.ref_file))
        return AppFiles(app, entries, target if fs.isdir(target) else target.parent, "ref")
    return AppFiles(app, entries, None, "")

