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

Nothing is imported or built: :func:`entry_point_of` (``app.entry_point``) resolves everything
statically through ``project.layout`` and ``project.sources`` (shared by
all rules), once per app, and every rule reads the same analysis.  When the
answer depends on something fallint cannot see (a module that another
requirement may provide, an uncertain layout, a base class from a
third-party package), the rules say nothing."""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterator

import tomli

from fallint.diagnostics import Location
from fallint.loading import fs
from fallint.loading.files import resolved
from fallint.model.build import string_offset_location
from fallint.model.fal import FAL_FORMAT_ERROR
from fallint.util.records import dataclass, field
from fallint.util.text import canonical_name, code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.layout import Layout, ModuleLocation
    from fallint.model.project import App, Project
    from fallint.model.sources import (
        Symbol,
    )


KEY = "python_entry_point"


#: fal's own message for a malformed value (``fal/utils.py``)


_BARE_OPTION = re.compile(r"^--?[A-Za-z][\w-]*$")


def dotted_ok(name: str) -> bool:
    return bool(name) and all(part.isidentifier() for part in name.split("."))


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
    if not dotted_ok(module) and ("/" in module or "\\" in module or module.endswith(".py")):
        return FormatProblem("module", f"{code(module)} is a file path, not a module name: "
                             "the worker's import fails")
    if not dotted_ok(module):
        return FormatProblem("module", f"{code(module)} is not an importable module name: "
                             f"{_bad_part(module)}; the worker's import fails")
    if not dotted_ok(symbol):
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


def requirements_view(app: "App", project_name: str | None) -> RequirementsView:
    """Classify the app's requirements the way fal materialises them."""
    # imported here: the requirement parser is heavy (``packaging``) and only entry-point apps need it
    from fallint.formats.requirements import local_path_target, requirement_name

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
        if wanted and not stripped.startswith("-") and app.project.memo(
            ("requirement-name", stripped), lambda: requirement_name(stripped)
        ) == wanted:
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
        # imported on first use: only entry-point / Python apps need the layout
        from fallint.model.layout import project_layout

        text = project.read(directory / "pyproject.toml")
        if not text.ok:
            return "missing" if text.error in ("missing", "directory") else None
        try:
            data = tomli.loads(text.text or "")
        except (tomli.TOMLDecodeError, RecursionError, ValueError):
            return None
        return project_layout(directory, data)

    found = project.memo(("entry-point-layout", directory), layout)
    if found == "missing":
        return False
    return found is None or not found.certain or found.find_module(module).found


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
    def outside(self) -> bool:
        """The module's file was found in the project but is reached through a
        symlink leading out of it: it is not read (its lines would be quoted)."""
        if not self.resolvable or self.location.kind not in ("package", "module") or self.location.path is None:
            return False
        return not self.project.contains(self.location.path)

    @cached_property
    def module_file(self) -> Path | None:
        """The module's file when the symbol can be checked in it: the module
        is this project's, and (for a virtualenv app with a certain layout)
        is packaged; for a Dockerfile app, when it exists in the project."""
        if not self.resolvable or self.location.kind not in ("package", "module"):
            return None
        if self.outside:
            return None  # never read (FAL210)
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
            is_dir = fs.isdir(path)
        except OSError:
            is_dir = False
        return rel + "/" if is_dir and not rel.endswith("/") else rel


def entry_point_of(app: "App") -> EntryPoint | None:
    """The app's analysed ``python_entry_point`` (None unless it is a string);
    read it as ``app.entry_point`` (computed once per app)."""
    value = app.table.get(KEY)
    return EntryPoint(app, value) if isinstance(value, str) else None
