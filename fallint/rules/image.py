"""41x-42x: container images, built from a Dockerfile or pulled by reference.

For ``image.dockerfile`` fal 1.83.0 (``fal/cli/_utils.py``,
``fal/container.py``, ``fal/file_sync.py``, ``fal/api/api.py``):

1. reads the Dockerfile (relative to the pyproject directory) and raises
   when it is missing or blank;
2. picks the ``COPY``/``ADD`` sources out of it with its own regex parse
   (:func:`fallint.dockerfile.fal_copy_sources`: literal paths only, no
   wildcard or ``$VAR`` expansion) and uploads those files, filtered by its
   reading of ``.dockerignore`` (or its default patterns when there is
   none), minus the app's own ``ref`` file, which it ships separately;
3. the remote BuildKit then builds with exactly the uploaded files as its
   context.

So a source that exists locally can still be missing from the remote build.
The rules here model both sides: what Docker would see locally
(:func:`fallint.dockerignore.match_sources` on disk) and what the remote
build sees (``available=`` the uploaded files); errors follow the remote
side, messages explain the difference.

Everything expensive (parsing, walking the context) is computed once per
project and Dockerfile and shared by the rules through :func:`build_of`.
Diagnostics inside a Dockerfile that several apps share are reported once.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .._records import dataclass
from ..diagnostics import Diagnostic, Location, Related
from ..registry import ERROR, WARNING, Example, Rule, register
from ..suggest import did_you_mean
from ..text import code

if TYPE_CHECKING:  # pragma: no cover
    from ..dockerfile import CopySource, Dockerfile, FalSources, Instruction, Word
    from ..dockerignore import DockerIgnore, FalUpload, FalUploadedSource
    from ..files import TextFile
    from ..project import App, Project

__all__ = ["Build", "build_of", "string_offset_location"]

# --------------------------------------------------------------------------
# shared helpers


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


def fal_error_text(path: str, errors: tuple[str, ...]) -> str:
    """fal's collection errors for ``path``, phrased for a message (the
    first one, ``path: `` turned into "it", plus how many more)."""
    first = errors[0]
    if first.startswith(path + ": "):
        first = "it " + first[len(path) + 2 :]
    more = len(errors) - 1
    return first + (f" (and {more} more)" if more else "")


def _split_ref_file(ref: str) -> str:
    """The file part of a ``ref`` (fal splits at the first ``::`` at index 2+)."""
    return ref.split("::", 1)[0] if ref.find("::") > 1 else ref


def _standard_syntax(df: "Dockerfile") -> bool:
    """True unless a ``# syntax=`` directive selects a non-Docker frontend
    (whose grammar fallint does not know)."""
    directive = df.directives.get("syntax")
    if directive is None:
        return True
    value = directive.value.strip().lower()
    for prefix in ("docker.io/", "index.docker.io/"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    return value.startswith("docker/dockerfile")


def reachable_stages(df: "Dockerfile") -> set[int] | None:
    """The stages BuildKit builds for the default target (the last stage):
    it and, transitively, the stages it is based on or copies / mounts
    from. ``None`` when a variable hides a dependency (then assume all)."""
    if not df.stages:
        return set()
    names = {s.name: s.index for s in df.stages if s.name}
    deps: dict[int, set[int]] = {s.index: set() for s in df.stages}
    for stage in df.stages:
        if stage.base_stage is not None:
            deps[stage.index].add(stage.base_stage)
        elif "$" in stage.base:
            return None
    for ins in df.instructions:
        if ins.stage < 0:
            continue
        refs = [ins.flags.get("from") or ""] if ins.keyword == "COPY" and "from" in ins.flags else []
        for mount in ins.flag_values("mount") if ins.keyword == "RUN" else ():
            for option in mount.split(","):
                key, _, value = option.partition("=")
                if key.strip().lower() == "from":
                    refs.append(value.strip())
        for ref in refs:
            if "$" in ref:
                return None
            if ref.lower() in names:
                deps[ins.stage].add(names[ref.lower()])
            elif ref.isdigit() and int(ref) < len(df.stages):
                deps[ins.stage].add(int(ref))
    reached: set[int] = set()
    todo = [len(df.stages) - 1]
    while todo:
        index = todo.pop()
        if index not in reached:
            reached.add(index)
            todo.extend(deps[index])
    return reached


# --------------------------------------------------------------------------
# one app's Dockerfile build


@dataclass(frozen=True)
class _Finding:
    """A result of the COPY/ADD analysis; ``kind`` selects the rule."""

    kind: str  # "missing" (FAL414) | "wildcard" (FAL415) | "upload-error" (FAL416)
    location: Location
    message: str
    help: str | None = None


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
        from ..dockerfile import parse_dockerfile

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
        ref = self.app.table.get("ref")
        if not isinstance(ref, str) or "python_entry_point" in self.app.table:
            return None
        try:
            target = os.path.realpath(self.context / _split_ref_file(ref))
            rel = Path(os.path.relpath(target, os.path.realpath(self.context)))
        except (OSError, ValueError):
            return None
        if rel.is_absolute() or rel.parts[:1] == ("..",) or str(rel) == ".":
            return None
        return rel.as_posix()

    @cached_property
    def ignore(self) -> "DockerIgnore":
        from ..dockerignore import DockerIgnore

        return self.project.memo(("ignore",), lambda: DockerIgnore.from_file(self.context))

    @cached_property
    def fal_sources(self) -> "FalSources":
        from ..dockerfile import fal_copy_sources

        text = self.text or ""
        return self.project.memo(("fal-sources", self.path), lambda: fal_copy_sources(text))

    @cached_property
    def upload(self) -> "FalUpload":
        from ..dockerignore import fal_upload

        exclude = [self.app_file] if self.app_file else []
        return self.project.memo(
            ("upload", self.path, self.app_file),
            lambda: fal_upload(self.context, self.fal_sources.paths, self.ignore, exclude=exclude),
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
    def copy_findings(self) -> list[_Finding]:
        df = self.dockerfile
        if df is None:
            return []
        # apps sharing a Dockerfile (and build args, and ref file) share the analysis
        key = ("copy-findings", self.path, self.app_file, repr(sorted(self.build_args.items())))
        return self.project.memo(key, lambda: list(_CopyAnalysis(self, df).run()))


def build_of(app: "App") -> Build | None:
    """The app's Dockerfile build, or ``None`` when it does not build one
    (no ``image`` table, ``image.image``, or a ``dockerfile`` that is not a
    string: other rules report those)."""

    def make() -> Build | None:
        image = app.table.get("image")
        if not isinstance(image, dict) or "image" in image:
            return None
        value = image.get("dockerfile")
        if not isinstance(value, str):
            return None
        path = Path(value)
        path = path if path.is_absolute() else app.project.root / path
        return Build(app, value, path, app.project.read_inside(path))

    return app.project.memo(("build", app.key), make)


def image_is_built(app: "App") -> bool:
    """False when fal reads the app's Dockerfile but never builds it or uploads
    its context: the ``ref`` target keeps its own environment (FAL604)."""
    from .ref import environment_owner

    return environment_owner(app) is None


class _BuildRule(Rule):
    """A rule about an app's Dockerfile build (``check_build``).

    A diagnostic inside a Dockerfile (not the pyproject) that an earlier app
    sharing the Dockerfile already produced is dropped.  Rules about the
    build itself (``needs_build``) skip apps whose image fal never builds.
    """

    #: False for problems fal hits while *loading* the config (a missing Dockerfile)
    needs_build = True

    def check_project(self, project: "Project") -> Iterable[Diagnostic]:
        seen: set[tuple] = set()
        for app in project.apps:
            build = build_of(app)
            if build is None or (self.needs_build and not image_is_built(app)):
                continue
            for diag in self.check_build(build):
                if diag.location.path != project.pyproject_path:
                    key = (diag.location, diag.message)
                    if key in seen:
                        continue
                    seen.add(key)
                yield diag

    def check_build(self, build: Build) -> Iterable[Diagnostic]:
        return ()

    def in_dockerfile(
        self, build: Build, location: Location, message: str, help: str | None = None
    ) -> Diagnostic:
        return self.at_location(
            location,
            message,
            app=build.app.key,
            key=build.keypath,
            help=help,
            related=build.related(),
        )


# --------------------------------------------------------------------------
# COPY / ADD sources against the context fal uploads


class _CopyAnalysis:
    """Resolve every COPY/ADD source against the uploaded context (what
    the remote build sees) and explain each difference with a local
    ``docker build`` (the context on disk minus Docker's ``.dockerignore``)."""

    def __init__(self, build: Build, df: "Dockerfile") -> None:
        self.build = build
        self.df = df
        self.ctx = build.context
        self.upload = build.upload
        self.fal = build.fal_sources
        # fal's results keyed by (instruction line, source as fal read it)
        self.fal_results: dict[tuple[int, str], "FalUploadedSource"] = {}
        for fal_src, result in zip(self.fal.sources, self.upload.sources):
            self.fal_results.setdefault((fal_src.line, fal_src.source), result)
        self.fal_lines = {s.line for s in self.fal.sources}

    def run(self) -> Iterator[_Finding]:
        failed: set[tuple[int, str]] = set()
        yield from self._upload_errors(failed)
        built = reachable_stages(self.df)
        for copy in self.df.copies(self.build.known_build_args):
            if built is not None and copy.instruction.stage not in built:
                continue  # BuildKit skips stages the final one does not need
            for src in copy.context_sources:
                if src.value is None or src.error is not None:
                    continue  # an unknown $VAR: nothing can be said
                if (copy.instruction.line, src.value.lstrip("/")) in failed:
                    continue
                yield from self._source(copy.instruction, src)

    # -- fal raises while collecting files -----------------------------------

    def _upload_errors(self, failed: set[tuple[int, str]]) -> Iterator[_Finding]:
        by_line = {ins.line: ins for ins in self.df.instructions}
        for fal_src, result in zip(self.fal.sources, self.upload.sources):
            if not result.errors:
                continue
            failed.add((fal_src.line, fal_src.source))
            ins = by_line.get(fal_src.line)
            word = self._fal_word(ins, fal_src.source) if ins is not None else None
            if word is not None:
                location = self.build.word_location(word)
            elif ins is not None:
                location = self.build.keyword_location(ins)
            else:
                location = self.build.location(fal_src.line, 1, fal_src.line, 2)
            yield _Finding(
                "upload-error",
                location,
                f"fal cannot upload COPY/ADD source {code(fal_src.source)} and stops before "
                f"building: {fal_error_text(fal_src.source, result.errors)}",
                "keep every file the build needs inside the pyproject directory (the build "
                "context), replace symlinks that point outside it by real files, or leave the "
                "path out with .dockerignore",
            )

    @staticmethod
    def _fal_word(ins: "Instruction", source: str) -> "Word | None":
        for word in ins.args[:-1]:
            text = word.text
            for candidate in (text, text.strip("\"'")):
                if candidate.lstrip("/") == source:
                    return word
        return None

    # -- one BuildKit source ------------------------------------------------------

    def _source(self, ins: "Instruction", src: "CopySource") -> Iterator[_Finding]:
        from ..dockerignore import contains_wildcards, match_sources

        value = src.value or ""
        wildcard = contains_wildcards(value)
        location = self.build.word_location(src.word)
        shown = code(src.word.text) + (
            f" (= {code(value)})" if value != src.word.text.strip("\"'") else ""
        )
        what = f"`{ins.keyword}` source {shown}"
        if self.upload.truncated:
            # too many files to model the upload: only say what is certain
            local = match_sources(self.ctx, value, self.build.ignore)
            if local.status == "missing":
                reason, help = self._missing_locally(value)
                yield _Finding("missing", location, f"{what} {reason}", help)
            return
        remote = match_sources(self.ctx, value, available=self.upload.files)
        if remote.status in ("missing", "excluded"):
            yield self._not_in_remote_context(ins, src, what, location, wildcard)
        elif remote.status == "no-match":
            yield self._wildcard_no_match(value, what, location)
        elif remote.status == "ok" and wildcard:
            yield from self._wildcard_partial(value, remote.paths, what, location)

    def _not_in_remote_context(self, ins, src, what, location, wildcard) -> _Finding:
        from ..dockerignore import match_sources

        value = src.value or ""
        local = match_sources(self.ctx, value, self.build.ignore)
        if local.status == "missing":
            reason, help = self._missing_locally(value)
            message = f"{what} {reason}; the build fails"
        elif local.status == "excluded":
            rel = value.lstrip("/")
            pattern = self.build.ignore.fal_match(rel)
            by = f" (pattern {code(pattern)})" if pattern else ""
            message = (
                f"{what} is excluded by .dockerignore{by}, so it is not in the build context; "
                "the build fails"
            )
            help = "remove the .dockerignore pattern that excludes it, or drop the COPY"
        else:
            reason, help = self._why_fal_skips(ins, src, wildcard)
            message = (
                f"{what} exists locally, but fal does not upload it: {reason}; the remote "
                "build fails (`not found`)"
            )
        return _Finding("missing", location, message, help)

    def _missing_locally(self, value: str) -> tuple[str, str]:
        from ..dockerignore import contains_wildcards, go_clean

        rel = go_clean(value.lstrip("/")) if value.strip("/") else "."
        if contains_wildcards(rel):
            parts = rel.split("/")
            first_wild = next(i for i, part in enumerate(parts) if contains_wildcards(part))
            base = "/".join(parts[:first_wild]) or "."
            return (
                f"needs directory {code(base)}, which does not exist in the build context "
                "(the pyproject directory)",
                "fix the path: COPY sources are relative to the pyproject directory",
            )
        parent, _, name = rel.rpartition("/")
        hint = None
        try:
            names = sorted(os.listdir(self.ctx / parent)) if name else []
        except OSError:
            names = []
        close = did_you_mean(name, names)
        if close:
            hint = f"did you mean {code((parent + '/' if parent else '') + close)}?"
        leading = " (a leading `/` means the context root)" if value.startswith("/") else ""
        return (
            f"does not exist in the build context (the pyproject directory){leading}",
            hint or "fix the path: COPY sources are relative to the pyproject directory",
        )

    def _why_fal_skips(self, ins, src, wildcard: bool) -> tuple[str, str]:
        """Why a source that Docker would find is not in fal's upload."""
        value = (src.value or "").lstrip("/")
        rel = _clean(value)
        rel_dir = rel.split("/")[0]
        if "$" in src.word.text:
            return (
                f"fal does not expand variables when it collects the files to upload (it looks "
                f"for a file literally named {code(src.word.text.strip(chr(34) + chr(39)).lstrip('/'))})",
                "write the path literally in the instruction",
            )
        if wildcard:
            return (
                "fal uploads only literal COPY/ADD paths (it does not expand wildcards), and "
                f"no other instruction uploads anything under {code(rel_dir + '/')}",
                "COPY the directory instead (fal uploads a directory with its contents), or "
                "name the files literally",
            )
        result = self.fal_results.get((ins.line, value))
        if result is None:
            return self._not_parsed_by_fal(ins)
        if result.status == "ignored":
            return self._ignored_by_fal(rel)
        target = self._symlink_target(rel)
        if result.status == "uploaded" and target is not None:
            if result.files:
                return (
                    f"fal resolves symlinks and uploads it under its target's path {code(target)}",
                    f"COPY {code(target)} instead, or replace the symlink by the file itself",
                )
            reason, help = self._ignored_by_fal(target)
            return f"it is a symlink to {code(target)}, and {reason}", help
        if result.status == "uploaded":
            pattern = self.build.ignore.fal_match(rel)
            if pattern is not None:
                return (
                    f"fal's reading of .dockerignore pattern {code(pattern)} excludes every "
                    f"file below {code(rel + '/')}, and fal uploads files, not directories",
                    "make the .dockerignore pattern more specific (e.g. anchor it with a "
                    "leading `/`)",
                )
            return (
                f"fal uploads files, not directories, and no file below {code(rel + '/')} "
                "survives its ignore patterns (or the directory is empty)",
                "put the files the image needs in it, or drop the instruction",
            )
        return (
            "fal's own parse of the Dockerfile does not find this path",
            "write the source as a plain relative path",
        )

    def _symlink_target(self, rel: str) -> str | None:
        """The context-relative target of ``rel`` when a symlink changes where it
        resolves to (``None`` otherwise, or when it leaves the context)."""
        root = os.path.realpath(self.ctx)
        target = os.path.realpath(os.path.join(root, rel))
        if target == os.path.normpath(os.path.join(root, rel)):
            return None
        inner = os.path.relpath(target, root)
        return None if inner.startswith("..") else Path(inner).as_posix()

    def _not_parsed_by_fal(self, ins) -> tuple[str, str]:
        rest_failed = any(line == ins.line for line, _ in self.fal.failures)
        if ins.keyword == "ADD" and re.search(r"https?://", ins.logical, re.IGNORECASE):
            return (
                "fal skips every ADD instruction that mentions a URL, local sources included",
                "ADD the URL in one instruction and COPY the local files in another",
            )
        if rest_failed:
            return (
                "fal cannot parse the instruction's arguments (it prints a warning and uploads "
                "nothing for it)",
                "simplify the instruction: plain paths, balanced quotes",
            )
        if ins.column > 1:
            return (
                "fal only reads COPY/ADD instructions that start at the beginning of a line, "
                "and this one is indented",
                "start the instruction at column 1",
            )
        if ins.line not in self.fal_lines:
            return (
                "fal reads COPY/ADD with a simple line-based parse that does not follow this "
                "instruction (comment lines inside it, or a `# escape=` directive)",
                "write the instruction on one line, or continue it with plain `\\` lines",
            )
        return (
            "fal's own parse of the instruction does not find this path",
            "write the source as a plain relative path",
        )

    def _ignored_by_fal(self, rel: str) -> tuple[str, str]:
        build = self.build
        if build.app_file is not None and rel == build.app_file:
            return (
                "it is the app's own `ref` file, which fal ships separately and leaves out of "
                "the build context",
                "do not COPY the app file: fal provides it to the app",
            )
        matches = build.ignore.fal_matches(rel) or build.ignore.fal_matches(rel + "/")
        negations = [m for m in matches if m.startswith("!")]
        pattern = (negations or matches or [None])[0]
        shown = code(pattern) if pattern else "a pattern"
        if not build.ignore.exists:
            return (
                f"without a .dockerignore fal applies its default ignore patterns, and {shown} "
                "matches it",
                "add a .dockerignore (fal then uses it instead of its defaults)",
            )
        if pattern and pattern.startswith("!"):
            return (
                f"fal reads the exception {shown} in .dockerignore as one more exclusion",
                "remove the `!` line and the pattern that excludes the path",
            )
        return (
            f"fal's reading of .dockerignore pattern {shown} excludes it (fal reads patterns "
            "like .gitignore, where one without `/` matches at any depth)",
            "make the .dockerignore pattern more specific (e.g. anchor it with a leading `/`)",
        )

    # -- wildcards ------------------------------------------------------------------

    def _local_wildcard_matches(self, value: str) -> list[str]:
        """Local matches fal would upload if it expanded wildcards (not
        excluded by its ignore patterns or as the app file)."""
        from ..dockerignore import match_sources

        local = match_sources(self.ctx, value, self.build.ignore)
        if local.status != "ok":
            return []
        ignore = self.build.ignore
        return [
            p for p in local.paths if not ignore.fal_excluded(p) and p != self.build.app_file
        ]

    def _wildcard_no_match(self, value: str, what: str, location: Location) -> _Finding:
        local = self._local_wildcard_matches(value)
        if local:
            message = (
                f"{what} matches {_count(local)} locally, but fal uploads only literal COPY/ADD "
                "paths (it does not expand wildcards), so the remote build matches nothing and "
                "copies nothing"
            )
            help = "COPY the directory, or name the files literally"
        else:
            message = f"{what} matches no file in the build context; the build copies nothing"
            help = "fix the pattern, or drop the instruction"
        return _Finding("wildcard", location, message, help)

    def _wildcard_partial(self, value, remote_paths, what, location) -> Iterator[_Finding]:
        remote = set(remote_paths)
        left_out = [p for p in self._local_wildcard_matches(value) if p not in remote]
        if left_out:
            names = ", ".join(code(p) for p in left_out[:3]) + (" ..." if len(left_out) > 3 else "")
            yield _Finding(
                "wildcard",
                location,
                f"{what} also matches {names} locally, but fal uploads only literal COPY/ADD "
                "paths (it does not expand wildcards), so the remote build leaves "
                f"{'it' if len(left_out) == 1 else 'them'} out",
                "COPY the directory, or name the files literally",
            )


def _clean(path: str) -> str:
    """A context-relative path as fal's lexical relpath gives it."""
    from ..dockerignore import go_clean

    return go_clean(path.lstrip("/")) if path.strip("/") else "."


def _count(paths: list[str]) -> str:
    return f"{len(paths)} path" + ("" if len(paths) == 1 else "s")


# --------------------------------------------------------------------------
# the Dockerfile itself


@register
class DockerfileUnreadable(_BuildRule):
    code = "FAL410"
    needs_build = False  # fal opens the Dockerfile while loading the app
    name = "dockerfile-unreadable"
    severity = ERROR
    summary = "image.dockerfile is missing, a directory, unreadable or empty"
    what = """
        An `image.dockerfile` that does not name a readable, non-empty text file:
        the path does not exist, is a directory, cannot be read, is not UTF-8 text,
        is binary, or is empty / only whitespace.
    """
    why = """
        fal reads the Dockerfile when it loads the app, relative to the pyproject
        directory. It raises `image.dockerfile not found` for a missing file and
        `Invalid dockerfile: Dockerfile is required` for a blank one; a directory,
        an unreadable or undecodable file makes the read itself fail.
    """
    fix = "Point `image.dockerfile` at the Dockerfile, relative to the directory of pyproject.toml."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "docker/Dockerfile" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            expect=["3:24"],
        ),
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "\n  \n"},
            expect=["2:14"],
            title="blank Dockerfile",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "docker/Dockerfile" }
            ''',
            files={"docker/Dockerfile": "FROM python:3.12-slim\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        problem = self._problem(build)
        if problem is not None:
            message, help = problem
            yield self.at(build.app, ("image", "dockerfile"), message, help=help)

    @staticmethod
    def _problem(build: Build) -> tuple[str, str | None] | None:
        shown = code(build.value)
        file = build.file
        if not build.value.strip():
            return (
                "image.dockerfile is empty: fal opens the project directory instead of a "
                "Dockerfile and fails",
                'set it to the Dockerfile\'s path, e.g. `dockerfile = "Dockerfile"`',
            )
        if file.error == "missing":
            return (
                f"Dockerfile {shown} does not exist (fal raises `image.dockerfile not found`)",
                _suggest_dockerfile(build),
            )
        if file.error == "directory":
            inner = build.path / "Dockerfile"
            help = (
                f"did you mean {code(build.value.rstrip('/') + '/Dockerfile')}?"
                if inner.is_file()
                else "point image.dockerfile at the Dockerfile inside it"
            )
            return f"image.dockerfile {shown} is a directory, not a Dockerfile", help
        if file.error in ("unreadable", "not-utf8", "binary"):
            help = "save the Dockerfile as UTF-8 text" if file.error == "not-utf8" else None
            return f"Dockerfile {shown} {file.message}; fal cannot read it", help
        if file.text is not None and not file.text.strip():
            return (
                f"Dockerfile {shown} is empty (fal raises `Invalid dockerfile: Dockerfile is "
                "required`)",
                "write the build instructions, starting with `FROM <base image>`",
            )
        return None  # readable (or too large to check)


def _suggest_dockerfile(build: Build) -> str | None:
    parent = build.path.parent
    try:
        names = [n for n in os.listdir(parent) if (parent / n).is_file()]
    except OSError:
        return None
    close = did_you_mean(build.path.name, names)
    if close is None:
        return None
    rel = Path(build.value).parent / close
    return f"did you mean {code(rel.as_posix())}?"


@register
class DockerfileNoFrom(_BuildRule):
    code = "FAL411"
    name = "dockerfile-no-from"
    severity = ERROR
    summary = "The Dockerfile has no FROM instruction"
    what = "A Dockerfile without any `FROM` instruction (possibly only comments and `ARG`s)."
    why = "Every build stage starts with `FROM`; without one BuildKit stops (`no build stage in current context`)."
    fix = "Start the Dockerfile with `FROM <base image>` (after any global `ARG`s)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "# base image: python\nRUN pip install fal\n"},
            expect=["Dockerfile:2:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUN pip install fal\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None or df.stages or not _standard_syntax(df):
            return
        if df.instructions:
            first = df.instructions[0]
            yield self.in_dockerfile(
                build,
                build.keyword_location(first),
                "the Dockerfile has no `FROM` instruction: BuildKit has no build stage and fails",
                help="start the build with `FROM <base image>`",
            )
        else:
            yield self.in_dockerfile(
                build,
                build.location(1, 1, 1, 2),
                "the Dockerfile has no instructions (only comments or parser directives): the "
                "build fails",
                help="start the build with `FROM <base image>`",
            )


@register
class DockerfileSyntaxError(_BuildRule):
    code = "FAL412"
    name = "dockerfile-syntax-error"
    severity = ERROR
    summary = "The Dockerfile has an error that stops the build"
    what = """
        A problem BuildKit's Dockerfile parser stops on: an unknown instruction, a
        wrong number of arguments, an unknown or malformed `--flag`, invalid JSON
        (exec) form, an unterminated heredoc, a bad parser directive, an invalid
        stage name, an instruction before the first `FROM`, a URL as `COPY` source.
    """
    why = "The remote build fails on the first of them, after fal has uploaded the build context."
    fix = "Fix the instruction at the position shown; the message is BuildKit's wording where it has one."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUNN pip install fal\nCOPY --chmod 644 app.py /app/\n"},
            expect=["Dockerfile:2:1", "Dockerfile:3:6"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nRUN pip install fal\nCOPY --chmod=644 app.py /app/\n",
                "app.py": "",
            },
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        from ..dockerfile import INSTRUCTIONS

        df = build.dockerfile
        if df is None or not _standard_syntax(df):
            return
        for problem in df.errors:
            if problem.kind == "no-instructions" or (problem.kind == "no-stage" and not df.stages):
                continue  # FAL411
            help = None
            if problem.kind == "unknown-instruction":
                word = problem.message.rpartition(" ")[2]
                close = did_you_mean(word.upper(), sorted(INSTRUCTIONS))
                help = f"did you mean `{close}`?" if close else None
            yield self.in_dockerfile(
                build,
                build.location(problem.line, problem.column, problem.end_line, problem.end_column),
                problem.message,
                help=help,
            )


@register
class DockerfileWarning(_BuildRule):
    code = "FAL413"
    name = "dockerfile-warning"
    severity = WARNING
    summary = "The Dockerfile has a construct BuildKit warns about"
    what = "An empty continuation line inside an instruction, or two stages with the same name."
    why = """
        BuildKit builds it but warns: empty continuation lines are scheduled to become
        an error, and with a duplicate stage name `--from=<name>` and `FROM <name>`
        refer to the first stage only.
    """
    fix = "Remove the empty line inside the instruction (or end the previous line without `\\`); rename the stage."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUN pip install \\\n\n    fal\n"},
            expect=["Dockerfile:2:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUN pip install \\\n    fal\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None or not _standard_syntax(df):
            return
        for problem in df.warnings:
            yield self.in_dockerfile(
                build,
                build.location(problem.line, problem.column, problem.end_line, problem.end_column),
                problem.message,
            )


# --------------------------------------------------------------------------
# COPY / ADD sources


@register
class CopySourceMissing(_BuildRule):
    code = "FAL414"
    name = "copy-source-missing"
    severity = ERROR
    summary = "A COPY/ADD source is not in the build context fal uploads"
    what = """
        A `COPY` or `ADD` source (from the build context: not `--from=<stage>`, not
        an `ADD` URL or git repository) that the remote build will not find:

        - it does not exist in the pyproject directory, or `.dockerignore` excludes it;
        - it exists locally, but fal does not upload it. fal uploads only the
          *literal* COPY/ADD paths its own simple parse finds (no wildcard or `$VAR`
          expansion), applies its own reading of `.dockerignore` (a pattern without
          `/` matches at any depth; `!` exceptions become exclusions), uses default
          ignore patterns (`*.md`, `Dockerfile`, `.env`, `venv`, ...) when there is
          no `.dockerignore`, leaves out the app's own `ref` file, skips every `ADD`
          that mentions a URL, uploads symlinks under their target's path, and
          uploads files only (an empty directory does not exist remotely).

        A wildcard whose directory exists remotely but that matches nothing is
        FAL415. Sources whose `$VAR` cannot be resolved (from `ARG` defaults and
        `image.build_args`) are not checked, nor are stages the final stage does
        not depend on (BuildKit skips them).
    """
    why = """
        BuildKit fails with `"/x": not found` when a source is missing from its
        context, and the remote build's context is exactly what fal uploaded.
    """
    fix = "Fix the path, or follow the message's hint to make fal upload the file."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY requirement.txt README.md /app/\n",
                "requirements.txt": "fal\n",
                "README.md": "# web\n",
            },
            expect=["Dockerfile:2:6", "Dockerfile:2:22"],
        ),
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY assets/*.png /app/assets/\n",
                "assets/logo.png": "",
            },
            expect=["Dockerfile:2:6"],
            title="wildcard: fal uploads nothing under assets/",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt README.md /app/\n",
                "requirements.txt": "fal\n",
                "README.md": "# web\n",
                ".dockerignore": ".git\n",
            },
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        for finding in build.copy_findings:
            if finding.kind == "missing":
                yield self.in_dockerfile(build, finding.location, finding.message, finding.help)


@register
class CopyWildcardNotUploaded(_BuildRule):
    code = "FAL415"
    name = "copy-wildcard-not-uploaded"
    severity = WARNING
    summary = "A COPY/ADD wildcard matches nothing (or less) in the context fal uploads"
    what = """
        A wildcard `COPY`/`ADD` source that matches no file in the build context fal
        uploads, or that matches files locally which fal does not upload.
    """
    why = """
        BuildKit accepts a wildcard that matches nothing and copies nothing. fal does
        not expand wildcards when it uploads the build context: files only a wildcard
        names are never uploaded, so the image silently lacks them. (When not even
        the wildcard's directory is uploaded, the build fails: that is FAL414.)
    """
    fix = "COPY the directory that holds the files, or name the files literally."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY *.py /app/\n",
                "serve.py": "",
            },
            expect=["Dockerfile:2:6"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY src/ /app/src/\nCOPY src/*.py /app/\n",
                "src/serve.py": "",
            },
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        for finding in build.copy_findings:
            if finding.kind == "wildcard":
                yield self.in_dockerfile(build, finding.location, finding.message, finding.help)


@register
class CopySourceUploadFails(_BuildRule):
    code = "FAL416"
    name = "copy-source-upload-fails"
    severity = ERROR
    summary = "fal cannot upload a COPY/ADD source (outside the context, symlink loop, file over 1 GiB)"
    what = """
        A `COPY`/`ADD` path (as fal's own parse reads it) that makes fal raise while
        collecting the build context: it leaves the pyproject directory (`../x`, or a
        symlink, possibly inside a copied directory, that resolves outside it), is a
        symlink loop, or is a file larger than 1 GiB.
    """
    why = """
        fal raises (`Parent directory reference is not allowed`, `FileTooLargeError`)
        before the build starts, so nothing is deployed.
    """
    fix = "Keep what the image needs inside the pyproject directory, as real files under 1 GiB."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nCOPY ../shared/ /app/shared/\n"},
            expect=["Dockerfile:2:6"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nCOPY shared/ /app/shared/\n", "shared/util.py": ""},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        for finding in build.copy_findings:
            if finding.kind == "upload-error":
                yield self.in_dockerfile(build, finding.location, finding.message, finding.help)


# --------------------------------------------------------------------------
# .dockerignore


def _dockerignore_builds(project: "Project") -> list[Build]:
    return [b for b in (build_of(app) for app in project.apps) if b is not None and b.text is not None]


@register
class DockerignoreBreaksFal(Rule):
    code = "FAL417"
    name = "dockerignore-breaks-fal"
    severity = ERROR
    summary = "fal cannot read .dockerignore (a pattern it rejects, or not UTF-8 text)"
    what = """
        A `.dockerignore` (in the pyproject directory, the build context) that fal
        cannot turn into ignore patterns: a line that is only `!`, a pattern ending
        in an unescaped `\\`, or a file that is not UTF-8 text.
    """
    why = """
        fal converts every line with pathspec's gitwildmatch before deploying and
        raises on these (`Invalid git pattern`); an undecodable file makes the read fail.
    """
    fix = "Delete or fix the line; save the file as UTF-8."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\n",
                ".dockerignore": ".git\n!\n",
            },
            expect=[".dockerignore:2:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n", ".dockerignore": ".git\n*.pyc\n"},
        )
    ]

    def check_project(self, project: "Project") -> Iterator[Diagnostic]:
        builds = _dockerignore_builds(project)
        if not builds:
            return
        build = builds[0]
        ignore = build.ignore
        path = project.root / ".dockerignore"
        if ignore.read_error is not None:
            tf = project.read(path)
            yield self.at_location(
                Location.point(path, tf.line, tf.column),
                f"{ignore.read_error}: fal cannot read it and stops before deploying",
                app=build.app.key,
                help="save .dockerignore as UTF-8 text" if tf.error == "not-utf8" else None,
            )
            return
        lines = ignore.text.split("\n")
        for problem in ignore.problems:
            if problem.affects != "fal":
                continue
            text = lines[problem.line - 1].strip()
            reason = problem.message.partition("stops: ")[2] or problem.message
            yield self.at_location(
                Location(path, problem.line, problem.column, problem.line, problem.end_column),
                f"fal rejects .dockerignore line {code(text)} and stops before deploying "
                f"({reason})",
                app=build.app.key,
                help="delete the line, or escape the character (`\\\\`, `\\!`)",
            )


@register
class DockerignoreFalDiffers(Rule):
    code = "FAL418"
    name = "dockerignore-fal-differs"
    severity = WARNING
    summary = "A .dockerignore pattern fal reads differently from Docker"
    what = """
        A `.dockerignore` line whose effect with fal differs from Docker's: a `!`
        exception (fal drops the `!` and *excludes* the path), or a pattern Docker
        rejects but fal accepts (a local `docker build` fails, fal does not).
    """
    why = """
        fal applies `.dockerignore` itself, as .gitignore-style patterns where any
        matching line excludes a path: re-including files with `!` does not work, and
        the files stay out of the remote build.
    """
    fix = "Exclude only what the image does not need, without `!` exceptions (e.g. exclude `docs/*.md` rather than `docs` + `!docs/README.md`)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY . /app/\n",
                ".dockerignore": "*.md\n!README.md\n",
                "README.md": "",
            },
            expect=[".dockerignore:2:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY . /app/\n",
                ".dockerignore": "docs/\nCHANGELOG.md\n",
            },
        )
    ]

    def check_project(self, project: "Project") -> Iterator[Diagnostic]:
        # how fal reads the patterns matters only where it uploads a build context
        builds = [b for b in _dockerignore_builds(project) if image_is_built(b.app)]
        if not builds:
            return
        build = builds[0]
        ignore = build.ignore
        if not ignore.exists or ignore.read_error is not None:
            return
        path = project.root / ".dockerignore"
        fal_lines = {p.line for p in ignore.problems if p.affects == "fal"}
        lines = ignore.text.split("\n")
        for problem in ignore.problems:
            if problem.affects == "docker" and problem.line not in fal_lines:
                text = lines[problem.line - 1].strip()
                yield self.at_location(
                    Location(path, problem.line, problem.column, problem.line, problem.end_column),
                    f"a local `docker build` rejects .dockerignore line {code(text)} "
                    f"({problem.message}), while fal accepts it",
                    app=build.app.key,
                    help="escape the special character (`\\[`) or fix the pattern",
                )
        for pattern in ignore.patterns:
            if not pattern.negated:
                continue
            raw = lines[pattern.line - 1].rstrip("\r")
            column = len(raw) - len(raw.lstrip()) + 1
            yield self.at_location(
                Location(path, pattern.line, column, pattern.line, column + len(pattern.text)),
                f"fal does not support `!` exceptions: it reads {code(pattern.text)} as one more "
                f"exclusion, so {code(pattern.pattern)} is left out of the uploaded build context",
                app=build.app.key,
                help="remove the exception and narrow the pattern it was meant to undo",
            )


# --------------------------------------------------------------------------
# build args, build secrets


@register
class BuildArgNotDeclared(_BuildRule):
    code = "FAL419"
    name = "build-arg-not-declared"
    severity = WARNING
    summary = "A build arg that no ARG in the Dockerfile declares"
    what = "A key of `image.build_args` that no `ARG` instruction of the Dockerfile declares."
    why = """
        Docker ignores it (`One or more build-args were not consumed`): the value never
        reaches the build, often because of a typo in the name.
    """
    fix = "Declare it with `ARG NAME` in the Dockerfile (in the stage that uses it), or fix the name."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { PYTHON_VERSON = "3.12" }
            ''',
            files={"Dockerfile": "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim\n"},
            expect=["3:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { PYTHON_VERSION = "3.12" }
            ''',
            files={"Dockerfile": "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None or not build.build_args:
            return
        declared = sorted(df.declared_arg_names)
        for name in df.unconsumed_build_args(build.build_args):
            close = did_you_mean(name, declared)
            yield self.at(
                build.app,
                ("image", "build_args", name),
                f"build arg `{name}` is not declared by any `ARG` in {code(build.value)}: the "
                "build ignores it" + (f"; did you mean `{close}`?" if close else ""),
                part="key",
                help=f"rename it to `{close}`" if close else f"add `ARG {name}` to the Dockerfile",
            )


@register
class BuildArgMissing(_BuildRule):
    code = "FAL420"
    name = "build-arg-missing"
    severity = WARNING
    summary = "An ARG without default that the build uses and build_args does not set"
    what = """
        An `ARG NAME` without a default (nor one inherited from a global `ARG`) whose
        value the build uses (`$NAME` without a `${NAME:-fallback}`), while
        `image.build_args` does not set it.
    """
    why = "fal passes only `image.build_args`, so `$NAME` expands to an empty string during the build."
    fix = "Add the value to `image.build_args`, or give the `ARG` a default (`ARG NAME=value`)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nARG FAL_VERSION\nRUN pip install fal==$FAL_VERSION\n"},
            expect=["Dockerfile:2:5"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { FAL_VERSION = "1.83.0" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nARG FAL_VERSION\nRUN pip install fal==$FAL_VERSION\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None:
            return
        built = reachable_stages(df)
        for decl in df.unsupplied_args(build.build_args):
            if built is not None and decl.stage is not None and decl.stage not in built:
                continue  # a stage BuildKit does not build
            uses = [r for r in df.references_to(decl) if not r.has_fallback]
            related = list(build.related())
            if uses:
                use = uses[0]
                related.insert(
                    0,
                    Related(
                        build.location(use.line, use.column, use.end_line, use.end_column),
                        f"`${decl.name}` used here",
                    ),
                )
            yield self.at_location(
                build.location(decl.line, decl.column, decl.line, decl.end_column),
                f"`ARG {decl.name}` has no default and image.build_args does not set it: "
                f"`${decl.name}` is empty during the build",
                app=build.app.key,
                key=build.app.path + ("image", "build_args"),
                help=f'add `{decl.name} = "..."` to image.build_args, or write `ARG {decl.name}=<default>`',
                related=related,
            )


def _literal(value: Any) -> bool:
    """A string that is not a ``$NAME`` reference to a fal secret."""
    return isinstance(value, str) and not (value.startswith("$") and len(value) > 1)


@register
class BuildSecretLiteral(Rule):
    code = "FAL421"
    name = "build-secret-literal"
    severity = WARNING
    summary = "A build secret written literally in pyproject.toml"
    what = "A value in `image.secrets` that is not a `$NAME` reference to a fal secret."
    why = """
        The secret's value then sits in pyproject.toml, usually committed to version
        control. A `$NAME` value makes fal take it from the secrets stored with
        `fal secrets set NAME=...`.
    """
    fix = "Store the value with `fal secrets set NAME=...` and write `\"$NAME\"`; rotate the exposed secret."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            secrets = { HF_TOKEN = "hf_aBcD1234" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            expect=["3:24"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            secrets = { HF_TOKEN = "$HF_TOKEN" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n"},
        )
    ]

    def check_app(self, app: "App") -> Iterator[Diagnostic]:
        secrets = app.get("image", "secrets")
        if not isinstance(secrets, dict):
            return
        for name, value in secrets.items():
            if _literal(value):
                yield self.at(
                    app,
                    ("image", "secrets", name),
                    f"build secret `{name}` is written literally in pyproject.toml, not as a "
                    "`$NAME` reference to a fal secret",
                    help=f'run `fal secrets set {name}=...` and write `"${name}"`',
                )


@register
class RegistryPasswordLiteral(Rule):
    code = "FAL423"
    name = "registry-password-literal"
    severity = WARNING
    summary = "A registry password written literally in pyproject.toml"
    what = "An `image.registries.<registry>.password` that is not a `$NAME` reference to a fal secret."
    why = """
        The registry password (or token) then sits in pyproject.toml, usually
        committed to version control; fal's documentation takes it from a secret
        (`password = "$DOCKERHUB_TOKEN"`).
    """
    fix = "Store it with `fal secrets set NAME=...`, write `password = \"$NAME\"`, and rotate the exposed token."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme", password = "ghp_x1y2z3" } }
            ''',
            expect=["3:60"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme", password = "$GHCR_TOKEN" } }
            ''',
        )
    ]

    def check_app(self, app: "App") -> Iterator[Diagnostic]:
        registries = app.get("image", "registries")
        if not isinstance(registries, dict):
            return
        for registry, entry in registries.items():
            if isinstance(entry, dict) and _literal(entry.get("password")):
                yield self.at(
                    app,
                    ("image", "registries", registry, "password"),
                    f"the password of registry `{registry}` is written literally in "
                    "pyproject.toml, not as a `$NAME` reference to a fal secret",
                    help="run `fal secrets set REGISTRY_TOKEN=...` and write "
                    '`password = "$REGISTRY_TOKEN"`',
                )


# --------------------------------------------------------------------------
# image.image


@register
class InvalidImageReference(Rule):
    code = "FAL422"
    name = "invalid-image-reference"
    severity = ERROR
    summary = "image.image is not a valid container image reference"
    what = """
        An `image.image` that Docker's reference grammar rejects: uppercase letters in
        the repository, a bad tag or digest, spaces, `$VAR` (fal passes the value
        verbatim), an empty path component, and so on.
    """
    why = "fal hands the string to its server as is; the image cannot be pulled and the deploy fails."
    fix = "Write the reference as `[registry/]repository[:tag][@sha256:<digest>]`, repository in lowercase."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/Acme/web:1.0"
            ''',
            expect=["2:18"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1.0"
            ''',
        )
    ]

    def check_app(self, app: "App") -> Iterator[Diagnostic]:
        value = app.get("image", "image")
        if not isinstance(value, str) or not value.strip():
            return  # not a string: FAL004; blank: FAL014
        from ..imageref import parse_image_reference

        problem = parse_image_reference(value).problem
        if problem is None:
            return
        yield self.at_location(
            string_offset_location(app, ("image", "image"), problem.offset, problem.length),
            f"invalid image reference {code(value)}: {problem.message}",
            app=app.key,
            key=app.path + ("image", "image"),
            help="write `[registry/]repository[:tag][@sha256:<digest>]`; repository names are lowercase",
        )
