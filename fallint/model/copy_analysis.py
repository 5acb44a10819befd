"""The COPY/ADD analysis of an app's Dockerfile build (:attr:`Build.copy_findings
<fallint.model.build.Build.copy_findings>`): every source resolved against the
context fal uploads (what the remote build sees), each difference from a
local ``docker build`` explained; plus the Dockerfile facts the image rules
share (the stages BuildKit builds, fal's upload errors as a phrase)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from fallint.diagnostics import Location
from fallint.loading import fs
from fallint.util.records import dataclass
from fallint.util.suggest import did_you_mean
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.dockerfile import CopySource, Dockerfile, Instruction, Word
    from fallint.formats.dockerignore import FalUploadedSource
    from fallint.model.build import Build


def fal_error_text(path: str, errors: tuple[str, ...]) -> str:
    """fal's collection errors for ``path``, phrased for a message (the
    first one, ``path: `` turned into "it", plus how many more)."""
    first = errors[0]
    if first.startswith(path + ": "):
        first = "it " + first[len(path) + 2 :]
    more = len(errors) - 1
    return first + (f" (and {more} more)" if more else "")


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


@dataclass(frozen=True)
class Finding:
    """A result of the COPY/ADD analysis; ``kind`` selects the rule."""
    kind: str  # "missing" (FAL414) | "wildcard" (FAL415) | "upload-error" (FAL416)
    location: Location
    message: str
    help: str | None = None


class CopyAnalysis:
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

    def run(self) -> Iterator[Finding]:
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

    def _upload_errors(self, failed: set[tuple[int, str]]) -> Iterator[Finding]:
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
            yield Finding(
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

    def _source(self, ins: "Instruction", src: "CopySource") -> Iterator[Finding]:
        # imported on first use: costly to import, only Dockerfile / app_files apps need it
        from fallint.formats.dockerignore import contains_wildcards, match_sources

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
                yield Finding("missing", location, f"{what} {reason}", help)
            return
        remote = match_sources(self.ctx, value, tree=self.build.shared_uploads.tree(self.upload))
        if remote.status in ("missing", "excluded"):
            yield self._not_in_remote_context(ins, src, what, location, wildcard)
        elif remote.status == "no-match":
            yield self._wildcard_no_match(value, what, location)
        elif remote.status == "ok" and wildcard:
            yield from self._wildcard_partial(value, remote.paths, what, location)

    def _not_in_remote_context(self, ins, src, what, location, wildcard) -> Finding:
        # imported on first use: costly to import, only Dockerfile / app_files apps need it
        from fallint.formats.dockerignore import match_sources

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
        return Finding("missing", location, message, help)

    def _missing_locally(self, value: str) -> tuple[str, str]:
        # imported on first use: costly to import, only Dockerfile / app_files apps need it
        from fallint.formats.dockerignore import contains_wildcards, go_clean

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
            names = sorted(self.build.project.files.listdir(self.ctx / parent)) if name else []
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
        root = fs.realpath(self.ctx)
        target = fs.realpath(os.path.join(root, rel))
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
        # imported on first use: costly to import, only Dockerfile / app_files apps need it
        from fallint.formats.dockerignore import match_sources

        local = match_sources(self.ctx, value, self.build.ignore)
        if local.status != "ok":
            return []
        ignore = self.build.ignore
        return [
            p for p in local.paths if not ignore.fal_excluded(p) and p != self.build.app_file
        ]

    def _wildcard_no_match(self, value: str, what: str, location: Location) -> Finding:
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
        return Finding("wildcard", location, message, help)

    def _wildcard_partial(self, value, remote_paths, what, location) -> Iterator[Finding]:
        remote = set(remote_paths)
        left_out = [p for p in self._local_wildcard_matches(value) if p not in remote]
        if left_out:
            names = ", ".join(code(p) for p in left_out[:3]) + (" ..." if len(left_out) > 3 else "")
            yield Finding(
                "wildcard",
                location,
                f"{what} also matches {names} locally, but fal uploads only literal COPY/ADD "
                "paths (it does not expand wildcards), so the remote build leaves "
                f"{'it' if len(left_out) == 1 else 'them'} out",
                "COPY the directory, or name the files literally",
            )


def _clean(path: str) -> str:
    """A context-relative path as fal's lexical relpath gives it."""
    # imported on first use: costly to import, only Dockerfile / app_files apps need it
    from fallint.formats.dockerignore import go_clean

    return go_clean(path.lstrip("/")) if path.strip("/") else "."


def _count(paths: list[str]) -> str:
    return f"{len(paths)} path" + ("" if len(paths) == 1 else "s")
