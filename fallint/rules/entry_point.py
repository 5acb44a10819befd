"""2xx: ``python_entry_point`` apps, checked against the project's packaging.

What fal 1.83.0 does with ``python_entry_point = "<module>:<symbol>"``
(``fal/cli/_utils.py``, ``fal/utils.py`` ``_parse_python_entry_point``,
``fal/api/api.py``, ``fal/api/_sdist.py``):

* locally it only checks the format: a string with a ``:``, split at the
  first one, both parts non-empty; it never imports the module;
* on the way to the worker every ``requirements`` string (all layers) that
  names an existing directory -- after stripping a trailing ``[extras]``,
  resolved against ``requirements_context_dir``, else the pyproject
  directory -- is built as an sdist (``python -m build --sdist``, named after
  that directory's ``[project].name``; fal raises when it is missing) and
  uploaded;
* the worker installs the requirements, imports ``<module>`` and calls
  ``<symbol>.build_metadata`` / ``<symbol>.run_local``: the symbol must be a
  ``fal.App`` subclass serving at least one route, or a ``fal.function``.

So, for an app without ``image`` (a virtualenv app), the module has to come
from an installed distribution; when it lives in this project, the project
must be in ``requirements`` (``.``, ``.[extra]``, a path to it) and its build
configuration must package the module.  An app with ``image.image`` runs a
prebuilt container: its module cannot be seen from here, only the build of
the project itself (when it is in ``requirements``) is checked.  With
``image.dockerfile`` fal still installs ``requirements`` on top of the built
image, but the Dockerfile may just as well copy and install the project, so
only what is certain either way is reported: the sdist build, and the symbol
when the module is found in the project.

Nothing is imported or built: :func:`entry_point_of` resolves everything
statically through ``project.layout`` and ``project.sources`` (shared by
all rules), once per app, and every rule reads the same analysis.  When the
answer depends on something fallint cannot see (a module that another
requirement may provide, an uncertain layout, a base class from a
third-party package), the rules say nothing.
"""

from __future__ import annotations

import os
import re
import sys
from functools import cached_property, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

from fallint.util.records import dataclass, field
from fallint.diagnostics import Location, Related
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.util.suggest import did_you_mean
from fallint.loading.files import resolved
from fallint.util.text import canonical_name, code
from fallint.rules.image import string_offset_location

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.model.project import App, Project
    from fallint.model.layout import Layout, ModuleLocation
    from fallint.model.sources import Symbol

__all__ = ["EntryPoint", "entry_point_of"]

KEY = "python_entry_point"
#: fal's own message for a malformed value (``fal/utils.py``)
FAL_FORMAT_ERROR = "python_entry_point must be in '<module>:<symbol>' format."
_BARE_OPTION = re.compile(r"^--?[A-Za-z][\w-]*$")
_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


def _dotted_ok(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


# --------------------------------------------------------------------------
# The value: <module>:<symbol>


@dataclass(frozen=True)
class FormatProblem:
    #: where to point: "value" (the whole string), "module" or "symbol"
    part: str
    message: str
    #: a corrected value, when one can be guessed
    suggestion: str | None = None


def format_problem(value: str) -> FormatProblem | None:
    """What is wrong with ``value`` as ``<module>:<symbol>``, or None.

    Mirrors fal (no ``:`` or an empty part: fal raises) and the worker
    (``import <module>`` and ``getattr`` of each dotted part of ``<symbol>``:
    both must be dotted Python identifiers).
    """
    if ":" not in value:
        return FormatProblem("value", f"{code(value)} has no `:` separating the module from the symbol "
                             f"(fal raises `{FAL_FORMAT_ERROR}`)")
    module, symbol = value.split(":", 1)
    if not module or not symbol:
        missing = "module" if not module else "symbol"
        return FormatProblem("value", f"the {missing} part of {code(value)} is empty "
                             f"(fal raises `{FAL_FORMAT_ERROR}`)")
    if not _dotted_ok(module) and ("/" in module or "\\" in module or module.endswith(".py")):
        return FormatProblem("module", f"{code(module)} is a file path, not a module name: "
                             "the worker's import fails")
    if not _dotted_ok(module):
        return FormatProblem("module", f"{code(module)} is not an importable module name: "
                             f"{_bad_part(module)}; the worker's import fails")
    if not _dotted_ok(symbol):
        if symbol.startswith(":"):
            return FormatProblem("symbol", f"{code(value)} uses `::` (the `ref` separator): "
                                 f"the symbol would be {code(symbol)}; the worker's lookup fails")
        return FormatProblem("symbol", f"{code(symbol)} is not a symbol name: {_bad_part(symbol)}; "
                             "the worker's lookup fails")
    return None


def _bad_part(dotted: str) -> str:
    if dotted.startswith("."):
        return "relative module names cannot be imported"
    for part in dotted.split("."):
        if not part.isidentifier():
            if not part:
                return "it has an empty component"
            return f"{code(part)} is not a Python identifier"
    return "it is not a dotted name"  # pragma: no cover - callers check first


# --------------------------------------------------------------------------
# requirements: does the worker get this project?


@dataclass
class RequirementsView:
    """What an app's ``requirements`` install, as far as this project goes."""

    #: requirements and requirements_context_dir have a shape fal accepts
    valid: bool = True
    #: key paths (below the app) of the entries fal builds from this project's directory
    this_project: list[tuple] = field(default_factory=list)
    #: other local project directories fal builds and uploads
    other_dirs: list[Path] = field(default_factory=list)
    #: entries that install this project by name (a published version)
    by_name: list[tuple] = field(default_factory=list)
    #: some entry (other than this project) may install arbitrary modules
    others: bool = False


def _entries(requirements) -> Iterator[tuple[tuple, str]]:
    """``(key path, string)`` of each requirement, flat or layered."""
    for i, item in enumerate(requirements):
        if isinstance(item, str):
            yield ("requirements", i), item
        elif isinstance(item, list):
            for j, inner in enumerate(item):
                if isinstance(inner, str):
                    yield ("requirements", i, j), inner


@lru_cache(maxsize=1024)
def _requirement_name(text: str) -> str | None:
    from fallint.formats.requirements import requirement_name

    return requirement_name(text)


def requirements_view(app: "App", project_name: str | None) -> RequirementsView:
    """Classify the app's requirements the way fal materialises them."""
    from fallint.formats.requirements import local_path_target

    view = RequirementsView()
    requirements = app.table.get("requirements")
    context_dir = app.table.get("requirements_context_dir")
    if requirements is None:
        return view
    if not isinstance(requirements, list) or (context_dir is not None and not isinstance(context_dir, str)):
        view.valid = False  # fal raises (FAL004)
        return view
    root = resolved(app.project.root)
    base = root
    if isinstance(context_dir, str):
        base = resolved(root / Path(context_dir).expanduser())
    wanted = canonical_name(project_name) if project_name else None
    for path, text in _entries(requirements):
        local = app.project.memo(
            ("local-path", text, base), lambda: local_path_target(text, base, app.project.known_pyprojects)
        )
        if local is not None:
            if local.directory == root:
                view.this_project.append(path)
            else:
                view.other_dirs.append(local.directory)
            continue
        stripped = text.strip()
        if not stripped or _BARE_OPTION.match(stripped):
            continue  # an option without a value installs nothing by itself
        view.others = True
        if wanted and not stripped.startswith("-") and _requirement_name(stripped) == wanted:
            view.by_name.append(path)
    return view


def _declares_dependencies(data: dict) -> bool:
    """Does installing the project pull in other distributions (that might
    provide the module)?"""
    project = data.get("project")
    if isinstance(project, dict):
        if project.get("dependencies"):
            return True
        dynamic = project.get("dynamic")
        if isinstance(dynamic, list) and {"dependencies", "optional-dependencies"} & set(map(str, dynamic)):
            return True
        optional = project.get("optional-dependencies")
        if isinstance(optional, dict) and any(optional.values()):
            return True
    tool = data.get("tool")
    poetry = tool.get("poetry") if isinstance(tool, dict) else None
    deps = poetry.get("dependencies") if isinstance(poetry, dict) else None
    return isinstance(deps, dict) and any(k != "python" for k in deps)


def _project_name(data: dict) -> str | None:
    """``[project].name`` when it is a non-empty string (what fal's sdist step reads)."""
    project = data.get("project")
    name = project.get("name") if isinstance(project, dict) else None
    return name if isinstance(name, str) and name else None


def _any_name(data: dict) -> str | None:
    """The distribution name, also from ``[tool.poetry]`` (for matching requirements)."""
    name = _project_name(data)
    if name is None:
        tool = data.get("tool")
        poetry = tool.get("poetry") if isinstance(tool, dict) else None
        name = poetry.get("name") if isinstance(poetry, dict) else None
    return name if isinstance(name, str) and name else None


def _may_provide(project: "Project", directory: Path, module: str) -> bool:
    """May the local project in ``directory`` (a ``requirements`` entry) give
    the worker ``module``?  Not when it has no ``pyproject.toml`` (fal refuses
    to build it) or its certain layout has no such module; yes when it cannot
    be read or its layout is uncertain."""

    def layout():
        from fallint.model.layout import project_layout

        text = project.read(directory / "pyproject.toml")
        if not text.ok:
            return "missing" if text.error in ("missing", "directory") else None
        import tomli

        try:
            data = tomli.loads(text.text or "")
        except (tomli.TOMLDecodeError, RecursionError, ValueError):
            return None
        return project_layout(directory, data)

    found = project.memo(("entry-point-layout", directory), layout)
    if found == "missing":
        return False
    return found is None or not found.certain or found.find_module(module).found


# --------------------------------------------------------------------------
# The analysis shared by the rules


@dataclass(eq=False)
class EntryPoint:
    """One app's ``python_entry_point``, resolved against the project (lazily)."""

    app: "App"
    value: str

    @cached_property
    def problem(self) -> FormatProblem | None:
        return format_problem(self.value)

    @property
    def module(self) -> str:
        return self.value.split(":", 1)[0]

    @property
    def symbol(self) -> str:
        return self.value.split(":", 1)[1] if ":" in self.value else ""

    @property
    def project(self) -> "Project":
        return self.app.project

    @property
    def resolvable(self) -> bool:
        """Well-formed, and not also a ``ref`` app (fal raises first: FAL006)."""
        return self.problem is None and "ref" not in self.app.table

    # -- environment ------------------------------------------------------

    @cached_property
    def container(self) -> str | None:
        """None (a virtualenv app), ``"dockerfile"``, or ``"image"`` (a prebuilt
        image, or an image table fal rejects)."""
        image = self.app.table.get("image")
        if image is None:
            return None
        if isinstance(image, dict) and "dockerfile" in image and "image" not in image:
            return "dockerfile"
        return "image"

    @cached_property
    def data(self) -> dict:
        return self.project.data if isinstance(self.project.data, dict) else {}

    @cached_property
    def name(self) -> str | None:
        return _project_name(self.data)

    @cached_property
    def requirements(self) -> RequirementsView:
        return requirements_view(self.app, _any_name(self.data))

    @property
    def installs_project(self) -> bool:
        """fal builds this project's directory for the worker."""
        return bool(self.requirements.this_project)

    @cached_property
    def layout(self) -> "Layout":
        return self.project.layout

    # -- the module -------------------------------------------------------

    @cached_property
    def location(self) -> "ModuleLocation":
        return self.layout.find_module(self.module)

    @cached_property
    def found_prefix(self) -> tuple[str, "ModuleLocation"] | None:
        """The longest proper prefix of the module that is a regular package
        or module of this project's wheel (None when there is none)."""
        parts = self.module.split(".")
        for n in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:n])
            location = self.layout.find_module(prefix)
            if location.kind in ("package", "module"):
                return (prefix, location) if self.layout.is_packaged(prefix) else None
            if location.found:
                return None  # a namespace: other distributions may fill it
        return None

    @cached_property
    def origin(self) -> str:
        """Where the worker should get the module from, judging by the files:
        ``"module"`` (it is in this project), ``"parent"`` (its package is, it
        is not) or ``"elsewhere"`` (not this project's, as far as can be told)."""
        if self.location.kind in ("package", "module"):
            return "module"
        if self.found_prefix is not None:
            return "parent"
        return "elsewhere"

    @cached_property
    def packaged(self) -> bool:
        return self.layout.is_packaged(self.module)

    @cached_property
    def elsewhere(self) -> bool:
        """Something other than this project's source may provide the module:
        the project installed by name, or another local project that has it
        (or cannot be read)."""
        if self.requirements.by_name:
            return True
        return any(_may_provide(self.project, d, self.module) for d in self.requirements.other_dirs)

    @cached_property
    def only_this_project(self) -> bool:
        """Nothing but this project (without dependencies) can provide a module:
        no other requirement, no other local project, no declared dependency."""
        reqs = self.requirements
        if reqs.others or reqs.other_dirs or not reqs.valid:
            return False
        return not (self.installs_project and _declares_dependencies(self.data))

    @property
    def from_this_project(self) -> bool:
        """The module should come from this project's source (a virtualenv app)."""
        return self.container is None and self.origin != "elsewhere" and not self.elsewhere

    @cached_property
    def uploads_files(self) -> bool:
        """The app uploads ``app_files``: fal puts them on the worker's
        ``sys.path``, so the module may be importable from them (not checked)."""
        files = self.app.table.get("app_files")
        return isinstance(files, list) and bool(files)

    @property
    def layout_broken(self) -> bool:
        return self.layout.certain and bool(self.layout.problems)

    # -- the symbol -------------------------------------------------------

    @cached_property
    def module_file(self) -> Path | None:
        """The module's file when the symbol can be checked in it: the module
        is this project's, and (for a virtualenv app with a certain layout)
        is packaged; for a Dockerfile app, when it exists in the project."""
        if not self.resolvable or self.location.kind not in ("package", "module"):
            return None
        if self.container == "dockerfile":
            return self.location.path
        if self.container is not None or not self.from_this_project:
            return None
        if self.layout.certain and not self.layout_broken and not self.packaged:
            return None
        return self.location.path

    @cached_property
    def target(self) -> "Symbol | None":
        path = self.module_file
        if path is None:
            return None
        return self.project.sources.lookup(path, self.symbol.split(".")[0])

    @cached_property
    def symbol_missing(self) -> bool:
        """The module certainly does not bind the symbol's first name."""
        path = self.module_file
        if path is None or self.target is not None:
            return False
        index = self.project.sources.index(path)
        if index is None or index.binding("__getattr__") is not None:
            return False  # unreadable, or a module __getattr__ (PEP 562) may provide it
        return True

    # -- positions --------------------------------------------------------

    def span(self, part: str) -> Location:
        if part == "module":
            return string_offset_location(self.app, (KEY,), 0, len(self.module))
        if part == "symbol":
            return string_offset_location(self.app, (KEY,), len(self.module) + 1, len(self.symbol))
        return self.app.span(KEY)

    def display(self, path: Path | None) -> str:
        """``path`` relative to the pyproject directory (directories end in ``/``)."""
        if path is None:
            return "?"
        try:
            rel = Path(os.path.relpath(path, self.project.root)).as_posix()
        except ValueError:
            rel = str(path)
        if rel == ".":
            return "./"
        try:
            is_dir = Path(path).is_dir()
        except OSError:
            is_dir = False
        return rel + "/" if is_dir and not rel.endswith("/") else rel


def entry_point_of(app: "App") -> EntryPoint | None:
    """The app's analysed ``python_entry_point`` (None unless it is a string)."""
    try:  # each rule asks of each app: kept on the app after the first time
        return app.__dict__["_entry_point"]
    except KeyError:
        pass
    value = app.table.get(KEY)
    ep = app.project.memo(("entry-point", app.key), lambda: EntryPoint(app, value)) if isinstance(value, str) else None
    app.__dict__["_entry_point"] = ep
    return ep


def _requirements_related(app: "App", paths: list[tuple], message: str) -> list[Related]:
    """A note at the first of ``paths`` (requirement entries of ``app``)."""
    return [Related(app.span(*path), message) for path in paths[:1]]


# --------------------------------------------------------------------------
# Fixes, for help texts


def suggest_value(ep: EntryPoint) -> str | None:
    """A corrected ``<module>:<symbol>`` for a malformed value, when guessable."""
    value = ep.value.strip()
    if "::" in value:
        module, _, symbol = value.partition("::")
    elif ":" in value:
        module, symbol = value.split(":", 1)
    elif "." in value.rstrip("."):
        module, symbol = value.rsplit(".", 1)
    else:
        return None
    module, symbol = module.strip(), symbol.strip().lstrip(":").strip()
    if "/" in module or "\\" in module or module.endswith(".py"):
        module = _module_for_path(ep, module)
    module = module.replace("-", "_")
    fixed = f"{module}:{symbol}"
    if not (_dotted_ok(module) and _dotted_ok(symbol)) or fixed == ep.value:
        return None
    return fixed


def _module_for_path(ep: EntryPoint, path_text: str) -> str:
    """The import name of a file path written where a module name belongs."""
    path = ep.app.resolve_path(path_text.replace("\\", "/"))
    try:
        exists = path.exists()
    except (OSError, ValueError):
        exists = False
    if exists:
        names = ep.layout.wheel_names(Path(os.path.abspath(path)))
        if names:
            return names[0]
    text = path_text.replace("\\", "/")
    text = text[:-3] if text.endswith(".py") else text
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if parts and parts[-1] == "__init__":
        parts.pop()
    if len(parts) > 1 and parts[0] == "src":
        parts.pop(0)
    return ".".join(parts)


_PACKAGING_FIX = {
    "setuptools": "list its package in `[tool.setuptools] packages` (or `packages.find` `where`/`include`)",
    "hatch": "add its package to `[tool.hatch.build.targets.wheel] packages`",
    "poetry": "add `{{ include = \"{top}\" }}` to `[tool.poetry] packages`",
    "pdm": "add it to `[tool.pdm.build] includes` (or set `package-dir`)",
    "flit": "flit packages one module, named after the project: point the entry point into it",
    "uv": "set `[tool.uv.build-backend] module-name` (and `module-root`) to include it",
}


def _build_fix(ep: EntryPoint) -> str:
    """How to make the build configuration explicit, for FAL204's help."""
    top = ep.module.split(".")[0]
    backend = ep.layout.backend
    if backend == "setuptools":
        return f'list the packages to ship, e.g. `[tool.setuptools.packages.find]` `include = ["{top}*"]`'
    if backend == "hatch":
        location = ep.layout.find_module(top)
        path = location.path.parent if location.kind == "package" else location.path
        if path is None and (ep.project.root / "src" / top).is_dir():
            path = ep.project.root / "src" / top
        target = ep.display(path).rstrip("/") if path is not None else top
        return f'list the packages to ship: `[tool.hatch.build.targets.wheel]` `packages = ["{target}"]`'
    return f"fix the build configuration ({backend}: {ep.layout.description})"


#: extension-module sources and binaries: the build turns them into importable modules
_EXTENSION_SUFFIXES = (".pyx", ".pxd", ".c", ".cpp", ".so", ".pyd")


def _looked_in_entries(ep: EntryPoint) -> Iterator[tuple[Path, str]]:
    """``(directory, name)`` of everything in the directories searched for
    the first missing part of the module."""
    for directory in ep.location.looked_in:
        try:
            names = sorted(os.listdir(directory))
        except OSError:
            continue
        for name in names:
            yield Path(directory), name


def _built_elsewhere(ep: EntryPoint, depth: int) -> bool:
    """Is the first missing part of the module (at ``depth``) possibly built
    (a Cython/C extension next to where it was looked for)?"""
    missing = ep.module.split(".")[depth] + "."
    return any(n.startswith(missing) and n.endswith(_EXTENSION_SUFFIXES) for _, n in _looked_in_entries(ep))


def _module_candidates(ep: EntryPoint) -> list[str]:
    """Dotted names next to the first missing part of the module (for "did you mean")."""
    parts = ep.module.split(".")
    found = ep.found_prefix[0].split(".") if ep.found_prefix else []
    head = ".".join(found)
    tail = parts[len(found) + 1:]
    names: set[str] = set()
    for directory, entry in _looked_in_entries(ep):
        stem = entry[:-3] if entry.endswith(".py") else entry
        if stem.isidentifier() and stem != "__init__" and (entry.endswith(".py") or (directory / entry).is_dir()):
            names.add(stem)
    return sorted(".".join(p for p in (head, n, *tail) if p) for n in names)


# --------------------------------------------------------------------------
# Rules


# example projects (flush left: examples are dedented, and these are concatenated)
PYPROJECT = '''
[project]
name = "textgen"
version = "0.1.0"

[tool.fal.apps.textgen]
python_entry_point = "textgen.serve:TextGen"
requirements = ["."]
'''
INIT_PY = '''
from .serve import TextGen
'''
SERVE_PY = '''
import fal


class TextGen(fal.App):
    @fal.endpoint("/")
    def complete(self, prompt: str) -> str:
        return prompt[::-1]
'''
SRC = {"src/textgen/__init__.py": INIT_PY, "src/textgen/serve.py": SERVE_PY}


class _EntryPointRule(Rule):
    """Base: runs :meth:`check_entry_point` for each app with a string ``python_entry_point``."""

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        ep = entry_point_of(app)
        if ep is not None:
            yield from self.check_entry_point(app, ep)

    def check_entry_point(self, app: "App", ep: EntryPoint) -> Iterator["Diagnostic"]:
        return iter(())

    def report(self, app: "App", ep: EntryPoint, part: str, message: str, **kwargs) -> "Diagnostic":
        return self.at_location(ep.span(part), message, app=app.key, key=app.path + (KEY,), **kwargs)


@register
class EntryPointFormat(_EntryPointRule):
    code = "FAL201"
    name = "entry-point-format"
    severity = ERROR
    summary = "python_entry_point is not `<module>:<symbol>` with dotted Python names"
    what = """
        A `python_entry_point` without a `:`, with an empty module or symbol part (fal
        splits at the first `:`), or whose module or symbol is not a dotted Python name:
        a file path (`src/textgen/serve.py`), a `-` in a name, a relative module
        (`.serve`), or the `ref` separator `::`.
    """
    why = """
        fal raises `python_entry_point must be in '<module>:<symbol>' format.` for a
        missing `:` or an empty part. Anything else passes locally and fails on the
        worker, after the deploy: it runs `import <module>` and looks the symbol up as
        an attribute, so both must be Python names.
    """
    fix = """
        Write the import name of the module, a single `:`, and the name of the app class
        or fal function: `python_entry_point = "textgen.serve:TextGen"` (the module is
        the name you would `import` once the project is installed, not a file path).
    """
    invalid = [
        Example(
            PYPROJECT.replace("textgen.serve:TextGen", "src/textgen/serve.py:TextGen"),
            files=SRC,
            expect=["6:23"],
        ),
        Example(
            '''
            [tool.fal.apps.a]
            python_entry_point = "textgen.serve.TextGen"

            [tool.fal.apps.b]
            python_entry_point = "textgen.serve::TextGen"

            [tool.fal.apps.c]
            python_entry_point = ":TextGen"

            [tool.fal.apps.d]
            python_entry_point = 'text-gen.serve:TextGen'
            ''',
            expect=["2:22", "5:37", "8:22", "11:23"],
            title="no `:`, `::`, an empty module, a `-` in the module",
        ),
    ]
    valid = [
        Example(PYPROJECT, files=SRC),
        Example(
            '''
            [tool.fal.apps.svc]
            python_entry_point = "acme.serving.v2:build.App"
            image = { image = "ghcr.io/acme/serving:2.1" }
            ''',
            title="a dotted symbol, in a prebuilt image",
        ),
    ]

    def check_entry_point(self, app, ep):
        problem = ep.problem
        if problem is None:
            return
        fixed = suggest_value(ep)
        if fixed is not None:
            help = f'write `python_entry_point = "{fixed}"`'
        else:
            help = "write the module's import name, a `:`, and the app class or fal function name"
        yield self.report(app, ep, problem.part, problem.message, help=help)


@register
class EntryPointProjectNotInstalled(_EntryPointRule):
    code = "FAL202"
    name = "entry-point-project-not-installed"
    severity = ERROR
    summary = "python_entry_point names a module of this project, but requirements do not install the project"
    what = """
        An app without `image` whose `python_entry_point` module is (or is inside) a
        package of this project, while no `requirements` entry installs the project:
        none is `.`, `.[extra]`, or another path to the pyproject directory (relative to
        `requirements_context_dir` when it is set), and none names the project. Apps
        that upload `app_files` are left alone (fal puts those on the worker's path).
    """
    why = """
        fal does not upload the project's source for an entry-point app: the worker only
        gets what `requirements` install, then runs `import <module>`. Without the
        project among them the import fails with `ModuleNotFoundError` when the app
        starts.
    """
    fix = """
        Add the project to `requirements`: `requirements = [".", ...]` (or `.[serve]` to
        install an extra); fal builds the project as an sdist, uploads it and the worker
        installs it. The project needs a `[project]` table with a `name`.
    """
    invalid = [
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = ["torch==2.4.1"]
            ''',
            files=SRC,
            expect=["6:22"],
        )
    ]
    valid = [
        Example(PYPROJECT.replace('["."]', '[".", "torch==2.4.1"]'), files=SRC),
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [".."]
            requirements_context_dir = "deploy"
            ''',
            files={**SRC, "deploy/README": "requirements are relative to this directory\n"},
            title="a path to the project, relative to requirements_context_dir",
        ),
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.from_this_project or ep.installs_project:
            return
        if not ep.requirements.valid or ep.uploads_files:
            return
        where = ep.display(ep.location.path if ep.origin == "module" else ep.found_prefix[1].path)
        message = (
            f"the worker cannot import {code(ep.module)}: it is part of this project "
            f"({code(where)}), but `requirements` do not install the project"
        )
        help = 'add the project to requirements: `requirements = [".", ...]`'
        if ep.name is None:
            help += ", and give pyproject.toml a `[project]` `name` (fal needs it to build the project)"
        related = []
        if app.has("requirements"):
            related.append(Related(app.span("requirements"), "the requirements the worker installs"))
        yield self.report(app, ep, "value", message, help=help, related=related)


@register
class EntryPointProjectUnnamed(_EntryPointRule):
    code = "FAL203"
    name = "entry-point-project-unnamed"
    severity = ERROR
    summary = "An entry-point app installs this project, which has no [project].name"
    what = """
        An app with a `python_entry_point` whose `requirements` install this project
        (`.`, `.[extra]`, a path to it) while its `pyproject.toml` has no `[project]`
        `name` (a `[tool.poetry]` name does not count).
    """
    why = """
        fal names the sdist it builds and uploads after `[project].name` and raises
        `Cannot resolve local-path requirement: [project].name is missing or empty` before
        deploying.
    """
    fix = """
        Add a `[project]` table with `name` and `version` (PEP 621), and a
        `[build-system]` if the project does not have one.
    """
    invalid = [
        Example(
            '''
            [tool.poetry]
            name = "textgen"
            version = "0.1.0"

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = ["."]
            ''',
            files={"textgen/__init__.py": INIT_PY, "textgen/serve.py": SERVE_PY},
            expect=["6:22"],
        )
    ]
    valid = [Example(PYPROJECT, files=SRC)]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.installs_project or ep.name is not None:
            return
        yield self.report(
            app,
            ep,
            "value",
            "fal cannot build this project for the worker: pyproject.toml has no `[project]` `name` "
            "(fal raises `[project].name is missing or empty`)",
            help='add `[project]` with `name = "..."` and `version = "..."` to pyproject.toml',
            related=_requirements_related(app, ep.requirements.this_project, "this entry installs the project"),
        )


@register
class EntryPointProjectBuildFails(_EntryPointRule):
    code = "FAL204"
    name = "entry-point-project-build-fails"
    severity = ERROR
    summary = "The project an entry-point app installs cannot be built by its build backend"
    what = """
        An entry-point app that needs this project installed (it is in `requirements`, or
        the module is this project's), while the project's build configuration makes
        the build fail: setuptools finding several top-level packages or modules in a
        flat layout, hatchling unable to tell which files to ship, poetry's
        `package-mode = false` or a package that matches nothing, flit or `uv_build`
        finding no module for the project name, ...
    """
    why = """
        fal builds an sdist of the project locally and the worker builds and installs it
        from there: a build that fails stops the deploy (or the app's start) before the
        module can be imported.
    """
    fix = """
        Configure the packages explicitly: for setuptools `[tool.setuptools.packages.find]`
        `include = ["textgen*"]` or a `src/` layout; for hatchling
        `[tool.hatch.build.targets.wheel] packages`; for flit/uv the module name.
    """
    invalid = [
        Example(
            PYPROJECT,
            files={
                "textgen/__init__.py": INIT_PY,
                "textgen/serve.py": SERVE_PY,
                "notebooks/__init__.py": "",
            },
            expect=["6:22"],
        )
    ]
    valid = [
        Example(
            PYPROJECT + '\n[tool.setuptools.packages.find]\ninclude = ["textgen*"]\n',
            files={
                "textgen/__init__.py": INIT_PY,
                "textgen/serve.py": SERVE_PY,
                "notebooks/__init__.py": "",
            },
        )
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.layout_broken:
            return
        if not (ep.installs_project or (ep.from_this_project and not ep.uploads_files)):
            return
        problems = ep.layout.problems
        message = f"the worker cannot install this project: {problems[0]}"
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more)"
        yield self.report(
            app,
            ep,
            "value",
            message,
            help=_build_fix(ep),
            related=_requirements_related(app, ep.requirements.this_project, "this entry installs the project"),
        )


@register
class EntryPointModuleNotFound(_EntryPointRule):
    code = "FAL205"
    name = "entry-point-module-not-found"
    severity = ERROR
    summary = "The python_entry_point module does not exist where the project's packaging looks"
    what = """
        A `python_entry_point` module that the worker cannot import: its package is this
        project's but the module is not in it, or it is nowhere in the project and
        nothing else in `requirements` could provide it. Modules are searched the way the
        build backend lays out the wheel (setuptools `packages`/`package-dir`/
        `packages.find`, hatch `packages`/`sources`, poetry `packages`, pdm, flit, uv
        `module-root`/`module-name`, default `src/` and flat layouts, namespace
        packages). Only reported when the layout can be known statically (no `setup.py`,
        a known build backend) and the app uploads no `app_files`.
    """
    why = "The worker's `import <module>` raises `ModuleNotFoundError` and the app never starts."
    fix = "Use the module's import name as installed (`package.module`), or add the missing file."
    invalid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "textgen.server:"),
            files=SRC,
            expect=["6:23"],
        )
    ]
    valid = [
        Example(PYPROJECT, files=SRC),
        Example(
            PYPROJECT.replace("textgen.serve:", "vendor_serving.app:").replace('["."]', '[".", "vendor-serving>=1"]'),
            files=SRC,
            title="a module from another requirement",
        ),
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or ep.container is not None or ep.location.found:
            return
        if not ep.layout.certain or ep.layout_broken or not ep.requirements.valid or ep.elsewhere:
            return
        if ep.uploads_files:
            return
        if ep.origin == "parent":
            prefix, location = ep.found_prefix
            if _built_elsewhere(ep, len(prefix.split("."))):
                return
            if location.kind == "module":
                reason = f"{code(prefix)} is a module ({code(ep.display(location.path))}), not a package"
            else:
                reason = "looked in " + ", ".join(code(ep.display(p)) for p in ep.location.looked_in)
        else:
            top = ep.module.split(".")[0]
            if top == "fal" or top in _STDLIB or not ep.only_this_project:
                return
            reason = (
                "it is not in this project (looked in "
                + ", ".join(code(ep.display(p)) for p in ep.location.looked_in)
                + ") and no other requirement could provide it"
            )
        message = f"module {code(ep.module)} not found: {reason}"
        hint = did_you_mean(ep.module, _module_candidates(ep))
        help = f'did you mean `{hint}`?' if hint else f"check the module name against the project's packages ({ep.layout.description})"
        yield self.report(app, ep, "module", message, help=help)


@register
class EntryPointModuleNotPackaged(_EntryPointRule):
    code = "FAL206"
    name = "entry-point-module-not-packaged"
    severity = ERROR
    summary = "The python_entry_point module exists but the project's build would not package it"
    what = """
        A `python_entry_point` module that exists in the project but is outside what the
        build configuration puts in the wheel: a directory not listed in setuptools
        `packages` (or excluded from `packages.find`), a file at the project root of a
        `src/` layout, a package hatch's `packages` leave out, ... (only when the layout
        can be known statically and the app uploads no `app_files`).
    """
    why = """
        The worker installs the built project, not the source tree: a module the build
        leaves out is not importable there, and the app fails with `ModuleNotFoundError`
        although it runs locally.
    """
    fix = "Move the module into a packaged package, or add its package to the build configuration."
    invalid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "serving.app:") + '\n[tool.setuptools]\npackages = ["textgen"]\n',
            files={
                "textgen/__init__.py": "",
                "serving/__init__.py": "",
                "serving/app.py": SERVE_PY,
            },
            expect=["6:23"],
        )
    ]
    valid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "serving.app:")
            + '\n[tool.setuptools]\npackages = ["textgen", "serving"]\n',
            files={
                "textgen/__init__.py": "",
                "serving/__init__.py": "",
                "serving/app.py": SERVE_PY,
            },
        )
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.from_this_project or ep.origin != "module":
            return
        if not ep.layout.certain or ep.layout_broken or ep.packaged or ep.uploads_files:
            return
        where = ep.display(ep.location.path)
        installed = [n for n in ep.layout.wheel_names(ep.location.path) if ep.layout.is_packaged(n)]
        if installed:
            fix = f'the wheel has this file as `{installed[0]}`: write `python_entry_point = "{installed[0]}:{ep.symbol}"`'
        else:
            top = ep.module.split(".")[0]
            fix = _PACKAGING_FIX.get(ep.layout.backend, "add it to the build configuration").format(top=top)
        yield self.report(
            app,
            ep,
            "module",
            f"module {code(ep.module)} ({code(where)}) is not in the wheel this project builds "
            f"({ep.layout.description}): the worker cannot import it",
            help=fix,
        )


@register
class EntryPointSymbolNotFound(_EntryPointRule):
    code = "FAL207"
    name = "entry-point-symbol-not-found"
    severity = ERROR
    summary = "The python_entry_point symbol is not defined in its module"
    what = """
        A `python_entry_point` whose module (found in the project) binds no such name:
        not defined, imported or re-exported there (package `__init__.py` re-exports,
        `__all__` and star imports are followed; a module-level `__getattr__` silences
        the rule).
    """
    why = "The worker imports the module and then fails to find the symbol: the app never starts."
    fix = "Use the name of the `fal.App` subclass or fal function, or re-export it from the module."
    invalid = [
        Example(
            PYPROJECT.replace(":TextGen", ":TextGenApp"),
            files=SRC,
            expect=["6:37"],
        )
    ]
    valid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "textgen:"),
            files=SRC,
            title="re-exported by the package's __init__.py",
        )
    ]

    def check_entry_point(self, app, ep):
        if not ep.symbol_missing:
            return
        head = ep.symbol.split(".")[0]
        index = ep.project.sources.index(ep.module_file)
        candidates = [n for n in index.names() if not n.startswith("__")] if index is not None else []
        hint = did_you_mean(head, candidates)
        where = ep.display(ep.module_file)
        yield self.report(
            app,
            ep,
            "symbol",
            f"{code(head)} is not defined in module {code(ep.module)} ({code(where)})",
            help=f"did you mean `{hint}`?" if hint else "name the fal.App subclass or fal function the module defines",
            related=[Related(Location.point(Path(ep.module_file), 1, 1), f"module {code(ep.module)}")],
        )


def _definition(symbol: "Symbol") -> list[Related]:
    if symbol.path is None or not symbol.line:
        return []
    return [Related(Location.point(Path(symbol.path), symbol.line, symbol.column, len(symbol.name)),
                    f"{code(symbol.name)} is defined here")]


@register
class EntryPointNotFalApp(_EntryPointRule):
    code = "FAL208"
    name = "entry-point-not-fal-app"
    severity = ERROR
    summary = "The python_entry_point symbol is neither a fal.App subclass nor a fal function"
    what = """
        A `python_entry_point` symbol that is certainly not something fal can serve: a
        class whose bases are all known and none is `fal.App`, an undecorated function,
        a function whose outermost decorator is a bare `@fal.function` (not called), a
        module, or a literal. Classes with a base from a third-party package, and
        functions with other decorators, are left alone.
    """
    why = """
        The worker calls `<symbol>.build_metadata` and `<symbol>.run_local`, which only a
        `fal.App` subclass or a `fal.function` (an `IsolatedFunction`) has: the app fails
        to start.
    """
    fix = "Point at the `fal.App` subclass (or the `@fal.function(...)`-decorated function)."
    invalid = [
        Example(
            PYPROJECT.replace(":TextGen", ":complete_text"),
            files={
                **SRC,
                "src/textgen/serve.py": SERVE_PY + "\n\ndef complete_text(prompt: str) -> str:\n    return prompt[::-1]\n",
            },
            expect=["6:37"],
        )
    ]
    valid = [
        Example(
            PYPROJECT.replace(":TextGen", ":complete_text"),
            files={
                "src/textgen/__init__.py": "",
                "src/textgen/serve.py": '''
                    import fal


                    @fal.function(machine_type="S")
                    def complete_text(prompt: str) -> str:
                        return prompt[::-1]
                ''',
            },
        )
    ]

    def check_entry_point(self, app, ep):
        symbol = ep.target
        if symbol is None or "." in ep.symbol:
            return
        reason = self._reason(ep, symbol)
        if reason is None:
            return
        yield self.report(
            app,
            ep,
            "symbol",
            f"{code(ep.symbol)} {reason}: the worker can only serve a fal.App subclass or a fal function",
            help="point at the fal.App subclass, or decorate the function with `@fal.function(...)`",
            related=_definition(symbol),
        )

    @staticmethod
    def _reason(ep: EntryPoint, symbol: "Symbol") -> str | None:
        sources = ep.project.sources
        if symbol.kind == "module":
            return "is a module"
        if symbol.kind in ("class", "external"):
            entry = sources.class_entry(symbol)
            if entry is not None and (entry.decorators or entry.method("run_local") is not None):
                return None  # a class decorator may return anything; run_local is all the worker calls
            if sources.is_fal_app(symbol) is False:
                return f"is {code(symbol.name)}, not a fal.App" if symbol.external else "is a class that does not subclass fal.App"
            return None
        if sources.is_fal_function(symbol):
            return None
        if symbol.kind == "function":
            entry = sources.index(symbol.path).function_named(symbol.name, symbol.line)
            if entry is None:
                return None
            if not entry.decorators:
                return "is a plain function"
            decorator = sources.fal_function_decorator(symbol)
            if decorator is not None and decorator is entry.decorators[0] and not decorator.called:
                return "is decorated with a bare `@fal.function` (fal needs it called: `@fal.function(...)`)"
            return None
        if symbol.kind == "assignment":
            index = sources.index(symbol.path)
            entries = [a for a in index.bindings(symbol.name) if getattr(a, "line", None) == symbol.line] if index else []
            value = getattr(entries[-1], "value", None) if entries else None
            if value is not None and value.literal:
                return f"is a constant ({code(value.source)})"
        return None


@register
class EntryPointAppWithoutRoutes(_EntryPointRule):
    code = "FAL209"
    name = "entry-point-app-without-routes"
    severity = ERROR
    summary = "The python_entry_point fal.App serves no route"
    what = """
        A `python_entry_point` naming a `fal.App` subclass with no method decorated with
        `@fal.endpoint(...)` or `@fal.realtime(...)`, itself or inherited (when every
        base is known).
    """
    why = "fal builds the app's OpenAPI metadata on the worker and raises when the app has no route."
    fix = "Decorate the method(s) the app serves with `@fal.endpoint(\"/path\")`."
    invalid = [
        Example(
            PYPROJECT,
            files={
                **SRC,
                "src/textgen/serve.py": '''
                    import fal


                    class TextGen(fal.App):
                        def complete(self, prompt: str) -> str:
                            return prompt[::-1]
                ''',
            },
            expect=["6:37"],
        )
    ]
    valid = [Example(PYPROJECT, files=SRC)]

    def check_entry_point(self, app, ep):
        symbol = ep.target
        if symbol is None or "." in ep.symbol or symbol.kind not in ("class", "external"):
            return
        sources = ep.project.sources
        if sources.is_fal_app(symbol) is not True or sources.has_route(symbol) is not False:
            return
        yield self.report(
            app,
            ep,
            "symbol",
            f"fal.App {code(ep.symbol)} serves no route: fal raises while building its metadata on the worker",
            help='decorate a method with `@fal.endpoint("/")`',
            related=_definition(symbol),
        )
