"""Loading a project: pyproject.toml -> values (tomli) + positions -> app models.

A :class:`Project` is one ``pyproject.toml`` with a ``[tool.fal]`` table.
Its :attr:`Project.apps` are the well-formed app tables, each an
:class:`App` that rules inspect.  Broken TOML does not hide the rest of the
file: the loader reports each syntax error, blanks the statement that
failed and parses again, and the apps touched by a blanked region are left
out (their syntax error is their diagnostic).
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import Any

import tomli

from fallint.formats.toml import TomlIndex
from fallint.loading import fs
from fallint.loading.config import Config, parse_config
from fallint.loading.files import (
    MAX_PATH_CHARS,
    FileCache,
    TextFile,
    is_file,
    real_path,
    walk_python_files,
)
from fallint.model.app_files import AppFiles, app_files_of
from fallint.model.build import Build, build_of
from fallint.model.entry_point import EntryPoint, entry_point_of
from fallint.model.fal import split_ref
from fallint.model.ref_target import RefTarget, ref_target_of
from fallint.model.requirement_layers import AppRequirements, requirements_of
from fallint.util.records import dataclass, field

APPS_PATH = ("tool", "fal", "apps")
MAX_RECOVERY = 50

_KEY_START = r"(?:[A-Za-z0-9_-]|\"[^\"\n]*\"\s*[.\]]|'[^'\n]*'\s*[.\]])"
_HEADER_COL0_RE = re.compile(r"^\[\[?\s*" + _KEY_START)
_HEADER_INDENTED_RE = re.compile(r"^\s+\[\[?\s*[A-Za-z_-]")
_STATEMENT_RE = re.compile(r"^(?:[A-Za-z0-9_-]+|\"[^\"\n]*\"|'[^'\n]*')\s*(?:\.|=)")


@dataclass(frozen=True)
class LoadError:
    """A problem reading or parsing the pyproject itself."""

    message: str
    line: int
    column: int
    kind: str  # "syntax" | "not-utf8" | "binary" | "too-large" | "unreadable" | ...


@dataclass
class App:
    key: str
    table: dict
    project: "Project"

    @property
    def path(self) -> tuple:
        return APPS_PATH + (self.key,)

    def get(self, *path: Any, default: Any = None) -> Any:
        cur: Any = self.table
        for part in path:
            if isinstance(part, int):
                if not isinstance(cur, list) or part >= len(cur):
                    return default
                cur = cur[part]
            else:
                if not isinstance(cur, dict) or part not in cur:
                    return default
                cur = cur[part]
        return cur

    def has(self, *path: Any) -> bool:
        sentinel = object()
        return self.get(*path, default=sentinel) is not sentinel

    def span(self, *path: Any, part: str = "value"):
        return self.project.index.span(self.path + tuple(path), part)

    @property
    def deployed_name(self) -> str:
        name = self.table.get("name")
        return name if isinstance(name, str) else self.key

    # -- what the rules ask of an app: each fact computed on first use, then kept

    @cached_property
    def ref_target(self) -> RefTarget | None:
        """What ``ref`` resolves to (None without a string ``ref``)."""
        return ref_target_of(self)

    @cached_property
    def entry_point(self) -> EntryPoint | None:
        """The analysed ``python_entry_point`` (None unless it is a string)."""
        return entry_point_of(self)

    @cached_property
    def requirements(self) -> AppRequirements | None:
        """The analysed ``requirements`` layers, when fal uses them."""
        return requirements_of(self)

    @cached_property
    def build(self) -> Build | None:
        """The Dockerfile build (``image.dockerfile``), with its copy analysis."""
        return build_of(self)

    @cached_property
    def app_files(self) -> AppFiles | None:
        """The TOML ``app_files`` as fal collects them (not for a container app)."""
        return app_files_of(self)

    @cached_property
    def ref_file(self) -> Path | None:
        """The file the app's ``ref`` names (see :meth:`Project.ref_file`)."""
        ref = self.table.get("ref")
        return self.project.ref_file(ref) if isinstance(ref, str) else None

    @cached_property
    def source_files(self) -> list[Path]:
        """The existing Python files the app names: its ``ref`` file and its
        ``python_entry_point`` module (the part before ``:``)."""
        paths = []
        ref = self.table.get("ref")
        if self.ref_file is not None and split_ref(ref)[0] and is_file(self.ref_file):
            if self.project.contains(self.ref_file):  # a file outside is never read
                paths.append(self.ref_file)
        entry = self.table.get("python_entry_point")
        if isinstance(entry, str):
            module = entry.split(":", 1)[0].strip()
            if module and all(part.isidentifier() for part in module.split(".")):
                location = self.project.sources.module_file(module)
                if location.kind in ("module", "package") and location.path is not None:
                    if self.project.contains(location.path):
                        paths.append(Path(location.path))
        return paths

    def resolve_path(self, rel: str) -> Path:
        """A path from the TOML, relative to the pyproject directory (absolute stays)."""
        p = Path(rel).expanduser()
        return p if p.is_absolute() else self.project.root / p


@dataclass
class Project:
    pyproject_path: Path
    files: FileCache
    text: str = ""
    #: ``text`` with the statements that failed to parse blanked out
    recovered_text: str = ""
    data: dict = field(default_factory=dict)
    load_errors: list[LoadError] = field(default_factory=list)
    #: app keys whose table overlapped a syntax error (skipped by app rules)
    broken_apps: set[str] = field(default_factory=set)
    #: True when a syntax error could not be attributed to one app
    partially_broken: bool = False
    #: limit the run to these app keys (None = all)
    app_filter: frozenset[str] | None = None
    #: run-wide options (cache, jobs...) set by the engine
    options: dict = field(default_factory=dict)
    #: inline suppression comments, filled in by the engine
    suppressions: list = field(default_factory=list)
    #: the effective rule selection, set by the engine
    selection: Any = None
    #: per-run memo shared by rules (parsed Dockerfiles, ...): see :meth:`memo`
    _memo: dict = field(default_factory=dict, repr=False)

    def memo(self, key: Any, compute):
        """``compute()`` once per project and ``key``, so rules share parses and walks."""
        try:
            return self._memo[key]
        except KeyError:
            pass
        value = self._memo[key] = compute()
        return value

    @property
    def root(self) -> Path:
        return self.pyproject_path.parent

    def ref_file(self, ref: str) -> Path | None:
        """The absolute, normalised path of the file a ``ref`` names (the part
        before ``::``, relative to the pyproject directory; the directory itself
        when that part is empty); None when ``ref`` holds a NUL or is too
        long to name a file (:data:`~fallint.loading.files.MAX_PATH_CHARS`)."""
        if "\x00" in ref or len(ref) > MAX_PATH_CHARS:
            return None
        return Path(os.path.normpath(os.path.join(self.root, split_ref(ref)[0])))

    @cached_property
    def python_files(self) -> list[str]:
        """The project's ``.py`` files (relative, ``/``-separated; hidden
        directories, virtual environments and caches skipped), for suggestions."""
        return walk_python_files(str(self.root))

    @cached_property
    def app_source_files(self) -> list[Path]:
        """The existing Python files the checked apps name (:attr:`App.source_files`), each once."""
        return list(dict.fromkeys(path for app in self.apps for path in app.source_files))

    @cached_property
    def index(self) -> TomlIndex:
        # positions come from the recovered text: blanked statements keep their
        # line count, so every other position is unchanged, and a broken string
        # cannot swallow the rest of the file
        return TomlIndex(self.pyproject_path, self.recovered_text or self.text)

    @property
    def fal(self) -> Any:
        tool = self.data.get("tool")
        return tool.get("fal") if isinstance(tool, dict) else None

    @property
    def apps_table(self) -> Any:
        fal = self.fal
        return fal.get("apps") if isinstance(fal, dict) else None

    @cached_property
    def all_apps(self) -> list[App]:
        """Every app whose value is a table and that parsed cleanly (ignores --app)."""
        table = self.apps_table
        if not isinstance(table, dict):
            return []
        return [
            App(key, value, self)
            for key, value in table.items()
            if isinstance(value, dict) and key not in self.broken_apps
        ]

    @cached_property
    def apps(self) -> list[App]:
        """The apps rules check: well-formed, and selected by ``--app``."""
        if self.app_filter is None:
            return list(self.all_apps)
        return [a for a in self.all_apps if a.key in self.app_filter]

    def selected(self, key: str | None) -> bool:
        return key is None or self.app_filter is None or key in self.app_filter

    @cached_property
    def config(self) -> Config:
        tool = self.data.get("tool")
        raw = tool.get("fallint") if isinstance(tool, dict) else None
        return parse_config(raw)

    def read(self, path: Path) -> TextFile:
        return self.files.read(path)

    def contains(self, path: Path | str) -> bool:
        """``path`` (symlinks resolved) is inside the project directory.  A
        file outside it is never read for a rule's sake: its lines would end
        up quoted in the diagnostics (``image.dockerfile = "/etc/passwd"``)."""
        text = os.fspath(path)
        if "\x00" in text or len(text) > MAX_PATH_CHARS:
            return False
        try:
            root = real_path(self.root)
            return os.path.commonpath([root, real_path(text)]) == root
        except (OSError, ValueError):
            return False

    def read_inside(self, path: Path) -> TextFile:
        """:meth:`read`, for a file that must be inside the project: one
        outside it (or reached through a symlink leading out) is not read
        and comes back with error ``"outside"``."""
        text = os.fspath(path)
        if "\x00" in text or len(text) > MAX_PATH_CHARS:
            return self.files.read(path)  # unreadable, and said so without the file system
        if not self.contains(path):
            return TextFile(Path(path), error="outside", message="is outside the project directory")
        return self.files.read(path)

    @cached_property
    def sources(self):
        """The project's Python sources (lazy: importing the analysis costs time)."""
        # imported on first use: libcst, only apps with Python files need it
        from fallint.model.sources import SourceProject

        return SourceProject(self.root, self.layout, **self.source_options())

    def source_options(self) -> dict:
        """:class:`~fallint.model.sources.SourceProject`'s keyword arguments
        from the run options: the persistent cache (``.fallint_cache/``, or
        ``cache_dir``; none with ``no_cache``), the worker count (``jobs``),
        then anything in ``source_kwargs``, which wins."""
        options = self.options
        kwargs: dict = {"jobs": options.get("jobs"), "files": self.files}
        if not options.get("no_cache"):
            # imported on first use: the cache is only read for Python files
            from fallint.loading.cache import project_cache

            kwargs["cache"] = project_cache(self.root, options.get("cache_dir"))
        kwargs.update(options.get("source_kwargs", {}))
        return kwargs

    @cached_property
    def known_pyprojects(self) -> dict[str, dict]:
        """This project's parsed pyproject by its resolved path, for
        :func:`fallint.formats.requirements.local_path_target` (empty when the file
        did not load cleanly: then it is read again, and its error reported)."""
        if self.load_errors or not isinstance(self.data, dict):
            return {}
        return {fs.realpath(self.pyproject_path): self.data}

    @cached_property
    def fal_releases(self):
        """The fal release(s) that deploy this project (:class:`~fallint.releases.pins.Pins`),
        computed once; None when nothing pins or chooses one (the newest release:
        see :mod:`fallint.model.fal_release`)."""
        from fallint.model.fal_release import project_pins

        return project_pins(self)

    @cached_property
    def layout(self):
        # imported on first use: only entry-point / Python apps need the layout
        from fallint.model.layout import project_layout

        return project_layout(self.root, self.data)


def load_project(
    pyproject_path: Path,
    files: FileCache,
    app_filter: frozenset[str] | None = None,
    reuse: Project | None = None,
) -> Project:
    """Load ``pyproject_path``.  ``reuse``: an earlier load of the same file
    (a long-lived process, the language server): when the text is unchanged
    its parse and position index are taken over instead of computed again."""
    project = Project(pyproject_path=pyproject_path, files=files, app_filter=app_filter)
    tf = files.read(pyproject_path)
    if not tf.ok:
        project.load_errors.append(
            LoadError(f"{pyproject_path.name} {tf.message}", tf.line, tf.column, tf.error or "unreadable")
        )
        project.partially_broken = True
        return project
    project.text = tf.text or ""
    if reuse is not None and reuse.text == project.text and reuse.pyproject_path == pyproject_path and reuse.text:
        project.recovered_text = reuse.recovered_text
        project.data = reuse.data
        project.load_errors = list(reuse.load_errors)
        project.broken_apps = set(reuse.broken_apps)
        project.partially_broken = reuse.partially_broken
        if "index" in reuse.__dict__:
            project.__dict__["index"] = reuse.__dict__["index"]
        return project
    project.data = _parse_with_recovery(project)
    return project


def _parse_with_recovery(project: Project) -> dict:
    try:  # the common case: valid TOML, nothing to recover
        data = tomli.loads(project.text)
    except (tomli.TOMLDecodeError, RecursionError):
        pass
    else:
        project.recovered_text = project.text
        return data
    lines = project.text.split("\n")
    blanked: list[tuple[int, int]] = []
    for _ in range(MAX_RECOVERY):
        try:
            data = tomli.loads("\n".join(lines))
        except (tomli.TOMLDecodeError, RecursionError) as exc:
            if isinstance(exc, RecursionError):
                # tomli (and Python's tomllib, which fal uses) give up on deep nesting
                lineno, colno = _deep_nesting(lines)
                msg = (f"arrays or inline tables nested more than {MAX_NESTING} levels deep "
                       "(TOML parsers refuse them)")
            else:
                msg, lineno, colno = _toml_error(exc, "\n".join(lines))
            if lineno > len(lines):
                lineno = len(lines)
            # tomli reports some errors (e.g. a missing value) at the start of
            # the next line; point at the end of the offending line instead.
            if colno == 1 and lineno > 1 and not lines[lineno - 1].strip():
                lineno -= 1
                colno = len(lines[lineno - 1].rstrip()) + 1
            line_text = lines[lineno - 1] if lineno <= len(lines) else ""
            if msg == "Illegal character '\\n'" and line_text.count('"') % 2 == 1:
                msg = "unterminated string (the closing quote is missing)"
            elif msg == "Illegal character '\\n'" and line_text.count("'") % 2 == 1:
                msg = "unterminated literal string (the closing ' is missing)"
            if "overwrite" in msg or "declare" in msg:
                # tomli points after the value of a duplicate key: point at the key
                line = lines[lineno - 1]
                colno = len(line) - len(line.lstrip()) + 1
            project.load_errors.append(LoadError(f"invalid TOML: {msg}", lineno, colno, "syntax"))
            start, end = _statement_region(lines, lineno - 1)
            if all(not lines[i].strip() for i in range(start, end)):
                break  # nothing left to blank: give up
            for i in range(start, end):
                lines[i] = ""
            blanked.append((start, end))
            continue
        _attribute_broken(project, blanked)
        project.recovered_text = "\n".join(lines)
        return data
    project.partially_broken = True
    return {}


#: tomli's limit on nested arrays and inline tables
MAX_NESTING = 400


def _deep_nesting(lines: list[str]) -> tuple[int, int]:
    """(line, column) where arrays / inline tables first nest more than
    :data:`MAX_NESTING` deep (strings and comments skipped; (1, 1) when not
    found).  One pass, linear in the text."""
    depth = 0
    for number, line in enumerate(lines, 1):
        quote = None
        i, n = 0, len(line)
        while i < n:
            c = line[i]
            if quote is not None:
                if c == "\\" and quote == '"':
                    i += 1
                elif c == quote:
                    quote = None
            elif c in "\"'":
                quote = c
            elif c == "#":
                break
            elif c in "[{":
                depth += 1
                if depth > MAX_NESTING:
                    return number, i + 1
            elif c in "]}":
                depth = max(0, depth - 1)
            i += 1
    return 1, 1


def _is_header(line: str) -> bool:
    """A ``[table]`` / ``[[array]]`` header line (not an array element on its own line)."""
    return bool(_HEADER_COL0_RE.match(line) or _HEADER_INDENTED_RE.match(line))


def _is_statement_start(line: str) -> bool:
    return _is_header(line) or bool(_STATEMENT_RE.match(line))


_TOML_ERROR_AT = re.compile(r"(.*) \(at (?:line (\d+), column (\d+)|end of document)\)", re.DOTALL)


def _toml_error(exc: Exception, text: str) -> tuple[str, int, int]:
    """The message, line and column of a ``TOMLDecodeError``, alike for every tomli 2.x.

    tomli 2.1 added ``msg``, ``lineno`` and ``colno``; before, the position is
    only in the message text (``... (at line 2, column 19)`` or ``... (at end of
    document)``) and "Cannot" is spelt "Can not".
    """
    msg = getattr(exc, "msg", None)
    lineno = getattr(exc, "lineno", None)
    colno = getattr(exc, "colno", None)
    if msg is None:
        m = _TOML_ERROR_AT.fullmatch(str(exc))
        if m is None:
            msg = str(exc)
        elif m[2]:
            msg, lineno, colno = m[1], int(m[2]), int(m[3])
        else:  # the end of the document, as tomli 2.1+ reports it
            msg, pos = m[1], len(text)
            lineno = text.count("\n", 0, pos) + 1
            colno = pos - text.rfind("\n", 0, pos)
    return msg.replace("Can not ", "Cannot "), lineno or 1, colno or 1


def _statement_region(lines: list[str], idx: int) -> tuple[int, int]:
    """The lines of the statement (pair or header section start) around line ``idx``."""
    start = idx
    while start > 0 and not _is_statement_start(lines[start]) and lines[start - 1].strip() != "":
        start -= 1
    if not _is_statement_start(lines[start]):
        # walk further up over blank lines only if we are inside a multi-line value
        j = start
        while j > 0 and not _is_statement_start(lines[j]):
            j -= 1
        if _is_statement_start(lines[j]) and not _is_header(lines[j]):
            start = j
    end = idx + 1
    if _is_header(lines[start]):
        # a broken header: drop its whole section
        while end < len(lines) and not _is_header(lines[end]):
            end += 1
    else:
        while end < len(lines) and not _is_statement_start(lines[end]):
            end += 1
    return start, end


def _attribute_broken(project: Project, blanked: list[tuple[int, int]]) -> None:
    if not blanked:
        return
    lines = project.text.split("\n")
    for start, end in blanked:
        # the governing header
        header: tuple = ()
        for i in range(start, -1, -1):
            if _is_header(lines[i]):
                header = _parse_header(lines[i]) or ()
                if i == start:
                    header = header  # the broken line is the header itself
                break
        keys: list[tuple] = []
        if header[: len(APPS_PATH)] == APPS_PATH and len(header) > len(APPS_PATH):
            keys.append(header)
        else:
            for i in range(start, end):
                line = lines[i]
                m = re.match(r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*=", line)
                if m:
                    try:
                        parsed = tomli.loads(f"{m.group(1)} = 0")
                    except tomli.TOMLDecodeError:
                        continue
                    keys.append(header + _flatten_first(parsed))
        found = False
        for path in keys:
            if path[: len(APPS_PATH)] == APPS_PATH and len(path) > len(APPS_PATH):
                project.broken_apps.add(path[len(APPS_PATH)])
                found = True
        if not found and (header[:2] == ("tool", "fal") or not keys):
            project.partially_broken = True


def _parse_header(line: str) -> tuple | None:
    text = line.strip()
    if "#" in text:
        text = text[: text.rindex("]") + 1] if "]" in text else text
    array = text.startswith("[[")
    try:
        parsed = tomli.loads(text + ("\n" if not array else "\n"))
    except tomli.TOMLDecodeError:
        return None
    return _flatten_first(parsed)


def _flatten_first(d: Any) -> tuple:
    out: list = []
    while isinstance(d, dict) and len(d) == 1:
        (k, v), = d.items()
        out.append(k)
        d = v[0] if isinstance(v, list) and v and isinstance(v[0], dict) else v
    return tuple(out)
