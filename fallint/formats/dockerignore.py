"""``.dockerignore`` matching and COPY/ADD source resolution.

Two flavours of ignore semantics live here, because fal 1.83.0 does not let
Docker apply ``.dockerignore``: it uploads the build context itself.

Docker / BuildKit (:meth:`DockerIgnore.excluded`), from
``moby/patternmatcher`` and ``ignorefile.ReadAll``:

* a line starting with ``#`` (in column 1) is a comment; other lines are
  trimmed; blank lines are skipped; ``!`` negates;
* each pattern is cleaned like Go's ``filepath.Clean`` and a leading ``/``
  dropped, so patterns are always relative to the context root: ``foo``
  matches only ``./foo`` (not ``a/foo``);
* ``*`` and ``?`` do not cross ``/``; ``[...]`` and ``\\`` escapes follow
  ``filepath.Match``; ``**`` matches any number of directories;
* the last matching pattern wins; a pattern that matches a directory
  excludes everything below it, *but* a later ``!`` pattern can re-include
  a path below an excluded directory (``docs`` + ``!docs/README.md`` keeps
  ``docs/README.md``; BuildKit then also sends the parent directories). This
  differs from git, where a file below an excluded directory can never be
  re-included;
* ``!`` alone, or a pattern ``filepath.Match`` rejects (``[a``, a trailing
  ``\\``), makes the build fail.

fal 1.83.0 (:meth:`DockerIgnore.fal_excluded`, ``fal/container.py`` and
``fal/file_sync.py``): the patterns are converted with pathspec's
gitwildmatch (gitignore rules: a pattern without ``/`` matches at any
depth, ``foo/`` matches directories) and a path is ignored when *any* of
them matches it -- including ``!`` patterns, whose negation fal drops, so
``!keep.txt`` *ignores* ``keep.txt``. Without a ``.dockerignore`` fal uses
its own defaults (:data:`FAL_DEFAULT_PATTERNS`, e.g. ``*.md``). A pattern
gitwildmatch rejects (``!`` alone, a trailing ``\\``) makes fal raise before
deploying.

For a remote build fal uploads only the files named by COPY/ADD sources as
fal parses them (:func:`fal_upload`, fed by
:func:`fallint.formats.dockerfile.fal_copy_sources`): literal paths only -- fal does
not expand wildcards or ``$VAR`` -- with symlinks resolved (a file is
uploaded under its target's path). The remote BuildKit then resolves each
real COPY source against that set: :func:`match_sources` with
``available=upload.files``. Without ``available`` it resolves against the
context directory on disk with Docker's ignore semantics, as a local
``docker build`` would.

Size: two pattern languages (Docker's Go filepath.Match rules and the
gitignore rules fal applies to the same file), a bounded walk of the build
context, and fal's upload collection, which combines them.
"""

from __future__ import annotations

import os
import re
import stat
import warnings
from collections.abc import Callable, Collection, Iterable, Iterator
from collections.abc import Set as AbstractSet
from functools import lru_cache
from pathlib import Path, PurePosixPath

from fallint.util.records import dataclass, field
from fallint.loading import fs
from fallint.loading.files import real_path

__all__ = [
    "FAL_DEFAULT_PATTERNS",
    "BadPattern",
    "DockerIgnore",
    "FalUpload",
    "FalUploadedSource",
    "IgnorePattern",
    "IgnoreProblem",
    "SourceMatch",
    "contains_wildcards",
    "fal_collect",
    "fal_upload",
    "go_clean",
    "go_match",
    "match_sources",
    "source_exists",
]

#: fal 1.83.0 ``DEFAULT_DOCKERIGNORE_PATTERNS``, used when the context has no
#: ``.dockerignore`` (gitwildmatch syntax)
FAL_DEFAULT_PATTERNS = (
    ".git", ".gitignore", ".dockerignore", "Dockerfile", "Dockerfile.*", "*.md",
    "__pycache__", "*.pyc", ".DS_Store", ".venv", "venv", ".env", "node_modules",
)  # fmt: skip

#: fal refuses files larger than this (``FileTooLargeError``)
FAL_FILE_SIZE_LIMIT = 1024 * 1024 * 1024

#: entries a single resolution may look at before giving up ("unknown")
DEFAULT_MAX_ENTRIES = 200_000

_VARIABLE = re.compile(r"\$(?:\{|\w)")


class BadPattern(ValueError):
    """A glob pattern Go's ``filepath.Match`` (or gitwildmatch) rejects."""


# --------------------------------------------------------------------------
# Go path and glob primitives


def go_clean(path: str) -> str:
    """Go's ``path.Clean`` for slash-separated paths."""
    if not path:
        return "."
    rooted = path.startswith("/")
    parts: list[str] = []
    for seg in path.split("/"):
        if seg in ("", "."):
            continue
        if seg == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(seg)
    out = "/".join(parts)
    if rooted:
        return "/" + out
    return out or "."


def _class_regex(p: str, i: int) -> tuple[str, int]:
    """Translate the ``filepath.Match`` bracket expression at ``p[i] == '['``."""
    i += 1
    negated = i < len(p) and p[i] == "^"
    if negated:
        i += 1
    ranges: list[tuple[str, str]] = []
    while True:
        if i < len(p) and p[i] == "]" and ranges:
            i += 1
            break
        lo, i = _class_char(p, i)
        hi = lo
        if p[i] == "-":
            hi, i = _class_char(p, i + 1)
        ranges.append((lo, hi))
    parts = [
        re.escape(lo) + ("-" + re.escape(hi) if hi != lo else "") for lo, hi in ranges if lo <= hi
    ]
    if not parts:
        return (r"[\s\S]" if negated else r"[^\s\S]"), i
    return "[" + ("^" if negated else "") + "".join(parts) + "]", i


def _class_char(p: str, i: int) -> tuple[str, int]:
    """``getEsc``: one (possibly escaped) character of a bracket expression."""
    if i >= len(p) or p[i] in "-]":
        raise BadPattern("syntax error in pattern")
    if p[i] == "\\":
        i += 1
        if i >= len(p):
            raise BadPattern("syntax error in pattern")
    if i + 1 >= len(p):
        raise BadPattern("syntax error in pattern: unclosed '['")
    return p[i], i + 1


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """Compile a Go ``filepath.Match`` pattern (matched against a whole name)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[":
            frag, i = _class_regex(pattern, i)
            out.append(frag)
        elif c == "\\":
            if i + 1 >= n:
                raise BadPattern("syntax error in pattern: trailing '\\'")
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(c))
            i += 1
    return re.compile("".join(out), re.DOTALL)


def go_match(pattern: str, name: str) -> bool:
    """Go's ``filepath.Match`` on a slash-separated name; raises :class:`BadPattern`."""
    return _glob_regex(pattern).fullmatch(name) is not None


def contains_wildcards(path: str) -> bool:
    """Whether BuildKit treats the COPY/ADD source ``path`` as a glob pattern."""
    return _has_wildcards(path)


def _has_wildcards(part: str) -> bool:
    """BuildKit's ``containsWildcards``: ``*``, ``?`` or ``[`` not escaped."""
    i = 0
    while i < len(part):
        if part[i] == "\\":
            i += 2
            continue
        if part[i] in "*?[":
            return True
        i += 1
    return False


# --------------------------------------------------------------------------
# Docker pattern matching (moby/patternmatcher)


class _DockerPattern:
    """One compiled pattern: exact, prefix (``foo/**``), suffix (``**/foo``) or
    regular-expression match, like ``patternmatcher.Pattern``."""

    def __init__(self, cleaned: str) -> None:
        self.cleaned = cleaned
        self.kind, self.regex = self._compile(cleaned)

    @staticmethod
    def _compile(p: str) -> tuple[str, re.Pattern[str] | None]:
        reg: list[str] = ["^"]
        kind = "exact"
        i, n, token = 0, len(p), 0
        while i < n:
            ch = p[i]
            i += 1
            if ch == "*" and i < n and p[i] == "*":
                i += 1
                if i < n and p[i] == "/":
                    i += 1
                if i >= n:
                    if kind == "exact":
                        kind = "prefix"
                    else:
                        reg.append(".*")
                        kind = "regexp"
                else:
                    reg.append("(?:.*/)?")
                    kind = "regexp"
                if token == 0:
                    kind = "suffix"
            elif ch == "*":
                reg.append("[^/]*")
                kind = "regexp"
            elif ch == "?":
                reg.append("[^/]")
                kind = "regexp"
            elif ch == "\\":
                if i < n:
                    reg.append(re.escape(p[i]))
                    i += 1
                    kind = "regexp"
                else:
                    reg.append(r"\\")
            elif ch == "[":
                frag, i = _class_regex(p, i - 1)
                reg.append(frag)
                kind = "regexp"
            else:
                reg.append(re.escape(ch))
            token += 1
        if kind != "regexp":
            return kind, None
        return kind, re.compile("".join(reg) + r"\Z", re.DOTALL)

    def match(self, path: str) -> bool:
        if self.kind == "exact":
            return path == self.cleaned
        if self.kind == "prefix":
            return path.startswith(self.cleaned[:-2])
        if self.kind == "suffix":
            suffix = self.cleaned[2:]
            return path.endswith(suffix) or (suffix.startswith("/") and path == suffix[1:])
        assert self.regex is not None
        return self.regex.match(path) is not None


# --------------------------------------------------------------------------
# fal's conversion (pathspec 0.12 gitwildmatch)


def _git_segment(seg: str) -> str:
    """pathspec's ``_translate_segment_glob``."""
    out: list[str] = []
    i, n = 0, len(seg)
    escape = False
    while i < n:
        c = seg[i]
        i += 1
        if escape:
            escape = False
            out.append(re.escape(c))
        elif c == "\\":
            escape = True
        elif c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i
            if j < n and seg[j] in "!^":
                j += 1
            if j < n and seg[j] == "]":
                j += 1
            while j < n and seg[j] != "]":
                j += 1
            if j < n:
                j += 1
                expr = "["
                if seg[i] in "!^":
                    expr += "^"
                    i += 1
                out.append(expr + seg[i:j].replace("\\", "\\\\"))
                i = j
            else:
                out.append(r"\[")
        else:
            out.append(re.escape(c))
    if escape:
        raise BadPattern("escape character with no next character to escape")
    return "".join(out)


def _gitwildmatch_regex(pattern: str) -> str | None:
    """pathspec 0.12's ``GitWildMatchPattern.pattern_to_regex`` (regex only;
    fal ignores whether the pattern was negated). ``None`` = no-op."""
    pattern = pattern.lstrip() if pattern.endswith("\\ ") else pattern.strip()
    if not pattern or pattern.startswith("#") or pattern == "/":
        return None
    original = pattern
    if pattern.startswith("!"):
        pattern = pattern[1:]
    segs = pattern.split("/")
    for i in range(len(segs) - 1, 0, -1):
        if segs[i - 1] == "**" and segs[i] == "**":
            del segs[i]
    if len(segs) == 2 and segs[0] == "**" and not segs[1]:
        return "^.+/.*$"
    if not segs[0]:
        del segs[0]
    elif (len(segs) == 1 or (len(segs) == 2 and not segs[1])) and segs[0] != "**":
        segs.insert(0, "**")  # no '/' inside: matches at any depth
    if not segs:
        raise BadPattern(f"invalid git pattern: {original!r}")
    if not segs[-1] and len(segs) > 1:
        segs[-1] = "**"
    out = ["^"]
    need_slash = False
    end = len(segs) - 1
    for i, seg in enumerate(segs):
        if seg == "**":
            if i == 0 and i == end:
                out.append("[^/]+(?:/.*)?")
            elif i == 0:
                out.append("(?:.+/)?")
                need_slash = False
            elif i == end:
                out.append("/.*")
            else:
                out.append("(?:/.+)?")
                need_slash = True
            continue
        if need_slash:
            out.append("/")
        out.append("[^/]+" if seg == "*" else _git_segment(seg))
        if i == end:
            out.append("(?:/.*)?")
        need_slash = True
    out.append("$")
    return "".join(out)


def _compile_fal(pattern: str) -> re.Pattern[str] | None:
    regex = _gitwildmatch_regex(pattern)
    if regex is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return re.compile(regex)
    except re.error as exc:
        raise BadPattern(f"invalid pattern {pattern!r}: {exc}") from None


# --------------------------------------------------------------------------
# the ignore file


@dataclass(frozen=True)
class IgnorePattern:
    """A Docker pattern: ``text`` as written, ``pattern`` cleaned (no ``!``)."""

    text: str
    line: int
    pattern: str
    negated: bool


@dataclass(frozen=True)
class IgnoreProblem:
    """A pattern that breaks the build. ``affects`` is ``"docker"`` (the
    build fails) or ``"fal"`` (fal raises before deploying)."""

    message: str
    line: int
    column: int
    end_column: int
    affects: str


@dataclass
class DockerIgnore:
    """The ``.dockerignore`` of a build context (or none)."""

    exists: bool = False
    text: str = ""
    path: Path | None = None
    #: why the file could not be read (it then matches nothing)
    read_error: str | None = None
    #: the file is a symlink leading out of the project: not read (its
    #: patterns are unknown, so it matches nothing), see :meth:`from_file`
    outside: bool = False
    #: Docker's patterns (valid ones), in order
    patterns: tuple[IgnorePattern, ...] = ()
    #: the lines fal uses (its defaults when there is no file)
    fal_patterns: tuple[str, ...] = ()
    problems: tuple[IgnoreProblem, ...] = ()
    _docker: list[tuple[_DockerPattern, bool]] = field(default_factory=list, repr=False)
    #: fal's compiled patterns, each with the line it came from
    _fal: list[tuple[re.Pattern[str], str]] = field(default_factory=list, repr=False)

    @classmethod
    def from_text(cls, text: str, *, path: Path | None = None) -> DockerIgnore:
        ignore = cls(exists=True, text=text, path=path)
        ignore._load_docker(text)
        ignore._load_fal(
            [s for line in text.splitlines() if (s := line.strip()) and not s.startswith("#")]
        )
        return ignore

    @classmethod
    def from_file(cls, context_dir: Path | str, inside: Callable[[Path], bool] | None = None) -> DockerIgnore:
        """Read ``<context_dir>/.dockerignore``; a missing file matches nothing
        for Docker, and gives fal's default patterns for fal.  With ``inside``
        (``Project.contains``), a file it rejects (a symlink leading out of
        the project) is not read: it comes back ``outside``, matching nothing."""
        from fallint.loading.files import read_text  # noqa: PLC0415 - keep this module light

        path = Path(context_dir) / ".dockerignore"
        if inside is not None and fs.lexists(path) and not inside(path):
            return cls(exists=True, path=path, outside=True)
        result = read_text(path)
        if result.text is not None:
            return cls.from_text(result.text, path=path)
        ignore = cls(exists=False, path=path)
        if result.error != "missing":
            ignore.read_error = f".dockerignore {result.message}"
        if result.error in ("missing", "directory"):
            ignore._load_fal(list(FAL_DEFAULT_PATTERNS))
        return ignore

    @classmethod
    def empty(cls) -> DockerIgnore:
        """No ``.dockerignore`` (fal then uses its defaults)."""
        ignore = cls()
        ignore._load_fal(list(FAL_DEFAULT_PATTERNS))
        return ignore

    # -- loading ------------------------------------------------------------

    def _load_docker(self, text: str) -> None:
        patterns: list[IgnorePattern] = []
        problems: list[IgnoreProblem] = list(self.problems)
        for lineno, physical in enumerate(text.split("\n"), 1):
            raw = physical.rstrip("\r")
            if raw.startswith("#"):
                continue
            pattern = raw.strip()
            if not pattern:
                continue
            column = raw.index(pattern[0]) + 1
            span = (lineno, column, column + len(pattern))
            # ignorefile.ReadAll: clean, drop a leading '/', keep the '!' ...
            negated = pattern.startswith("!")
            body = pattern[1:].strip() if negated else pattern
            if body:
                body = go_clean(body)
                if len(body) > 1 and body.startswith("/"):
                    body = body[1:]
            # ... then patternmatcher.New cleans the whole thing again ('!/' -> '!')
            full = go_clean(("!" if negated else "") + body)
            negated = full.startswith("!")
            body = full[1:] if negated else full
            if negated and not body:
                problems.append(IgnoreProblem('illegal exclusion pattern: "!"', *span, "docker"))
                continue
            try:
                compiled = _DockerPattern(body)
                go_match(body, ".")
            except BadPattern as exc:
                problems.append(IgnoreProblem(f"{exc} ({pattern!r})", *span, "docker"))
                continue
            patterns.append(IgnorePattern(pattern, lineno, body, negated))
            self._docker.append((compiled, negated))
        self.patterns = tuple(patterns)
        self.problems = tuple(problems)

    def _load_fal(self, lines: list[str]) -> None:
        self.fal_patterns = tuple(lines)
        problems = list(self.problems)
        for pattern in lines:
            try:
                compiled = _compile_fal(pattern)
            except BadPattern as exc:
                lineno, column = self._locate(pattern)
                problems.append(
                    IgnoreProblem(
                        f"fal cannot convert this pattern and stops: {exc}",
                        lineno,
                        column,
                        column + len(pattern),
                        "fal",
                    )
                )
                continue
            if compiled is not None:
                self._fal.append((compiled, pattern))
        self.problems = tuple(problems)

    def _locate(self, pattern: str) -> tuple[int, int]:
        """Where ``pattern`` (a line as fal splits them, by ``splitlines``)
        first appears, in lines split on ``\\n`` as every position is (a form
        feed splits fal's lines, not ours); one pass for all patterns."""
        found = self.__dict__.get("_located")
        if found is None:
            found = self.__dict__["_located"] = {}
            for lineno, line in enumerate(self.text.split("\n"), 1):
                for piece in line.splitlines() or [line]:
                    key = piece.strip()
                    if key not in found:
                        found[key] = (lineno, line.index(key) + 1 if key else 1)
        return found.get(pattern, (1, 1))

    # -- matching -----------------------------------------------------------

    @property
    def has_negations(self) -> bool:
        return any(p.negated for p in self.patterns)

    def excluded(self, relpath: str) -> bool:
        """Docker's answer: is the context-relative ``relpath`` left out of the
        build context (``MatchesOrParentMatches``)?"""
        path = go_clean(relpath.lstrip("/"))
        if path == "." or not self._docker:
            return False
        parent = path.rsplit("/", 1)[0] if "/" in path else "."
        parents = parent.split("/")
        matched = False
        for pattern, negated in self._docker:
            if negated != matched:
                continue
            hit = pattern.match(path)
            if not hit and parent != ".":
                hit = any(pattern.match("/".join(parents[: k + 1])) for k in range(len(parents)))
            if hit:
                matched = not negated
        return matched

    def fal_excluded(self, relpath: str) -> bool:
        """fal 1.83.0's answer: does any pattern (negated ones included) match?"""
        return self.fal_match(relpath) is not None

    def fal_match(self, relpath: str) -> str | None:
        """The first pattern (as written) by which fal excludes ``relpath``."""
        return next((text for regex, text in self._fal if regex.search(relpath)), None)

    def fal_matches(self, relpath: str) -> list[str]:
        """Every pattern (as written) by which fal excludes ``relpath``."""
        return [text for regex, text in self._fal if regex.search(relpath)]

    @property
    def fal_regexes(self) -> list[re.Pattern[str]]:
        """The regular expressions fal matches paths against (``search``)."""
        return [regex for regex, _ in self._fal]


# --------------------------------------------------------------------------
# resolving COPY/ADD sources


@dataclass(frozen=True)
class SourceMatch:
    """What a COPY/ADD source resolves to in the build context.

    ``status``:

    * ``ok`` -- ``paths`` are the context-relative paths it names (the
      source itself, or the wildcard's matches; a directory means its
      contents are copied);
    * ``missing`` -- the path (or, for a wildcard, the directory before the
      first wildcard) does not exist: BuildKit fails with "not found";
    * ``excluded`` -- it exists but ``.dockerignore`` leaves it out of the
      context: BuildKit fails with "not found" all the same;
    * ``no-match`` -- a wildcard that matches nothing: BuildKit copies
      nothing and goes on (the legacy builder failed with "no source files
      were specified");
    * ``escapes`` -- the path leaves the context (``../x``): fal raises
      "Parent directory reference is not allowed";
    * ``unknown`` -- cannot be checked (an unexpanded ``$VAR``, or too many
      files to look at).
    """

    source: str
    status: str
    paths: tuple[str, ...] = ()
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def build_fails(self) -> bool:
        return self.status in ("missing", "excluded", "escapes")


class _TooMany(Exception):
    pass


class _DiskTree:
    """The context directory as BuildKit sees it after ``.dockerignore``."""

    def __init__(self, root: Path, ignore: DockerIgnore | None, budget: int) -> None:
        self.root = str(root)
        self.ignore = ignore
        self.budget = budget
        self._included_below: dict[str, bool] = {}

    def _spend(self, n: int = 1) -> None:
        self.budget -= n
        if self.budget < 0:
            raise _TooMany

    def resolve(self, rel: str) -> tuple[str, bool] | None:
        """Follow symlinks inside the context (absolute targets are re-rooted,
        ``..`` stops at the root, like BuildKit's ``fs.RootPath``); returns
        (resolved path, is directory) or ``None`` when missing or looping."""
        todo = [p for p in rel.split("/") if p not in ("", ".")]
        done: list[str] = []
        hops = 0
        is_dir = True
        while todo:
            name = todo.pop(0)
            if name == "..":
                if done:
                    done.pop()
                continue
            full = os.path.join(self.root, *done, name)
            self._spend()
            try:
                st = fs.lstat(full)
                if stat.S_ISLNK(st.st_mode):
                    hops += 1
                    if hops > 255:
                        return None
                    target = fs.readlink(full)
                    if target.startswith("/"):
                        done = []
                    todo[:0] = [p for p in target.split("/") if p not in ("", ".")]
                    continue
            except OSError:
                return None
            is_dir = stat.S_ISDIR(st.st_mode)
            if todo and not is_dir:
                return None
            done.append(name)
        return ("/".join(done) or "."), is_dir

    def present(self, rel: str, is_dir: bool) -> bool:
        ignore = self.ignore
        if rel == "." or ignore is None or not ignore.excluded(rel):
            return True
        if not (is_dir and ignore.has_negations):
            return False
        # BuildKit's walker only looks inside an excluded directory when a '!'
        # pattern could match below it: always if one has wildcards, else only
        # if one of them starts with the directory's path
        negations = [p.pattern for p in ignore.patterns if p.negated]
        literal = not any(_has_wildcards(p) or "\\" in p for p in negations)
        if literal and not any(p.startswith(rel + "/") for p in negations):
            return False
        return self._has_included_below(rel)

    def _has_included_below(self, rel: str) -> bool:
        """An excluded directory is still sent when a ``!`` pattern re-includes
        something below it."""
        cached = self._included_below.get(rel)
        if cached is not None:
            return cached
        found = False
        stack = [rel]
        while stack and not found:
            current = stack.pop()
            for name, is_dir in self._entries(current):
                child = f"{current}/{name}"
                if not self.ignore.excluded(child):  # type: ignore[union-attr]
                    found = True
                    break
                if is_dir:
                    stack.append(child)
        self._included_below[rel] = found
        return found

    def _entries(self, rel: str) -> list[tuple[str, bool]]:
        try:
            entries = fs.scandir_kinds(os.path.join(self.root, rel))
        except (OSError, ValueError):
            return []
        for _ in entries:
            self._spend()
        return sorted(entries)

    def kind(self, rel: str) -> str | None:
        """``file``/``dir`` when ``rel`` is in the context, else ``None``."""
        if rel == ".":
            return "dir"
        resolved = self.resolve(rel)
        if resolved is None:
            return None
        real, is_dir = resolved
        if not self.present(rel, is_dir) or (real != rel and not self.present(real, is_dir)):
            return None
        return "dir" if is_dir else "file"

    def on_disk(self, rel: str) -> bool:
        return self.resolve(rel) is not None

    def children(self, rel: str) -> Iterator[tuple[str, bool]]:
        """Entries of a directory in the context, in ``filepath.Walk`` order,
        without following symlinks."""
        for name, is_dir in self._entries(rel):
            child = name if rel == "." else f"{rel}/{name}"
            if self.present(child, is_dir):
                yield name, is_dir


class _SetTree:
    """A build context made of an explicit set of files (what fal uploaded)."""

    def __init__(self, files: Collection[str]) -> None:
        self.files = {go_clean(f) for f in files}
        self.dirs: dict[str, set[tuple[str, bool]]] = {".": set()}
        for f in self.files:
            parts = f.split("/")
            for k in range(len(parts)):
                parent = "/".join(parts[:k]) or "."
                self.dirs.setdefault(parent, set()).add((parts[k], k < len(parts) - 1))

    def kind(self, rel: str) -> str | None:
        if rel in self.dirs:
            return "dir"
        return "file" if rel in self.files else None

    def on_disk(self, rel: str) -> bool:
        return False

    def children(self, rel: str) -> Iterator[tuple[str, bool]]:
        return iter(sorted(self.dirs.get(rel, ())))

    def below(self, rel: str) -> int:
        """How many files are below directory ``rel``."""
        counts = self.__dict__.get("_below")
        if counts is None:
            counts = self._below = {".": len(self.files)}
            for f in self.files:
                parts = f.split("/")
                for k in range(1, len(parts)):
                    parent = "/".join(parts[:k])
                    counts[parent] = counts.get(parent, 0) + 1
        return counts.get(rel, 0)


class _SetTreeWithout:
    """A :class:`_SetTree` minus one file (an app's own file, which fal
    leaves out of its upload): directories left empty disappear."""

    def __init__(self, tree: _SetTree, path: str) -> None:
        self.tree = tree
        self.path = go_clean(path)

    def _empty(self, rel: str) -> bool:
        path = self.path
        under = rel == "." or path.startswith(rel + "/")
        return rel != "." and self.tree.below(rel) - (under and path in self.tree.files) <= 0

    def kind(self, rel: str) -> str | None:
        if rel == self.path and rel not in self.tree.dirs:
            return None
        found = self.tree.kind(rel)
        if found == "dir" and self._empty(rel):
            return None
        return found

    def on_disk(self, rel: str) -> bool:
        return False

    def children(self, rel: str) -> Iterator[tuple[str, bool]]:
        for name, is_dir in self.tree.children(rel):
            child = name if rel == "." else f"{rel}/{name}"
            if (child == self.path and not is_dir) or (is_dir and self._empty(child)):
                continue
            yield name, is_dir


def _context_relative(source: str) -> str | None:
    """The cleaned context-relative path of a source; ``None`` if it escapes."""
    cleaned = go_clean(source.lstrip("/")) if source.strip("/") else "."
    if cleaned == ".." or cleaned.startswith("../"):
        return None
    return cleaned


def _split_wildcards(rel: str) -> tuple[str, str]:
    """BuildKit's ``splitWildcards``: the directory before the first path
    segment with a wildcard, and the rest."""
    parts = rel.split("/")
    for k, part in enumerate(parts):
        if _has_wildcards(part):
            return ("/".join(parts[:k]) or "."), "/".join(parts[k:])
    return rel, ""


def match_sources(
    context_dir: Path | str,
    source: str,
    ignore: DockerIgnore | None = None,
    *,
    available: Collection[str] | None = None,
    limit: int | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
    tree: _SetTree | _SetTreeWithout | None = None,
) -> SourceMatch:
    """Resolve one COPY/ADD source the way BuildKit does.

    ``source`` should already be expanded (see
    :meth:`fallint.formats.dockerfile.Dockerfile.copies`); one still containing
    ``$VAR`` is ``unknown``. A leading ``/`` means the context root. With
    ``available`` (context-relative file paths, e.g. ``FalUpload.files``)
    the context is exactly those files and ``ignore`` is not consulted;
    otherwise it is ``context_dir`` on disk minus ``ignore``'s Docker
    exclusions. ``limit`` stops after that many matches. ``tree`` (from
    :meth:`SharedUploads.tree`) stands for ``available`` already indexed.
    """
    if _VARIABLE.search(source):
        return SourceMatch(source, "unknown", (), "contains a variable that is not expanded")
    rel = _context_relative(source)
    if rel is None:
        return SourceMatch(source, "escapes", (), "the path leaves the build context")
    if tree is None:
        tree = (
            _SetTree(available)
            if available is not None
            else _DiskTree(Path(context_dir), ignore, max_entries)
        )
    try:
        return _match(tree, source, rel, limit)
    except _TooMany:
        return SourceMatch(source, "unknown", (), f"more than {max_entries:,} files to look at")


def _match(tree: _DiskTree | _SetTree | _SetTreeWithout, source: str, rel: str, limit: int | None) -> SourceMatch:
    base, pattern = _split_wildcards(rel)
    if not pattern:
        if tree.kind(rel) is not None:
            return SourceMatch(source, "ok", (rel,))
        if tree.on_disk(rel):
            return SourceMatch(source, "excluded", (), f"{rel} is excluded by .dockerignore")
        return SourceMatch(source, "missing", (), f"{rel} not found in the build context")
    if tree.kind(base) is None:
        if tree.on_disk(base):
            return SourceMatch(
                source, "excluded", (), f"directory {base} is excluded by .dockerignore"
            )
        return SourceMatch(
            source, "missing", (), f"directory {base} not found in the build context"
        )
    try:
        regex = _glob_regex(pattern)
    except BadPattern as exc:
        return SourceMatch(source, "no-match", (), f"{exc}: BuildKit matches nothing")
    if tree.kind(base) != "dir":
        return SourceMatch(source, "no-match", (), f"{base} is not a directory")
    depth = pattern.count("/") + 1
    found: list[str] = []

    def directory(rel_from_base: str) -> str:
        if not rel_from_base:
            return base
        return rel_from_base if base == "." else f"{base}/{rel_from_base}"

    # filepath.Walk below base, matching paths relative to it, depth-first in
    # lexical order; a matching directory is not descended into (SkipDir)
    stack = [("", iter(tree.children(base)))]
    while stack and (limit is None or len(found) < limit):
        rel_dir, entries = stack[-1]
        entry = next(entries, None)
        if entry is None:
            stack.pop()
            continue
        name, is_dir = entry
        child = f"{rel_dir}/{name}" if rel_dir else name
        if regex.fullmatch(child):
            found.append(directory(child))
        elif is_dir and len(stack) < depth:
            stack.append((child, iter(tree.children(directory(child)))))
    if not found:
        return SourceMatch(source, "no-match", (), f"no file matches {rel}")
    return SourceMatch(source, "ok", tuple(found))


def source_exists(
    context_dir: Path | str,
    source: str,
    ignore: DockerIgnore | None = None,
    *,
    available: Collection[str] | None = None,
) -> bool | None:
    """Whether the source names at least one path (stops at the first);
    ``None`` when it cannot be told (:class:`SourceMatch` ``unknown``)."""
    result = match_sources(context_dir, source, ignore, available=available, limit=1)
    if result.status == "unknown":
        return None
    return result.ok


# --------------------------------------------------------------------------
# what fal uploads


@dataclass(frozen=True)
class FalUploadedSource:
    """One source as fal's ``FileSync.collect_files`` handles it.

    ``status``: ``uploaded`` (``files`` were collected), ``not-found`` (fal
    prints "was not found, it will be skipped" -- a wildcard or ``$VAR``
    source always ends here), ``ignored`` (the ignore patterns drop the
    path itself), ``error`` (fal raises and the deploy stops; see
    ``message``).
    """

    source: str
    status: str
    files: tuple[str, ...] = ()
    message: str = ""
    #: why fal raises for this source (for a directory: for files below it)
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class FalUpload:
    sources: tuple[FalUploadedSource, ...]
    #: context-relative paths of the uploaded files: the remote build context
    files: frozenset[str]
    #: why fal stops before deploying (symlink out of the context, ``..``,
    #: a file over 1 GiB, a symlink loop)
    errors: tuple[str, ...] = ()
    #: more than ``max_files`` files: ``files`` is incomplete
    truncated: bool = False


class _FalCollector:
    """fal's ``FileSync.collect_files`` plus the filter of ``sync_files``;
    ``patterns`` are the compiled ignore regexes (matched with ``search``)."""

    def __init__(
        self,
        context_dir: Path | str,
        patterns: Iterable[re.Pattern[str]],
        max_files: int,
        context_name: str = "build context",
        shared: SharedUploads | None = None,
        verdicts: dict[str, bool] | None = None,
    ):
        self.ctx = fs.realpath(context_dir)
        self.context_name = context_name
        self.patterns = list(patterns)
        self.max_files = max_files
        self.files: set[str] = set()
        self.errors: list[str] = []
        self.truncated = False
        self.shared = shared
        #: path -> whether the patterns drop it (shared by every collection
        #: with the same patterns in a run: each path is matched once)
        self.verdicts = verdicts
        #: with ``verdicts``: how often each path was tested, and how often a
        #: directory walk added it as a plain file (``relative == rel``)
        self.tested: dict[str, int] = {}
        self.plain: dict[str, int] = {}

    def _ignored(self, rel: str) -> bool:
        verdicts = self.verdicts
        if verdicts is None:
            return any(regex.search(rel) for regex in self.patterns)
        self.tested[rel] = self.tested.get(rel, 0) + 1
        verdict = verdicts.get(rel)
        if verdict is None:
            verdict = verdicts[rel] = any(regex.search(rel) for regex in self.patterns)
        return verdict

    def _relative(self, absolute: str, original: str) -> str | None:
        """fal's ``_normalize_path``: the resolved path relative to the context,
        or ``None`` (recorded as an error) when it leaves the context."""
        rel = PurePosixPath(os.path.relpath(absolute, self.ctx))
        if rel.is_absolute() or ".." in rel.parts or "." in rel.parts:
            self.errors.append(
                f"{original}: resolves to {absolute}, outside the {self.context_name} "
                "(fal raises 'Parent directory reference is not allowed')"
            )
            return None
        return rel.as_posix()

    def _resolve(self, path: str) -> str | None:
        try:
            absolute = fs.realpath(path, strict=True)
        except (FileNotFoundError, NotADirectoryError):
            # Path.resolve() tolerates both: fal then finds nothing there
            return fs.realpath(path)
        except OSError as exc:
            self.errors.append(f"{path}: {exc.strerror or exc} (a symlink loop?)")
            return None
        return absolute

    def _explicitly_ignored(self, lexical: str, rel: str) -> bool:
        """fal's ``_should_ignore_explicit_path``."""
        parts = PurePosixPath(os.path.relpath(lexical, self.ctx)).parts
        has_symlink = any(
            fs.islink(os.path.join(self.ctx, *parts[: k + 1])) for k in range(len(parts))
        )
        if has_symlink:
            if self._ignored(rel):
                return True
            return not fs.isfile(lexical) and self._ignored(rel.rstrip("/") + "/")
        return not fs.isdir(lexical) and self._ignored(rel)

    def _add(self, rel: str, absolute: str, size: int | None = None) -> bool:
        """Collect one file (fal's ``FileMetadata.from_path`` plus the final
        ``sync_files`` filter on the resolved path); ``size`` when known."""
        try:
            if (size if size is not None else fs.file_size(absolute)) > FAL_FILE_SIZE_LIMIT:
                self.errors.append(f"{rel}: larger than 1 GiB (fal raises FileTooLargeError)")
                return False
        except OSError:
            return False
        if self._ignored(rel):
            return False
        if len(self.files) >= self.max_files:
            self.truncated = True
            return False
        self.files.add(rel)
        return True

    def collect(self, source: str) -> FalUploadedSource:
        lexical = os.path.join(self.ctx, source)
        lexical_rel = PurePosixPath(os.path.relpath(lexical, self.ctx)).as_posix()
        if self._explicitly_ignored(lexical, lexical_rel):
            return FalUploadedSource(source, "ignored", (), "matched by the ignore patterns")
        before = len(self.errors)
        absolute = self._resolve(lexical)
        rel = None if absolute is None else self._relative(absolute, source)
        if absolute is None or rel is None:
            return FalUploadedSource(
                source, "error", (), self.errors[before], tuple(self.errors[before:])
            )
        if fs.isfile(absolute):
            added = self._add(rel, absolute)
            if len(self.errors) > before:  # a file over 1 GiB
                errors = tuple(self.errors[before:])
                return FalUploadedSource(source, "error", (), errors[0], errors)
            return FalUploadedSource(source, "uploaded", (rel,) if added else ())
        if fs.isdir(absolute):
            files = tuple(self._collect_dir(absolute, lexical_rel))
            return FalUploadedSource(
                source, "uploaded", files, errors=tuple(self.errors[before:])
            )
        return FalUploadedSource(
            source, "not-found", (), f"{lexical} was not found, it will be skipped"
        )

    def _collect_dir(self, root: str, lexical_root: str) -> list[str]:
        """fal's ``_collect_directory``: ``os.walk`` without following links.

        (Per directory, not per file, where it can: a build context may hold
        thousands of files.  On POSIX the path arithmetic is plain string work
        on paths ``realpath`` returned, which it keeps exact.)"""
        out: list[str] = []
        posix = os.sep == "/"
        inside = self.ctx.rstrip("/") + "/"
        prefix = "" if lexical_root in ("", ".") else f"{lexical_root.rstrip('/')}/"
        listing = _list_tree(root) if self.shared is None else self.shared.listing(root)
        plain = self.plain if self.verdicts is not None else None
        for file_path, inner, absolute, size in listing:
            if self.truncated:
                return out
            if not posix:
                inner = PurePosixPath(inner).as_posix()
            relative = prefix + inner
            if self._ignored(relative):
                continue
            if absolute is None:
                continue
            if posix and absolute.startswith(inside):
                rel = absolute[len(inside):]
            else:
                rel = self._relative(absolute, file_path)
            if rel is not None and self._add(rel, absolute, size):
                out.append(rel)
                if plain is not None and rel == relative:
                    plain[rel] = plain.get(rel, 0) + 1
        return out


def _list_tree(root: str) -> list[tuple[str, str, str | None, int | None]]:
    """The files below ``root`` as fal's ``_collect_directory`` meets them
    (``os.walk`` without following links): ``(path, path relative to root,
    resolved path or None when fal skips it, size when known)``."""
    out: list[tuple[str, str, str | None, int | None]] = []
    for current, _dirs, filenames in fs.walk(root, followlinks=False):
        here = os.path.relpath(current, root)
        real_current = None
        for filename in filenames:
            file_path = os.path.join(current, filename)
            inner = filename if here == "." else os.path.join(here, filename)
            absolute: str | None = None
            size = None
            try:
                found = fs.lstat(file_path)
            except OSError:
                found = None
            if found is None:
                pass
            elif stat.S_ISREG(found.st_mode):  # a plain file: one lstat says it all
                if real_current is None:
                    real_current = real_path(current)
                absolute, size = os.path.join(real_current, filename), found.st_size
            elif stat.S_ISLNK(found.st_mode) and fs.isfile(file_path):
                absolute = real_path(file_path)  # it is a file: realpath's strict mode adds nothing
            out.append((file_path, inner, absolute, size))
    return out


def fal_upload(
    context_dir: Path | str,
    sources: Iterable[str],
    ignore: DockerIgnore | None = None,
    *,
    exclude: Iterable[str] = (),
    max_files: int = DEFAULT_MAX_ENTRIES,
) -> FalUpload:
    """The files fal 1.83.0 uploads for ``sources`` (as returned by
    :func:`fallint.formats.dockerfile.fal_copy_sources`), honouring fal's reading of
    ``ignore`` (``None`` = no ``.dockerignore``: fal's defaults).

    ``exclude`` lists context-relative paths fal leaves out on top of the
    ignore patterns: for an app with a ``ref``, fal uploads the app's file
    separately and adds ``^<its path>$`` to the ignore patterns
    (``fal/api/api.py``, ``files_sync``).
    """
    ignore = ignore if ignore is not None else DockerIgnore.empty()
    patterns = ignore.fal_regexes + [re.compile(f"^{re.escape(path)}$") for path in exclude]
    return fal_collect(context_dir, sources, patterns, max_files=max_files)


class _FilesWithout(AbstractSet):
    """A set of files minus one path, without copying the set."""

    __slots__ = ("base", "path")

    def __init__(self, base: frozenset[str], path: str) -> None:
        self.base = base
        self.path = path

    def __contains__(self, item: object) -> bool:
        return item != self.path and item in self.base

    def __iter__(self) -> Iterator[str]:
        path = self.path
        return (f for f in self.base if f != path)

    def __len__(self) -> int:
        return len(self.base) - (self.path in self.base)


class SharedUploads:
    """What fal uploads, computed once per build context in a run.

    Every Dockerfile and app over one build context shares its listing (one
    ``os.walk`` per directory a COPY names), the verdict of the ignore
    patterns on each path (matched once), and the collection of each distinct
    list of COPY sources; an app whose ``ref`` file fal leaves out of the
    upload (``exclude``) gets that collection minus its file when that is
    exactly what fal would do, and a collection of its own otherwise.
    Results are those of :func:`fal_upload`."""

    def __init__(self) -> None:
        self._listings: dict[str, list] = {}
        self._verdicts: dict[tuple, dict[str, bool]] = {}
        self._bases: dict[tuple, tuple[FalUpload, dict[str, int], dict[str, int]]] = {}
        self._uploads: dict[tuple, FalUpload] = {}
        self._trees: dict[int, tuple[FalUpload, _SetTree]] = {}
        self._keep: dict[int, DockerIgnore] = {}  # the ignore objects whose id keys the caches

    def listing(self, root: str) -> list:
        found = self._listings.get(root)
        if found is None:
            found = self._listings[root] = _list_tree(root)
        return found

    def upload(
        self,
        context_dir: Path | str,
        sources: Iterable[str],
        ignore: DockerIgnore | None = None,
        *,
        exclude: Iterable[str] = (),
        max_files: int = DEFAULT_MAX_ENTRIES,
    ) -> FalUpload:
        sources = tuple(sources)
        exclude = tuple(sorted(set(exclude)))
        if ignore is None:
            ignore = self._keep.setdefault(0, DockerIgnore.empty())
        self._keep.setdefault(id(ignore), ignore)
        key = (os.fspath(context_dir), sources, id(ignore), max_files)
        known = self._uploads.get(key + exclude)
        if known is not None:
            return known
        base = self._bases.get(key)
        if base is None:
            verdicts = self._verdicts.setdefault(key[:1] + key[2:3], {})
            collector = _FalCollector(
                context_dir, ignore.fal_regexes, max_files, shared=self, verdicts=verdicts
            )
            results = [collector.collect(path) for path in sources]
            upload = FalUpload(
                tuple(results), frozenset(collector.files), tuple(collector.errors),
                collector.truncated,
            )
            base = self._bases[key] = (upload, collector.tested, collector.plain)
        upload, tested, plain = base
        result = upload
        for path in exclude:
            # fal adds ``^<path>$``: it can only matter for a path it tested
            if path + "\n" in tested or (path in tested and not (
                not upload.truncated and len(exclude) == 1
                and tested[path] == 2 * plain.get(path, 0)
            )):
                result = fal_upload(
                    context_dir, sources, ignore, exclude=exclude, max_files=max_files
                )
                break
            if path in tested:
                # only ever met as a plain file of a directory walk, and added
                result = FalUpload(
                    tuple(
                        _without_files(source, path) for source in upload.sources
                    ),
                    _FilesWithout(upload.files, path),  # type: ignore[arg-type]
                    upload.errors,
                    upload.truncated,
                )
        self._uploads[key + exclude] = result
        return result

    def tree(self, upload: FalUpload) -> _SetTree | _SetTreeWithout:
        """The uploaded files as a build context (built once per collection)."""
        files = upload.files
        if isinstance(files, _FilesWithout):
            return _SetTreeWithout(self._set_tree(files.base), files.path)
        return self._set_tree(files)

    def _set_tree(self, files: Collection[str]) -> _SetTree:
        known = self._trees.get(id(files))
        if known is None:
            known = self._trees[id(files)] = (files, _SetTree(files))  # type: ignore[assignment]
        return known[1]  # type: ignore[return-value]


def _without_files(source: FalUploadedSource, path: str) -> FalUploadedSource:
    if path not in source.files:
        return source
    return FalUploadedSource(
        source.source, source.status, tuple(f for f in source.files if f != path),
        source.message, source.errors,
    )


def fal_collect(
    context_dir: Path | str,
    paths: Iterable[str],
    patterns: Iterable[re.Pattern[str]] = (),
    *,
    max_files: int = DEFAULT_MAX_ENTRIES,
    context_name: str = "build context",
) -> FalUpload:
    """The files fal 1.83.0 collects for ``paths`` relative to ``context_dir``,
    leaving out paths any of the compiled ``patterns`` finds (``re.search``).

    This is the collection both a container build (:func:`fal_upload`) and
    ``app_files`` go through: literal paths only (no wildcards), symlinks
    resolved, a missing path skipped, a path resolving outside the context
    or a file over 1 GiB is an error. ``context_name`` names the context
    directory in error messages.
    """
    collector = _FalCollector(context_dir, patterns, max_files, context_name)
    results = [collector.collect(path) for path in paths]
    return FalUpload(
        tuple(results), frozenset(collector.files), tuple(collector.errors), collector.truncated
    )
