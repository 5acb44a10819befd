"""1xx: an app's ``ref`` -- the file, the name in it, and what fal finds there.

fal runs the ``ref``'d file (``runpy.run_path``) and looks the target up in
its globals; these rules reach the same verdicts statically through
``project.sources`` (:class:`~fallint.pysource.resolve.SourceProject`), so
each Python file is parsed at most once per run, whatever the number of apps
and rules that look at it, and no user code ever runs.

:func:`ref_target` resolves one app's ``ref`` (memoised per run) and is
shared with the 6xx interplay rules.  How fal 1.83.0 reads a ``ref``
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
import that does not resolve, a decorator that may replace a function).
"""

from __future__ import annotations

import os
import stat
import re
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable, Iterator

from .._records import dataclass
from ..files import MAX_PATH_CHARS
from ..diagnostics import Location, Related
from ..files import real_path
from ..registry import ERROR, WARNING, Example, Rule, register
from ..suggest import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from ..project import App, Project
    from ..pysource.resolve import FileResult, SourceProject, Symbol, TargetScan

__all__ = ["RefRule", "RefTarget", "ref_target", "split_ref", "class_ancestry", "symbol_location", "rel", "short"]

#: directories never searched for "did you mean" files
_SKIP_DIRS = frozenset({"__pycache__", "node_modules", "site-packages", "dist-packages"})
_MAX_SUGGEST_FILES = 20000
_MAX_GREP_BYTES = 1024 * 1024


# --------------------------------------------------------------------------
# Resolving a ref
# --------------------------------------------------------------------------


def split_ref(ref: str) -> tuple[str, str | None]:
    """``"apps/app.py::Web"`` -> ``("apps/app.py", "Web")``; no ``::`` -> name None.

    fal splits the *absolute* path, so any ``::`` in the TOML value splits.
    """
    head, sep, tail = ref.partition("::")
    return (head, tail) if sep else (ref, None)


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
    target = ref_target(app)
    if target is None or target.symbol is None or target.symbol.path is None:
        return None
    return target if target.kind in ("app", "function") else None


def ref_target(app: "App") -> RefTarget | None:
    """Resolve ``app``'s ``ref`` (None when it has no string ``ref``); memoised per run."""
    try:  # each rule asks of each app: kept on the app after the first time
        return app.__dict__["_ref_target"]
    except KeyError:
        pass
    ref = app.table.get("ref")
    if not isinstance(ref, str):
        target = None
    else:
        project = app.project
        # hand every ref'd file to the loader at once (it may parse them in parallel)
        project.memo(("ref", "prefetch"), lambda: project.sources.prefetch(_ref_files(project)))
        target = project.memo(("ref", "target", ref), lambda: _resolve(project, project.sources, ref))
    app.__dict__["_ref_target"] = target
    return target


def _ref_files(project: "Project") -> list[Path]:
    """The existing files the project's apps ``ref``, each once."""
    paths: dict[Path, None] = {}
    for app in project.apps:
        ref = app.table.get("ref")
        if isinstance(ref, str) and "\x00" not in ref and len(ref) <= MAX_PATH_CHARS:
            file_part = split_ref(ref)[0]
            path = Path(os.path.normpath(os.path.join(project.root, file_part)))
            if file_part and _kind_of(path) == "file":
                paths[path] = None
    return list(paths)


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
    path = Path(os.path.normpath(os.path.join(project.root, file_part)))
    if not file_part.endswith(".py") and _kind_of(path) is None:
        target.problem, target.problem_help = _malformed_path(project, file_part, name)
        return target
    target.path = path
    target.result = sources.file(path)
    if target.result.index is None:
        return target
    if name is not None:
        _resolve_name(sources, target)
    else:
        _resolve_scan(sources, target)
    return target


def _kind_of(path: Path) -> str | None:
    """``"file"``, ``"dir"``, ``"other"`` or None (missing); never raises."""
    try:
        mode = os.stat(path).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return "other" if os.path.lexists(path) else None  # a dangling link is something
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
        if _kind_of(project.root / candidate) == "file":
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
    from ..pysource.index import ImportEntry

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


# --------------------------------------------------------------------------
# Helpers shared by the 1xx and 6xx rules
# --------------------------------------------------------------------------


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


def _ref_related(app: "App", message: str = "the `ref` in pyproject.toml") -> Related:
    return Related(app.span("ref"), message)


def _target_related(target: RefTarget, message: str) -> list[Related]:
    loc = symbol_location(target.symbol) if target.symbol is not None else None
    return [Related(loc, message)] if loc is not None else []


def _project_py_files(project: "Project") -> list[str]:
    """The project's ``.py`` files (relative, ``/``-separated), skipping hidden
    directories, virtualenvs and caches; memoised per run."""
    return project.memo(("ref", "py-files"), lambda: _walk_py_files(str(project.root)))


def _walk_py_files(root: str) -> list[str]:
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(
            d for d in dirnames
            if not d.startswith(".") and d not in _SKIP_DIRS
            and not os.path.exists(os.path.join(dirpath, d, "pyvenv.cfg"))
        )
        for filename in sorted(filenames):
            if filename.endswith(".py"):
                found.append(os.path.relpath(os.path.join(dirpath, filename), root).replace(os.sep, "/"))
        if len(found) > _MAX_SUGGEST_FILES:
            break
    return found


def _files_defining(project: "Project", name: str, exclude: Path | None = None) -> list[str]:
    """Project ``.py`` files with a top-level ``class Name`` / ``def Name`` (a text
    search: nothing is parsed for a suggestion)."""
    pattern = re.compile(rf"^(?:class|def|async\s+def)\s+{re.escape(name)}\b", re.M)
    hits = []
    for relpath in _project_py_files(project):
        path = project.root / relpath
        if exclude is not None and os.path.abspath(path) == os.path.abspath(exclude):
            continue
        try:
            if path.stat().st_size > _MAX_GREP_BYTES:
                continue
        except OSError:
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


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


class RefRule(Rule):
    """Base of the rules that look at each app's resolved ``ref``."""

    def check_project(self, project: "Project") -> Iterable:
        self._seen: set = set()
        for app in project.apps:
            target = ref_target(app)
            if target is not None:
                yield from self.check_target(app, target)

    def check_target(self, app: "App", target: RefTarget) -> Iterable:
        return ()

    def in_python(self, app: "App", location: Location, message: str, help: str | None = None,
                  related: Iterable[Related] = ()) -> list:
        """A diagnostic in a Python file (as a list), reported once however
        many apps share the file: the first app checked owns it."""
        if (location, message) in self._seen:
            return []
        self._seen.add((location, message))
        return [self.at_location(location, message, app=app.key, key=app.path + ("ref",), help=help,
                                 related=related)]


_WEB = textwrap.dedent('''
    import fal


    class Web(fal.App):
        @fal.endpoint("/")
        def run(self) -> dict:
            return {"ok": True}
    ''').lstrip("\n")


@register
class InvalidRef(RefRule):
    code = "FAL101"
    name = "invalid-ref"
    severity = ERROR
    summary = "ref is not `path/to/file.py` or `path/to/file.py::Name`"
    what = """
        A `ref` that cannot name a Python file and a target in it: empty, nothing
        before or after `::`, a single `:` (`app.py:Web`), or a path that is not a
        `.py` file and does not exist (a module name such as `apps.web`).
    """
    why = """
        fal joins the `ref` to the project root and runs that file: a malformed
        `ref` makes `fal run` / `fal deploy` fail before anything is built.
    """
    fix = "Write the path of the file relative to `pyproject.toml`, then `::` and the class name."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py:Web"
            ''',
            files={"app.py": _WEB},
            expect=["2:7"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps.web::Web"

            [tool.fal.apps.api]
            ref = "app.py::"

            [tool.fal.apps.empty]
            ref = ""
            ''',
            files={"apps/web.py": _WEB, "app.py": _WEB},
            expect=["2:7", "5:7", "8:7"],
            title="a module name, an empty name, an empty ref",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": _WEB},
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web::Web"
            ''',
            files={"apps/web": _WEB},
            title="fal runs a file without the .py suffix too",
        ),
    ]

    def check_target(self, app, target):
        if target.problem is not None:
            yield self.at(app, ("ref",), target.problem, help=target.problem_help)


@register
class RefOutsideProject(RefRule):
    code = "FAL102"
    name = "ref-outside-project"
    severity = WARNING
    summary = "ref points outside the project directory"
    what = "A `ref` path that leaves the project root: `../shared/app.py`, or an absolute path elsewhere."
    why = """
        fal runs whatever file the path reaches, but the app then depends on the
        layout of the machine it is deployed from: a clone of the repository, a
        colleague or a CI runner does not have that file.
    """
    fix = "Move the app file into the project (or the pyproject.toml up to the repository root)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "../shared/app.py::Web"
            ''',
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": _WEB},
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/../app.py::Web"
            ''',
            files={"app.py": _WEB},
            title="`..` that stays inside the project",
        ),
    ]

    def check_target(self, app, target):
        if target.path is None:
            return
        root = os.path.normpath(str(app.project.root))
        try:
            inside = os.path.commonpath([root, str(target.path)]) == root
        except ValueError:  # another drive
            inside = False
        if not inside:
            where = "an absolute path" if os.path.isabs(target.file_part) else "a path"
            yield self.at(
                app,
                ("ref",),
                f"`ref` is {where} outside the project directory: deploying works only "
                f"where `{target.file_part}` exists",
                help="keep the app file inside the directory of pyproject.toml",
            )


@register
class RefFileNotFound(RefRule):
    code = "FAL103"
    name = "ref-file-not-found"
    severity = ERROR
    summary = "The file named by ref does not exist"
    what = """
        A `ref` whose file does not exist (paths are relative to the directory of
        `pyproject.toml`). fallint suggests a project file with a similar path, or
        the file that defines the named class.
    """
    why = "fal fails with `No such file or directory` and nothing is deployed."
    fix = "Correct the path (it is relative to `pyproject.toml`, not to the current directory)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/imagegen.py::ImageGen"
            ''',
            files={"apps/image_gen.py": _WEB.replace("Web", "ImageGen")},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/image_gen.py::ImageGen"
            ''',
            files={"apps/image_gen.py": _WEB.replace("Web", "ImageGen")},
        )
    ]

    def check_target(self, app, target):
        if target.result is None or target.result.error != "missing":
            return
        project = app.project
        hint = None
        if target.name:
            defining = _files_defining(project, target.name)
            if len(defining) == 1:
                hint = f"`{target.name}` is defined in `{defining[0]}`: " \
                       f'did you mean `ref = "{defining[0]}::{target.name}"`?'
        if hint is None:
            similar = did_you_mean(target.file_part, _project_py_files(project))
            if similar:
                suffix = f"::{target.name}" if target.name is not None else ""
                hint = f'did you mean `ref = "{similar}{suffix}"`?'
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` does not exist (paths are relative to the pyproject.toml directory)",
            help=hint,
        )


@register
class RefFileUnreadable(RefRule):
    code = "FAL104"
    name = "ref-file-unreadable"
    severity = ERROR
    summary = "The ref file is a directory, unreadable, binary or not UTF-8"
    what = """
        A `ref` that names a directory, a file that cannot be read (permissions, a
        symlink loop), a binary file, or a file that is not UTF-8 and declares no
        other encoding.
    """
    why = """
        fal must read and run the file: Python rejects source that is not valid
        UTF-8 (without a `# -*- coding: ... -*-` line) or contains NUL bytes, and
        fal cannot open a directory.
    """
    fix = "Point `ref` at the app's `.py` file, and save it as UTF-8 text."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps::Web"
            ''',
            files={"apps/web.py": _WEB},
            expect=["2:7"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": b"import fal\n# caf\xe9\n"},
            expect=["2:7"],
            title="a Latin-1 file without a coding line",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/web.py": _WEB},
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + _WEB.encode()},
            title="a declared encoding",
        ),
    ]

    def check_target(self, app, target):
        result = target.result
        if result is None or result.error not in ("directory", "unreadable", "not-utf8"):
            return
        related = []
        if result.error == "directory":
            hint = None
            pys = sorted(p for p in _safe_listdir(target.path) if p.endswith(".py"))
            if len(pys) == 1:
                suffix = f"::{target.name}" if target.name is not None else ""
                hint = f'did you mean `ref = "{target.file_part.rstrip("/")}/{pys[0]}{suffix}"`?'
            message = f"`{target.file_part}` is a directory; `ref` must name a Python file"
        else:
            if result.line:
                related.append(Related(Location.point(target.path, result.line, result.column or 1),
                                       "the first byte that is not UTF-8"))
            message = f"`{target.file_part}` {result.message}: fal cannot run it"
            hint = "save the file as UTF-8 text" if result.error == "not-utf8" else None
        yield self.at(app, ("ref",), message, help=hint, related=related)


def _safe_listdir(path: Path) -> list[str]:
    try:
        return os.listdir(path)
    except OSError:
        return []


@register
class RefSyntaxError(RefRule):
    code = "FAL105"
    name = "ref-syntax-error"
    severity = ERROR
    summary = "The ref file is not valid Python"
    what = """
        A syntax error in the file an app's `ref` names, reported at its position
        in the Python file. Any Python 3 syntax counts as valid, whatever the
        Python running fallint (a PEP 695 `type X = int` is fine).
    """
    why = "fal runs the file to find the app: a syntax error stops `fal run` and `fal deploy`."
    fix = "Correct the syntax at the reported position."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict
                        return {}
                """},
            expect=["app.py:6:26"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": "type Payload = dict[str, int]\n" + _WEB},
        )
    ]

    def check_target(self, app, target):
        result = target.result
        if result is None or result.error != "syntax":
            return
        yield from self.in_python(
            app,
            Location.point(target.path, result.line or 1, result.column or 1),
            f"invalid Python: {result.message}; fal cannot run `{target.file_part}`",
            related=[_ref_related(app, f"app `{app.key}` runs this file")],
        )


def _star_imports_known(sources: "SourceProject", target: RefTarget) -> bool:
    """Can every ``from x import *`` of the module be followed (so an unbound
    name is certainly unbound)?"""
    for star in target.index.star_imports:
        if star.level == 0 and star.module == "fal":
            continue
        location = sources.module_file(star.module, from_file=target.path, level=star.level)
        if location.path is None or sources.index(location.path) is None:
            return False
    return True


@register
class RefNameNotFound(RefRule):
    code = "FAL106"
    name = "ref-name-not-found"
    severity = ERROR
    summary = "The name after `::` is not defined at module level in the ref file"
    what = "A `ref = \"file.py::Name\"` whose file binds no module-level `Name` (a renamed class, a typo)."
    why = "fal raises `Function 'Name' not found in module` and nothing is deployed."
    fix = "Use the class's current name (fallint suggests a close one), or the file that defines it."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Website"
            ''',
            files={"app.py": _WEB},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "main.py::Web"
            ''',
            files={"main.py": "from service import Web\n", "service.py": _WEB},
            title="an imported class is a module-level name too",
        )
    ]

    def check_target(self, app, target):
        if target.index is None or target.name is None or target.symbol is not None:
            return
        if target.index.binding(target.name) is not None:
            return  # bound through an import fallint cannot follow
        sources = app.project.sources
        if not _star_imports_known(sources, target):
            return
        names = [n for n in target.index.names() if not n.startswith("__")]
        hint = did_you_mean(target.name, names)
        if hint:
            help = f'did you mean `ref = "{target.file_part}::{hint}"`?'
        else:
            elsewhere = _files_defining(app.project, target.name, exclude=target.path)
            help = (f'`{target.name}` is defined in `{elsewhere[0]}`: did you mean '
                    f'`ref = "{elsewhere[0]}::{target.name}"`?') if len(elsewhere) == 1 else None
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` has no module-level name `{target.name}`",
            help=help,
        )


def _suggest_apps(target: RefTarget, sources: "SourceProject") -> str | None:
    apps = sources.scan(target.path).apps
    if len(apps) == 1:
        return f'did you mean `ref = "{target.file_part}::{apps[0].binding or apps[0].name}"`?'
    return None


@register
class RefNotAnApp(RefRule):
    code = "FAL107"
    name = "ref-not-an-app"
    severity = ERROR
    summary = "The name after `::` is neither a fal.App subclass nor a fal.function"
    what = """
        A `ref = "file.py::Name"` where `Name` is certainly something else: a
        pydantic model, a plain class or function, a constant, a module. Names
        whose nature depends on a third-party base class are left alone.
    """
    why = "fal raises `Function 'Name' is not a fal.App or a fal.function`."
    fix = "Point `ref` at the class that derives from `fal.App` (or a `@fal.function(...)` function)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Prompt"
            ''',
            files={"app.py": """
                import fal
                from pydantic import BaseModel


                class Prompt(BaseModel):
                    text: str


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self, prompt: Prompt) -> dict:
                        return {"text": prompt.text}
                """},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.job]
            ref = "app.py::job"

            [tool.fal.apps.mixin]
            ref = "app.py::Other"
            ''',
            files={"app.py": """
                import fal
                from mycorp.apps import Base

                job = fal.function(requirements=["numpy"])(lambda: 1)


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}


                class Other(Base):  # a third-party base: maybe a fal.App
                    pass
                """},
            title="fal.function applied by call, unknown bases",
        )
    ]

    def check_target(self, app, target):
        if target.not_target is None:
            return
        sources = app.project.sources
        yield self.at(
            app,
            ("ref",),
            f"`{target.name}` in `{target.file_part}` is {target.not_target}, "
            f"not a fal.App subclass or a fal.function",
            help=_suggest_apps(target, sources),
            related=_target_related(target, f"`{target.name}` is defined here"),
        )


def _misapplied_fal_functions(sources: "SourceProject", path: Path) -> list:
    """Module-level functions carrying ``@fal.function`` that is bare or not outermost."""
    from ..pysource.resolve import Symbol

    index = sources.index(path)
    found = []
    for entry in index.decorated_functions() if index is not None else []:
        symbol = Symbol("function", entry.name, path, entry.line, entry.column)
        decorator = sources.fal_function_decorator(symbol)
        if decorator is not None and not sources.is_fal_function(symbol):
            found.append((entry, decorator))
    return found


@register
class RefNoTarget(RefRule):
    code = "FAL108"
    name = "ref-no-target"
    severity = ERROR
    summary = "A ref without `::Name` whose file has no fal.App and no fal.function"
    what = """
        A `ref` without `::Name` naming a file in which fal's scan of the module's
        globals finds no `fal.App` subclass and no `fal.function`.
    """
    why = "fal raises `No fal.App or fal.function found in the module.`"
    fix = "Point `ref` at the file that defines the app, or add `::Name`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "models.py"
            ''',
            files={"models.py": "from pydantic import BaseModel\n\n\nclass Prompt(BaseModel):\n    text: str\n",
                   "app.py": _WEB},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py"
            ''',
            files={"app.py": _WEB},
        )
    ]

    def check_target(self, app, target):
        scan = target.scan
        if scan is None or scan.apps or scan.functions or scan.unknown:
            return
        sources = app.project.sources
        index = target.index
        if any(sources.lookup(target.path, n) is None for n in index.names()):
            return  # a name from an import fallint cannot follow might be the app
        if _misapplied_fal_functions(sources, target.path):
            return  # FAL111 / a decorator order problem is the real cause
        others = [p for p in _files_defining_app_hint(app.project, target)]
        help = f'did you mean `ref = "{others[0]}"`?' if len(others) == 1 else \
            "define a class deriving from `fal.App` in the file, or point `ref` at the file that does"
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` defines no fal.App subclass and no fal.function: fal finds nothing to run",
            help=help,
        )


_APP_CLASS_RE = re.compile(r"^class\s+\w+\s*\([^)]*\bApp\b", re.M)


def _files_defining_app_hint(project: "Project", target: RefTarget) -> Iterator[str]:
    """Other project files that textually look like they define a fal.App (for a hint)."""
    for relpath in _project_py_files(project):
        path = project.root / relpath
        if os.path.abspath(path) == os.path.abspath(target.path):
            continue
        text = project.read(path).text
        if text and "fal" in text and _APP_CLASS_RE.search(text):
            yield relpath


@register
class RefAmbiguousTarget(RefRule):
    code = "FAL109"
    name = "ref-ambiguous-target"
    severity = ERROR
    summary = "A ref without `::Name` whose file has several fal.Apps (or several fal.functions)"
    what = """
        A `ref` without `::Name` naming a file whose globals hold more than one
        `fal.App` subclass -- imported ones and aliases (`Alias = MyApp`) count, as
        fal scans every global -- or, with no app, more than one `fal.function`.
    """
    why = "fal raises `Multiple fal.Apps found in the module` and asks for the name."
    fix = "Add `::Name` to the `ref` to say which one to deploy."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py"
            ''',
            files={"app.py": _WEB + "\n\nclass Admin(Web):\n    pass\n"},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": _WEB + "\n\nclass Admin(Web):\n    pass\n"},
        )
    ]

    def check_target(self, app, target):
        scan = target.scan
        if scan is None:
            return
        if len(scan.apps) > 1:
            found, what = scan.apps, "fal.App subclasses"
        elif not scan.apps and not scan.unknown and len(scan.functions) > 1:
            found, what = scan.functions, "fal.functions"
        else:
            return
        names = [s.binding or s.name for s in found]
        listed = ", ".join(f"`{n}`" for n in names)
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` has {len(names)} {what} ({listed}); fal needs `::Name` to pick one",
            help=f'write `ref = "{target.file_part}::{names[0]}"` (or another of them)',
            related=[r for r in (_binding_related(app, target, s) for s in found) if r is not None],
        )


def _binding_related(app: "App", target: RefTarget, symbol: "Symbol") -> Related | None:
    """Where the module binds ``symbol`` (the name fal lists), else its definition."""
    name = symbol.binding or symbol.name
    binding = target.index.binding(name)
    if binding is not None:
        loc = Location.point(target.path, binding.line, binding.column, len(name))
    else:  # through a star import: the definition
        loc = symbol_location(symbol)
    if loc is None:
        return None
    same = symbol.name == name
    return Related(loc, f"`{name}`" + ("" if same else f" (bound to `{symbol.name}`)"))


@register
class AppWithoutRoute(RefRule):
    code = "FAL110"
    name = "app-without-route"
    severity = ERROR
    summary = "The fal.App class a ref deploys has no endpoint"
    what = """
        The `fal.App` subclass an app deploys defines no route: no method decorated
        with `@fal.endpoint(...)` or `@fal.realtime(...)`, inherited ones included.
    """
    why = "fal fails while building the app's OpenAPI metadata: `Failed to generate OpenAPI metadata`."
    fix = "Decorate the method that serves requests with `@fal.endpoint(\"/\")`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:4:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Base(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}


                class Web(Base):
                    machine_type = "M"
                """},
            title="an inherited endpoint",
        )
    ]

    def check_target(self, app, target):
        if not target.is_app or target.symbol.path is None:
            return
        sources = app.project.sources
        if sources.has_route(target.symbol) is not False:
            return
        loc = symbol_location(target.symbol)
        yield from self.in_python(
            app,
            loc,
            f"fal.App class `{target.symbol.name}` has no endpoint: fal cannot deploy it",
            help='decorate the method that serves requests with `@fal.endpoint("/")`',
            related=[_ref_related(app, f"app `{app.key}` deploys this class")],
        )


@register
class BareFalFunction(RefRule):
    code = "FAL111"
    name = "bare-fal-function"
    severity = ERROR
    summary = "`@fal.function` without parentheses, or not the outermost decorator"
    what = """
        In the file a `ref` runs (or the file defining its target): a function
        decorated with `@fal.function` without a call, or with
        `@fal.function(...)` under another decorator.
    """
    why = """
        A bare `@fal.function` passes the function as the environment kind: fal
        raises `Unrecognised environment kind` as soon as it runs the file. Under
        another decorator, the module-level name is no longer the fal function
        fal looks for.
    """
    fix = "Write `@fal.function()` (or with arguments) as the first (outermost) decorator."
    invalid = [
        Example(
            '''
            [tool.fal.apps.job]
            ref = "job.py::job"
            ''',
            files={"job.py": """
                import fal


                @fal.function
                def job() -> int:
                    return 1
                """},
            expect=["job.py:4:2"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.job]
            ref = "job.py::job"
            ''',
            files={"job.py": """
                from fal import function as fal_function


                @fal_function(requirements=["numpy"])
                def job() -> int:
                    return 1
                """},
        )
    ]

    def check_target(self, app, target):
        if target.index is None:
            return
        sources = app.project.sources
        paths = [target.path]
        if target.symbol is not None and target.symbol.path is not None:
            paths.append(Path(target.symbol.path))
        for path in dict.fromkeys(paths):
            for entry, decorator in _misapplied_fal_functions(sources, path):
                name = decorator.name or "fal.function"
                if not decorator.called:
                    message = (f"`@{name}` without parentheses makes fal fail when it runs the file "
                               f"(\"Unrecognised environment kind\")")
                    help = f"call it: `@{name}()` or `@{name}(requirements=[...])`"
                else:
                    message = (f"`@{name}(...)` is not the outermost decorator of `{entry.name}`: "
                               f"the name is not a fal function")
                    help = f"move `@{name}(...)` above the other decorators"
                yield from self.in_python(
                    app,
                    Location.point(path, decorator.line, decorator.column, len(name)),
                    message,
                    help=help,
                    related=[_ref_related(app, f"app `{app.key}` runs this file")],
                )


@register
class ClassKeywordConflict(RefRule):
    code = "FAL112"
    name = "class-keyword-conflict"
    severity = ERROR
    summary = "`machine_type`, `num_gpus` or `regions` passed as a class keyword"
    what = """
        A fal.App class an app deploys (or one of its project base classes) passing
        `machine_type=`, `num_gpus=` or `regions=` as a class keyword:
        `class Web(fal.App, machine_type="GPU-A100")`.
    """
    why = """
        fal passes these three settings from the class attributes *and* every class
        keyword to `fal.function(...)`: it fails with `TypeError: got multiple
        values for keyword argument 'machine_type'`.
    """
    fix = "Set them as class attributes: `machine_type = \"GPU-A100\"` in the class body."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App, machine_type="GPU-A100", keep_alive=300):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:4:20"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App, keep_alive=300):
                    machine_type = "GPU-A100"

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
        )
    ]

    def check_target(self, app, target):
        if not target.is_app:
            return
        from ..pysource.resolve import DIRECT_SETTINGS

        for symbol, entry in class_ancestry(app.project.sources, target.symbol):
            for keyword, value in entry.keywords.items():
                if keyword not in DIRECT_SETTINGS:
                    continue
                line, column = entry.keyword_positions.get(keyword, [value.line, value.column])
                yield from self.in_python(
                    app,
                    Location.point(Path(symbol.path), line, column, len(keyword)),
                    f"class keyword `{keyword}=` makes fal fail with a TypeError "
                    f"(\"got multiple values for keyword argument '{keyword}'\")",
                    help=f"set it in the class body instead: `{keyword} = {short(value.source)}`",
                    related=[_ref_related(app, f"app `{app.key}` deploys `{target.symbol.name}`")],
                )


def _top_level_imports(app: "App", target: RefTarget) -> list[tuple[int, Any]]:
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


def _statement_location(app: "App", path: Path, line: int) -> Location:
    """The text of the statement at ``line`` (to its end or 80 characters)."""
    text = app.project.read(path).lines()[line - 1] if line >= 1 else ""
    stripped = text.split("#", 1)[0].rstrip()
    return Location(path, line, 1, line, max(2, len(stripped) + 1))


def _import_text(entry: Any) -> str:
    dots = "." * getattr(entry, "level", 0)
    if not hasattr(entry, "attr"):  # a star import
        return f"from {dots}{entry.module} import *"
    if entry.attr is None:
        return f"import {entry.module}" + (f" as {entry.name}" if entry.name != entry.module.split(".")[0] else "")
    return f"from {dots}{entry.module} import {entry.attr}"


@register
class RefRelativeImport(RefRule):
    code = "FAL113"
    name = "ref-relative-import"
    severity = ERROR
    summary = "A relative import in the file a ref runs"
    what = "An unconditional top-level relative import (`from .helpers import x`) in the file an app's `ref` names."
    why = """
        fal runs the file as a script (`runpy.run_path`), outside any package: the
        import fails with `attempted relative import with no known parent package`.
    """
    fix = """
        Import from the project root instead (`from apps.helpers import x`): fal
        puts its working directory, the project root, on `sys.path`.
    """
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/__init__.py": "", "apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from .helpers import GREETING\n" + _WEB},
            expect=["apps/web.py:1:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/__init__.py": "", "apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from apps.helpers import GREETING\n"
                                  "try:\n    from .helpers import GREETING\nexcept ImportError:\n    pass\n"
                                  + _WEB},
            title="absolute, or guarded by try/except",
        )
    ]

    def check_target(self, app, target):
        index = target.index
        if index is None or index.binding("__package__") is not None:
            return
        if not any(e.level > 0 for e in index.imports) and not any(s.level > 0 for s in index.star_imports):
            return
        package = _dotted_dir(app.project, target.path)
        for line, entry in _top_level_imports(app, target):
            if entry.level <= 0:
                continue
            statement = _import_text(entry)
            help = "import from the project root (fal puts its working directory on sys.path)"
            if package is not None and entry.level == 1:
                absolute = ".".join(p for p in (package, entry.module) if p)
                help = f"use an absolute import: `{statement.replace('from ' + '.' + entry.module, 'from ' + absolute, 1)}`"
            yield from self.in_python(
                app,
                _statement_location(app, target.path, line),
                f"`{statement}` fails when fal runs `{target.file_part}` as a script "
                f"(\"attempted relative import with no known parent package\")",
                help=help,
                related=[_ref_related(app, f"app `{app.key}` runs this file")],
            )


def _dotted_dir(project: "Project", path: Path) -> str | None:
    """``apps/sub/web.py`` -> ``apps.sub`` (None when not importable as a name)."""
    parent = rel(project, Path(path).parent)
    if parent in ("", "."):
        return ""
    parts = parent.split("/")
    return ".".join(parts) if all(p.isidentifier() for p in parts) else None


@register
class RefSiblingImport(RefRule):
    code = "FAL114"
    name = "ref-sibling-import"
    severity = WARNING
    summary = "The ref file imports a module next to it that fal's sys.path does not reach"
    what = """
        A top-level `import helpers` / `from helpers import x` in `apps/web.py` where
        `apps/helpers.py` exists but `helpers` is not importable from the project
        root or the project's source directories (and the file does not touch
        `sys.path`).
    """
    why = """
        fal runs the file with `runpy.run_path`, which does not put the file's own
        directory on `sys.path`; fal adds its working directory. The import works
        only when `fal` is started from `apps/`, and fails from the project root.
    """
    fix = "Import it through its package from the project root: `from apps.helpers import x`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from helpers import GREETING\n" + _WEB},
            expect=["apps/web.py:1:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from apps.helpers import GREETING\n" + _WEB},
        )
    ]

    def check_target(self, app, target):
        if target.index is None:
            return
        project, sources = app.project, app.project.sources
        directory = Path(target.path).parent
        if os.path.normpath(directory) == os.path.normpath(project.root):
            return
        stdlib = getattr(sys, "stdlib_module_names", frozenset())

        def sibling_only(top: str) -> bool:
            """``top`` is not found from the root, but next to the file
            (memoised per directory: the apps of a monorepo share theirs)."""
            if top in stdlib or top == "fal":
                return False

            def look() -> bool:
                if sources.module_file(top).path is not None:
                    return False
                return _kind_of(directory / f"{top}.py") == "file" or _kind_of(directory / top) == "dir"

            return project.memo(("sibling-module", os.fspath(directory), top), look)

        tops = {e.module.split(".")[0] for e in target.index.imports if e.level <= 0 and e.module}
        tops |= {s.module.split(".")[0] for s in target.index.star_imports if s.level <= 0 and s.module}
        suspects = {top for top in tops if sibling_only(top)}
        if not suspects:
            return
        text = project.read(target.path).text or ""
        if "sys.path" in text or "addsitedir" in text:
            return
        package = _dotted_dir(project, target.path)
        for line, entry in _top_level_imports(app, target):
            if entry.level > 0 or not entry.module:
                continue
            top = entry.module.split(".")[0]
            if top not in suspects:
                continue
            where = rel(project, directory)
            better = f"{package}.{entry.module}" if package else None
            yield from self.in_python(
                app,
                _statement_location(app, target.path, line),
                f"`{top}` is found only when fal runs from `{where}/`: fal puts its working "
                f"directory on sys.path, not the directory of `{target.file_part}`",
                help=(f"import it from the project root: `{_import_text(entry).replace(entry.module, better, 1)}`"
                      if better else "import it through its package, from the project root"),
                related=[_ref_related(app, f"app `{app.key}` runs this file")],
            )


@register
class ClassAppFilesWithImage(RefRule):
    code = "FAL115"
    name = "class-app-files-with-image"
    severity = ERROR
    summary = "The app class sets app_files while the TOML app has an image"
    what = """
        A `ref` app whose `fal.App` class (or a base class) sets a non-empty
        `app_files`, while its TOML table has an `image` (a container app).
    """
    why = "fal raises `app_files is not supported for container apps.` before deploying."
    fix = "Copy the files into the image in the Dockerfile (`COPY`) and remove `app_files` from the class."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "Dockerfile" }
            ''',
            files={"Dockerfile": "FROM python:3.11-slim\n",
                   "app.py": """
                import fal


                class Web(fal.App):
                    app_files = ["assets"]

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "Dockerfile" }
            ''',
            files={"Dockerfile": "FROM python:3.11-slim\nCOPY assets /app/assets\n", "assets/x.txt": "x\n",
                   "app.py": _WEB},
        )
    ]

    def check_target(self, app, target):
        if not target.is_app or not isinstance(app.table.get("image"), dict):
            return
        setting = app.project.sources.class_settings(target.symbol).get("app_files")
        if setting is None or not (setting.literal and setting.value):
            return
        yield self.at(
            app,
            ("image",),
            f"class `{target.symbol.name}` sets `app_files`, which fal refuses for a container app "
            f"(\"app_files is not supported for container apps\")",
            part="key",
            help="COPY the files in the Dockerfile and remove `app_files` from the class",
            related=[Related(Location.point(setting.path, setting.line, setting.column, len(setting.name)),
                             f"`{setting.class_name}` sets `app_files` here")],
        )
