"""Whole runs, remembered: a ``fallint check`` that finds nothing changed
prints the last result without loading a project or running a rule.

A run is recorded (:mod:`fallint.loading.fs`): every question it asked the
file system and the answer -- which files it read and their identity (size,
modification and change times, inode), what each directory it listed held,
what kind of file each path it looked at was, where each link led.  Those
answers, the command line, the working directory, the interpreter and
fallint's own files (their sizes and times) are all a run's result depends
on.  The next run with the same command line asks the same questions again
(a ``stat`` or a listing each, no parsing); when every answer is the same it
replays the stored diagnostics, else it runs as usual and stores the new
result.

Where
    ``runs-<interpreter>/`` in the user cache directory, or in ``--cache-dir``;
    ``--no-cache`` turns it off, ``fallint clean`` removes it.  At most
    :data:`MAX_ENTRIES` runs are kept (the least recently used go first).

Trust
    Entries are signed like the per-file cache's (keyed BLAKE2b, the user's
    key: see :mod:`fallint.loading.cache`); an entry not signed with this
    user's key, of another version, or damaged, is ignored.

Not recorded, so not stored: runs that fix, runs with ``--verbose`` or
``--show-settings`` (they print the model), runs where fallint failed
(internal errors), runs that read a file modified just then too large to
digest, and runs whose worker processes read files themselves.
"""

from __future__ import annotations

import marshal
import os
import sys
import time
from pathlib import Path
from typing import Any

from fallint import __version__
from fallint.loading import fs
from fallint.loading.cache import (
    Cache,
    _write_atomic,
    cache_secret,
    installed_version,
    read_entry,
    signed,
    user_cache_dir,
    verified,
)

#: the runs' directory in a cache directory (per interpreter: marshal's format)
RUNS_DIR = f"runs-{sys.implementation.cache_tag or sys.implementation.name}"
#: runs kept; the least recently used are removed beyond this
MAX_ENTRIES = 64
#: bumped when what an entry holds changes
FORMAT = 1


def runs_directory(cache_dir: str | None) -> Path:
    """Where runs are kept: ``--cache-dir`` when given, else the user cache directory."""
    base = Path(os.path.abspath(cache_dir)) if cache_dir else user_cache_dir()
    return base / RUNS_DIR


def fallint_stamp() -> list:
    """fallint's own files (code and data): their paths, sizes and
    modification times -- an edited checkout is another fallint."""
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    out: list = []
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            with os.scandir(directory) as entries:
                for entry in entries:
                    if entry.is_dir(follow_symlinks=False):
                        if entry.name != "__pycache__":
                            stack.append(entry.path)
                    elif entry.name.endswith((".py", ".json")):
                        st = entry.stat()
                        out.append((entry.path[len(root):], st.st_size, st.st_mtime_ns))
        except OSError:
            out.append((directory, "unreadable"))
    out.sort()
    return out


def run_key(command: dict, cwd: Path) -> str:
    """The key of a run: its command line (what decides the diagnostics,
    not how they are printed), the working directory, the home directory
    (``~`` in a configured path), the interpreter, fallint's files and its
    dependencies' versions."""
    material = [
        FORMAT,
        __version__,
        sys.version,
        os.fspath(cwd),
        os.environ.get("HOME"),  # `~` in a configured path
        sorted(command.items()),
        fallint_stamp(),
        [installed_version(name) for name in ("libcst", "packaging", "tomli")],
    ]
    return Cache.digest(repr(material).encode("utf-8", "surrogatepass"))


def lookup(key: str, directory: Path) -> dict | None:
    """The stored result of run ``key`` when every question it asked still
    has the same answer, else None.  Its ``seen`` holds the bytes of the
    files read to compare their content (so that the report does not read
    them again)."""
    secret = cache_secret()
    if secret is None:
        return None
    path = directory / f"{key}.bin"
    blob = read_entry(path)
    payload = verified(blob, {"key": key, "format": FORMAT}, secret) if blob is not None else None
    if payload is None:
        return None
    try:
        entry = marshal.loads(payload)
        questions, result = entry["questions"], entry["result"]
    except (ValueError, TypeError, KeyError, EOFError, RecursionError):
        return None
    seen: dict[str, bytes] = {}
    if fs.unchanged(questions, seen=seen) is not None:
        return None
    try:
        os.utime(path)  # recently used: kept by the pruning
    except OSError:
        pass
    result["seen"] = seen
    return result


def save(key: str, directory: Path, recorder: fs.Recorder, result: dict) -> bool:
    """Store ``result`` as run ``key`` with the questions ``recorder``
    heard; False when it was not stored (the record cannot be reused, no
    key, or the directory cannot be written).  Never raises."""
    if recorder.spoiled is not None:
        return False
    secret = cache_secret()
    if secret is None:
        return False
    try:
        payload = marshal.dumps({"questions": fs.questions(recorder), "result": result})
    except (ValueError, TypeError):
        return False
    try:
        directory.mkdir(parents=True, exist_ok=True)
        _write_atomic(directory / f"{key}.bin", signed({"key": key, "format": FORMAT}, payload, secret))
    except OSError:
        return False
    _prune(directory)
    return True


def _prune(directory: Path) -> None:
    """Keep the :data:`MAX_ENTRIES` most recently used runs."""
    try:
        names = [n for n in os.listdir(directory) if n.endswith(".bin")]
        if len(names) <= MAX_ENTRIES:
            return
        aged = sorted(names, key=lambda n: os.stat(directory / n).st_mtime_ns)
        for name in aged[: len(names) - MAX_ENTRIES]:
            os.unlink(directory / name)
    except OSError:
        pass


def now_ns() -> int:
    return time.time_ns()
