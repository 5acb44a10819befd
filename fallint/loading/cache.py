"""fallint's persistent cache: what each Python file's analysis found.

A Python file's :class:`~fallint.model.sources.FileResult` (its module
index, or its syntax / encoding error) is a pure function of its bytes, so it
is stored under the blake2b digest of those bytes and reused while they do not
change: a warm run reads small JSON files and neither imports nor runs libcst.
Only facts about single files are cached here -- never an error that depends
on the file system (missing, unreadable, too large).  Whole runs, with their
diagnostics, are :mod:`fallint.loading.runcache`'s, stored with every
file-system answer they depended on.

Where (:func:`project_cache`)
    ``.fallint_cache/`` in the project directory (created on the first write,
    with a ``.gitignore`` of ``*`` and a ``CACHEDIR.TAG``, as ruff does); when
    the project directory is not writable, a directory per project under the
    user cache directory (``$XDG_CACHE_HOME/fallint`` or
    ``~/.cache/fallint``); ``--cache-dir DIR`` puts every project's entries
    in ``DIR``; ``--no-cache`` turns the cache off.

Layout
    ``v2-cpython-311/ab/cdef....bin``: one file per content digest, under a
    directory per interpreter (its ``cache_tag``).  Its first line is a JSON
    header -- fallint's and libcst's versions, the index format, the digest
    and a MAC of the rest -- and the rest is the packed result
    (:meth:`~fallint.formats.python.ModuleIndex.to_list`) in :mod:`marshal`
    form, which reads back in two thirds of JSON's time.  (marshal is not
    meant for untrusted bytes: only payloads whose MAC checks out, that is
    written by fallint itself with this user's key, are ever read.)  An entry from
    another version, or corrupt, truncated or of the wrong shape, is ignored
    (and overwritten when the file is parsed again); it is never trusted.

Signed entries
    The MAC is keyed BLAKE2b with a secret of the user's (:func:`cache_secret`:
    ``FALLINT_CACHE_KEY``, else a random key created once in the user cache
    directory, readable by its owner only).  A ``.fallint_cache/`` that comes
    with a checkout -- committed to an untrusted pull request, say -- was not
    signed with that key, so its entries are ignored: they cannot hide a
    problem or feed the analysis anything fallint did not write itself.
    Without a key (no writable user cache directory and no
    ``FALLINT_CACHE_KEY``) the cache is off.

Safety
    Entries are written to a temporary file and renamed into place, so
    concurrent runs never see half an entry; a cache that cannot be written
    is silently not written.

:func:`clean` is ``fallint clean``.
"""

from __future__ import annotations

import errno
import json
import marshal
import os
import shutil
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

try:  # the built-in module: hashlib would load OpenSSL too (~2 ms) for blake2b alone
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - an interpreter without it
    from hashlib import blake2b

from fallint import __version__
from fallint.loading.files import open_regular, read_bounded

from fallint.loading.fs import HIDDEN as CACHE_DIR_NAME  # (listings leave it out)
#: the entries' directory inside a cache directory (bumped with the layout;
#: per interpreter, as the marshal format may change between versions)
ENTRIES_DIR = f"v2-{sys.implementation.cache_tag or sys.implementation.name}"
#: the directories of earlier layouts (``fallint clean`` removes them too)
OLD_ENTRIES_DIRS = ("v1",)
GITIGNORE = "# Automatically created by fallint.\n*\n"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by fallint.\n"
    "# For information about cache directory tags, see https://bford.info/cachedir/\n"
)
#: results with these errors depend on the bytes only, so they are cached
CACHED_ERRORS = frozenset({"syntax", "not-utf8"})
DIGEST_SIZE = 20
#: a larger entry is not ours (the index of a 5 MiB source is far smaller)
MAX_ENTRY_BYTES = 64 * 1024 * 1024
#: directories ``fallint clean`` does not descend into
_CLEAN_SKIP = frozenset({
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "node_modules", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", CACHE_DIR_NAME,
})


@lru_cache(maxsize=1)
def cache_versions() -> list:
    """What an entry must have been written by: fallint's version, libcst's
    installed version (never importing libcst) and the index format."""
    # imported on first use: libcst, only apps with Python files need it
    from fallint.formats.python import INDEX_FORMAT

    return [__version__, installed_version("libcst"), INDEX_FORMAT]


def installed_version(distribution: str) -> str | None:
    """The installed version of ``distribution`` (a top-level package of the
    same name), from its ``.dist-info`` directory's name next to the package
    -- a directory listing, where importing ``importlib.metadata`` alone costs
    about 10 ms -- else from ``importlib.metadata``."""
    import importlib.util  # cache key only

    try:
        spec = importlib.util.find_spec(distribution)
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.origin:
        site = os.path.dirname(os.path.dirname(spec.origin))
        prefix, suffix = f"{distribution}-", ".dist-info"
        try:
            found = [n for n in os.listdir(site) if n.startswith(prefix) and n.endswith(suffix)]
        except OSError:
            found = []
        if len(found) == 1:
            return found[0][len(prefix):-len(suffix)]
    from importlib import metadata  # cache key only

    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return None


#: the environment variable that gives the key entries are signed with
KEY_ENV = "FALLINT_CACHE_KEY"
#: the key's file in the user cache directory
KEY_FILE = "cache-key"


def cache_secret() -> bytes | None:
    """The key that signs cache entries (see the module docstring): from
    ``$FALLINT_CACHE_KEY`` (say, a CI secret shared by the jobs that share a
    cache), else from the user cache directory's key file, created with 32
    random bytes on first use.  None when neither is available."""
    given = os.environ.get(KEY_ENV)
    if given:
        return blake2b(given.encode("utf-8", "surrogateescape"), digest_size=32).digest()
    path = user_cache_dir() / KEY_FILE
    if not path.is_absolute():  # no home directory: no place for a key
        return None
    for _ in range(2):
        try:
            with open_regular(path) as handle:
                stored = handle.read(129)
        except FileNotFoundError:
            if not _create_key(path):
                return None
            continue
        except OSError:
            return None
        return blake2b(stored, digest_size=32).digest() if 32 <= len(stored) <= 128 else None
    return None


def _create_key(path: Path) -> bool:
    """Write a new random key file (owner-only) unless one appears first:
    two runs creating it at once end up with the same key."""
    import tempfile  # only when writing the cache

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-key-")  # mode 0600
    except OSError:
        return False
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(os.urandom(32).hex().encode("ascii"))
        try:
            os.link(temporary, path)  # fails if another run made one: keep that one
        except FileExistsError:
            pass
        except OSError:  # no hard links on this file system: last writer wins
            os.replace(temporary, path)
        return True
    except OSError:
        return False
    finally:
        try:
            os.unlink(temporary)
        except OSError:
            pass


def _mac(payload: bytes, secret: bytes) -> str:
    return blake2b(payload, digest_size=16, key=secret).hexdigest()


class Cache:
    """Content-addressed storage of :class:`~fallint.model.sources.FileResult` s.

    ``directory`` holds the entries (created when first written); when it
    cannot be created or written, ``fallback`` (if any) is used instead, and
    when that fails too, writing stops silently.  Reading uses ``directory``
    when it exists, else ``fallback`` when that exists.  Instances are small
    and picklable: worker processes get a copy and write their own entries.
    """

    def __init__(self, directory: Path, fallback: Path | None = None) -> None:
        directory = Path(os.path.abspath(directory))
        fallback = Path(os.path.abspath(fallback)) if fallback is not None else None
        self.writable = True
        self._fallback = fallback
        if fallback is not None and (
            not _real_directory_or_absent(directory) or (not is_dir(directory) and is_dir(fallback))
        ):
            # a .fallint_cache that is a symlink (committed to a pull request,
            # say) or not a directory is never used: the user cache directory is
            directory, self._fallback = fallback, None
        #: the directory was named by the user (--cache-dir): it may be a symlink
        self._chosen = fallback is None and self._fallback is None and not _is_user_dir(directory)
        self.directory = directory
        self._prepared = False
        self.writes = 0
        #: the signing key (read on first use; False: none available, cache off)
        self._secret: bytes | bool | None = None

    @property
    def secret(self) -> bytes | None:
        if self._secret is None:
            self._secret = cache_secret() or False
        return self._secret or None

    def __repr__(self) -> str:
        return f"Cache({str(self.directory)!r})"

    # -- keys --------------------------------------------------------------

    @staticmethod
    def digest(data: bytes) -> str:
        """The key of a file's bytes."""
        return blake2b(data, digest_size=DIGEST_SIZE).hexdigest()

    def entry_path(self, digest: str) -> Path:
        return Path(self.entry_file(digest))

    def entry_file(self, digest: str) -> str:
        """:meth:`entry_path` as a string (cheaper: a warm run asks a thousand times)."""
        return f"{self.directory}{os.sep}{ENTRIES_DIR}{os.sep}{digest[:2]}{os.sep}{digest[2:]}.bin"

    # -- reading -----------------------------------------------------------

    def get(self, digest: str) -> Any:
        """The cached result for ``digest``, or None (absent, or not a valid
        entry of this version: never an exception)."""
        secret = self.secret
        if secret is None:
            return None
        blob = read_entry(self.entry_file(digest))
        if blob is None:
            return None
        try:
            return _decode(blob, digest, secret)
        except (ValueError, TypeError, KeyError, IndexError, AttributeError, RecursionError, EOFError):
            return None

    # -- writing -----------------------------------------------------------

    def put(self, digest: str, result: Any, packed: list | None = None) -> bool:
        """Store ``result`` (``packed``: its :meth:`to_list`, when the caller
        has it already) when it is cacheable; False when it was not
        written.  Never raises: a directory that cannot be created or written
        makes the cache switch to its fallback, or stop writing."""
        if not self.writable or not _cacheable(result) or self.secret is None:
            return False
        try:
            blob = _encode(digest, result if packed is None else packed, self.secret)
        except (ValueError, TypeError, OverflowError, RecursionError):
            return False
        while True:
            try:
                if not self._prepared:
                    _prepare(self.directory, follow=self._chosen)
                    self._prepared = True
                # each level checked (once per run): a symlink inside the cache must not lead elsewhere
                made = self.__dict__.setdefault("_made", set())
                if (self.directory, digest[:2]) not in made:
                    _make_dirs(self.directory, ENTRIES_DIR, digest[:2])
                    made.add((self.directory, digest[:2]))
                _write_atomic(self.entry_path(digest), blob)
                self.writes += 1
                return True
            except OSError as exc:
                if self._prepared and exc.errno not in _UNWRITABLE:
                    return False  # this entry only (say, a directory in its place)
                if self._fallback is None:
                    self.writable = False
                    return False
                self.directory, self._fallback, self._prepared = self._fallback, None, False


#: errors that mean "this cache directory cannot be written", not "this entry"
_UNWRITABLE = frozenset(
    getattr(errno, name) for name in ("EACCES", "EPERM", "EROFS", "ENOSPC", "EDQUOT") if hasattr(errno, name)
)


def _cacheable(result: Any) -> bool:
    return result is not None and (result.index is not None or result.error in CACHED_ERRORS)


def dump_payload(value: Any) -> bytes:
    """The payload form of a packed result (lists, dicts, strings, numbers)."""
    return marshal.dumps(value)


def _encode(digest: str, result: Any, secret: bytes) -> bytes:
    payload = dump_payload(result if isinstance(result, list) else result.to_list())
    return signed({"versions": cache_versions(), "digest": digest}, payload, secret)


def _decode(blob: bytes, digest: str, secret: bytes) -> Any:
    from fallint.model.sources import FileResult  # imported on first use: libcst, only apps with Python files need it

    payload = verified(blob, {"versions": cache_versions(), "digest": digest}, secret)
    if payload is None:
        raise ValueError("another version's, another file's, another key's or a damaged entry")
    result = FileResult.from_list(marshal.loads(payload))
    if not _cacheable(result):
        raise ValueError("not a cacheable result")
    return result


def read_entry(path: Path | str) -> bytes | None:
    """The bytes of a cache entry (a regular file: never a FIFO; at most
    ``MAX_ENTRY_BYTES``), or None."""
    try:
        with open_regular(path) as handle:
            return read_bounded(handle, MAX_ENTRY_BYTES)
    except (OSError, ValueError):
        return None


def signed(header: dict, payload: bytes, secret: bytes) -> bytes:
    """An entry: a JSON ``header`` line with the payload's MAC, then the payload."""
    return json.dumps({**header, "mac": _mac(payload, secret)}).encode("ascii") + b"\n" + payload


def verified(blob: bytes, expected: dict, secret: bytes) -> bytes | None:
    """The payload of entry ``blob`` (see :func:`signed`) when its header has
    the ``expected`` values and its MAC checks out with ``secret``, else None."""
    head, sep, payload = blob.partition(b"\n")
    try:
        header = json.loads(head)
    except ValueError:
        return None
    if (
        not sep
        or type(header) is not dict
        or any(header.get(name) != value for name, value in expected.items())
        # (a plain comparison: hmac.compare_digest would load OpenSSL, and
        # timing reveals nothing useful about a local file)
        or header.get("mac") != _mac(payload, secret)
    ):
        return None
    return payload


def _write_atomic(path: Path, blob: bytes) -> None:
    """Write ``blob`` to ``path`` through a temporary file and a rename."""
    import tempfile  # only when writing: a warm run never does

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=path.suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(blob)
        os.replace(temporary, path)
    except BaseException:
        try:
            os.unlink(temporary)
        except OSError:
            pass
        raise


def _prepare(directory: Path, follow: bool = False) -> None:
    """Create the cache directory with its ``.gitignore`` and ``CACHEDIR.TAG``
    (raises OSError when it cannot be created or written, and when it is a
    symlink or not a directory -- unless ``follow``: a ``--cache-dir`` the
    user named may be a symlink)."""
    _create(directory)
    if not follow and not _real_directory(directory):
        raise PermissionError(errno.EPERM, "the cache directory is a symlink or not a directory", str(directory))
    for name, content in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        if not (directory / name).exists():
            _write_atomic(directory / name, content.encode("ascii"))


def _create(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)


def _real_directory(path: Path | str) -> bool:
    """``path`` is a directory, and not a symlink to one."""
    import stat

    try:
        return stat.S_ISDIR(os.lstat(path).st_mode)
    except (OSError, ValueError):
        return False


def is_dir(path: Path | str) -> bool:
    """``os.path.isdir``: the cache's own directories are asked directly,
    never through :mod:`fallint.loading.fs` (they are no input of a run)."""
    return os.path.isdir(path)


def _real_directory_or_absent(path: Path | str) -> bool:
    return _real_directory(path) or not os.path.lexists(path)


def _make_dirs(base: Path, *names: str) -> None:
    """Create ``base/names[0]/names[1]...`` one level at a time; PermissionError
    (the cache directory is unusable) when a level is a symlink or a file."""
    path = str(base)
    for name in names:
        path = os.path.join(path, name)
        try:
            os.mkdir(path)
        except FileExistsError:
            pass
        if not _real_directory(path):
            raise PermissionError(errno.EPERM, "a symlink or a file inside the cache directory", path)


def _is_user_dir(directory: Path) -> bool:
    """``directory`` is inside the user cache directory (fallint's own)."""
    try:
        return Path(directory).is_relative_to(Path(os.path.abspath(user_cache_dir())))
    except (AttributeError, ValueError):
        return False


# --------------------------------------------------------------------------
# Where
# --------------------------------------------------------------------------


def user_cache_dir() -> Path:
    """``$XDG_CACHE_HOME/fallint``, else ``~/.cache/fallint``."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if os.path.isabs(base) else Path(os.path.expanduser("~")) / ".cache"
    return root / "fallint"


def user_project_dir(root: Path) -> Path:
    """The user cache directory of the project at ``root``."""
    real = os.path.realpath(root)
    return user_cache_dir() / blake2b(os.fsencode(real), digest_size=8).hexdigest()


def project_cache(root: Path, cache_dir: str | os.PathLike | None = None) -> Cache:
    """The cache of the project at ``root``: ``cache_dir`` when given, else
    ``ROOT/.fallint_cache`` (or the user cache directory when that cannot be
    written)."""
    if cache_dir is not None:
        return Cache(Path(cache_dir))
    return Cache(Path(root) / CACHE_DIR_NAME, fallback=user_project_dir(root))


# --------------------------------------------------------------------------
# fallint clean
# --------------------------------------------------------------------------


def clean(paths: Iterable[str], cache_dir: str | None = None, out: Any = None) -> int:
    """Remove the caches of the projects under ``paths``: their
    ``.fallint_cache/`` directories and their user cache directories; with
    ``cache_dir``, fallint's entries in that directory.  Prints what it
    removes; returns the exit code (0)."""
    out = out or sys.stdout
    found: dict[Path, None] = {}
    for text in paths:
        top = Path(os.path.abspath(text))
        if not top.exists():
            print(f"fallint: warning: {text}: no such file or directory", file=sys.stderr)
            continue
        found.update(dict.fromkeys(_caches_under(top if top.is_dir() else top.parent)))
    removed = [path for path in found if _remove(path)]
    # the stored runs (loading/runcache.py): of every project, they are a cache too
    runs_base = Path(os.path.abspath(cache_dir)) if cache_dir is not None else user_cache_dir()
    removed += [path for path in _runs_under(runs_base) if _remove(path)]
    if cache_dir is not None:
        directory = Path(os.path.abspath(cache_dir))
        if _remove_entries(directory):
            removed.append(directory)
    for path in removed:
        print(f"removed {path}", file=out)
    if not removed:
        print("nothing to clean", file=out)
    return 0


def _runs_under(base: Path) -> list[Path]:
    """The run directories (``runs-*``, one per interpreter) in ``base``."""
    try:
        names = sorted(os.listdir(base))
    except OSError:
        return []
    return [base / n for n in names if n.startswith("runs-") and _real_directory(base / n)]


def _caches_under(top: Path) -> list[Path]:
    """``.fallint_cache`` directories of the projects under ``top`` (itself
    included), and the existing user cache directories of those projects."""
    found: list[Path] = []
    for directory, subdirs, files in os.walk(top):
        here = Path(directory)
        if CACHE_DIR_NAME in subdirs:
            found.append(here / CACHE_DIR_NAME)
        if CACHE_DIR_NAME in subdirs or "pyproject.toml" in files:
            user = user_project_dir(here)
            if user.is_dir():
                found.append(user)
        subdirs[:] = [d for d in subdirs if d not in _CLEAN_SKIP]
    return found


def _remove(path: Path) -> bool:
    try:
        if path.is_symlink():
            path.unlink()
        else:
            shutil.rmtree(path)
    except OSError as exc:
        print(f"fallint: warning: cannot remove {path}: {exc.strerror or exc}", file=sys.stderr)
        return False
    return True


def _remove_entries(directory: Path) -> bool:
    """Remove what fallint put in a ``--cache-dir`` (only that: the directory
    may hold other things), and the directory when it is then empty."""
    removed = False
    for name in (ENTRIES_DIR, *OLD_ENTRIES_DIRS):
        entries = directory / name
        if entries.is_dir() and _remove(entries):
            removed = True
    for name, content in ((".gitignore", GITIGNORE), ("CACHEDIR.TAG", CACHEDIR_TAG)):
        marker = directory / name
        try:
            if marker.read_text(encoding="utf-8") == content:
                marker.unlink()
                removed = True
        except (OSError, UnicodeDecodeError):
            pass
    try:
        directory.rmdir()  # only when empty
    except OSError:
        pass
    return removed
