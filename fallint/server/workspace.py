"""The language server's model of the workspace, free of LSP types.

A :class:`Workspace` keeps the editor's unsaved buffers (``overlays``: they
stand in for the files on disk, see :class:`~fallint.loading.files.FileCache`),
the last result of each fal project it has seen, and the parsed Python files
of past runs by content digest (:class:`MemoryCache`), so that a re-check
parses only what changed.

What an edit re-checks (:meth:`Workspace.refresh`):

* the ``pyproject.toml`` itself, a save, or a file the last run read but no
  app names directly (an imported module, a requirements file): the whole
  project;
* a file apps name directly (their ``ref`` file, ``python_entry_point``
  module, Dockerfile, the ``.dockerignore`` next to it): those apps only,
  their old diagnostics replaced and the others' kept;
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

    def put(self, digest: str, result: Any) -> bool:
        self._remember(digest, result)
        if self.disk is not None:
            self.disk.put(digest, result)
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
        #: app key -> the files it names directly (absolute and real paths)
        self.app_files: dict[str, set[str]] = {}
        self.seconds = 0.0  # how long the last check took

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
            if full or state is None or path == pp or state.project is None:
                self.check(pp)
            elif path in state.files_read or real in state.files_read:
                apps = state.apps_using(path) | state.apps_using(real)
                self.check(pp, apps or None)
            else:
                continue
            done.append(pp)
        return done

    def check(self, pyproject: str, apps: Iterable[str] | None = None) -> ProjectState | None:
        """Lint one project (only ``apps``, when given: their diagnostics are
        replaced, the others kept).  None when it is not a fal project."""
        pyproject = os.path.abspath(pyproject)
        state = self.projects.get(pyproject) or ProjectState(pyproject)
        started = time.perf_counter()
        app_filter = frozenset(apps) if apps else None
        try:
            outcome = self._run(pyproject, app_filter)
        except Exception as exc:  # never take the server down
            if os.environ.get("FALLINT_DEBUG"):
                raise
            outcome = None, None, [], [f"internal error while checking {pyproject}: {type(exc).__name__}: {exc}"]
        project, files, diags, internal = outcome
        if project is not None and not _has_fal(project):
            self.projects.pop(pyproject, None)
            return None
        diags = list(diags) + [_internal(pyproject, msg) for msg in internal]
        if app_filter is not None and state.project is not None:
            kept = [d for d in state.diagnostics if d.app not in app_filter and d.code != INTERNAL_CODE]
            diags = kept + [d for d in diags if d.app in app_filter or d.code == INTERNAL_CODE]
            state.files_read |= _files_read(project, files)
        else:
            state.files_read, state.app_files = _dependencies(project, files)
        state.project, state.files = project, files
        state.diagnostics = sorted(diags, key=lambda d: (str(d.location.path), d.location.line, d.location.column, d.code))
        state.seconds = time.perf_counter() - started
        self.projects[pyproject] = state
        return state

    def _run(self, pyproject: str, app_filter: frozenset[str] | None):
        # the engine's own names (wherever the selection logic lives, run.py uses it)
        from fallint.engine.run import check_project, prefetch_sources, selection
        from fallint.loading.files import FileCache, forget_real_paths
        from fallint.model.project import load_project

        forget_real_paths()
        files = FileCache(self.overlays)
        previous = self.projects.get(pyproject)
        project = load_project(Path(pyproject), files, app_filter,
                               reuse=previous.project if previous is not None else None)
        cache = self.source_cache(os.path.dirname(pyproject))
        project.options = {"no_cache": True, "source_kwargs": {"cache": cache}}
        if not _has_fal(project):
            return project, files, [], []
        prefetch_sources([project])
        diags, internal = check_project(project, selection(project.config))
        return project, files, diags, internal

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


def _dependencies(project: Any, files: Any) -> tuple[set[str], dict[str, set[str]]]:
    """The files a run read, and for each app the files it names directly."""
    if project is None:
        return set(), {}
    both = _both
    read = _files_read(project, files)
    sources = project.__dict__.get("sources")
    per_app: dict[str, set[str]] = {}
    for app in project.all_apps:
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
