"""The language server's model of the workspace, free of LSP types.

A :class:`Workspace` keeps the editor's unsaved buffers (``overlays``: they
stand in for the files on disk, see :class:`~fallint.loading.files.FileCache`),
the last result of each fal project it has seen, and the parsed Python files
of past runs by content digest (:class:`MemoryCache`), so that a re-check
parses only what changed.

A check runs in two halves.  The *per-app* rules (those whose
``check_project`` is the per-app loop of :class:`~fallint.rules.registry.Rule`,
``RefRule``, ``BuildRule`` or ``FileTooLarge``) give raw diagnostics that the
state keeps by app.  The *project* rules (every other ``check_project``:
duplicate names, ``[tool.fal]`` keys, the shared ``.dockerignore``, the
settings rules) are cheap and always run on the whole project, and so do
selection, suppression, the post rules and the fixes
(:func:`fallint.engine.run.finish_check`) over the merged raw diagnostics:
a partial re-check gives exactly what a full check gives.

What an edit re-checks (:meth:`Workspace.refresh`):

* a keystroke in ``pyproject.toml``: the TOML is parsed again; when only
  app tables changed (``[tool.fallint]``, ``[project]`` ... unchanged, no
  syntax error before or after, app order kept), only the apps whose value
  changed, that are new, or whose TOML lines the edit touched are checked
  again; the other apps' diagnostics in the pyproject move with the lines
  inserted or deleted above them;
* a file apps name directly or hold diagnostics in (their ``ref`` file,
  ``python_entry_point`` module, Dockerfile, the ``.dockerignore`` next to
  it): those apps only;
* in both cases also every app that shares a file (named, or holding its
  diagnostics) with them: a diagnostic in a shared file belongs to the
  first app that reports it;
* a save, a file the last run read but no app names directly (an imported
  module, a requirements file), anything else: the whole project;
* a file the last run did not read: nothing.

Nothing here executes user code; a failure anywhere in a check becomes a
diagnostic about fallint itself (:data:`INTERNAL_CODE`), never an exception.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any, Iterable

from fallint.diagnostics import ERROR, Diagnostic, Location

#: the code of diagnostics about fallint itself (a rule or the loader failed)
INTERNAL_CODE = "fallint"


class MemoryCache:
    """A :class:`~fallint.loading.cache.Cache` in memory: parsed Python files by
    content digest, kept across runs (bounded; the oldest go first), in front
    of the project's cache on disk (``disk``, optional) so that the first
    check of a large project can parse in worker processes: a worker gets
    the disk cache (see ``__reduce__``), writes its results there, and the
    next run takes them into memory."""

    def __init__(self, disk: Any = None, limit: int = 20_000) -> None:
        self._entries: dict[str, Any] = {}
        self.disk = disk
        self.limit = limit

    @staticmethod
    def digest(data: bytes) -> str:
        from fallint.loading.cache import Cache

        return Cache.digest(data)

    def get(self, digest: str) -> Any:
        hit = self._entries.get(digest)
        if hit is None and self.disk is not None:
            hit = self.disk.get(digest)
            if hit is not None:
                self._remember(digest, hit)
        return hit

    def put(self, digest: str, result: Any, packed: list | None = None) -> bool:
        self._remember(digest, result)
        if self.disk is not None:
            self.disk.put(digest, result, packed)
        return True

    def _remember(self, digest: str, result: Any) -> None:
        if len(self._entries) >= self.limit:
            self._entries.pop(next(iter(self._entries)))
        self._entries[digest] = result

    def __reduce__(self):
        # a worker process writes to the disk cache; without one the memory
        # cannot travel (its puts would be lost), so the parse stays serial
        if self.disk is None:
            raise TypeError("MemoryCache without a disk cache stays in the server process")
        return (_disk_only, (self.disk,))


def _disk_only(disk: Any) -> Any:
    return disk


class ProjectState:
    """The last result of one fal project."""

    def __init__(self, pyproject: str) -> None:
        self.pyproject = pyproject
        self.project: Any = None  # the last fallint.model.project.Project
        self.files: Any = None  # its FileCache
        self.diagnostics: list[Diagnostic] = []
        #: absolute (and real) paths of every file the last full run read
        self.files_read: set[str] = set()
        #: app key -> the files it names directly or holds diagnostics in (absolute and real paths)
        self.app_files: dict[str, set[str]] = {}
        #: app key -> the raw diagnostics of the per-app rules (None: re-check everything next time)
        self.raw_by_app: dict[str, list[Diagnostic]] | None = None
        #: the per-app rules' failures, ``(code, error)``
        self.app_internal: list[tuple[str, str]] = []
        #: the Python files the checks since the last full one loaded (path -> FileResult)
        self.python_files: dict[str, Any] = {}
        self.seconds = 0.0  # how long the last check took
        #: what the last check was: "full", or "partial" with the apps it re-ran
        self.last_run: tuple[str, frozenset[str]] = ("full", frozenset())

    @property
    def root(self) -> str:
        return os.path.dirname(self.pyproject)

    def apps_using(self, path: str) -> set[str]:
        return {app for app, paths in self.app_files.items() if path in paths}


class Workspace:
    def __init__(self) -> None:
        #: absolute path -> the editor's text of that file
        self.overlays: dict[str, str] = {}
        #: pyproject absolute path -> its state (fal projects only)
        self.projects: dict[str, ProjectState] = {}
        #: project root -> its MemoryCache
        self.source_caches: dict[str, MemoryCache] = {}
        #: False: no cache on disk (tests, read-only checkouts)
        self.disk_cache = True

    def source_cache(self, root: str) -> MemoryCache:
        cache = self.source_caches.get(root)
        if cache is None:
            disk = None
            if self.disk_cache:
                try:
                    from fallint.loading.cache import project_cache

                    disk = project_cache(Path(root))
                except Exception:
                    disk = None
            cache = self.source_caches[root] = MemoryCache(disk)
        return cache

    # -- documents ----------------------------------------------------------

    def set_overlay(self, path: str, text: str) -> None:
        self.overlays[os.path.abspath(path)] = text

    def drop_overlay(self, path: str) -> None:
        self.overlays.pop(os.path.abspath(path), None)

    def text(self, path: str) -> str | None:
        """The editor's text of ``path``, else the file on disk."""
        path = os.path.abspath(path)
        if path in self.overlays:
            return self.overlays[path]
        from fallint.loading.files import read_text

        return read_text(Path(path)).text

    # -- which projects a file belongs to -----------------------------------

    def projects_for(self, path: str) -> list[str]:
        """The pyprojects (of fal projects) an edit of ``path`` may affect:
        the known projects that read it or contain it, else the nearest
        enclosing pyproject with ``[tool.fal]``; empty outside fal projects."""
        path = os.path.abspath(path)
        real = os.path.realpath(path)
        if os.path.basename(path) == "pyproject.toml":
            return [path] if self._is_fal(path) or path in self.projects else []
        found = [
            pp for pp, state in self.projects.items()
            if path in state.files_read or real in state.files_read
            or path.startswith(state.root + os.sep)
        ]
        if found:
            return found
        from fallint.loading.discovery import enclosing_pyprojects

        for cand in enclosing_pyprojects(Path(path)):
            if self._is_fal(str(cand)):
                return [os.path.abspath(cand)]
        return []

    def _is_fal(self, pyproject: str) -> bool:
        from fallint.loading.discovery import mentions_fal

        text = self.text(pyproject)
        return bool(text) and mentions_fal(text)

    # -- checking -------------------------------------------------------------

    def refresh(self, path: str, *, full: bool = False) -> list[str]:
        """Re-check what an edit (or save, with ``full``) of ``path`` affects;
        the pyprojects re-checked."""
        path = os.path.abspath(path)
        real = os.path.realpath(path)
        done = []
        for pp in self.projects_for(path):
            state = self.projects.get(pp)
            if full or state is None or state.project is None:
                self.check(pp)
            elif path == pp:
                self.check(pp, PYPROJECT_EDIT)
            elif path in state.files_read or real in state.files_read:
                apps = state.apps_using(path) | state.apps_using(real)
                if apps and path.endswith(".py"):
                    # and the apps whose files import it, directly or not
                    for importer in _importers(state.project, state.python_files, {path, real}):
                        apps |= state.apps_using(importer)
                self.check(pp, apps or None)
            else:
                continue
            done.append(pp)
        return done

    def check(self, pyproject: str, apps: Iterable[str] | str | None = None) -> ProjectState | None:
        """Lint one project: everything, or (``apps``) re-run the per-app
        rules for those apps only (and the apps sharing files with them),
        or (:data:`PYPROJECT_EDIT`) for the apps an edit of the pyproject
        changed.  The result equals a full check.  None when it is not a
        fal project."""
        pyproject = os.path.abspath(pyproject)
        state = self.projects.get(pyproject) or ProjectState(pyproject)
        started = time.perf_counter()
        if apps is None or apps == PYPROJECT_EDIT:
            wanted: Any = apps
        else:
            wanted = frozenset(apps)
        try:
            outcome = self._run(pyproject, state, wanted)
        except Exception as exc:  # never take the server down
            if os.environ.get("FALLINT_DEBUG"):
                raise
            outcome = _Outcome(None, None, [], [f"internal error while checking {pyproject}: {type(exc).__name__}: {exc}"])
        project = outcome.project
        if project is not None and not _has_fal(project):
            self.projects.pop(pyproject, None)
            return None
        diags = list(outcome.diagnostics) + [_internal(pyproject, msg) for msg in outcome.internal]
        state.project, state.files = project, outcome.files
        state.raw_by_app, state.app_internal = outcome.raw_by_app, outcome.app_internal
        if outcome.partial is not None:
            state.files_read |= _files_read(project, outcome.files)
            _, named = _dependencies(project, None, outcome.partial)
            for key in list(state.app_files):
                if key not in outcome.raw_by_app:
                    del state.app_files[key]
            for key in outcome.partial:
                state.app_files[key] = named.get(key, set()) | _diagnostic_files(project, outcome.raw_by_app.get(key, ()))
            state.last_run = ("partial", outcome.partial)
            state.python_files.update(_python_files(project))
        else:
            state.files_read, state.app_files = _dependencies(project, outcome.files)
            for key, raw in (outcome.raw_by_app or {}).items():
                state.app_files.setdefault(key, set()).update(_diagnostic_files(project, raw))
            state.last_run = ("full", frozenset())
            state.python_files = _python_files(project)
        state.diagnostics = sorted(diags, key=_order)
        state.seconds = time.perf_counter() - started
        self.projects[pyproject] = state
        return state

    def _run(self, pyproject: str, state: ProjectState, wanted: Any) -> "_Outcome":
        # the engine's own names (wherever the selection logic lives, run.py uses it)
        from fallint.engine.run import finish_check, prefetch_sources, run_rules, selection, split_rules
        from fallint.loading.files import FileCache, forget_real_paths
        from fallint.model.project import load_project

        forget_real_paths()
        files = FileCache(self.overlays)
        previous = state if state.project is not None else None
        project = load_project(Path(pyproject), files, None,
                               reuse=previous.project if previous is not None else None)
        cache = self.source_cache(os.path.dirname(pyproject))
        project.options = {"no_cache": True, "source_kwargs": {"cache": cache}}
        if not _has_fal(project):
            return _Outcome(project, files, [], [])
        sel = selection(project.config)
        project.selection = sel
        main, post = split_rules(sel)
        per_app = [r for r in main if is_per_app_rule(r)]
        whole = [r for r in main if not is_per_app_rule(r)]

        plan = None
        if wanted is not None and previous is not None and previous.raw_by_app is not None:
            plan = _plan(previous, project, wanted)
        by_app: dict[str, list[Diagnostic]] | None
        if plan is not None:
            rerun, kept = plan
            # what only the pyproject outside the apps (unchanged) and the disk decide
            for name in CARRIED_OVER:
                if name in previous.project.__dict__:
                    project.__dict__[name] = previous.project.__dict__[name]
            project.app_filter = rerun
            prefetch_sources([project])
            app_internal: list[tuple[str, str]] = []
            fresh = _by_app(run_rules(project, per_app, app_internal), rerun)
            # back to the whole project for the project rules and the suppressions
            project.app_filter = None
            for name in ("apps", "app_source_files"):
                project.__dict__.pop(name, None)
            if fresh is None or _spills(project, fresh, kept, state.app_files):
                plan = None  # a diagnostic we cannot attribute, or a newly shared file
            else:
                order = [app.key for app in project.all_apps]
                merged = {**kept, **fresh}
                by_app = {key: merged[key] for key in order if key in merged}
                app_internal = list(dict.fromkeys(previous.app_internal + app_internal))
        if plan is None:
            project = load_project(Path(pyproject), files, None, reuse=project)
            project.options = {"no_cache": True, "source_kwargs": {"cache": cache}}
            project.selection = sel
            prefetch_sources([project])
            app_internal = []
            main, post = split_rules(sel)
            per_app = [r for r in main if is_per_app_rule(r)]
            whole = [r for r in main if not is_per_app_rule(r)]
            raw = run_rules(project, per_app, app_internal)
            # None (a diagnostic names no app): the next check is a full one too
            by_app = _by_app(raw, frozenset(app.key for app in project.all_apps))
        else:
            raw = [d for diags in by_app.values() for d in diags]
        internal = list(app_internal)
        raw += run_rules(project, whole, internal)
        diags, messages = finish_check(project, sel, raw, internal, post)
        return _Outcome(project, files, diags, messages, by_app, app_internal,
                        plan[0] if plan is not None else None)

    def refresh_files(self, paths: Iterable[str]) -> list[str]:
        """Changes on disk (the client's file watcher): every project they may
        affect is checked again once, fully; a project whose pyproject is
        gone is forgotten.  Files open in the editor are skipped (their
        buffer is what counts).  The pyprojects checked or forgotten."""
        todo: list[str] = []
        for path in paths:
            path = os.path.abspath(path)
            if path in self.overlays:
                continue
            if path in self.projects and not os.path.isfile(path):
                self.projects.pop(path, None)
                todo.append(path)
                continue
            for pp in self.projects_for(path):
                if pp not in todo:
                    todo.append(pp)
        for pp in todo:
            if pp in self.projects or os.path.isfile(pp) or pp in self.overlays:
                self.check(pp)
        return todo

    def folder_projects(self, folder: str) -> list[str]:
        """The fal project at the root of a workspace folder (checked), if any."""
        pyproject = os.path.join(os.path.abspath(folder), "pyproject.toml")
        if (os.path.isfile(pyproject) or pyproject in self.overlays) and self._is_fal(pyproject):
            if pyproject not in self.projects:
                self.check(pyproject)
            return [pyproject] if pyproject in self.projects else []
        return []

    def remove_folder(self, folder: str) -> list[str]:
        """Forget the projects inside a workspace folder that was removed."""
        folder = os.path.abspath(folder)
        gone = [pp for pp in self.projects if pp == os.path.join(folder, "pyproject.toml")
                or pp.startswith(folder + os.sep)]
        for pp in gone:
            del self.projects[pp]
            self.source_caches.pop(os.path.dirname(pp), None)
        return gone

    def diagnostics_by_file(self) -> dict[str, list[Diagnostic]]:
        """Every project's diagnostics, by absolute path of the file they point at."""
        out: dict[str, list[Diagnostic]] = {}
        for state in self.projects.values():
            for d in state.diagnostics:
                out.setdefault(os.path.abspath(d.location.path), []).append(d)
        return out

    def lines(self, path: str) -> list[str]:
        """The lines of ``path`` as the last runs saw it (the overlay, else disk)."""
        text = self.text(path)
        return text.split("\n") if text is not None else []

    def state_for(self, path: str) -> ProjectState | None:
        """The state of the project ``path`` belongs to (checked on demand)."""
        for pp in self.projects_for(path):
            state = self.projects.get(pp) or self.check(pp)
            if state is not None:
                return state
        return None


#: the project facts a partial check takes over from the last check: they
#: depend on the pyproject outside ``[tool.fal.apps]`` (unchanged, or the
#: check is a full one) and on files a change of which is a full check
CARRIED_OVER = ("fal_releases", "layout")

#: :meth:`Workspace.check`'s ``apps`` for a keystroke in the pyproject itself
PYPROJECT_EDIT = "pyproject"

#: the ``check_project`` methods that only loop over ``project.apps`` (qualified names)
PER_APP_METHODS = frozenset({
    "Rule.check_project", "RefRule.check_project", "BuildRule.check_project", "FileTooLarge.check_project",
})


def is_per_app_rule(rule: Any) -> bool:
    """A rule whose diagnostics about an app depend on that app (and the files
    it reads) only: its ``check_project`` is a per-app loop.  Every other rule
    is a project rule, run on the whole project by every check."""
    return getattr(type(rule).check_project, "__qualname__", "") in PER_APP_METHODS


class _Outcome:
    def __init__(self, project: Any, files: Any, diagnostics: list, internal: list,
                 raw_by_app: dict | None = None, app_internal: list | None = None,
                 partial: frozenset | None = None) -> None:
        self.project, self.files = project, files
        self.diagnostics, self.internal = diagnostics, internal
        self.raw_by_app, self.app_internal = raw_by_app, app_internal or []
        self.partial = partial


def _order(d: Diagnostic) -> tuple:
    loc = d.location
    return (str(loc.path), loc.line, loc.column, loc.end_line, loc.end_column, d.code, d.message, d.app or "")


def _by_app(raw: list[Diagnostic], apps: frozenset[str] | None) -> dict[str, list[Diagnostic]] | None:
    """``raw`` by app; None when a diagnostic names no app (or one not checked)."""
    out: dict[str, list[Diagnostic]] = {key: [] for key in apps} if apps is not None else {}
    for d in raw:
        if d.app is None or (apps is not None and d.app not in apps):
            return None
        out.setdefault(d.app, []).append(d)
    return out


def _outside_apps(data: Any) -> Any:
    """The parsed pyproject without ``[tool.fal.apps]``."""
    if not isinstance(data, dict):
        return data
    tool = data.get("tool")
    fal = tool.get("fal") if isinstance(tool, dict) else None
    if not isinstance(fal, dict) or "apps" not in fal:
        return data
    fal = {k: v for k, v in fal.items() if k != "apps"}
    return {**data, "tool": {**tool, "fal": fal}}


def _plan(previous: ProjectState, project: Any, wanted: Any) -> tuple[frozenset[str], dict] | None:
    """Which apps a partial check re-runs, and the kept raw diagnostics of the
    others (moved to the new lines); None: check everything."""
    old = previous.project
    raw_by_app = previous.raw_by_app or {}
    keys = [app.key for app in project.all_apps]
    old_keys = [app.key for app in old.all_apps]
    if wanted == PYPROJECT_EDIT:
        if old.text == project.text:
            rerun: set[str] = set()
            shift = None
        else:
            if (old.load_errors or project.load_errors or old.broken_apps or project.broken_apps
                    or old.partially_broken or project.partially_broken):
                return None
            if _outside_apps(old.data) != _outside_apps(project.data):
                return None
            old_table, new_table = old.apps_table, project.apps_table
            if not isinstance(old_table, dict) or not isinstance(new_table, dict):
                return None
            common = set(keys) & set(old_keys)
            if [k for k in old_keys if k in common] != [k for k in keys if k in common]:
                return None  # apps moved: who owns a shared file's diagnostics may change
            rerun = {k for k in keys if k not in common or old_table.get(k) != new_table.get(k)}
            shift = _line_change(old.text, project.text)
            lo, old_hi, new_hi = shift
            touched = _sections_touching(old.text, lo, old_hi)
            more = _sections_touching(project.text, lo, new_hi)
            if touched is None or more is None:
                touched = _apps_touching(project, lo, new_hi)  # the TOML index: every spelling
            else:
                touched |= more
            rerun |= touched
            for key, diags in raw_by_app.items():
                if key in common and key not in rerun and any(_crosses(project.pyproject_path, d, lo, old_hi) for d in diags):
                    rerun.add(key)
    else:
        if old.text != project.text:
            return None
        rerun = set(wanted) & set(keys)
        shift = None
    # apps sharing a file with a re-checked one: the first app owns a diagnostic there
    shared = set().union(*(previous.app_files.get(k, set()) for k in rerun)) if rerun else set()
    if shared:
        rerun |= {k for k in keys if previous.app_files.get(k, set()) & shared}
    kept = {}
    for key in keys:
        if key in rerun:
            continue
        if key not in raw_by_app:
            rerun.add(key)  # never checked (cannot happen without a pyproject change)
            continue
        diags = raw_by_app[key]
        kept[key] = diags if shift is None else [_moved(project.pyproject_path, d, shift) for d in diags]
    return frozenset(rerun), kept


def _line_change(old: str, new: str) -> tuple[int, int, int]:
    """The lines an edit replaced: ``(lo, old_hi, new_hi)``, 1-based and
    inclusive (``lo > hi`` for a pure insertion or deletion at ``lo``)."""
    a, b = old.split("\n"), new.split("\n")
    n = min(len(a), len(b))
    p = 0
    while p < n and a[p] == b[p]:
        p += 1
    q = 0
    while q < n - p and a[-1 - q] == b[-1 - q]:
        q += 1
    return p + 1, len(a) - q, len(b) - q


def _sections_touching(text: str, lo: int, hi: int) -> set[str] | None:
    """The apps whose ``[tool.fal.apps.NAME...]`` sections hold lines
    ``lo``..``hi`` of ``text`` (for an insertion or deletion, the line before
    it), found without the TOML index; None when a line is in a section that
    may define apps in another spelling (``[tool.fal.apps]``, ``[tool.fal]``,
    ``[tool]``, the root table)."""
    from fallint.model.project import APPS_PATH, _is_header, _parse_header

    lines = text.split("\n")
    first, last = (lo, hi) if lo <= hi else (lo - 1, lo - 1)
    if last < 1:
        return set()
    start = first
    while start > 1 and not _is_header(lines[start - 1]):
        start -= 1
    out: set[str] = set()
    section: tuple | None = None  # the header path of the current line, () before any header
    for number in range(start, min(last, len(lines)) + 1):
        line = lines[number - 1]
        if number == start:
            section = _parse_header(line) if _is_header(line) else ()
            if section is None:
                return None
        elif _is_header(line):
            section = _parse_header(line)
            if section is None:
                return None
        if number < first:
            continue
        if len(section) >= 4 and section[:3] == APPS_PATH:
            out.add(section[3])
        elif APPS_PATH[: len(section)] == section:
            return None
    return out


def _apps_touching(project: Any, lo: int, hi: int) -> set[str]:
    """The apps with a key, value or header on lines ``lo``..``hi`` of the new
    text (or, for an insertion, a span across the point of insertion)."""
    from fallint.model.project import APPS_PATH

    out: set[str] = set()
    entries = project.index._build()  # the raw spans, 0-based rows
    for path, entry in entries.items():
        if len(path) < 4 or path[:3] != APPS_PATH or path[3] in out:
            continue
        for raw in (entry.key, entry.value, entry.header):
            if raw is not None and raw[0] + 1 <= hi and raw[2] + 1 >= lo:
                out.add(path[3])
                break
    return out


def _crosses(pyproject: Path, d: Diagnostic, lo: int, hi: int) -> bool:
    locations = [d.location] + [r.location for r in d.related]
    return any(loc.path == pyproject and loc.line <= hi and loc.end_line >= lo for loc in locations)


def _moved(pyproject: Path, d: Diagnostic, shift: tuple[int, int, int]) -> Diagnostic:
    from fallint.util.records import replace

    _, old_hi, new_hi = shift
    delta = new_hi - old_hi
    if not delta:
        return d

    def move(loc: Location) -> Location:
        if loc.path != pyproject or loc.line <= old_hi:
            return loc
        return replace(loc, line=loc.line + delta, end_line=loc.end_line + delta)

    location = move(d.location)
    related = tuple(replace(r, location=move(r.location)) for r in d.related)
    if location is d.location and all(a is b for a, b in zip(related, d.related)):
        return d
    return replace(d, location=location, related=related)


def _diagnostic_files(project: Any, diags: Iterable[Diagnostic]) -> set[str]:
    """The files other than the pyproject that ``diags`` point at."""
    out: set[str] = set()
    for d in diags:
        for loc in [d.location] + [r.location for r in d.related]:
            if loc.path != project.pyproject_path:
                out |= _both(loc.path)
    return out


def _spills(project: Any, fresh: dict, kept: dict, app_files: dict) -> bool:
    """A re-checked app now names or reports in a file that an app not
    re-checked uses: the owner of a diagnostic there may change."""
    others = set().union(*(app_files.get(k, set()) for k in kept)) if kept else set()
    if not others:
        return False
    _, named = _dependencies(project, None, frozenset(fresh))
    for key, diags in fresh.items():
        if (named.get(key, set()) | _diagnostic_files(project, diags)) & others:
            return True
    return False


#: path -> (the FileResult, the names its imports mention): computed once per parse
_IMPORT_NAMES: dict[str, tuple[Any, frozenset[str]]] = {}


def _python_files(project: Any) -> dict[str, Any]:
    """The Python files a run loaded (path -> FileResult)."""
    sources = project.__dict__.get("sources") if project is not None else None
    return {os.fspath(k): v for k, v in getattr(sources, "_files", {}).items()} if sources is not None else {}


def _importers(project: Any, files: dict[str, Any], paths: set[str]) -> set[str]:
    """The Python files in ``files`` (loaded by the checks) that import one of ``paths``,
    directly or through each other -- by name, erring on the side of too
    many: an import matches when a part of its module name (or the name it
    imports) is a part of the path of one of the files (``pkg/mod.py``:
    ``pkg``, ``mod``)."""
    if project is None:
        return set()
    root = os.fspath(project.root)

    def parts(path: str) -> set[str]:
        rel = os.path.relpath(path, root)
        if rel.startswith(".."):
            rel = os.path.basename(path)
        comps = rel.split(os.sep)
        comps[-1] = comps[-1].removesuffix(".py")
        return {c for c in comps if c and c != "__init__"}

    names: set[str] = set().union(*(parts(p) for p in paths))
    found: set[str] = set()
    grew = True
    while grew:
        grew = False
        for key, result in files.items():
            key = os.fspath(key)
            if key in found or key in paths:
                continue
            index = getattr(result, "index", None)
            if index is None:
                continue
            seen = _IMPORT_NAMES.get(key)
            if seen is None or seen[0] is not result:
                words: set[str] = set()
                for imp in list(index.imports) + list(index.star_imports):
                    words.update((getattr(imp, "module", None) or "").split("."))
                    words.add(getattr(imp, "attr", None) or "")
                seen = _IMPORT_NAMES[key] = (result, frozenset(words - {""}))
            if names & seen[1]:
                found.add(key)
                names |= parts(key)
                grew = True
    return {both for key in found for both in _both(key)}


def _has_fal(project: Any) -> bool:
    from fallint.engine.run import _has_fal as has_fal

    return has_fal(project)


def _internal(pyproject: str, message: str) -> Diagnostic:
    return Diagnostic(
        INTERNAL_CODE, "internal-error", ERROR,
        f"fallint failed (please report this): {message}",
        Location.point(Path(pyproject), 1, 1),
    )


def _both(path: Any) -> set[str]:
    text = os.path.abspath(os.fspath(path))
    return {text, os.path.realpath(text)}


def _files_read(project: Any, files: Any) -> set[str]:
    """The absolute and real paths of the files a run read."""
    both = _both
    read: set[str] = set()
    if files is not None:
        for p in list(getattr(files, "_files", {})):
            read |= both(p)
    sources = project.__dict__.get("sources") if project is not None else None
    if sources is not None:
        for p in list(getattr(sources, "_files", {})) + list(getattr(sources, "_asked", {})):
            read |= both(p)
    return read


def _dependencies(project: Any, files: Any, apps: frozenset[str] | None = None) -> tuple[set[str], dict[str, set[str]]]:
    """The files a run read, and for each app (of ``apps``) the files it names directly."""
    if project is None:
        return set(), {}
    both = _both
    read = _files_read(project, files) if apps is None else set()
    sources = project.__dict__.get("sources")
    per_app: dict[str, set[str]] = {}
    for app in project.all_apps:
        if apps is not None and app.key not in apps:
            continue
        named: set[str] = set()
        try:
            ref = app.table.get("ref")
            if isinstance(ref, str) and "\x00" not in ref:
                part = ref.partition("::")[0]
                if part:
                    named |= both(os.path.normpath(os.path.join(project.root, part)))
            entry = app.table.get("python_entry_point")
            if isinstance(entry, str) and sources is not None:
                module = entry.split(":", 1)[0].strip()
                if module and all(p.isidentifier() for p in module.split(".")):
                    loc = sources.module_file(module)
                    if loc.path is not None:
                        named |= both(loc.path)
            image = app.table.get("image")
            if isinstance(image, dict) and isinstance(image.get("dockerfile"), str):
                named |= both(os.path.normpath(os.path.join(project.root, image["dockerfile"])))
                named |= both(os.path.join(project.root, ".dockerignore"))
        except Exception:
            continue  # an app we cannot read: a change re-checks the project
        per_app[app.key] = named
    return read, per_app
