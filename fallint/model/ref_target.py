"""1xx: an app's ``ref`` -- the file, the name in it, and what fal finds there.

fal runs the ``ref``'d file (``runpy.run_path``) and looks the target up in
its globals; these rules reach the same verdicts statically through
``project.sources`` (:class:`~fallint.model.sources.SourceProject`), so
each Python file is parsed at most once per run, whatever the number of apps
and rules that look at it, and no user code ever runs.

:func:`ref_target_of` resolves one app's ``ref`` (rules read it as
``app.ref_target``) and is shared with the 6xx interplay rules.  How fal 1.83.0 reads a ``ref``
(``fal/cli/_utils.py``, ``fal/cli/parser.py``, ``fal/utils.py``):

* the string is made absolute first (``project_root / ref``), then split at
  the first ``::`` (``RefAction.split_ref`` splits when ``::`` is at index 2
  or later -- always true of an absolute path);
* with ``::Name`` the module-level ``Name`` must be a ``fal.App`` subclass or a
  ``fal.function``; without it fal scans every global for exactly one app
  (then exactly one function);
* the file runs as a top-level script: its own directory is not on
  ``sys.path`` (fal appends the working directory) and it has no package.

Every rule stays silent when the answer depends on something that cannot be
known statically (a base class from a third-party package, a name from an
import that does not resolve, a decorator that may replace a function)."""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fallint.diagnostics import Location
from fallint.loading import fs
from fallint.loading.files import MAX_PATH_CHARS, real_path
from fallint.model.fal import split_ref
from fallint.util.records import dataclass

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App, Project
    from fallint.model.sources import FileResult, SourceProject, Symbol, TargetScan


@dataclass
class RefTarget:
    """What one app's ``ref`` resolves to, as far as it can be known statically."""

    ref: str
    file_part: str
    name: str | None
    #: absolute, normalised path of the file (None when the ref is malformed)
    path: Path | None = None
    #: why the ref is malformed, with a suggestion when there is one
    problem: str | None = None
    problem_help: str | None = None
    #: the loaded file (index, or the error that stops fal)
    result: "FileResult | None" = None
    #: the scan of the module (a ref without ``::Name``)
    scan: "TargetScan | None" = None
    #: the symbol fal deploys, when known
    symbol: "Symbol | None" = None
    #: ``"app"`` (a fal.App subclass) or ``"function"`` (a fal.function)
    kind: str | None = None
    #: ``Name`` is bound to something that is certainly not a target: what it is
    not_target: str | None = None

    @property
    def index(self):
        return self.result.index if self.result is not None else None

    @property
    def is_app(self) -> bool:
        return self.kind == "app" and self.symbol is not None and self.symbol.kind == "class"


def environment_owner(app: "App") -> RefTarget | None:
    """The ref target whose own environment fal keeps, if any.

    fal merges the TOML environment into the one a ``fal.App`` class or a
    ``fal.function`` already defines without overwriting keys, and that one
    always has a ``kind``: a TOML ``image`` is then never built (FAL604), and
    its build context never uploaded.
    """
    if not isinstance(app.table.get("ref"), str):
        return None
    target = app.ref_target
    if target is None or target.symbol is None or target.symbol.path is None:
        return None
    return target if target.kind in ("app", "function") else None


def ref_target_of(app: "App") -> RefTarget | None:
    """Resolve ``app``'s ``ref`` (None when it has no string ``ref``).

    Read it as :attr:`App.ref_target <fallint.model.project.App.ref_target>`
    (computed once per app); apps with the same ``ref`` share one answer."""
    ref = app.table.get("ref")
    if not isinstance(ref, str):
        return None
    project = app.project
    # hand every named file to the loader at once (it may parse them in parallel)
    project.memo(("ref", "prefetch"), lambda: project.sources.prefetch(project.app_source_files))
    return project.memo(("ref", "target", ref), lambda: _resolve(project, project.sources, ref))


def _resolve(project: "Project", sources: "SourceProject", ref: str) -> RefTarget:
    file_part, name = split_ref(ref)
    target = RefTarget(ref, file_part, name)
    if not ref.strip():
        target.problem = "`ref` is empty"
        target.problem_help = 'write `ref = "path/to/file.py::ClassName"`'
        return target
    if name == "":
        target.problem = "`ref` ends with `::` but names nothing after it"
        target.problem_help = f'name the class: `ref = "{file_part}::ClassName"`, or drop the `::`'
        return target
    if "\x00" in ref:
        target.problem = "`ref` contains a NUL character"
        target.problem_help = "remove the `\\u0000` escape from the path"
        return target
    if len(file_part) > MAX_PATH_CHARS:  # the file system would answer ENAMETOOLONG
        target.problem = f"the path in `ref` is {len(file_part):,} characters long: no file system accepts it"
        target.problem_help = "write the path of the Python file relative to pyproject.toml"
        return target
    if not file_part:
        target.problem = "`ref` has no file path before `::`"
        target.problem_help = f'write `ref = "path/to/file.py::{name}"`'
        return target
    path = project.ref_file(ref)
    if not file_part.endswith(".py") and path_kind(path) is None:
        target.problem, target.problem_help = _malformed_path(project, file_part, name)
        return target
    target.path = path
    if fs.lexists(path) and not project.contains(path):
        # a file outside the project (or reached through a symlink leading out)
        # is never read: its lines would be quoted in the output (FAL102)
        from fallint.model.sources import FileResult

        target.result = FileResult(error="outside", message="is outside the project directory")
        return target
    target.result = sources.file(path)
    if target.result.index is None:
        return target
    if name is not None:
        _resolve_name(sources, target)
    else:
        _resolve_scan(sources, target)
    return target


def path_kind(path: Path) -> str | None:
    """``"file"``, ``"dir"``, ``"other"`` or None (missing); never raises."""
    try:
        mode = fs.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "other" if fs.lexists(path) else None  # a dangling link is something
    except (OSError, ValueError):
        return "other"  # a loop, no permission, a NUL in the name
    if stat.S_ISREG(mode):
        return "file"
    return "dir" if stat.S_ISDIR(mode) else "other"


def _malformed_path(project: "Project", file_part: str, name: str | None) -> tuple[str, str]:
    """Explain a path that is neither a ``.py`` file nor anything that exists."""
    suffix = f"::{name}" if name else ""
    if ".py:" in file_part and name is None:  # app.py:Web
        head, _, tail = file_part.partition(".py:")
        fixed = f"{head}.py::{tail.lstrip(':')}"
        return (
            "`ref` separates the file and the name with `:`; fal needs `::`",
            f'write `ref = "{fixed}"`',
        )
    candidates = []
    if not file_part.endswith(".py"):
        candidates.append(file_part + ".py")
        if "/" not in file_part and "." in file_part:  # a dotted module name
            candidates.append(file_part.replace(".", "/") + ".py")
    for candidate in candidates:
        if path_kind(project.root / candidate) == "file":
            return (
                f"`ref` must name a Python file; `{file_part}` does not exist",
                f'did you mean `ref = "{candidate}{suffix}"`?',
            )
    return (
        f"`ref` must name a Python file (`path/to/file.py` or `path/to/file.py::Name`); "
        f"`{file_part}` does not exist",
        'write `ref = "path/to/file.py::ClassName"`, relative to the pyproject.toml directory',
    )


def _resolve_name(sources: "SourceProject", target: RefTarget) -> None:
    path, name, index = target.path, target.name, target.index
    symbol = sources.lookup(path, name)
    if index.binding(name) is None:
        # run_path's globals hold only what the module binds: builtins are not there
        if symbol is None or (symbol.external and symbol.name.startswith("builtins.")):
            return  # "not found" (FAL106 decides whether that is certain)
    if symbol is None:
        return  # bound through an import that does not resolve: unknown
    target.symbol = symbol
    if symbol.kind in ("function", "assignment") and sources.is_fal_function(symbol):
        target.kind = "function"
    elif symbol.kind in ("class", "external") and sources.is_fal_app(symbol) is True:
        target.kind = "app"
    else:
        target.not_target = _what_it_is(sources, symbol, index.binding(name))


def _resolve_scan(sources: "SourceProject", target: RefTarget) -> None:
    scan = target.scan = sources.scan(target.path)
    if len(scan.apps) == 1:
        target.symbol, target.kind = scan.apps[0], "app"
    elif not scan.apps and not scan.unknown and len(scan.functions) == 1:
        target.symbol, target.kind = scan.functions[0], "function"


def _what_it_is(sources: "SourceProject", symbol: "Symbol", binding: Any = None) -> str | None:
    """A phrase for a symbol that is certainly neither a fal.App nor a fal.function
    (``"a pydantic model"``); None when that is not certain.  ``binding`` is the
    module's own binding of the name, when it has one."""
    # imported on first use: libcst, only apps with Python files need it
    from fallint.formats.python import ImportEntry

    if symbol.kind == "module" or (isinstance(binding, ImportEntry) and binding.attr is None):
        return "a module"
    if symbol.kind == "external":
        if sources.is_fal_app(symbol) is False and not symbol.name.startswith("builtins."):
            return f"`{symbol.name}`, imported from outside the project"
        return None
    index = sources.index(symbol.path)
    if index is None:
        return None
    if symbol.kind == "class":
        if sources.is_fal_app(symbol) is not False:
            return None
        entry = sources.class_entry(symbol)
        bases = [sources.resolve_dotted(symbol.path, b) if b else None for b in (entry.bases if entry else [])]
        if any(b is not None and b.external and b.name.split(".")[0] == "pydantic" for b in bases):
            return "a pydantic model"
        if entry is not None and not entry.bases:
            return "a plain class"
        return "a class that does not derive from fal.App"
    if symbol.kind == "function":
        entry = index.function_named(symbol.name, symbol.line)
        if entry is not None and not entry.decorators:
            return "a plain function (not decorated with `@fal.function(...)`)"
        return None
    if symbol.kind == "assignment":
        entries = [a for a in index.assignments if a.name == symbol.name and a.line == symbol.line]
        value = entries[0].value if entries else None
        if value is not None and value.literal:
            kind = {bool: "a boolean", int: "an integer", float: "a number", str: "a string",
                    list: "a list", dict: "a dict"}.get(type(value.value), "a constant")
            if value.value is None:
                return "`None`"
            return f"{kind} (`{short(value.source)}`)"
    return None


def rel(project: "Project", path: Path) -> str:
    """``path`` relative to the project root, ``/``-separated (absolute when outside)."""
    try:
        text = os.path.relpath(path, project.root)
    except ValueError:
        return str(path)
    if text.startswith(".."):
        return str(path)
    return text.replace(os.sep, "/")


def symbol_location(symbol: "Symbol") -> Location | None:
    """The name of a class/function/assignment where it is defined."""
    if symbol is None or symbol.path is None or symbol.line <= 0:
        return None
    return Location.point(Path(symbol.path), symbol.line, symbol.column, len(symbol.name))


def class_ancestry(sources: "SourceProject", symbol: "Symbol") -> list[tuple["Symbol", Any]]:
    """The project class ``symbol`` and every project class it derives from
    (depth first, each once, cycle-safe), as ``(symbol, ClassEntry)`` pairs."""
    out: list = []
    seen: set = set()
    stack = [symbol]
    while stack:
        current = stack.pop()
        if current is None or current.kind != "class":
            continue
        key = (real_path(current.path), current.name, current.line)
        if key in seen:
            continue
        seen.add(key)
        entry = sources.class_entry(current)
        if entry is None:
            continue
        out.append((current, entry))
        bases = [sources.resolve_dotted(current.path, b) for b in entry.bases if b]
        stack.extend(reversed(bases))
    return out


def short(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters (for code quoted in messages)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."
