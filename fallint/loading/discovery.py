"""From command-line paths to the pyproject.toml files to lint.

* a ``pyproject.toml``: that project;
* a directory: every ``pyproject.toml`` beneath it (hidden directories,
  virtual environments, ``node_modules`` and build output are skipped);
* any other file (what pre-commit passes): the nearest enclosing directory
  whose ``pyproject.toml`` has a ``[tool.fal]`` table, stopping at the
  repository root (the directory holding ``.git``).

Whether a candidate really has ``[tool.fal]`` is decided after loading
(see :func:`mentions_fal`), so each file is read once.
"""

from __future__ import annotations

import os
import re
import errno
import stat
from pathlib import Path

from fallint.loading import fs

SKIP_DIRS = {
    "node_modules",
    "__pycache__",
    "build",
    "dist",
    "site-packages",
    "venv",
    "env",
    "htmlcov",
    "__pypackages__",
}

_FAL_RE = re.compile(r"^\s*\[\s*\[?\s*tool\s*\.\s*fal\b|^\s*fal\s*[.=]|tool\s*\.\s*fal\b", re.M)


class UsageError(Exception):
    """A path that does not exist or cannot be read: exit code 2."""


def mentions_fal(text: str) -> bool:
    """Cheap test used for files that do not parse: could this hold ``[tool.fal]``?"""
    return bool(_FAL_RE.search(text))


_TEMPLATE_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}")


def is_template_dir(name: str) -> bool:
    """A directory named with template placeholders: a template, not a project."""
    return bool(_TEMPLATE_RE.search(name))


def _skip_dir(name: str, path: str, templates: list[str] | None = None) -> bool:
    if name.startswith(".") or name in SKIP_DIRS or name.endswith(".egg-info"):
        return True
    if is_template_dir(name):  # only when walking: a template named on the command line is linted
        if templates is not None:
            templates.append(path)
        return True
    return fs.isfile(os.path.join(path, "pyvenv.cfg"))


def walk_pyprojects(root: Path, templates: list[str] | None = None) -> list[Path]:
    """The pyprojects beneath ``root``; the template directories skipped are
    appended to ``templates`` when given."""
    found: list[Path] = []
    errors: list[OSError] = []
    for dirpath, dirnames, filenames in fs.walk(root, onerror=errors.append, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not _skip_dir(d, os.path.join(dirpath, d), templates))
        if "pyproject.toml" in filenames:
            found.append(Path(dirpath) / "pyproject.toml")
    if errors and not found and errors[0].filename and Path(errors[0].filename) == root:
        raise UsageError(f"{root}: cannot read directory ({errors[0].strerror})")
    return found


def enclosing_pyprojects(path: Path) -> list[Path]:
    """Candidate pyprojects from ``path``'s directory upwards, nearest first."""
    out: list[Path] = []
    d = path.parent
    while True:
        cand = d / "pyproject.toml"
        if fs.isfile(cand):
            out.append(cand)
        if fs.exists(d / ".git") or d.parent == d:
            break
        d = d.parent
    return out


def resolve_targets(
    paths: list[str], cwd: Path, templates: list[str] | None = None,
) -> list[tuple[str, Path, list[Path]]]:
    """For each CLI path: (kind, path, candidates).

    kind is ``"pyproject"`` (the named file), ``"dir"`` (all candidates
    beneath) or ``"file"`` (the first candidate with ``[tool.fal]`` wins).
    The template directories (``{{cookiecutter.project_slug}}``, ``{% ... %}``)
    skipped while walking are appended to ``templates`` when given
    (``--verbose`` lists them).
    Raises :class:`UsageError` for paths that do not exist or cannot be read.
    """
    out = []
    for raw in paths or ["."]:
        p = Path(raw)
        if not p.is_absolute():
            p = cwd / p
        p = Path(os.path.normpath(p))
        try:
            st = fs.stat(p)
        except FileNotFoundError:
            if fs.islink(p):
                raise UsageError(f"{raw}: broken symbolic link") from None
            raise UsageError(f"{raw}: no such file or directory") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise UsageError(f"{raw}: too many levels of symbolic links") from None
            raise UsageError(f"{raw}: cannot be read ({exc.strerror})") from None
        if stat.S_ISDIR(st.st_mode):
            if not os.access(p, os.R_OK | os.X_OK):
                raise UsageError(f"{raw}: cannot read directory (permission denied)")
            out.append(("dir", p, walk_pyprojects(p, templates)))
        elif p.name == "pyproject.toml":
            out.append(("pyproject", p, [p]))
        else:
            out.append(("file", p, enclosing_pyprojects(p)))
    return out
