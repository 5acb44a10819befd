"""41x-42x: container images, built from a Dockerfile or pulled by reference.

For ``image.dockerfile`` fal 1.83.0 (``fal/cli/_utils.py``,
``fal/container.py``, ``fal/file_sync.py``, ``fal/api/api.py``):

1. reads the Dockerfile (relative to the pyproject directory) and raises
   when it is missing or blank;
2. picks the ``COPY``/``ADD`` sources out of it with its own regex parse
   (:func:`fallint.formats.dockerfile.fal_copy_sources`: literal paths only, no
   wildcard or ``$VAR`` expansion) and uploads those files, filtered by its
   reading of ``.dockerignore`` (or its default patterns when there is
   none), minus the app's own ``ref`` file, which it ships separately;
3. the remote BuildKit then builds with exactly the uploaded files as its
   context.

So a source that exists locally can still be missing from the remote build.
The rules here model both sides: what Docker would see locally
(:func:`fallint.formats.dockerignore.match_sources` on disk) and what the remote
build sees (``available=`` the uploaded files); errors follow the remote
side, messages explain the difference.

Everything expensive (parsing, walking the context) is computed once per
project and Dockerfile and shared by the rules through :func:`build_of` (``app.build``).
Diagnostics inside a Dockerfile that several apps share are reported once.
The COPY/ADD analysis itself is :mod:`fallint.model.copy_analysis`."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fallint.diagnostics import Location, Related
from fallint.loading import fs
from fallint.model.copy_analysis import CopyAnalysis, Finding
from fallint.model.ref_target import environment_owner
from fallint.util.records import dataclass

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.dockerfile import (
        Dockerfile,
        FalSources,
        Instruction,
        Word,
    )
    from fallint.formats.dockerignore import (
        DockerIgnore,
        FalUpload,
        SharedUploads,
    )
    from fallint.loading.files import TextFile
    from fallint.model.project import App, Project


def string_offset_location(app: "App", path: tuple, offset: int, length: int) -> Location:
    """The characters ``[offset, offset + length)`` of the TOML string at ``path``.

    The value's span starts at its opening quote. The mapping is exact for a
    one-line literal string (``'...'``, no escapes exist) and for a one-line
    basic string without a backslash; otherwise (escapes, multi-line
    strings) the whole value is returned.
    """
    loc = app.span(*path)
    value = app.get(*path)
    if loc.line != loc.end_line or not isinstance(value, str):
        return loc
    lines = app.project.index.text.split("\n")
    if loc.line > len(lines):
        return loc
    raw = lines[loc.line - 1][loc.column - 1 : loc.end_column - 1]
    if len(raw) < 2 or raw[:3] in ('"""', "'''") or raw[0] not in "\"'" or raw[-1] != raw[0]:
        return loc
    if (raw[0] == '"' and "\\" in raw) or raw[1:-1] != value:
        return loc
    start = loc.column + 1 + max(0, min(offset, len(value)))
    return Location(loc.path, loc.line, start, loc.line, start + max(1, length))


@dataclass(eq=False)
class Build:
    """An app's ``image.dockerfile`` build, as fal runs it.

    The build context is the pyproject directory; ``path`` is the
    Dockerfile (``image.dockerfile`` relative to that directory, not
    ``~``-expanded: fal does not expand it).
    """
    app: "App"
    value: str
    path: Path
    file: "TextFile"

    @property
    def project(self) -> "Project":
        return self.app.project

    @property
    def context(self) -> Path:
        return self.app.project.root

    @property
    def keypath(self) -> tuple:
        return self.app.path + ("image", "dockerfile")

    @cached_property
    def text(self) -> str | None:
        """The Dockerfile's text when fal can read it and it is not blank."""
        if not self.value.strip() or self.file.text is None or not self.file.text.strip():
            return None
        return self.file.text

    @cached_property
    def dockerfile(self) -> "Dockerfile | None":
        text = self.text
        if text is None:
            return None
        # imported on first use: costly to import, only Dockerfile apps need it
        from fallint.formats.dockerfile import parse_dockerfile

        return self.project.memo(("parse", self.path), lambda: parse_dockerfile(text))

    @cached_property
    def build_args(self) -> dict[str, Any]:
        raw = self.app.get("image", "build_args")
        return dict(raw) if isinstance(raw, dict) else {}

    @cached_property
    def known_build_args(self) -> dict[str, str] | None:
        """The build args for ``$VAR`` expansion (``None``: some value is not a string)."""
        args = self.build_args
        return args if all(isinstance(v, str) for v in args.values()) else None

    @cached_property
    def app_file(self) -> str | None:
        """The context-relative path of the app's ``ref`` file, which fal
        leaves out of the uploaded build context."""
        ref_file = self.app.ref_file
        if ref_file is None or "python_entry_point" in self.app.table:
            return None
        try:
            target = fs.realpath(ref_file)
            rel = Path(os.path.relpath(target, fs.realpath(self.context)))
        except (OSError, ValueError):
            return None
        if rel.is_absolute() or rel.parts[:1] == ("..",) or str(rel) == ".":
            return None
        return rel.as_posix()

    @cached_property
    def ignore(self) -> "DockerIgnore":
        # imported on first use: costly to import, only Dockerfile / app_files apps need it
        from fallint.formats.dockerignore import DockerIgnore

        # a .dockerignore leading out of the project is not read (FAL424)
        return self.project.memo(("ignore",), lambda: DockerIgnore.from_file(self.context, self.project.contains))

    @cached_property
    def fal_sources(self) -> "FalSources":
        # imported on first use: costly to import, only Dockerfile apps need it
        from fallint.formats.dockerfile import fal_copy_sources

        text = self.text or ""
        return self.project.memo(("fal-sources", self.path), lambda: fal_copy_sources(text))

    @cached_property
    def shared_uploads(self) -> "SharedUploads":
        """The run's uploads over this build context: listed, matched against
        the ignore patterns and collected once, whatever the number of
        Dockerfiles and apps using it."""
        from fallint.formats.dockerignore import SharedUploads

        return self.project.memo(("shared-uploads",), SharedUploads)

    @cached_property
    def upload(self) -> "FalUpload":
        exclude = [self.app_file] if self.app_file else []
        return self.project.memo(
            ("upload", self.path, self.app_file),
            lambda: self.shared_uploads.upload(
                self.context, self.fal_sources.paths, self.ignore, exclude=exclude
            ),
        )

    def related(self) -> list[Related]:
        return [
            Related(
                self.app.span("image", "dockerfile"),
                f"the Dockerfile of app `{self.app.key}` (image.dockerfile)",
            )
        ]

    def location(self, line: int, column: int, end_line: int, end_column: int) -> Location:
        return Location(self.path, line, column, end_line, end_column)

    def word_location(self, word: "Word") -> Location:
        return self.location(word.line, word.column, word.end_line, word.end_column)

    def keyword_location(self, ins: "Instruction") -> Location:
        return self.location(ins.line, ins.column, ins.line, ins.end_column)

    @cached_property
    def copy_findings(self) -> list[Finding]:
        df = self.dockerfile
        if df is None:
            return []
        # apps sharing a Dockerfile (and build args, and ref file) share the analysis
        key = ("copy-findings", self.path, self.app_file, repr(sorted(self.build_args.items())))
        return self.project.memo(key, lambda: list(CopyAnalysis(self, df).run()))


def build_of(app: "App") -> Build | None:
    """The app's Dockerfile build, or ``None`` when it does not build one
    (no ``image`` table, ``image.image``, or a ``dockerfile`` that is not a
    string: other rules report those)."""
    image = app.table.get("image")
    if not isinstance(image, dict) or "image" in image:
        return None
    value = image.get("dockerfile")
    if not isinstance(value, str):
        return None
    path = Path(value)
    path = path if path.is_absolute() else app.project.root / path
    return Build(app, value, path, app.project.read_inside(path))


def image_is_built(app: "App") -> bool:
    """False when fal reads the app's Dockerfile but never builds it or uploads
    its context: the ``ref`` target keeps its own environment (FAL604)."""
    return environment_owner(app) is None
