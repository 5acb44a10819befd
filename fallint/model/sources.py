"""Cross-file questions about a project's Python source, answered statically.

fal finds a ``ref`` app by *executing* the file (``runpy.run_path``) and
inspecting its globals; a ``python_entry_point`` app's worker imports the
module.  :class:`SourceProject` reaches the same verdicts from
:class:`~fallint.formats.python.ModuleIndex` es alone: it follows imports
of project modules, package re-exports, ``__all__``, star imports and aliases
across files (cycle-safe), loads each file at most once, and never imports or
executes user code.

The rules mirrored here are fal 1.83.0's (``fal/utils.py`` ``_find_target``,
``fal/app.py`` ``App.__init_subclass__`` / ``wrap_app``, ``fal/api/api.py``
``function``), checked by running fal on small projects:

* a ``ref`` target must be a class that is a subclass of ``fal.App``, or an
  ``IsolatedFunction``: a function whose *outermost* decorator is
  ``@fal.function(...)`` (called: a bare ``@fal.function`` makes fal raise
  "Unrecognised environment kind" when the file runs), ``X = fal.function(...)(f)``,
  or ``X = fal.wrap_app(SomeApp)``;
* without ``::Name`` fal scans *every* global of the executed module --
  imported names included -- for ``fal.App`` subclasses other than ``fal.App``
  itself and the abstract ``fal.wma.App``; then for fal functions;
* a route is a method whose decorators include ``fal.endpoint(...)`` or
  ``fal.realtime(...)`` (called), found through the class's MRO, so a
  subclass method of the same name without the decorator hides it.

Imports are resolved the way fal sees them when it runs: ``run_path`` does not
put the ref'd file's directory on ``sys.path`` (fal appends the working
directory, i.e. the project root), and it runs the file as a top-level script,
so a relative import in the ref'd file itself fails at run time (the index
records ``level`` so callers can report that).  Absolute names are searched in
the layout's source roots (an installed project), then the project root.
``fal`` itself is always external.

Why one long module: every question here (what a name is bound to, a class's
MRO, its routes and settings, fal's scan of a module) walks the same cross-
file graph of indexes with the same cycle guards and memo tables; split apart,
each piece would need the others' internals.
"""

from __future__ import annotations

import builtins
import codecs
import gc
import marshal
import os
import re
import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from fallint.formats.python import (
    AssignmentEntry,
    ClassEntry,
    Decorator,
    FunctionEntry,
    ImportEntry,
    ModuleIndex,
    PySyntaxError,
    Value,
    index_source,
    winner,
)
from fallint.loading import fs
from fallint.loading.files import (
    FileCache,
    TextFile,
    open_error,
    decode,
    is_dir,
    is_file,
    open_regular,
    read_bounded,
    read_text,
    real_path,
)
from fallint.model.fal import (
    APP_FILES_SETTINGS,
    ATTRIBUTE_SETTINGS,
    BASE_HOST_KWARGS,
    DIRECT_SETTINGS,
    FAL_ALIASES,
    FAL_APP_CLASSES,
    FAL_FUNCTION,
    FAL_SCAN_EXCLUDED,
    FAL_STAR_EXPORTS,
    FAL_WRAP_APP,
    NON_SETTING_KEYWORDS,
    NOT_NONE_SETTINGS,
    ROUTE_DECORATORS,
)
from fallint.model.layout import Layout, ModuleLocation, SourceRoot, find_in_roots
from fallint.util.records import dataclass, field, replace

MAX_SOURCE_BYTES = 5 * 1024 * 1024
#: a longer Python file is not parsed: libcst holds ~10 KB per line of tiny
#: module-level statements (200,000 lines took 2 GB and 40 s); this bounds a
#: parse to about 200 MB and a few seconds (see README, "Limits")
MAX_SOURCE_LINES = 20_000

#: top-level packages that cannot define fal.App subclasses (fal's own
#: dependencies, and large libraries that do not depend on fal)
NOT_FAL_PACKAGES = frozenset({
    "isolate", "isolate_proto", "grpc", "dill", "cloudpickle", "typing_extensions", "structlog",
    "opentelemetry", "rich", "packaging", "pathspec", "pydantic", "pydantic_core", "fastapi",
    "starlette", "starlette_exporter", "httpx", "attr", "attrs", "dateutil", "msgpack",
    "websockets", "PIL", "jwt", "uvicorn", "tomli", "tomli_w", "fsspec", "tblib", "torch",
    "numpy", "transformers", "diffusers", "huggingface_hub", "safetensors", "accelerate",
})
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ())) | {"builtins", "typing", "abc"}
_BUILTINS = frozenset(dir(builtins))

# --------------------------------------------------------------------------
# Loading files
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    """The outcome of loading one file: an index, or an error.

    ``error`` is one of ``"missing"``, ``"directory"``, ``"unreadable"``
    (permission denied, symlink loop, not a regular file...), ``"not-utf8"``
    (also binary files containing NUL bytes), ``"too-large"`` or
    ``"syntax"``; ``line``/``column`` locate syntax and encoding errors.
    """

    index: ModuleIndex | None = None
    error: str | None = None
    message: str | None = None
    line: int | None = None
    column: int | None = None

    @property
    def ok(self) -> bool:
        return self.index is not None

    def to_dict(self) -> dict:
        data = {k: getattr(self, k) for k in ("error", "message", "line", "column")}
        data["index"] = self.index.to_dict() if self.index is not None else None
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "FileResult":
        index = data.get("index")
        return cls(
            ModuleIndex.from_dict(index) if index is not None else None,
            data.get("error"), data.get("message"), data.get("line"), data.get("column"),
        )

    def to_list(self) -> list:
        """A compact JSON-able form, ``[index, error, message, line, column]``
        with the index as :meth:`ModuleIndex.to_list` (what the cache stores
        and worker processes send back)."""
        # (not memoised: the packed form of every file would stay in memory
        # beside the objects; a worker packs once, see _run_job)
        index = self.index.to_list() if self.index is not None else None
        return [index, self.error, self.message, self.line, self.column]

    @classmethod
    def from_list(cls, data: list) -> "FileResult":
        """Inverse of :meth:`to_list`; ``ValueError`` when ``data`` is not of its shape."""
        if type(data) is not list or len(data) != 5:
            raise ValueError("not a packed FileResult")
        index, error, message, line, column = data
        for value, kind in ((error, str), (message, str), (line, int), (column, int)):
            if value is not None and type(value) is not kind:
                raise ValueError("not a packed FileResult")
        return cls(ModuleIndex.from_list(index) if index is not None else None, error, message, line, column)


_CODING = re.compile(rb"^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)")
#: fallint.loading.files.read_text error -> FileResult.error
_READ_ERRORS = {
    "missing": "missing",
    "directory": "directory",
    "too-large": "too-large",
    "not-utf8": "not-utf8",
    "binary": "not-utf8",
}


def load_file(path: Path) -> FileResult:
    """Read and index one Python file; every failure is a value.

    A pure function of the file's bytes (the persistent cache and the
    parallel parser wrap it).  Files over 5 MiB are refused; the text must be
    UTF-8 unless a PEP 263 coding line says otherwise.
    """
    path = Path(path)
    return _load_text(read_text(path, max_bytes=MAX_SOURCE_BYTES), lambda: _read_raw(path))


def read_source(path: Path) -> bytes | None:
    """The bytes of ``path`` when it is a readable regular file of at most
    ``MAX_SOURCE_BYTES``, else None (:func:`load_file` then says what is wrong)."""
    try:
        handle = open_regular(path)
    except (OSError, ValueError) as exc:
        fs.note_read(path, None, error=open_error(exc))
        return None
    try:
        with handle:
            st = os.fstat(handle.fileno())
            data = read_bounded(handle, MAX_SOURCE_BYTES)
    except (OSError, ValueError):
        fs.spoil(f"{path} could not be read")
        return None
    fs.note_read(path, st, data)
    return data


def load_bytes(path: Path, data: bytes) -> FileResult:
    """:func:`load_file` for a file whose bytes (from :func:`read_source`)
    are ``data``: the same result, without reading the file again."""
    return _load_text(decode(Path(path), data), lambda: data)


def _load_text(loaded: TextFile, raw: Callable[[], bytes | None]) -> FileResult:
    """Index a file read by :func:`~fallint.loading.files.read_text` (``raw()``: its
    bytes, needed only when they are not UTF-8)."""
    text = loaded.text
    if loaded.error == "not-utf8":
        text = _decode_with_cookie(raw())
    if text is None:
        kind = _READ_ERRORS.get(loaded.error, "unreadable")
        located = kind == "not-utf8"
        return FileResult(
            error=kind,
            message=loaded.message or "cannot be read",
            line=loaded.line if located else None,
            column=loaded.column if located else None,
        )
    lines = text.count("\n") + 1
    if lines > MAX_SOURCE_LINES:
        return FileResult(
            error="too-large",
            message=f"has {lines:,} lines; Python files over {MAX_SOURCE_LINES:,} lines are not analysed",
        )
    try:
        return FileResult(index_source(text))
    except PySyntaxError as exc:
        return FileResult(error="syntax", message=exc.message, line=exc.line, column=exc.column)


def _read_raw(path: Path) -> bytes | None:
    try:
        with open_regular(path) as handle:
            st = os.fstat(handle.fileno())
            data = handle.read(MAX_SOURCE_BYTES + 1)
    except (OSError, ValueError):
        fs.spoil(f"{path} could not be read")
        return None
    fs.note_read(path, st, data)
    return data


def _decode_with_cookie(data: bytes | None) -> str | None:
    """Decode a non-UTF-8 file declaring its encoding (``# -*- coding: latin-1 -*-``)."""
    if data is None:
        return None
    for raw_line in data.splitlines()[:2]:
        match = _CODING.match(raw_line)
        if match:
            try:
                codec = codecs.lookup(match.group(1).decode("ascii"))
                if codec.name == "utf-8":
                    return None
                return data.decode(codec.name).replace("\r\n", "\n")
            except (LookupError, UnicodeDecodeError, ValueError):
                return None
        if raw_line.strip() and not raw_line.lstrip().startswith(b"#"):
            break
    return None


# --------------------------------------------------------------------------
# Parsing in worker processes
# --------------------------------------------------------------------------

#: fewer files to parse than this are parsed in the calling process
MIN_PARALLEL_FILES = 8
#: ... and each worker gets at least this many (starting one costs a libcst import)
MIN_FILES_PER_WORKER = 4
#: less source than this (bytes) is parsed in the calling process unless
#: ``--jobs`` says otherwise: ~1-2 µs of CPU a byte, so up to ~0.3-0.5 s of
#: parsing, where workers save little wall time and cost CPU (benchmarks/NOTES.md)
MIN_PARALLEL_BYTES = 256 * 1024
#: ... and each worker gets at least this much
MIN_BYTES_PER_WORKER = 96 * 1024


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: loading many files builds (acyclic)
    index objects by the ten thousand, and the collections they trigger would
    walk all of them again and again -- half the time of a warm run."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def available_cpus() -> int:
    """The CPUs this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def worker_count(files: int, jobs: int | None = None, size: int | None = None) -> int:
    """How many worker processes parse ``files`` files of ``size`` bytes in
    all (1: no workers).

    None for a handful of files; else ``jobs`` when given (``--jobs``), or
    none when the parse work is small (less than ``MIN_PARALLEL_BYTES``),
    else the usable CPUs -- half of them under pre-commit (``PRE_COMMIT``
    set), which may run other hooks at the same time -- with at least
    ``MIN_FILES_PER_WORKER`` files and ``MIN_BYTES_PER_WORKER`` bytes per worker.
    """
    if files < MIN_PARALLEL_FILES:
        return 1
    if jobs is not None:
        return max(1, min(jobs, files))
    if size is not None and size < MIN_PARALLEL_BYTES:
        return 1
    cpus = available_cpus()
    if os.environ.get("PRE_COMMIT"):
        cpus = max(1, cpus // 2)
    count = min(cpus, files // MIN_FILES_PER_WORKER)
    if size is not None:
        count = min(count, size // MIN_BYTES_PER_WORKER)
    return max(1, count)


@dataclass(frozen=True)
class _Job:
    """A file to load: its path and, with a cache, its bytes and their
    digest -- or its cached result."""

    path: Path
    data: bytes | None = None
    digest: str | None = None
    result: FileResult | None = None


def _run_job(job: _Job, loader: Callable[[Path], FileResult], cache: Any, pack: bool = False) -> Any:
    """Parse one file (here or in a worker) and put the result in the cache;
    with ``pack``, the result as :meth:`FileResult.to_list` (packed once,
    for the cache entry and for the caller alike)."""
    if job.data is None:
        result = loader(job.path)
        return result.to_list() if pack else result
    result = load_bytes(job.path, job.data)
    if not pack:
        if cache is not None:
            cache.put(job.digest, result)
        return result
    packed = result.to_list()
    if cache is not None:
        cache.put(job.digest, result, packed)
    return packed


def _worker(task: tuple) -> bytes | None:
    """A worker process's task: the result as :meth:`FileResult.to_list` in
    :mod:`marshal` form (several times cheaper to send than the objects, and
    its strings arrive interned: see ``formats.python._pack``), or None when it fails
    (the caller then parses the file itself, so a failure looks exactly as
    it does in a serial run).  A forked worker keeps the CLI's collector
    off: parsing makes no reference cycles (libcst's trees have no parent
    links), and collections cost ~0.3 ms a file."""
    try:
        return marshal.dumps(_run_job(*task, pack=True))
    except Exception:
        return None


def _job_bytes(jobs: Iterable[_Job]) -> int:
    """The bytes the jobs have to parse (a file not read yet: its size)."""
    total = 0
    for job in jobs:
        if job.data is not None:
            total += len(job.data)
        else:
            try:
                total += fs.file_size(job.path)
            except (OSError, ValueError):
                pass
    return total


def _parse_in_workers(jobs: list[_Job], loader: Callable, cache: Any, workers: int) -> list[FileResult | None]:
    """Each job's result, in order, parsed by ``workers`` processes; None for
    the jobs left to the caller (all of them when ``workers`` is 1, the rest
    when the pool breaks or cannot take the loader)."""
    results: list[FileResult | None] = []
    if workers > 1 and any(job.data is None for job in jobs):
        # a worker reading a file itself: the run's record of what it read is incomplete
        fs.spoil("worker processes read files")
    if workers > 1 and _picklable((loader, cache)):
        try:
            executor = _executor(workers)
            chunksize = max(1, -(-len(jobs) // (workers * 4)))
            for packed in executor.map(_worker, [(job, loader, cache) for job in jobs], chunksize=chunksize):
                results.append(FileResult.from_list(marshal.loads(packed)) if packed is not None else None)
        except Exception:  # BrokenProcessPool (a worker died)...: finish serially
            shutdown_workers()
    return results + [None] * (len(jobs) - len(results))


def _picklable(value: Any) -> bool:
    """Can ``value`` be sent to a worker?  Checked up front: a task that fails
    to pickle inside the executor can leave its shutdown waiting forever."""
    import pickle  # parallel parsing only

    try:
        pickle.dumps(value)
    except Exception:
        return False
    return True


#: the worker pool, kept between prefetches: {"workers": n, "executor": ...}
_POOL: dict = {}


def _executor(workers: int) -> Any:
    if _POOL.get("workers") == workers:
        return _POOL["executor"]
    shutdown_workers()
    from concurrent.futures import ProcessPoolExecutor  # parallel parsing only

    executor = ProcessPoolExecutor(max_workers=workers, mp_context=_start_method())
    _POOL.update(workers=workers, executor=executor)
    return executor


def _start_method() -> Any:
    """``fork`` where it is safe and cheapest (Linux, no other thread that
    could hold a lock while forking; workers then share what the main process
    has imported), else ``forkserver`` (preloading libcst once), else ``spawn``."""
    import multiprocessing  # parallel parsing only
    import threading  # parallel parsing only

    methods = multiprocessing.get_all_start_methods()
    if sys.platform.startswith("linux") and "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    if "forkserver" in methods:
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload([__name__, "libcst"])
        return context
    return multiprocessing.get_context("spawn")


def shutdown_workers() -> None:
    """Stop the worker processes :meth:`SourceProject.prefetch` started (they
    are kept for the next prefetch until then)."""
    executor = _POOL.pop("executor", None)
    _POOL.clear()
    if executor is not None:
        executor.shutdown(wait=True, cancel_futures=True)


if hasattr(os, "register_at_fork"):  # a forked worker does not own the pool
    os.register_at_fork(after_in_child=_POOL.clear)


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Symbol:
    """Where a name is finally defined.

    ``kind`` is ``"class"``, ``"function"``, ``"assignment"`` (bound to some
    other expression), ``"module"`` (a project module; ``path`` is its file,
    or a namespace package's directory) or ``"external"`` (from outside the
    project; ``name`` is the dotted name, e.g. ``fal.App`` or
    ``builtins.object``, and ``path`` is None).  ``binding`` is the
    module-level name it was looked up as (not part of equality).
    """

    kind: str
    name: str
    path: Path | None = None
    line: int = 0
    column: int = 0
    binding: str | None = field(default=None, compare=False)

    @property
    def external(self) -> bool:
        return self.kind == "external"

    @property
    def canonical(self) -> str:
        """For an external symbol, fal's canonical spelling of it."""
        return FAL_ALIASES.get(self.name, self.name)


@dataclass(frozen=True)
class Route:
    """A method fal serves (``@fal.endpoint(path)`` / ``@fal.realtime(path)``)."""

    method: str
    decorator: str  # "fal.endpoint" | "fal.realtime"
    route_path: str | None  # the literal path argument, when literal
    health_check: bool  # the decorator passes a health_check (TOML health_check is then ignored)
    class_name: str
    path: Path | None  # file of the defining class (None: a fal class)
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Setting:
    """A host setting a fal.App class sets (see :meth:`SourceProject.class_settings`)."""

    name: str
    value: Any  # the literal value, when literal
    literal: bool
    source: str  # source text of the value
    line: int  # position of the attribute name / class keyword
    column: int
    value_line: int
    value_column: int
    path: Path  # file of the class that sets it
    class_name: str
    via: str  # "attribute" | "keyword"
    inherited: bool  # set by a base class, not the class itself
    #: does this class value win over the TOML value of the same key?
    #: None when it depends on a value that is not a literal
    overrides_toml: bool | None = None


@dataclass
class TargetScan:
    """What fal's scan of a module (a ``ref`` without ``::Name``) finds."""

    apps: list[Symbol] = field(default_factory=list)
    functions: list[Symbol] = field(default_factory=list)
    #: names whose value might be a fal.App subclass or fal function but cannot
    #: be decided statically (project classes with an unknown base; names
    #: imported from third-party packages)
    unknown: list[Symbol] = field(default_factory=list)


# internal: one node of a class's method resolution order
@dataclass(frozen=True)
class _ClassRef:
    symbol: Symbol | None  # a project class, or an external class; None = unknown
    entry: ClassEntry | None = None

    @property
    def key(self) -> tuple:
        s = self.symbol
        if s is None:
            return ("unknown", id(self))
        if s.external:
            return ("external", s.canonical)
        return ("class", _real(s.path), s.name, s.line)


def _real(path: Path | None) -> str | None:
    # symbol identity needs canonical paths, asked for tens of thousands of
    # times a run on a large project: real_path answers each once per run
    # (and strings hash and compare far faster than Path objects)
    return real_path(path) if path is not None else None


# --------------------------------------------------------------------------
# The project
# --------------------------------------------------------------------------


class SourceProject:
    """Static resolution over a project's Python files.

    ``root`` is the project root (the pyproject directory); ``layout`` the
    build layout, when known; ``loader`` maps a path to a :class:`FileResult`
    (default :func:`load_file`) and is called at most once per file.

    ``cache`` (see :class:`fallint.loading.cache.Cache`; used with the default loader
    only) keeps each file's result on disk by content hash, so an unchanged
    file is not parsed again.  ``jobs`` caps the worker processes
    :meth:`prefetch` parses with (None: automatic, see :func:`worker_count`;
    1: serial).  ``parse_count`` counts the files parsed (here or in
    workers), ``cache_hits`` the results taken from the cache.
    """

    def __init__(
        self,
        root: Path,
        layout: Layout | None = None,
        loader: Callable[[Path], FileResult] | None = None,
        *,
        cache: Any = None,
        jobs: int | None = None,
        files: FileCache | None = None,
    ) -> None:
        self.root = Path(os.path.abspath(root))
        self._real_root: str | None = None
        self.layout = layout
        self._loader = loader or load_file
        self.cache = cache if self._loader is load_file else None
        self.jobs = jobs
        #: the run's file cache: handed the bytes of each source read here, so
        #: that rules reading the same file do not read it again
        self.files = files
        # Paths are keyed by their strings inside (os.fspath): hashing and
        # comparing Path objects was a third of a warm run on a large project.
        #: file() results by resolved path
        self._files: dict[str, FileResult] = {}
        #: file() results by the absolute path as it was asked for
        self._asked: dict[str, FileResult] = {}
        #: path as given -> absolute Path / is a namespace directory
        self._absolute: dict[str, Path] = {}
        self._namespaces: dict[str, bool] = {}
        self._lookups: dict[tuple, Symbol | None] = {}
        #: _dotted() results of top-level questions (no import chain in progress)
        self._dotted_results: dict[tuple, Symbol | None] = {}
        self._submodules: dict[tuple, ModuleLocation] = {}
        #: answers about one symbol (its MRO, routes, settings): see _about
        self._answers: dict[tuple, Any] = {}
        self._modules: dict[tuple, ModuleLocation] = {}
        self._verdicts: dict[tuple, bool | None] = {}
        self.parse_count = 0
        self.cache_hits = 0

    # -- files -------------------------------------------------------------

    def _inside(self, path: Path | str) -> bool:
        """The real path of ``path`` is inside the project's real root."""
        root = self._real_root
        if root is None:
            root = self._real_root = real_path(self.root)
        real = self._key(path)
        return real == root or real.startswith(root.rstrip(os.sep) + os.sep)

    def _key(self, path: Path | str) -> str:
        """The resolved (symlink-free) absolute path (real_path memoises it)."""
        return real_path(path)

    def _abs(self, path: Path | str) -> Path:
        """``path`` as an absolute Path, memoised (the same object each time)."""
        text = os.fspath(path)
        absolute = self._absolute.get(text)
        if absolute is None:
            if isinstance(path, Path) and os.path.isabs(text) and ".." not in path.parts:
                absolute = path
            else:
                absolute = Path(os.path.abspath(text))
            self._absolute[text] = absolute
        return absolute

    def _is_namespace(self, path: Path) -> bool:
        """:func:`_is_namespace`, memoised."""
        text = os.fspath(path)
        verdict = self._namespaces.get(text)
        if verdict is None:
            verdict = self._namespaces[text] = _is_namespace(path)
        return verdict

    def file(self, path: Path) -> FileResult:
        """The loaded file (memoised by resolved path)."""
        text = os.fspath(path)
        result = self._asked.get(text)
        if result is not None:  # the same absolute path again: no path work
            return result
        absolute = self._abs(path)
        key = self._key(absolute)
        result = self._files.get(key)
        if result is None:
            job = self._lookup(absolute)
            result = job.result if job.result is not None else self._parse(job)
            self._files[key] = result
        if os.path.isabs(text):
            self._asked[text] = result
        return result

    def prefetch(self, paths: Iterable[Path]) -> None:
        """Load several files ahead of the lookups that need them.

        Cached files are read from the cache; when many files remain
        (:func:`worker_count`) they are parsed in worker processes, each
        calling the pure loader, else one by one here.  The results are the
        same either way.
        """
        with _gc_paused():
            self._prefetch(paths)

    def _prefetch(self, paths: Iterable[Path]) -> None:
        jobs: dict[Path, _Job] = {}
        for path in paths:
            path = self._abs(path)
            key = self._key(path)
            if key in self._files or key in jobs:
                continue
            job = self._lookup(path)
            if job.result is not None:
                self._files[key] = job.result
            else:
                jobs[key] = job
        if not jobs:
            return
        results = _parse_in_workers(list(jobs.values()), self._loader, self.cache,
                                    worker_count(len(jobs), self.jobs, _job_bytes(jobs.values())))
        for (key, job), result in zip(jobs.items(), results):
            if result is None:  # parsed serially (few files, or a worker failed)
                result = self._parse(job)
            else:
                self.parse_count += 1
            self._files[key] = result

    def _lookup(self, path: Path) -> _Job:
        """Start loading ``path``: its cached result when there is one, else
        what parsing it needs (with the cache: its bytes and their digest).
        A file whose real path is outside the project (reached through a
        symlink that leads out) is never read: its lines could end up quoted
        in a diagnostic."""
        if not self._inside(path) and is_file(path):  # (a missing file: the loader says so)
            return _Job(path, result=FileResult(error="outside", message="is outside the project directory"))
        cache = self.cache
        if cache is None and (self.files is None or self._loader is not load_file):
            return _Job(path)
        data = self.files.overlay_bytes(path) if self.files is not None else None
        if data is None:
            data = read_source(path)
        if data is None:  # not a readable file: load_file says why (never cached)
            return _Job(path)
        if self.files is not None:
            self.files.offer(path, data)
        if cache is None:
            return _Job(path, data)
        digest = cache.digest(data)
        hit = cache.get(digest)
        if hit is not None:
            self.cache_hits += 1
        return _Job(path, data, digest, hit)

    def _parse(self, job: _Job) -> FileResult:
        self.parse_count += 1
        try:
            return _run_job(job, self._loader, self.cache)
        except Exception as exc:  # a loader must not take the run down
            return FileResult(error="unreadable", message=f"cannot be read: {exc}")

    def index(self, path: Path | None) -> ModuleIndex | None:
        """The index of a module file (None for errors and namespace directories)."""
        if path is None:
            return None
        loaded = self._asked.get(os.fspath(path))
        if loaded is not None:
            return loaded.index
        if self._is_namespace(path):
            return None
        return self.file(path).index

    # -- modules -------------------------------------------------------------

    def search_roots(self) -> list[SourceRoot]:
        """Where absolute imports are looked for: the layout's source roots
        (the installed project), then the project root (fal's working directory)."""
        roots = self.layout.search_roots() if self.layout is not None else []
        if SourceRoot(self.root) not in roots:
            roots.append(SourceRoot(self.root))
        return roots

    def module_file(self, dotted: str, *, from_file: Path | None = None, level: int = 0) -> ModuleLocation:
        """Find module ``dotted``: absolute through the source roots, or
        relative (``level`` dots) to the package of ``from_file`` (memoised)."""
        base = Path(os.path.abspath(from_file)).parent if level > 0 and from_file is not None else None
        key = (dotted, max(level, 0), base)
        if key not in self._modules:
            self._modules[key] = self._find_module(dotted, from_file, level)
        return self._modules[key]

    def _find_module(self, dotted: str, from_file: Path | None, level: int) -> ModuleLocation:
        if level <= 0:
            if dotted == "fal" or dotted.startswith("fal."):
                return ModuleLocation(None, None, [])
            return find_in_roots(dotted, self.search_roots())
        if from_file is None:
            return ModuleLocation(None, None, [])
        base = Path(os.path.abspath(from_file)).parent
        for _ in range(level - 1):
            base = base.parent
        if not dotted:
            if is_file(base / "__init__.py"):
                return ModuleLocation(base / "__init__.py", "package", [base])
            return ModuleLocation(base, "namespace", [base]) if is_dir(base) else ModuleLocation(None, None, [base])
        return find_in_roots(dotted, [SourceRoot(base)])

    # -- names -----------------------------------------------------------------

    def lookup(self, path: Path, name: str) -> Symbol | None:
        """Resolve module-level ``name`` of the file at ``path`` to where it is
        defined; None when it is not bound (or only through an import cycle)."""
        key = (self._key(path), name)
        try:
            return self._lookups[key]
        except KeyError:
            pass
        symbol = self._name(self._abs(path), name, frozenset())
        if symbol is not None:  # (replace(symbol, binding=name), without its generic work)
            symbol = Symbol(symbol.kind, symbol.name, symbol.path, symbol.line, symbol.column, name)
        self._lookups[key] = symbol
        return symbol

    def resolve_dotted(self, path: Path, dotted: str) -> Symbol | None:
        """Resolve a dotted expression such as ``fal.App`` or ``models.Base``
        as it would evaluate in the module at ``path``."""
        return self._dotted(self._abs(path), dotted, frozenset())

    def _name(self, path: Path, name: str, seen: frozenset) -> Symbol | None:
        key = (self._key(path), name)
        if key in seen:
            return None
        seen = seen | {key}
        if self._is_namespace(path):  # a namespace package: only its submodules
            return self._submodule(path, name)
        index = self.index(path)
        if index is None:
            return None
        binding = index.binding(name)
        if binding is None:
            return self._unbound(path, index, name, seen)
        if isinstance(binding, ClassEntry):
            return Symbol("class", binding.name, path, binding.line, binding.column)
        if isinstance(binding, FunctionEntry):
            return Symbol("function", binding.name, path, binding.line, binding.column)
        if isinstance(binding, AssignmentEntry):
            if binding.alias is not None:
                target = self._dotted(path, binding.alias, seen)
                if target is not None:
                    return target
            target = self._conditional_app(path, binding, seen)
            if target is not None:
                return target
            return Symbol("assignment", binding.name, path, binding.line, binding.column)
        return self._imported(path, binding, seen)

    def _conditional_app(self, path: Path, binding: AssignmentEntry, seen: frozenset) -> Symbol | None:
        """``X if COND else Y`` where a branch is a fal.App class (a guarded
        ``import fal``): fal is installed when fal loads the file, so that branch."""
        m = _CONDITIONAL_RE.match(binding.value.source) if binding.value is not None else None
        if m is None:
            return None
        for branch in (m.group(1), m.group(2)):
            target = self._dotted(path, branch, seen)
            if target is not None and self._is_app(target, frozenset()) is True:
                return target
        return None

    def _imported(self, path: Path, entry: ImportEntry, seen: frozenset) -> Symbol | None:
        if entry.attr is None:  # import a.b / import a.b as c
            return self._module_symbol(entry.module)
        location = self.module_file(entry.module, from_file=path, level=entry.level)
        if location.path is not None:
            module = Symbol("module", entry.module, location.path)
            return self._attribute(module, entry.attr, seen)
        if entry.level > 0:
            return None  # a relative import of nothing: fails at run time
        return Symbol("external", f"{entry.module}.{entry.attr}")

    def _module_symbol(self, dotted: str) -> Symbol:
        location = self.module_file(dotted)
        if location.path is not None:
            return Symbol("module", dotted, location.path)
        return Symbol("external", dotted)

    def _submodule(self, package_dir: Path, name: str, dotted: str = "") -> Symbol | None:
        key = (os.fspath(package_dir), name)
        location = self._submodules.get(key)
        if location is None:
            location = self._submodules[key] = find_in_roots(name, [SourceRoot(package_dir)])
        if location.path is None:
            return None
        return Symbol("module", f"{dotted}.{name}" if dotted else name, location.path)

    def _attribute(self, module: Symbol, attr: str, seen: frozenset) -> Symbol | None:
        """``module.attr``: a name bound in the module, else a submodule."""
        if not self._is_namespace(module.path):
            found = self._name(module.path, attr, seen)
            if found is not None:
                return found
            if module.path.name != "__init__.py":
                return None
            package_dir = module.path.parent
        else:
            package_dir = module.path
        return self._submodule(package_dir, attr, module.name)

    def _dotted(self, path: Path, dotted: str, seen: frozenset) -> Symbol | None:
        if seen:
            return self._follow_dotted(path, dotted, seen)
        # a top-level question: its answer does not depend on an import chain
        key = (self._key(path), dotted)
        try:
            return self._dotted_results[key]
        except KeyError:
            pass
        symbol = self._dotted_results[key] = self._follow_dotted(path, dotted, seen)
        return symbol

    def _follow_dotted(self, path: Path, dotted: str, seen: frozenset) -> Symbol | None:
        head, *rest = dotted.split(".")
        symbol = self._name(path, head, seen)
        for attr in rest:
            if symbol is None:
                return None
            if symbol.external:
                symbol = Symbol("external", f"{symbol.name}.{attr}")
            elif symbol.kind == "module":
                symbol = self._attribute(symbol, attr, seen)
            else:
                return None  # an attribute of a class or value: not followed
        return symbol

    def _unbound(self, path: Path, index: ModuleIndex, name: str, seen: frozenset) -> Symbol | None:
        """A name the module does not bind itself: star imports, then builtins."""
        guess = None
        for star in sorted(index.star_imports, key=lambda s: s.order, reverse=True):
            location = self.module_file(star.module, from_file=path, level=star.level)
            if location.path is not None:
                if self._exports(location, name):
                    found = self._attribute(Symbol("module", star.module, location.path), name, seen)
                    if found is not None:
                        return found
            elif star.level == 0 and guess is None:
                top = star.module.split(".")[0]
                if top == "fal":
                    if star.module == "fal" and name in FAL_STAR_EXPORTS:
                        guess = Symbol("external", f"fal.{name}")
                elif name not in _BUILTINS:
                    guess = Symbol("external", f"{star.module}.{name}")
        if guess is not None:
            return guess
        if name in _BUILTINS:
            return Symbol("external", f"builtins.{name}")
        return None

    def _exports(self, location: ModuleLocation, name: str) -> bool:
        index = self.index(location.path)
        if index is None:
            return False
        if index.all_names is not None:
            return name in index.all_names
        return not name.startswith("_")

    def _star_names(self, path: Path, index: ModuleIndex, seen: frozenset = frozenset()) -> list[str]:
        """Names a module gets from its star imports of project modules."""
        names: list[str] = []
        seen = seen | {_real(path)}
        for star in index.star_imports:
            location = self.module_file(star.module, from_file=path, level=star.level)
            star_index = self.index(location.path)
            if star_index is None or _real(location.path) in seen:
                continue
            if star_index.all_names is not None:
                names.extend(star_index.all_names)
            else:
                inner = star_index.names() + self._star_names(location.path, star_index, seen)
                names.extend(n for n in inner if not n.startswith("_"))
        return names

    # -- classes -------------------------------------------------------------

    def class_entry(self, symbol: Symbol) -> ClassEntry | None:
        if symbol is None or symbol.kind != "class":
            return None
        index = self.index(symbol.path)
        return index.class_named(symbol.name, symbol.line) if index is not None else None

    def is_fal_app(self, symbol: Symbol | None) -> bool | None:
        """True if ``symbol`` is ``fal.App`` or a subclass of it, False if it
        definitely is not, None if that cannot be known statically (a base
        from a third-party package, an expression, an import cycle).

        Bases may be reached through aliases (``import fal as f``,
        ``from fal import App as Base``), local intermediate classes, and
        classes imported from other project modules.  Names under ``fal``
        other than fal's own App classes count as "not an App"; builtins, the
        standard library and well-known packages that do not depend on fal
        too.
        """
        return self._is_app(symbol, frozenset())

    def _is_app(self, symbol: Symbol | None, seen: frozenset) -> bool | None:
        if symbol is None:
            return None
        if symbol.external:
            return _external_is_app(symbol.canonical)
        if symbol.kind != "class":
            return False if symbol.kind in ("function", "module") else None
        key = (_real(symbol.path), symbol.name, symbol.line)
        if key in self._verdicts:
            return self._verdicts[key]
        if key in seen:
            return None
        entry = self.class_entry(symbol)
        if entry is None:
            return None
        verdicts = [self._is_app(self._base(symbol, base), seen | {key}) for base in entry.bases]
        verdict = True if True in verdicts else (False if all(v is False for v in verdicts) else None)
        if not seen:
            self._verdicts[key] = verdict
        return verdict

    def _base(self, symbol: Symbol, base: str | None) -> Symbol | None:
        return self._dotted(symbol.path, base, frozenset()) if base else None

    def _about(self, question: str, symbol: Symbol, answer: Callable[[Symbol], Any]) -> Any:
        """``answer(symbol)``, memoised: several rules ask the same of each
        app's class (callers must not modify what they get)."""
        path = os.fspath(symbol.path) if symbol.path is not None else None
        key = (question, symbol.kind, symbol.name, path, symbol.line)
        try:
            return self._answers[key]
        except KeyError:
            pass
        result = self._answers[key] = answer(symbol)
        return result

    def _mro(self, symbol: Symbol) -> list[_ClassRef]:
        """C3 linearisation over the resolvable part of the class graph
        (an unknown base is a leaf; an inconsistent hierarchy falls back to
        depth-first order)."""
        return self._about("mro", symbol, lambda s: self._linearize(_ClassRef(s, self.class_entry(s)), frozenset()))

    def _linearize(self, ref: _ClassRef, seen: frozenset) -> list[_ClassRef]:
        if ref.key in seen:  # a class cycle (it could not be defined): unknown
            return [_ClassRef(None)]
        if ref.entry is None:
            return [ref]
        seen = seen | {ref.key}
        bases = []
        for base in ref.entry.bases:
            base_symbol = self._base(ref.symbol, base)
            if base_symbol is not None and base_symbol.kind == "class":
                bases.append(_ClassRef(base_symbol, self.class_entry(base_symbol)))
            elif base_symbol is not None and base_symbol.external:
                bases.append(_ClassRef(base_symbol))
            else:
                bases.append(_ClassRef(None))
        sequences = [self._linearize(b, seen) for b in bases] + [bases]
        return [ref] + _c3_merge(sequences)

    def routes(self, symbol: Symbol) -> list[Route] | None:
        """The routes fal would serve for class ``symbol`` (inherited ones
        included, as ``inspect.getmembers`` sees them through the MRO); None
        when there are none found but a base is unknown."""
        if symbol is None or symbol.kind not in ("class", "external"):
            return None
        return self._about("routes", symbol, self._routes)

    def _routes(self, symbol: Symbol) -> list[Route] | None:
        members: dict[str, Route | None] = {}
        unknown = False
        for ref in self._mro(symbol):
            if ref.symbol is None:
                unknown = True
            elif ref.symbol.external:
                canonical = ref.symbol.canonical
                if canonical in FAL_APP_CLASSES:
                    for method, route_path in FAL_APP_CLASSES[canonical]:
                        members.setdefault(method, Route(method, "fal.endpoint", route_path, False, canonical, None))
                elif _external_is_app(canonical) is None:
                    unknown = True
            elif ref.entry is not None:
                for name, route in self._class_members(ref).items():
                    members.setdefault(name, route)
            else:
                unknown = True
        routes = [r for r in members.values() if r is not None]
        if routes:
            return routes
        return None if unknown else []

    def has_route(self, symbol: Symbol) -> bool | None:
        """True if the class serves at least one route, False if it serves
        none (fal raises while building its OpenAPI metadata), None when a
        base cannot be resolved."""
        routes = self.routes(symbol)
        return None if routes is None else bool(routes)

    def _class_members(self, ref: _ClassRef) -> dict[str, Route | None]:
        """Each method/attribute name the class body binds -> its route, if any."""
        entry, path = ref.entry, ref.symbol.path
        result: dict[str, Route | None] = {}
        names = dict.fromkeys([m.name for m in entry.methods] + [a.name for a in entry.attributes])
        for name in names:
            candidates = [m for m in entry.methods if m.name == name] + [
                a for a in entry.attributes if a.name == name
            ]
            member = winner(candidates)
            decorators = member.decorators if isinstance(member, FunctionEntry) else (
                [member.applied] if member.applied is not None else []
            )
            result[name] = None
            for decorator in decorators:
                kind = self._decorator_name(path, decorator)
                if kind in ROUTE_DECORATORS and decorator.called:
                    first = decorator.args[0] if decorator.args else decorator.keywords.get("path")
                    health = decorator.keywords.get("health_check")
                    result[name] = Route(
                        name, kind,
                        first.value if first is not None and first.literal and isinstance(first.value, str) else None,
                        health is not None and not (health.literal and health.value is None),
                        entry.name, path, member.line, member.column,
                    )
                    break
        return result

    def _decorator_name(self, path: Path, decorator: Decorator | None) -> str | None:
        """The canonical external name a decorator resolves to (e.g. ``fal.endpoint``)."""
        if decorator is None or decorator.name is None:
            return None
        symbol = self._dotted(path, decorator.name, frozenset())
        return symbol.canonical if symbol is not None and symbol.external else None

    # -- fal functions -----------------------------------------------------------

    def fal_function_decorator(self, symbol: Symbol | None) -> Decorator | None:
        """The ``fal.function`` decorator of a function (any position, called
        or bare), or the ``fal.function(...)`` / ``fal.wrap_app`` applied in
        ``X = fal.function(...)(f)`` / ``X = fal.wrap_app(App)``; else None."""
        if symbol is None or symbol.path is None:
            return None
        index = self.index(symbol.path)
        if index is None:
            return None
        if symbol.kind == "function":
            entry = index.function_named(symbol.name, symbol.line)
            for decorator in entry.decorators if entry else []:
                if self._decorator_name(symbol.path, decorator) == FAL_FUNCTION:
                    return decorator
        elif symbol.kind == "assignment":
            entry = winner([a for a in index.bindings(symbol.name)
                             if isinstance(a, AssignmentEntry) and a.line == symbol.line])
            if entry is not None and self._decorator_name(symbol.path, entry.applied) in (FAL_FUNCTION, FAL_WRAP_APP):
                return entry.applied
        return None

    def is_fal_function(self, symbol: Symbol | None) -> bool:
        """True if ``symbol`` is an ``IsolatedFunction`` fal accepts: a function
        whose outermost decorator is ``fal.function(...)`` (called; aliases
        such as ``from fal import function as ff`` or ``fal.isolated``
        included), ``X = fal.function(...)(f)`` or ``X = fal.wrap_app(App)``."""
        decorator = self.fal_function_decorator(symbol)
        if decorator is None:
            return False
        name = self._decorator_name(symbol.path, decorator)
        if symbol.kind == "function":
            entry = self.index(symbol.path).function_named(symbol.name, symbol.line)
            return decorator.called and entry.decorators[0] is decorator
        return decorator.called if name == FAL_FUNCTION else not decorator.called

    # -- what fal finds in a module ------------------------------------------------

    def scan(self, path: Path) -> TargetScan:
        """Mirror fal's scan of the executed module's globals (``ref``
        without ``::Name``): every module-level name, imported ones included."""
        path = self._abs(path)
        result = TargetScan()
        index = self.index(path)
        if index is None:
            return result
        names = list(dict.fromkeys(index.names() + self._star_names(path, index)))
        for name in names:
            if self._scan_passes_over(index, name):
                continue
            symbol = self.lookup(path, name)
            if symbol is None or symbol.kind == "module":
                continue
            if symbol.kind in ("function", "assignment") and self.is_fal_function(symbol):
                result.functions.append(symbol)
                continue
            if symbol.kind not in ("class", "external"):
                continue
            verdict = self.is_fal_app(symbol)
            if verdict is True:
                if not (symbol.external and symbol.canonical in FAL_SCAN_EXCLUDED):
                    result.apps.append(symbol)
            elif verdict is None and not _is_module_import(index, name):
                result.unknown.append(symbol)
        return result

    def _scan_passes_over(self, index: ModuleIndex, name: str) -> bool:
        """Whether :meth:`scan` would find nothing in ``name``, told from its
        binding without following it (most names of a module: ``import os``,
        ``from typing import Any``, undecorated functions, constants).  Each
        case is one the full resolution below reaches the same verdict on."""
        facts = index.binding_facts(name)  # (the only binding; None: several)
        if facts is None:
            return False
        group = facts[0]
        if group == "imports":
            module, level, attr = facts[1:]
            if attr is None:
                return True  # a module (a project module, or an external one: never an App)
            top = module.split(".")[0]
            return (  # a name from a package that defines no fal.App, not shadowed here
                level == 0 and (top in _STDLIB or top in NOT_FAL_PACKAGES) and self.module_file(module).path is None
            )
        if group == "functions":
            return not facts[1]  # undecorated: not a fal function, and not a class
        if group == "assignments":
            return facts[1] is None and not facts[2]  # a plain value
        return False

    def apps_in(self, path: Path) -> list[Symbol]:
        """The fal.App subclasses fal would find in the module (see :meth:`scan`)."""
        return self.scan(path).apps

    def functions_in(self, path: Path) -> list[Symbol]:
        """The fal functions fal would find in the module (see :meth:`scan`)."""
        return self.scan(path).functions

    # -- settings ------------------------------------------------------------------

    def class_settings(self, symbol: Symbol) -> dict[str, Setting]:
        """Host settings the fal.App class ``symbol`` sets, by key (see
        :meth:`_class_settings`; memoised)."""
        return self._about("settings", symbol, self._class_settings)

    def _class_settings(self, symbol: Symbol) -> dict[str, Setting]:
        """Host settings the fal.App class ``symbol`` sets, by key.

        Covers class body attributes fal reads (``machine_type``,
        ``num_gpus``, ``regions``, ``keep_alive``, the concurrency and timeout
        settings, ``secrets``, ``data_mounts``, ``app_files*``,
        ``requirements``, ``image``, ...) and every class keyword
        (``class A(fal.App, keep_alive=5)``) but ``name`` and ``metaclass``.

        **Inherited settings count**: ``App.__init_subclass__`` starts from the
        parent's ``host_kwargs`` and reads attributes with ``getattr``, so a
        value set by a project base class applies to its subclasses (marked
        ``inherited``).  The nearest class in the MRO wins, and a body
        attribute beats a class keyword of the same name.
        :attr:`Setting.overrides_toml` says whether fal then ignores the TOML
        value of the key (fal 1.83.0 ``_toml_host_keys_overriding_app_defaults``):
        ``machine_type``/``num_gpus``/``regions`` set on the class itself
        always win, inherited ones only when they differ from fal.App's
        default; settings copied "when not None" win when not None;
        ``app_files`` wins when non-empty, and ``app_files_ignore`` /
        ``app_files_context_dir`` only together with it; keywords and
        ``keep_alive``-like host kwargs always win.
        """
        mro = [ref for ref in self._mro(symbol) if ref.entry is not None]
        if not mro:
            return {}
        own = mro[0]
        # fal copies an attribute into host_kwargs when its name is a key of the
        # parent's host_kwargs (fal.App's own keys plus the ancestors' keywords),
        # and only when it is not None, leaving a keyword of the same name in place
        host_keys = set(BASE_HOST_KWARGS)
        for ref in mro[1:]:
            host_keys.update(k for k in ref.entry.keywords if k not in NON_SETTING_KEYWORDS)
        keyword_names = {k for ref in mro for k in ref.entry.keywords}
        none_keeps_keyword = (NOT_NONE_SETTINGS | host_keys) & keyword_names

        settings: dict[str, Setting] = {}
        for ref in mro:
            for name, attribute in ref.entry.attributes_by_name().items():
                if name in settings or not (name in ATTRIBUTE_SETTINGS or name in host_keys):
                    continue
                if attribute.value.literal and attribute.value.value is None and name in none_keeps_keyword:
                    continue
                settings[name] = _setting(
                    name, attribute.value, attribute.line, attribute.column, ref, "attribute", ref is not own
                )
        for ref in mro:
            for name, value in ref.entry.keywords.items():
                if name in NON_SETTING_KEYWORDS or name in settings:
                    continue
                line, column = ref.entry.keyword_positions.get(name, [value.line, value.column])
                settings[name] = _setting(name, value, line, column, ref, "keyword", ref is not own)

        app_files = settings.get("app_files")
        files_win = _overrides(app_files, None) if app_files is not None else False
        return {name: replace(s, overrides_toml=_overrides(s, files_win)) for name, s in settings.items()}


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------


_CONDITIONAL_RE = re.compile(r"^\(?\s*([A-Za-z_][\w.]*)\s+if\s+.+?\s+else\s+([A-Za-z_][\w.]*)\s*\)?$", re.S)


def _external_is_app(canonical: str) -> bool | None:
    if canonical in FAL_APP_CLASSES:
        return True
    top = canonical.split(".")[0]
    if top == "fal" or top in _STDLIB or top in NOT_FAL_PACKAGES:
        return False
    return None


def _is_module_import(index: ModuleIndex, name: str) -> bool:
    """``import x`` / ``import x as y`` binds a module, never a class."""
    binding = index.binding(name)
    return isinstance(binding, ImportEntry) and binding.attr is None


def _setting(name: str, value: Value, line: int, column: int, ref: _ClassRef, via: str, inherited: bool) -> Setting:
    return Setting(
        name, value.value if value.literal else None, value.literal, value.source,
        line, column, value.line, value.column, Path(ref.symbol.path), ref.entry.name, via, inherited,
    )


def _overrides(setting: Setting, files_win: bool | None) -> bool | None:
    name, literal, value = setting.name, setting.literal, setting.value
    if setting.via == "keyword":
        return None if name in DIRECT_SETTINGS else True  # direct: fal raises TypeError
    if name in DIRECT_SETTINGS:
        if not setting.inherited:
            return True
        return (value != DIRECT_SETTINGS[name]) if literal else None
    if name == "app_files":
        return bool(value) if literal else None
    if name in APP_FILES_SETTINGS:
        return files_win
    if name in NOT_NONE_SETTINGS:
        return (value is not None) if literal else None
    return True


def _c3_merge(sequences: list[list[_ClassRef]]) -> list[_ClassRef]:
    sequences = [list(s) for s in sequences if s]
    result: list[_ClassRef] = []
    while sequences:
        for sequence in sequences:
            head = sequence[0]
            if not any(head.key in [r.key for r in s[1:]] for s in sequences):
                break
        else:  # inconsistent hierarchy (Python raises): depth-first fallback
            seen_keys = {r.key for r in result}
            for sequence in sequences:
                for ref in sequence:
                    if ref.key not in seen_keys:
                        seen_keys.add(ref.key)
                        result.append(ref)
            return result
        result.append(head)
        sequences = [[r for r in s if r.key != head.key] for s in sequences]
        sequences = [s for s in sequences if s]
    return result


def _is_namespace(path: Path) -> bool:
    """A module path that is a directory (a namespace package), not a .py file."""
    return Path(path).suffix != ".py" and is_dir(path)
