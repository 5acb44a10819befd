"""Every question fallint asks the file system, in one place.

The loading layer, the model and the rules ask the file system through the
functions here (an architecture test keeps it so): ``stat``, ``isfile``,
``listdir``, ``walk``, ``realpath``... and the reads of
:mod:`fallint.loading.files`.  Each behaves like its ``os`` namesake.

While a :class:`Recorder` is active (:func:`recording`), every question and
its answer are written down: what kind of file a path names (and a regular
file's size), the names in a directory, where a path resolves to, which
file was read and its identity (size, modification and change times,
inode).  Those answers are everything a run learnt from outside fallint, so
when the same questions get the same answers again, the run's result is the
same (:mod:`fallint.loading.runcache` replays it).  A question asked twice
in one run with two different answers (a file changed under the run) makes
the record unusable, as does a file read by a worker process.

A read file is judged by its identity, as git's index and ruff's cache do;
one modified within :data:`RACY_NS` of the run that read it (its timestamp
cannot tell two writes apart) is also judged by a digest of its bytes.
"""

from __future__ import annotations

import errno
import os
import stat as _stat
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

try:  # the built-in module: hashlib would load OpenSSL too (~2 ms) for blake2b alone
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without it
    from hashlib import blake2b

#: fallint's own cache directory (fallint.loading.cache.CACHE_DIR_NAME):
#: left out of every directory listing, so that a run creating it does not
#: change what the next run sees (and no rule ever looks into it)
HIDDEN = ".fallint_cache"

_HIDDEN_PART = os.sep + HIDDEN

#: a file modified this close to (or after) the start of the run that read it
#: is also compared by content: file-system timestamps are coarse (a kernel
#: tick), so two writes in one tick can leave the same times and size
RACY_NS = 2_000_000_000


class Recorder:
    """The questions one run asked, and their answers."""

    def __init__(self, started_ns: int) -> None:
        self.started_ns = started_ns
        #: kind of question -> path -> answer
        self.answers: dict[str, dict[str, Any]] = {}
        #: why the record cannot be reused (None: it can)
        self.spoiled: str | None = None

    def note(self, kind: str, path: str, answer: Any) -> None:
        if _HIDDEN_PART in path:
            return  # fallint's own cache (created by the run itself) is no input
        table = self.answers.get(kind)
        if table is None:
            table = self.answers[kind] = {}
        known = table.get(path, _MISSING)
        if known is _MISSING:
            table[path] = answer
        elif known != answer and self.spoiled is None:
            self.spoiled = f"{path} changed during the run"

    def spoil(self, why: str) -> None:
        if self.spoiled is None:
            self.spoiled = why


_MISSING = object()
#: the active recorder (one per process: the CLI's run)
_ACTIVE: list[Recorder] = []


#: how many recordings were started (memos of file contents key on it, so
#: that each recorded run reads the files itself)
_GENERATION = [0]


def generation() -> int:
    return _GENERATION[0]


@contextmanager
def recording(started_ns: int) -> Iterator[Recorder]:
    """Record the questions asked inside the ``with`` block."""
    _GENERATION[0] += 1
    recorder = Recorder(started_ns)
    _ACTIVE.append(recorder)
    try:
        yield recorder
    finally:
        _ACTIVE.remove(recorder)


def active() -> Recorder | None:
    return _ACTIVE[-1] if _ACTIVE else None


def spoil(why: str) -> None:
    """The running record cannot be reused (see :class:`Recorder`)."""
    if _ACTIVE:
        _ACTIVE[-1].spoil(why)


def _errno(exc: BaseException) -> tuple:
    code = getattr(exc, "errno", None) or type(exc).__name__
    answer = _ERRORS.get(code)
    if answer is None:
        answer = _ERRORS[code] = ("err", code)
    return answer


#: one answer tuple per error (a large run records tens of thousands of them)
_ERRORS: dict[Any, tuple] = {}


# -- asking, and asking again ----------------------------------------------------


def _ask(kind: str, path: Any, call: Callable[[str], Any], answer: Callable[[Any], Any]) -> Any:
    """``call(path)``, its answer (``answer`` of the value, or the error)
    noted under ``kind`` while a recorder is active; errors are raised as
    ``call`` raises them.  :data:`_AGAIN` asks each kind again."""
    text = os.fspath(path)
    if not _ACTIVE:
        return call(text)
    try:
        value = call(text)
    except (OSError, ValueError, NotImplementedError) as exc:
        _ACTIVE[-1].note(kind, text, _errno(exc))
        raise
    _ACTIVE[-1].note(kind, text, answer(value))
    return value


def _answer_of(st: os.stat_result) -> tuple:
    """What a stat tells the analysis: the file type, and a regular file's size."""
    kind = _stat.S_IFMT(st.st_mode)
    return (kind, st.st_size) if kind == _stat.S_IFREG else (kind,)


def _same(value: Any) -> Any:
    return value


def _listdir(path: str) -> list[str]:
    names = os.listdir(path)
    if HIDDEN in names:
        names.remove(HIDDEN)
    return names


def _scan(path: str) -> tuple:
    """One level of ``os.walk``: (directory names, other names, names of the
    directories that are symbolic links), in the order the OS lists them."""
    dirs, others, links = [], [], []
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name == HIDDEN:
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                dirs.append(entry.name)
                try:
                    if entry.is_symlink():
                        links.append(entry.name)
                except OSError:
                    pass
            else:
                others.append(entry.name)
    return tuple(dirs), tuple(others), tuple(links)


def _kinds(path: str) -> list[tuple[str, bool]]:
    out = []
    with os.scandir(path) as entries:
        for entry in entries:
            if entry.name == HIDDEN:
                continue
            try:
                out.append((entry.name, entry.is_dir(follow_symlinks=False)))
            except OSError:
                continue
    return out


def _glob(key: str) -> list[Path]:
    """``Path(base).glob(pattern)`` for ``key`` = ``base NUL pattern``, sorted."""
    base, _, pattern = key.partition("\x00")
    return sorted(p for p in Path(base).glob(pattern) if HIDDEN not in p.parts)


#: each kind of question: how it is asked, and the answer noted of its value
_KINDS: dict[str, tuple[Callable[[str], Any], Callable[[Any], Any]]] = {
    "stat": (os.stat, _answer_of),
    "lstat": (os.lstat, _answer_of),
    "list": (_listdir, tuple),
    "kinds": (_kinds, tuple),
    "walk": (_scan, _same),
    "glob": (_glob, lambda found: tuple(str(p) for p in found)),
    "real": (os.path.realpath, _same),
    "realS": (lambda path: os.path.realpath(path, strict=True), _same),
    "link": (os.readlink, _same),
}


def _again(kind: str, path: str) -> Any:
    """The answer to a recorded question now."""
    call, answer = _KINDS[kind]
    try:
        return answer(call(path))
    except (OSError, ValueError, NotImplementedError) as exc:
        return _errno(exc)


def stat(path: Any) -> os.stat_result:
    """``os.stat``."""
    return _ask("stat", path, *_KINDS["stat"])


def lstat(path: Any) -> os.stat_result:
    """``os.lstat``."""
    return _ask("lstat", path, *_KINDS["lstat"])


def _kind(path: Any, follow: bool) -> int | None:
    """The file type (``stat.S_IFMT``) of ``path``, or None on any error."""
    try:
        text = os.fspath(path)
    except TypeError:
        return None
    kind = "stat" if follow else "lstat"
    answer = _again(kind, text)
    if _ACTIVE:
        _ACTIVE[-1].note(kind, text, answer)
    return None if answer[0] == "err" else answer[0]


def isfile(path: Any) -> bool:
    """``os.path.isfile``: a regular file (links followed); False on any error."""
    return path is not None and _kind(path, True) == _stat.S_IFREG


def isdir(path: Any) -> bool:
    """``os.path.isdir``; False on any error."""
    return path is not None and _kind(path, True) == _stat.S_IFDIR


def exists(path: Any) -> bool:
    """``os.path.exists`` (links followed)."""
    return path is not None and _kind(path, True) is not None


def lexists(path: Any) -> bool:
    """``os.path.lexists`` (a dangling link exists)."""
    return path is not None and _kind(path, False) is not None


def islink(path: Any) -> bool:
    """``os.path.islink``."""
    return path is not None and _kind(path, False) == _stat.S_IFLNK


def file_size(path: Any) -> int:
    """The size of ``path`` (links followed); OSError as ``os.stat``."""
    return stat(path).st_size


# -- directories ---------------------------------------------------------------


def listdir(path: Any) -> list[str]:
    """``os.listdir``, without fallint's own cache directory (OSError as it raises it)."""
    return _ask("list", path, *_KINDS["list"])


def walk(top: Any, followlinks: bool = False,
         onerror: Callable[[OSError], Any] | None = None) -> Iterator[tuple[str, list[str], list[str]]]:
    """``os.walk(top)``, top-down: the caller may prune the directory names
    it is given, and symbolic links to directories are listed but not
    entered unless ``followlinks``."""
    stack = [os.fspath(top)]
    while stack:
        current = stack.pop()
        try:
            dirs, others, links = _ask("walk", current, *_KINDS["walk"])
        except (OSError, ValueError) as exc:
            if onerror is not None and isinstance(exc, OSError):
                onerror(exc)
            continue
        names = list(dirs)
        yield current, names, list(others)
        skip = () if followlinks else links
        for name in reversed(names):
            if name not in skip:
                stack.append(os.path.join(current, name))


def scandir_kinds(path: Any) -> list[tuple[str, bool]]:
    """The names in directory ``path`` and whether each is a directory
    (links not followed), in the order the OS lists them; OSError when it
    cannot be listed."""
    return _ask("kinds", path, *_KINDS["kinds"])


def glob(base: Any, pattern: str) -> list[Path]:
    """``Path(base).glob(pattern)``, sorted (errors as ``Path.glob`` raises them)."""
    return _ask("glob", f"{os.fspath(base)}\x00{pattern}", *_KINDS["glob"])


# -- links -----------------------------------------------------------------------


def realpath(path: Any, strict: bool = False) -> str:
    """``os.path.realpath``."""
    kind = "realS" if strict else "real"
    return _ask(kind, path, *_KINDS[kind])


def resolve(path: Any) -> Path:
    """``Path(path).resolve()`` (not strict)."""
    return Path(realpath(path))


def readlink(path: Any) -> str:
    """``os.readlink``."""
    return _ask("link", path, *_KINDS["link"])


# -- reads -----------------------------------------------------------------------


def note_read(path: Any, st: os.stat_result | None, data: bytes | None = None,
              error: Any = None) -> None:
    """Record that ``path`` was read: ``st`` is the open file's ``fstat``
    and ``data`` what was read (or ``error``, when it could not be opened)."""
    if not _ACTIVE:
        return
    recorder = _ACTIVE[-1]
    text = os.path.abspath(os.fspath(path))
    if st is None:
        recorder.note("read", text, ("err", error))
        return
    digest = None
    if st.st_mtime_ns >= recorder.started_ns - RACY_NS or st.st_ctime_ns >= recorder.started_ns - RACY_NS:
        if data is None:
            recorder.spoil(f"{text} was modified just now")
            return
        digest = blake2b(data, digest_size=16).hexdigest()
    recorder.note("read", text, ("ok", _identity(st), digest))


def _identity(st: os.stat_result) -> tuple:
    return (_stat.S_IFMT(st.st_mode), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


def _read_unchanged(path: str, answer: tuple, limit: int, seen: dict | None = None,
                    later: list | None = None) -> bool:
    """Does ``path`` still give the read ``answer`` recorded?  With ``later``,
    a file to compare by content is put there instead (every cheaper
    question is asked first: a change they see spares reading it)."""
    if answer[0] == "err":
        from fallint.loading.files import read_error

        return read_error(path) == answer[1]
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return False
    if _identity(st) != answer[1]:
        return False
    digest = answer[2]
    if digest is None:
        return True
    if st.st_size > limit:
        return False
    if later is not None:
        later.append((path, answer))
        return True
    try:
        with open(path, "rb") as handle:
            data = handle.read(limit + 1)
    except OSError:
        return False
    if seen is not None:
        seen[path] = data  # (the replay shows its lines without opening it again)
    return blake2b(data, digest_size=16).hexdigest() == digest


def unchanged(questions: list, limit: int = 64 * 1024 * 1024, seen: dict | None = None) -> str | None:
    """Ask the recorded ``questions`` (``[kind, path, answer]``) again: None
    when every answer is the same, else the first path whose answer changed.
    The bytes of the files read to compare their content go into ``seen``."""
    later: list = []
    for kind, path, answer in questions:
        if kind == "read":
            same = _read_unchanged(path, answer, limit, seen, later)
        else:
            same = kind in _KINDS and _again(kind, path) == answer
        if not same:
            return path
    for path, answer in later:
        if not _read_unchanged(path, answer, limit, seen):
            return path
    return None


_ENOENT = ("err", errno.ENOENT)


def questions(recorder: Recorder) -> list:
    """The recorder's questions as plain data (for :mod:`marshal`).

    Most questions a run asks are about paths that do not exist (is there a
    local ``torch.py``? a ``torch/__init__.py``?), tens of thousands on a
    large project.  Each is replaced by a listing of the nearest directory
    that exists, when its name is not in it: as long as that listing is the
    same, the path still does not exist -- one question per directory
    instead of one per path."""
    listed = recorder.answers.get("list", {})
    listings: dict[Any, Any] = {}
    out: list = []
    added: set[str] = set()
    # the files read first: an edited file (the usual change) is found before
    # the listings and stats are asked again
    kinds = sorted(recorder.answers, key=lambda kind: kind != "read")
    for kind in kinds:
        table = recorder.answers[kind]
        missing = kind == "stat" or kind == "lstat"
        for path, answer in table.items():
            if missing and answer == _ENOENT:
                directory = _absent_from(path, listed, listings)
                if directory is not None:
                    if directory not in added and directory not in listed:
                        added.add(directory)
                        out.append(["list", directory, listings[directory]])
                    continue
            out.append([kind, path, answer])
    return out


def _absent_from(path: str, listed: dict, listings: dict) -> str | None:
    """The nearest existing directory above ``path`` whose listing (now, and
    as the run saw it if it listed it) shows that ``path`` does not exist,
    or None (then the path's own question stays)."""
    current = path
    for _ in range(64):
        parent, name = os.path.split(current)
        if not name or not parent or parent == current or not name.isascii():
            return None  # (a name the file system may normalise: asked as it is)
        if parent not in listings:
            try:
                live: Any = tuple(_listdir(parent))
            except FileNotFoundError:
                live = _GONE
            except (OSError, ValueError):
                live = None
            seen = listed.get(parent, live)
            listings[parent] = live if seen == live else None
            if isinstance(live, tuple) and seen == live:
                # a case-insensitive file system would find `Torch.py` for `torch.py`
                listings[(parent,)] = {n.lower() for n in live}
        names = listings[parent]
        if names is None:
            return None
        if names is _GONE:
            current = parent
            continue
        if name.lower() in listings[(parent,)]:
            return None
        return parent
    return None


_GONE = object()
