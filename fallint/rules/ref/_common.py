"""What several ref rules share: helpers and example projects."""

from __future__ import annotations

import os
import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fallint.loading import fs
from fallint.diagnostics import Location, Related

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App, Project
    from fallint.model.sources import SourceProject
from fallint.model.ref_target import (
    RefTarget,
    class_ancestry,
    rel,
    short,
    split_ref,
    symbol_location,
)
from fallint.rules.ref._base import RefRule

__all__ = ["RefRule", "RefTarget", "split_ref", "class_ancestry", "symbol_location", "rel", "short"]




_MAX_GREP_BYTES = 1024 * 1024


def ref_related(app: "App", message: str = "the `ref` in pyproject.toml") -> Related:
    return Related(app.span("ref"), message)


def files_defining(project: "Project", name: str, exclude: Path | None = None) -> list[str]:
    """Project ``.py`` files with a top-level ``class Name`` / ``def Name`` (a text
    search: nothing is parsed for a suggestion)."""
    pattern = re.compile(rf"^(?:class|def|async\s+def)\s+{re.escape(name)}\b", re.M)
    hits = []
    for relpath in project.python_files:
        path = project.root / relpath
        if exclude is not None and os.path.abspath(path) == os.path.abspath(exclude):
            continue
        try:
            if fs.file_size(path) > _MAX_GREP_BYTES:
                continue
        except (OSError, ValueError):
            continue
        text = project.read(path).text
        if text and pattern.search(text):
            hits.append(relpath)
    return hits


def _top_level_statement(lines: list[str], line: int, keyword: str) -> int | None:
    """The line of the unconditional top-level statement starting with
    ``keyword`` at column 1 that binds a name at ``line`` (a parenthesised
    import may span several lines); None when the binding is indented (inside
    ``if``/``try``/...) or the statement cannot be found with certainty."""
    if not 1 <= line <= len(lines):
        return None
    start = line
    while start >= 1 and (not lines[start - 1][:1].strip() or lines[start - 1][:1] in " \t)"):
        start -= 1
    if start < 1:
        return None
    text = lines[start - 1]
    if not re.match(rf"{keyword}\b", text):
        return None
    if start != line and not text.split("#", 1)[0].rstrip().endswith("("):
        return None
    return start


WEB_APP_PY = textwrap.dedent('''
    import fal


    class Web(fal.App):
        @fal.endpoint("/")
        def run(self) -> dict:
            return {"ok": True}
    ''').lstrip("\n")


def misapplied_fal_functions(sources: "SourceProject", path: Path) -> list:
    """Module-level functions carrying ``@fal.function`` that is bare or not outermost."""
    from fallint.model.sources import (
        Symbol,  # imported on first use: libcst, only apps with Python files need it
    )

    index = sources.index(path)
    found = []
    for entry in index.decorated_functions() if index is not None else []:
        symbol = Symbol("function", entry.name, path, entry.line, entry.column)
        decorator = sources.fal_function_decorator(symbol)
        if decorator is not None and not sources.is_fal_function(symbol):
            found.append((entry, decorator))
    return found


def top_level_imports(app: "App", target: RefTarget) -> list[tuple[int, Any]]:
    """Unconditional top-level import statements of the ref'd file, one per
    statement: ``(line, entry)`` with the first name the statement binds
    (memoised per file: apps share ref files and two rules ask)."""
    key = ("top-level-imports", os.fspath(target.path))
    return app.project.memo(key, lambda: _find_top_level_imports(app, target))


def _find_top_level_imports(app: "App", target: RefTarget) -> list[tuple[int, Any]]:
    lines = app.project.read(target.path).lines()
    index = target.index
    found: dict[int, Any] = {}
    for entry in index.imports:
        keyword = "from" if entry.attr is not None else "import"
        line = None if entry.fallback else _top_level_statement(lines, entry.line, keyword)
        if line is not None:
            found.setdefault(line, entry)
    for star in index.star_imports:
        if not star.fallback and star.column == 1 and _top_level_statement(lines, star.line, "from"):
            found.setdefault(star.line, star)
    return sorted(found.items(), key=lambda item: item[0])


def statement_location(app: "App", path: Path, line: int) -> Location:
    """The text of the statement at ``line`` (to its end or 80 characters)."""
    text = app.project.read(path).lines()[line - 1] if line >= 1 else ""
    stripped = text.split("#", 1)[0].rstrip()
    return Location(path, line, 1, line, max(2, len(stripped) + 1))


def import_text(entry: Any) -> str:
    dots = "." * getattr(entry, "level", 0)
    if not hasattr(entry, "attr"):  # a star import
        return f"from {dots}{entry.module} import *"
    if entry.attr is None:
        return f"import {entry.module}" + (f" as {entry.name}" if entry.name != entry.module.split(".")[0] else "")
    return f"from {dots}{entry.module} import {entry.attr}"


def dotted_dir(project: "Project", path: Path) -> str | None:
    """``apps/sub/web.py`` -> ``apps.sub`` (None when not importable as a name)."""
    parent = rel(project, Path(path).parent)
    if parent in ("", "."):
        return ""
    parts = parent.split("/")
    return ".".join(parts) if all(p.isidentifier() for p in parts) else None
