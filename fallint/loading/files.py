"""Reading files once per run, safely.

Every file fallint looks at (pyproject, Dockerfiles, .dockerignore,
requirement files, Python sources) goes through one :class:`FileCache`, so
each is read at most once per run, and every failure (missing, a directory,
permission denied, symlink loop, too large, binary, not UTF-8) comes back
as a value, never an exception.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

from fallint.loading import fs
from fallint.util.records import dataclass

MAX_BYTES = 10 * 1024 * 1024  # 10 MiB: larger files are refused, not read
#: a longer path cannot name a file (the kernel answers ENAMETOOLONG): such
#: paths are answered without asking the file system, in time linear in their length
MAX_PATH_CHARS = 4096


@dataclass(frozen=True)
class TextFile:
    path: Path
    text: str | None = None
    #: "missing" | "directory" | "unreadable" | "too-large" | "binary" | "not-utf8"
    error: str | None = None
    message: str | None = None
    #: for not-utf8: 1-based line/column of the first bad byte
    line: int = 1
    column: int = 1

    @property
    def ok(self) -> bool:
        return self.text is not None

    def lines(self) -> list[str]:
        """The text's lines (split once; do not modify the list)."""
        # split on "\n" only: the parsers count lines that way (not \x0c, \u2028 ...)
        lines = self.__dict__.get("_lines")
        if lines is None:
            lines = self.__dict__["_lines"] = self.text.split("\n") if self.text is not None else []
        return lines


def read_bounded(handle: Any, limit: int) -> bytes | None:
    """The contents of open binary file ``handle``, or None when it holds
    more than ``limit`` bytes.

    ``handle.read(limit + 1)`` would do, but it allocates ``limit + 1`` bytes
    before reading: for a 10 MiB limit that is ~25 µs a call, more than
    reading a small file takes.  This asks the file's size first and reads
    that much (and on, should the file have grown meanwhile).
    """
    try:
        size = os.fstat(handle.fileno()).st_size
    except (OSError, AttributeError, ValueError):
        size = 0
    chunks: list[bytes] = []
    total, want = 0, min(size, limit) + 1
    while True:
        chunk = handle.read(want)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None
        want = min(1 << 16, limit + 1 - total)


class NotRegular(OSError):
    """:func:`open_regular` found something other than a regular file."""

    def __init__(self, kind: str) -> None:
        super().__init__(errno.EINVAL, kind)
        #: "directory" | "special" (a FIFO, socket or device)
        self.kind = kind


def open_regular(path: Path | str) -> Any:
    """``open(path, "rb")``, but only for a regular file: a FIFO, socket or
    device is never opened for blocking reads (opening a FIFO waits for a
    writer forever), and the check is made on the opened descriptor, so the
    file cannot be swapped in between.  Raises :class:`NotRegular` (an
    OSError) for anything else, and OSError as ``open`` does."""
    text = os.fspath(path)
    if "\x00" in text:
        raise OSError(errno.EINVAL, "the path contains a NUL byte")
    if len(text) > MAX_PATH_CHARS:
        raise OSError(errno.ENAMETOOLONG, "File name too long")
    fd = os.open(text, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        import stat as _stat

        mode = os.fstat(fd).st_mode
        if _stat.S_ISDIR(mode):
            raise NotRegular("directory")
        if not _stat.S_ISREG(mode):
            raise NotRegular("special")
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_text(path: Path, max_bytes: int = MAX_BYTES) -> TextFile:
    """Read ``path`` as UTF-8 text (BOM allowed); errors are values.

    Only a regular file is read (checked on the open descriptor, see
    :func:`open_regular`), and never more than ``max_bytes`` of it."""
    try:
        fh = open_regular(path)
    except (OSError, ValueError) as exc:
        fs.note_read(path, None, error=open_error(exc))
        if isinstance(exc, FileNotFoundError):
            return TextFile(path, error="missing", message="file does not exist")
        if isinstance(exc, NotRegular):
            if exc.kind == "directory":
                return TextFile(path, error="directory", message="is a directory, not a file")
            return TextFile(path, error="unreadable", message="is not a regular file")
        if isinstance(exc, IsADirectoryError):
            return TextFile(path, error="directory", message="is a directory, not a file")
        if isinstance(exc, ValueError):
            raise
        return TextFile(path, error="unreadable", message=_os_message(exc))
    try:
        with fh:
            st = os.fstat(fh.fileno())
            size = st.st_size
            if size > max_bytes:
                fs.note_read(path, st)
                return TextFile(
                    path,
                    error="too-large",
                    message=f"is {size:,} bytes; files over {max_bytes:,} bytes are not read",
                )
            data = read_bounded(fh, max_bytes)
            fs.note_read(path, st, data)
    except OSError as exc:
        fs.spoil(f"{path} could not be read")
        return TextFile(path, error="unreadable", message=_os_message(exc))
    if data is None:
        return TextFile(path, error="too-large", message=f"is larger than {max_bytes:,} bytes")
    return decode(path, data)


def open_error(exc: BaseException) -> Any:
    """What :func:`open_regular` failing with ``exc`` says about the file (for
    :func:`fallint.loading.fs.note_read`)."""
    if isinstance(exc, NotRegular):
        return exc.kind
    return getattr(exc, "errno", None) or type(exc).__name__


def read_error(path: Any) -> Any:
    """Why ``path`` cannot be opened for reading now (as recorded by
    :func:`read_text`), or None when it can."""
    try:
        handle = open_regular(path)
    except (OSError, ValueError) as exc:
        return open_error(exc)
    handle.close()
    return None


def decode(path: Path, data: bytes) -> TextFile:
    if b"\x00" in data[:8192] or b"\x00" in data:
        offset = data.index(b"\x00")
        line, col = _line_col(data, offset)
        return TextFile(
            path,
            error="binary",
            message="is a binary file (contains NUL bytes), not text",
            line=line,
            column=col,
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, col = _line_col(data, exc.start)
        return TextFile(
            path,
            error="not-utf8",
            message=f"is not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}, column {col})",
            line=line,
            column=col,
        )
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    return TextFile(path, text=text)


def _line_col(data: bytes, offset: int) -> tuple[int, int]:
    line = data.count(b"\n", 0, offset) + 1
    start = data.rfind(b"\n", 0, offset) + 1
    col = len(data[start:offset].decode("utf-8", errors="replace")) + 1
    return line, col


def _os_message(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "cannot be read: too many levels of symbolic links (a symlink loop?)"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "cannot be read: permission denied"
    if exc.errno == errno.ENAMETOOLONG:
        return "cannot be read: the path is too long"
    return f"cannot be read: {exc.strerror or exc}"


class FileCache:
    """Per-run memo of :func:`read_text` results, keyed by absolute path.

    ``overlays`` maps absolute paths to text that stands in for the file's
    contents on disk (an editor's unsaved buffers: see :mod:`fallint.server`).
    """

    def __init__(self, overlays: dict[str, str] | None = None) -> None:
        self._files: dict[Path, TextFile] = {}
        #: bytes already read by someone else (see :meth:`offer`), by absolute path
        self._offered: dict[str, bytes] = {}
        #: absolute path -> text read instead of the file on disk
        self.overlays: dict[str, str] = dict(overlays) if overlays else {}
        #: directory listings (see :meth:`listdir`), by absolute path
        self._listings: dict[str, list[str]] = {}
        self.reads = 0

    def overlay_bytes(self, path: Path | str) -> bytes | None:
        """The overlay of ``path`` as UTF-8 bytes, or None when it has none."""
        if not self.overlays:
            return None
        text = self.overlays.get(os.path.abspath(path))
        return text.encode("utf-8", "surrogatepass") if text is not None else None

    def offer(self, path: Path, data: bytes) -> None:
        """Keep the bytes of regular file ``path``, just read elsewhere (the
        Python analysis reads sources to hash them), so that a later
        :meth:`read` decodes them instead of reading the file again."""
        key = os.path.abspath(path)
        if Path(key) not in self._files and len(data) <= MAX_BYTES:
            self._offered[key] = data

    def read(self, path: Path) -> TextFile:
        text = os.path.abspath(path)
        key = Path(text)
        hit = self._files.get(key)
        if hit is None and self.overlays and text in self.overlays:
            hit = self._files[key] = decode(key, self.overlay_bytes(text) or b"")
        if hit is None:
            data = self._offered.pop(text, None)
            if data is not None:
                hit = self._files[key] = decode(key, data)
            else:
                self.reads += 1
                hit = self._files[key] = read_text(key)
        return hit

    def line(self, path: Path, number: int) -> str | None:
        """Line ``number`` (1-based) of the file's text, None when it cannot
        be read or is shorter.  The bytes of a Python file the analysis read
        (:meth:`offer`) are decoded for this without keeping the text beside
        them: a rule that needs one line of each of ten thousand modules
        would otherwise hold every module twice until the run ends."""
        text = os.path.abspath(path)
        key = Path(text)
        found = self._files.get(key)
        if found is None:
            data = self._offered.get(text) if not (self.overlays and text in self.overlays) else None
            found = decode(key, data) if data is not None else self.read(key)
        if not found.ok or number < 1:
            return None
        body = found.text
        start = 0
        for _ in range(number - 1):
            start = body.find("\n", start) + 1
            if start == 0:
                return None
        end = body.find("\n", start)
        return body[start:] if end < 0 else body[start:end]

    def lines(self, path: Path) -> list[str] | None:
        f = self.read(path)
        return f.lines() if f.ok else None

    def listdir(self, directory: Path | str) -> list[str]:
        """The names in ``directory``, in the order the OS lists them, listed
        once per run; empty when it cannot be listed (missing, not a
        directory, no permission)."""
        key = os.path.abspath(directory)
        names = self._listings.get(key)
        if names is None:
            try:
                names = fs.listdir(key)
            except (OSError, ValueError):
                names = []
            self._listings[key] = names
        return list(names)


def is_file(path: Path | str | None) -> bool:
    """``path`` is a regular file; False for None and on any OS error (loops, permissions)."""
    return fs.isfile(path)


def is_dir(path: Path | str | None) -> bool:
    """``path`` is a directory; False for None and on any OS error."""
    return fs.isdir(path)


#: directory -> its real path, path -> its real path, for :func:`real_path`
#: (cleared by each run)
_REAL_DIRECTORIES: dict[str, str] = {}
_REAL_PATHS: dict[str, str] = {}


def real_path(path: Path | str) -> str:
    """``os.path.realpath(path)``, with each directory resolved once.

    A large project resolves thousands of files in a few directories;
    ``realpath`` checks every component of every path (an ``lstat`` each),
    this checks the directory once and then the file alone.  Paths with
    ``..`` take ``realpath`` itself (a symlink before ``..`` changes what
    it means).  The directories are remembered until :func:`forget_real_paths`
    (the engine calls it when a run starts), and so are the answers.
    """
    text = os.fspath(path)
    known = _REAL_PATHS.get(text)
    if known is not None:
        return known
    if len(text) > MAX_PATH_CHARS or "\x00" in text:
        # no such file can exist: ``realpath`` would take time quadratic in
        # the number of components (a million-component ``ref``) to say so
        return os.path.normpath(os.path.abspath(text))
    if ".." in text:
        return fs.realpath(text)
    head, tail = os.path.split(os.path.abspath(text))
    if not tail:
        return fs.realpath(text)
    directory = _REAL_DIRECTORIES.get(head)
    if directory is None:
        directory = _REAL_DIRECTORIES[head] = fs.realpath(head)
    candidate = os.path.join(directory, tail)
    real = _REAL_PATHS[text] = fs.realpath(candidate) if fs.islink(candidate) else candidate
    return real


def forget_real_paths() -> None:
    """Forget the directories :func:`real_path` resolved (links may change
    between runs in one process)."""
    _REAL_DIRECTORIES.clear()
    _REAL_PATHS.clear()


def resolved(path: Path | str) -> Path:
    """``path`` made absolute with symlinks resolved; lexically absolute when that fails (a loop)."""
    if len(os.fspath(path)) > MAX_PATH_CHARS:
        return Path(os.path.normpath(os.path.abspath(path)))
    try:
        return fs.resolve(path)
    except (OSError, RuntimeError, ValueError):
        return Path(os.path.abspath(path))


#: directories never searched for a project's Python files
SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "dist-packages"})


def walk_python_files(root: str, limit: int = 20000) -> list[str]:
    """The ``.py`` files below ``root`` (relative, ``/``-separated, sorted by
    directory), skipping hidden directories, virtual environments and caches;
    symlinked directories are not followed; at most about ``limit`` files."""
    found: list[str] = []
    for dirpath, dirnames, filenames in fs.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in SKIP_DIRS
            and not fs.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                found.append(os.path.relpath(os.path.join(dirpath, filename), root).replace(os.sep, "/"))
        if len(found) > limit:
            break
    return found
