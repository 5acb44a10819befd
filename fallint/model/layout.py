"""Where a project's Python modules live, following its build backend.

:func:`project_layout` reads the already-parsed ``pyproject.toml`` and the
file system (never importing or building anything) and returns a
:class:`Layout` that answers two questions about a dotted module name:

* :meth:`Layout.find_module` -- which file (or namespace directory) it is,
  searching the backend's source roots and then the project root;
* :meth:`Layout.is_packaged` -- whether the wheel the backend would build
  contains it, i.e. whether ``import <name>`` works once the project is
  installed (what a ``python_entry_point`` app's worker does).

Backends (from ``[build-system].build-backend``; no build-system means
setuptools, like pip):

* setuptools -- ``[tool.setuptools]`` ``packages`` (list, or ``find`` with
  ``where``/``include``/``exclude``/``namespaces``), ``package-dir``,
  ``py-modules``; otherwise automatic discovery (``package-dir`` entries, then
  ``src/``, then the flat layout with setuptools' reserved names excluded);
* hatchling -- ``tool.hatch.build[.targets.wheel]`` ``packages``, ``sources``,
  ``only-include``, ``include``/``exclude``; otherwise its default file
  selection by project name;
* poetry-core -- ``tool.poetry.packages`` (``include``/``from``/``to``/
  ``format``); otherwise the package named after the project (``.`` or
  ``src/``); ``package-mode = false`` builds nothing;
* pdm-backend -- ``tool.pdm.build`` ``package-dir`` (default ``src`` when it
  exists), ``includes``, ``excludes`` / ``source-includes`` (``tests`` by default);
* flit-core -- the module named after the project, or ``tool.flit.module.name``,
  in ``.`` or ``src/``;
* uv_build -- ``tool.uv.build-backend`` ``module-root`` (default ``src``),
  ``module-name`` (string or list; default from the project name), ``namespace``;
* anything else -- setuptools-style automatic discovery, marked uncertain.

Why one long module: it is a reader of four build backends' configuration
formats (setuptools, hatchling, poetry-core, flit/pdm/maturin), each with its
own discovery rules; they share one Layout and one bounded directory walk.
"""

from __future__ import annotations

import fnmatch
import os
import re
from pathlib import Path
from typing import Any, Iterable

from fallint.loading import fs
from fallint.loading.files import is_dir, is_file, real_path
from fallint.util.records import dataclass, field
from fallint.util.text import canonical_name

BACKENDS = {
    "setuptools.build_meta": "setuptools",
    "setuptools.build_meta:__legacy__": "setuptools",
    "hatchling.build": "hatch",
    "poetry.core.masonry.api": "poetry",
    "poetry.masonry.api": "poetry",
    "pdm.backend": "pdm",
    "pdm.pep517.api": "pdm",
    "flit_core.buildapi": "flit",
    "flit.buildapi": "flit",
    "uv_build": "uv",
}

# setuptools.discovery: names never auto-discovered in a flat layout
_FLAT_EXCLUDED_PACKAGES = (
    "ci", "bin", "debian", "doc", "docs", "documentation", "manpages", "news",
    "newsfragments", "changelog", "test", "tests", "unit_test", "unit_tests",
    "example", "examples", "scripts", "tools", "util", "utils", "python", "build",
    "dist", "venv", "env", "requirements", "tasks", "fabfile", "site_scons",
    "benchmark", "benchmarks", "exercise", "exercises", "htmlcov", "[._]*",
)
_FLAT_EXCLUDED_MODULES = (
    "setup", "conftest", "test", "tests", "example", "examples", "build", "toxfile",
    "noxfile", "pavement", "dodo", "tasks", "fabfile", "[Ss][Cc]onstruct", "conanfile",
    "manage", "benchmark", "benchmarks", "exercise", "exercises", "[._]*",
)
_SKIPPED_DIRS = frozenset({"__pycache__", ".git", ".hg", ".svn", ".venv", ".tox", ".nox", "node_modules"})
_MAX_WALK = 20000  # directories visited by one discovery walk


@dataclass(frozen=True)
class SourceRoot:
    """A directory whose contents are importable as ``prefix.<...>``.

    ``prefix`` is empty for an ordinary root (``src/``); hatch ``sources``
    rewriting or poetry ``to`` map a directory under a package name instead.
    """

    path: Path
    prefix: tuple[str, ...] = ()


@dataclass(frozen=True)
class Included:
    """A path the wheel contains: a file, or a directory with everything
    below it (``recursive``), or -- a setuptools package -- only the files
    directly in it (``recursive=False``)."""

    path: Path
    recursive: bool = True


@dataclass
class ModuleLocation:
    #: the module's .py file, a package's __init__.py, or a namespace directory
    path: Path | None
    #: "module" | "package" | "namespace" | None (not found)
    kind: str | None
    #: the directories searched for the part of the name that was (not) found
    looked_in: list[Path] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return self.path is not None


@dataclass
class Layout:
    """How the build backend maps the project's files to importable modules.

    ``roots`` are where the wheel's modules come from; ``included`` /
    ``include_patterns`` select what the wheel contains and ``excluded`` /
    ``exclude_patterns`` remove from it.  Build with :func:`project_layout`.
    """

    root: Path
    #: "setuptools" | "hatch" | "poetry" | "pdm" | "flit" | "uv" | "unknown"
    backend: str
    #: where the wheel's modules come from, in search order
    roots: list[SourceRoot] = field(default_factory=list)
    included: list[Included] = field(default_factory=list)
    #: gitignore-style patterns (relative to root) selecting more files (hatch ``include``)
    include_patterns: list[str] = field(default_factory=list)
    #: paths, and gitignore-style patterns, the wheel leaves out
    excluded: list[Path] = field(default_factory=list)
    exclude_patterns: list[str] = field(default_factory=list)
    #: one-line account of how the layout was determined, for messages
    description: str = ""
    #: reasons the build would fail or the layout cannot be known statically
    problems: list[str] = field(default_factory=list)
    #: False when the answer may be wrong (setup.py, unknown backend)
    certain: bool = True

    # -- finding modules ------------------------------------------------

    def search_roots(self) -> list[SourceRoot]:
        """The packaging roots, then the project root itself."""
        roots = list(self.roots)
        if not any(r.path == self.root and not r.prefix for r in roots):
            roots.append(SourceRoot(self.root))
        return roots

    def find_module(self, dotted: str) -> ModuleLocation:
        """Locate ``dotted`` under the source roots, then the project root,
        the way Python's path-based import would see those directories."""
        return find_in_roots(dotted, self.search_roots())

    def is_packaged(self, dotted: str) -> bool:
        """Would ``import dotted`` work from the wheel this configuration builds?"""
        location = find_in_roots(dotted, self.roots)
        if location.path is None or dotted not in self.wheel_names(location.path):
            return False
        return self.path_is_packaged(location.path, location.kind)

    def wheel_names(self, path: Path) -> list[str]:
        """The dotted name(s) a source file (or package directory) has in the
        wheel: its path below the most specific packaging root(s) containing it."""
        path = Path(path)
        if path.name == "__init__.py":
            path = path.parent
        elif path.suffix == ".py":
            path = path.with_suffix("")
        containing = [r for r in self.roots if _within(path, r.path)]
        if not containing:
            return []
        depth = max(len(r.path.parts) for r in containing)
        names = []
        for r in containing:
            parts = r.prefix + path.relative_to(r.path).parts
            if len(r.path.parts) == depth and parts:
                names.append(".".join(parts))
        return names

    def path_is_packaged(self, path: Path, kind: str | None = None) -> bool:
        """Does the wheel contain this file (or, for a namespace package
        directory, anything below it)?"""
        path = Path(path)
        if self._excluded(path):
            return False
        if kind == "namespace" or (kind is None and is_dir(path)):
            # a namespace package exists in the wheel when anything below it does
            for inc in self.included:
                if _within(inc.path, path) or (inc.recursive and _within(path, inc.path)):
                    return True
            return bool(self.include_patterns) and _real_within(path, _real(self.root)) and any(
                self._pattern_included(f) for f in _walk_files(path)
            )
        for inc in self.included:
            if inc.recursive and _within(path, inc.path):
                return True
            if not inc.recursive and path.parent == inc.path:
                return True
        return self._pattern_included(path)

    def _pattern_included(self, path: Path) -> bool:
        rel = _relative(path, self.root)
        return rel is not None and _gitignore_match(rel, self.include_patterns) and not self._excluded(path)

    def _excluded(self, path: Path) -> bool:
        if any(_within(path, ex) for ex in self.excluded):
            return True
        rel = _relative(path, self.root)
        return rel is not None and _gitignore_match(rel, self.exclude_patterns)


def find_in_roots(dotted: str, roots: Iterable[SourceRoot]) -> ModuleLocation:
    """Python's path-based import of ``dotted`` over ``roots``, component by
    component: a regular package (``__init__.py``) or module wins in the first
    directory that has it; directories without ``__init__.py`` merge into a
    namespace package; a prefixed root contributes to the package it names."""
    roots = list(roots)
    parts = tuple(p for p in dotted.split(".")) if dotted else ()
    if not parts or not all(p.isidentifier() for p in parts):
        return ModuleLocation(None, None, [r.path for r in roots if not r.prefix])
    dirs = [r.path for r in roots if not r.prefix]
    for i, name in enumerate(parts):
        last = i == len(parts) - 1
        mapped = [r.path for r in roots if r.prefix == parts[: i + 1]]
        regular: tuple[str, Path, list[Path]] | None = None
        namespace: list[Path] = []
        for d in dirs:
            candidate = d / name
            if is_file(candidate / "__init__.py"):
                regular = ("package", candidate / "__init__.py", [candidate])
                break
            if is_file(d / f"{name}.py"):
                regular = ("module", d / f"{name}.py", [])
                break
            if is_dir(candidate):
                namespace.append(candidate)
        if regular is None:
            for m in mapped:
                if is_file(m / "__init__.py"):
                    regular = ("package", m / "__init__.py", [m])
                    break
                if is_dir(m):
                    namespace.append(m)
        if regular is not None:
            kind, path, children = regular
            if last:
                return ModuleLocation(path, kind, dirs + mapped)
            if kind == "module":
                return ModuleLocation(None, None, [path])
            dirs = children + [m for m in mapped if m not in children]
            continue
        if not namespace:
            # a root mapped under a longer prefix (hatch sources {"lib" = "a/b"})
            # makes this part a namespace that has no directory of its own
            virtual = any(len(r.prefix) > i + 1 and r.prefix[: i + 1] == parts[: i + 1] for r in roots)
            if last or not virtual:
                return ModuleLocation(None, None, dirs + mapped)
        elif last:
            return ModuleLocation(namespace[0], "namespace", dirs + mapped)
        dirs = namespace
    return ModuleLocation(None, None, dirs)  # pragma: no cover - loop always returns


# --------------------------------------------------------------------------
# Building a Layout
# --------------------------------------------------------------------------


def detect_backend(pyproject: dict) -> str:
    build_system = pyproject.get("build-system")
    if not isinstance(build_system, dict) or "build-backend" not in build_system:
        return "setuptools"  # what pip uses without a build-backend
    backend = build_system.get("build-backend")
    return BACKENDS.get(backend, "unknown") if isinstance(backend, str) else "unknown"


def project_layout(root: Path, pyproject: dict) -> Layout:
    """The :class:`Layout` of the project in ``root`` (``pyproject`` is the
    parsed ``pyproject.toml``; malformed values are treated as absent)."""
    root = Path(root)
    pyproject = pyproject if isinstance(pyproject, dict) else {}
    backend = detect_backend(pyproject)
    builder = {
        "setuptools": _setuptools,
        "hatch": _hatch,
        "poetry": _poetry,
        "pdm": _pdm,
        "flit": _flit,
        "uv": _uv,
    }.get(backend, _unknown)
    global _BOUNDARY
    boundary = _BOUNDARY
    _BOUNDARY = _real(root)
    try:
        layout = builder(root, pyproject)
    finally:
        _BOUNDARY = boundary
    layout.backend = backend
    # a package-dir of "/" or a where of "../../..": the wheel's sources would
    # come from outside the project, which fal never uploads; never look there
    real_root = _real(root)
    layout.roots = [r for r in layout.roots if _real_within(r.path, real_root)]
    layout.included = [i for i in layout.included if _real_within(i.path, real_root)]
    return layout


#: while a layout is built: the project's real path, which no directory
#: listing leaves (see :func:`_listdir`)
_BOUNDARY: str | None = None


def _real(path: Path | str) -> str:
    try:
        return real_path(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


def _real_within(path: Path | str, real_root: str) -> bool:
    """``path``, symlinks resolved, is ``real_root`` or below it."""
    real = _real(path)
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def _str_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def _project_name(pyproject: dict) -> str | None:
    name = _get(pyproject, "project", "name")
    if not isinstance(name, str):
        name = _get(pyproject, "tool", "poetry", "name")
    return name if isinstance(name, str) and name else None


# -- setuptools ------------------------------------------------------------


def _setuptools(root: Path, pyproject: dict) -> Layout:
    config = _get(pyproject, "tool", "setuptools")
    config = config if isinstance(config, dict) else {}
    package_dir = config.get("package-dir")
    package_dir = (
        {k: v for k, v in package_dir.items() if isinstance(k, str) and isinstance(v, str)}
        if isinstance(package_dir, dict)
        else {}
    )
    packages_cfg = config.get("packages")
    py_modules = _str_list(config.get("py-modules"))
    layout = Layout(root, "setuptools")
    has_setup_py = is_file(root / "setup.py") or is_file(root / "setup.cfg")

    if isinstance(packages_cfg, list):
        packages = [p for p in packages_cfg if isinstance(p, str)]
        layout.description = "[tool.setuptools] packages"
    elif isinstance(packages_cfg, dict) and isinstance(packages_cfg.get("find"), dict):
        packages = _setuptools_find(root, packages_cfg["find"], package_dir)
        layout.description = "[tool.setuptools.packages.find]"
    elif py_modules is not None:
        packages = []
        layout.description = "[tool.setuptools] py-modules"
    else:
        packages, discovered, description = _setuptools_discover(root, package_dir, layout)
        py_modules = discovered
        layout.description = description
        if has_setup_py:
            layout.certain = False
            layout.description += " (setup.py / setup.cfg may configure packages differently)"

    for package in packages:
        layout.included.append(Included(root / _package_dir_of(package, package_dir), recursive=False))
    for module in py_modules or []:
        package, _, name = module.rpartition(".")
        layout.included.append(Included(root / _package_dir_of(package, package_dir) / f"{name}.py"))
    layout.roots = _roots_from_package_dir(root, package_dir)
    return layout


def _package_dir_of(package: str, package_dir: dict[str, str]) -> str:
    """setuptools' ``build_py.get_package_dir``: longest mapped prefix wins."""
    parts = package.split(".") if package else []
    tail: list[str] = []
    while parts:
        mapped = package_dir.get(".".join(parts))
        if mapped is not None:
            return os.path.join(mapped, *tail)
        tail.insert(0, parts.pop())
    base = package_dir.get("")
    return os.path.join(base, *tail) if base else os.path.join(*tail) if tail else ""


def _roots_from_package_dir(root: Path, package_dir: dict[str, str]) -> list[SourceRoot]:
    roots = [SourceRoot(root / package_dir[""]) if package_dir.get("") else SourceRoot(root)]
    for name, directory in package_dir.items():
        if name:
            roots.append(SourceRoot(root / directory, tuple(name.split("."))))
    return roots


def _setuptools_find(root: Path, find: dict, package_dir: dict[str, str]) -> list[str]:
    where = _str_list(find.get("where")) or ["."]
    include = _str_list(find.get("include")) or ["*"]
    exclude = _str_list(find.get("exclude")) or []
    namespaces = find.get("namespaces", True) is not False
    search = list(dict.fromkeys(where))
    if len(search) == 1 and os.path.normpath(search[0]) != ".":
        package_dir.setdefault("", search[0])
    packages: list[str] = []
    for directory in search:
        found = _find_packages(root / directory, include, exclude, namespaces=namespaces)
        packages.extend(found)
        if found and package_dir.get("") != directory and os.path.normpath(directory) != ".":
            for package in found:  # setuptools.discovery.construct_package_dir
                package_dir.setdefault(package, os.path.join(directory, *package.split(".")))
    return packages


def _find_packages(
    where: Path,
    include: list[str],
    exclude: list[str],
    *,
    namespaces: bool,
    flat: bool = False,
) -> list[str]:
    """setuptools' (PEP 420 / flat-layout) PackageFinder over ``where``."""
    exclude = list(exclude) + ["ez_setup", "*__pycache__"]
    found: list[str] = []
    pending = [(where, "")]
    visited = 0
    seen = {_real(where)}  # directories reached twice (a symlink to `.`) are walked once
    while pending and visited < _MAX_WALK:
        directory, prefix = pending.pop(0)
        visited += 1
        for name in _listdir(directory):
            full = directory / name
            if not is_dir(full) or "." in name:
                continue
            if fs.islink(full):
                real = _real(full)
                if real in seen:
                    continue
                seen.add(real)
            package = f"{prefix}{name}"
            if flat:
                parts = package.split(".")
                if not ((parts[0].isidentifier() or parts[0].endswith("-stubs"))
                        and all(p.isidentifier() for p in parts[1:])):
                    continue
            elif not namespaces and not is_file(full / "__init__.py"):
                continue
            if _fnmatch_any(package, include) and not _fnmatch_any(package, exclude):
                found.append(package)
            if f"{package}*" in exclude or f"{package}.*" in exclude:
                continue
            pending.append((full, package + "."))
    return found


def _find_modules(where: Path, exclude: Iterable[str] = ()) -> list[str]:
    modules = []
    for name in _listdir(where):
        if name.endswith(".py") and is_file(where / name):
            stem = name[:-3]
            if stem.isidentifier() and not _fnmatch_any(stem, list(exclude)):
                modules.append(stem)
    return modules


def _setuptools_discover(
    root: Path, package_dir: dict[str, str], layout: Layout
) -> tuple[list[str], list[str], str]:
    """setuptools' automatic discovery: explicit package-dir, src, flat."""
    explicit = {k: v for k, v in package_dir.items() if k}
    if explicit:
        packages = []
        for package, directory in explicit.items():
            packages.append(package)
            nested = _find_packages(root / directory, ["*"], [], namespaces=True)
            packages.extend(f"{package}.{n}" for n in nested)
        return packages, [], "[tool.setuptools] package-dir (automatic discovery)"
    src = root / package_dir.get("", "src")
    if is_dir(src):
        package_dir.setdefault("", os.path.relpath(src, root))
        packages = _find_packages(src, ["*"], [], namespaces=True)
        return packages, _find_modules(src), f"src layout ({package_dir['']}/, automatic discovery)"
    flat_excludes = list(_FLAT_EXCLUDED_PACKAGES) + [f"{p}.*" for p in _FLAT_EXCLUDED_PACKAGES]
    packages = _find_packages(root, ["*"], flat_excludes, namespaces=True, flat=True)
    top_level = sorted({p.split(".")[0] for p in packages if not p.split(".")[0].endswith("-stubs")})
    if len(top_level) > 1:
        layout.problems.append(
            f"setuptools refuses to build: multiple top-level packages discovered in a "
            f"flat layout: {top_level}"
        )
    if top_level:
        return packages, [], "flat layout (automatic discovery)"
    modules = _find_modules(root, _FLAT_EXCLUDED_MODULES)
    if len(modules) > 1:
        layout.problems.append(
            f"setuptools refuses to build: multiple top-level modules discovered in a "
            f"flat layout: {sorted(modules)}"
        )
    return [], modules, "flat layout (automatic discovery)"


def _unknown(root: Path, pyproject: dict) -> Layout:
    layout = _setuptools(root, {})
    backend = _get(pyproject, "build-system", "build-backend")
    layout.description = f"unknown build backend {backend!r}; assuming {layout.description}"
    layout.certain = False
    return layout


# -- hatchling -------------------------------------------------------------


def _hatch(root: Path, pyproject: dict) -> Layout:
    build = _get(pyproject, "tool", "hatch", "build")
    build = build if isinstance(build, dict) else {}
    target = build.get("targets", {}).get("wheel", {}) if isinstance(build.get("targets"), dict) else {}
    target = target if isinstance(target, dict) else {}

    def option(key: str) -> Any:
        return target.get(key) if key in target else build.get(key)

    layout = Layout(root, "hatch", description="[tool.hatch.build.targets.wheel]")
    include = _str_list(option("include")) or []
    exclude = _str_list(option("exclude")) or []
    packages = _str_list(option("packages")) or []
    only_include = _str_list(option("only-include")) or []
    if not (include or packages or only_include):
        packages, only_include = _hatch_default(root, pyproject, layout)
        layout.description = "hatchling default file selection"
    packages = sorted(_norm_rel(p) for p in packages)

    sources: dict[str, str] = {}
    raw_sources = option("sources")
    if isinstance(raw_sources, list):
        sources = {_norm_dir(s): "" for s in raw_sources if isinstance(s, str) and s}
    elif isinstance(raw_sources, dict):
        for source, replacement in raw_sources.items():
            if isinstance(replacement, str):
                rep = _norm_rel(replacement)
                sources[_norm_dir(source) if source else ""] = "" if rep == "." else rep + "/"
    for package in packages:
        parent = os.path.dirname(package)
        if parent and _norm_dir(package) not in sources:
            sources[_norm_dir(parent)] = ""
    for source, replacement in sorted(sources.items()):
        prefix = tuple(p for p in replacement.strip("/").split("/") if p)
        layout.roots.append(SourceRoot(root / source if source else root, prefix))
    if "" not in sources:
        layout.roots.append(SourceRoot(root))

    explicit = only_include or packages
    layout.included = [Included(root / _norm_rel(p)) for p in explicit]
    if not explicit:
        layout.include_patterns = include
    layout.exclude_patterns = exclude
    return layout


def _hatch_default(root: Path, pyproject: dict, layout: Layout) -> tuple[list[str], list[str]]:
    """hatchling's WheelBuilderConfig.default_file_selection_options."""
    name = _project_name(pyproject) or ""
    candidates = dict.fromkeys(re.sub(r"[^\w\d.]+", "_", n) for n in (name, canonical_name(name)))
    for candidate in candidates:
        if not candidate:
            continue
        if is_file(root / candidate / "__init__.py"):
            return [candidate], []
        if is_file(root / "src" / candidate / "__init__.py"):
            return [f"src/{candidate}"], []
        if is_file(root / f"{candidate}.py"):
            return [], [f"{candidate}.py"]
        nested = [d for d in _listdir(root) if is_file(root / d / candidate / "__init__.py")]
        if len(nested) == 1:
            return [nested[0]], []
    layout.problems.append(
        "hatchling cannot determine which files to ship in the wheel: no directory matches "
        f"the project name ({' or '.join(sorted(c for c in candidates if c)) or 'unnamed'}); "
        "set [tool.hatch.build.targets.wheel] packages"
    )
    return [], []


# -- poetry ------------------------------------------------------------------


def _poetry(root: Path, pyproject: dict) -> Layout:
    poetry = _get(pyproject, "tool", "poetry")
    poetry = poetry if isinstance(poetry, dict) else {}
    layout = Layout(root, "poetry", description="[tool.poetry] packages")
    if poetry.get("package-mode") is False:
        layout.problems.append("[tool.poetry] package-mode = false: poetry builds no package")
        layout.description = "[tool.poetry] package-mode = false"
        return layout
    packages = poetry.get("packages")
    if not isinstance(packages, list) or not packages:
        packages = _poetry_default(root, pyproject, layout)
        layout.description = "poetry default package (named after the project)"
    for spec in packages:
        if not isinstance(spec, dict) or not isinstance(spec.get("include"), str):
            continue
        formats = _str_list(spec.get("format")) or ["sdist", "wheel"]
        if "wheel" not in formats:
            continue
        base = root / spec["from"] if isinstance(spec.get("from"), str) else root
        to = spec.get("to") if isinstance(spec.get("to"), str) else ""
        root_entry = SourceRoot(base, tuple(p for p in to.split("/") if p))
        if root_entry not in layout.roots:
            layout.roots.append(root_entry)
        matches = _glob(base, spec["include"])
        if not matches:
            layout.problems.append(f"poetry package {spec['include']!r} matches nothing in {base}")
        layout.included.extend(Included(m) for m in matches)
    return layout


def _poetry_default(root: Path, pyproject: dict, layout: Layout) -> list[dict]:
    name = _project_name(pyproject)
    if not name:
        layout.problems.append("poetry: the project has no name, so no default package")
        return []
    module = canonical_name(name).replace("-", "_")
    for base in ("", "src"):
        directory = root / base if base else root
        if is_dir(directory / module):
            return [{"include": module, "from": base} if base else {"include": module}]
        if is_file(directory / f"{module}.py"):
            return [{"include": f"{module}.py", "from": base} if base else {"include": f"{module}.py"}]
    layout.problems.append(f"poetry: no file/folder found for package {module} (in . or src/)")
    return []


# -- pdm ---------------------------------------------------------------------


def _pdm(root: Path, pyproject: dict) -> Layout:
    build = _get(pyproject, "tool", "pdm", "build")
    build = build if isinstance(build, dict) else {}
    includes = _str_list(build.get("includes")) or []
    excludes = _str_list(build.get("excludes")) or []
    source_includes = _str_list(build.get("source-includes")) or ["tests"]
    if isinstance(build.get("package-dir"), str):
        package_dir = build["package-dir"]
    elif is_dir(root / "src") and (
        not includes or any(_norm_rel(p).split("/")[0] == "src" for p in includes)
    ) and "src" not in excludes and "src/" not in excludes:
        package_dir = "src"
    else:
        package_dir = ""
    base = root / package_dir if package_dir else root
    layout = Layout(root, "pdm", roots=[SourceRoot(base)], description="[tool.pdm.build]")
    if includes:
        paths = [m for pattern in includes for m in _glob(root, pattern)]
    else:
        paths = [base / d for d in _listdir(base)
                 if d not in ("__pycache__", "__pypackages__") and is_file(base / d / "__init__.py")]
        if not paths:
            paths = [base / f for f in _listdir(base) if f.endswith(".py") and is_file(base / f)]
        layout.description = f"pdm default includes (package-dir {package_dir or '.'!r})"
    layout.included = [Included(p) for p in paths]
    layout.excluded = [m for pattern in excludes + source_includes for m in _glob(root, pattern)]
    return layout


# -- flit --------------------------------------------------------------------


def _flit(root: Path, pyproject: dict) -> Layout:
    name = _get(pyproject, "tool", "flit", "module", "name")
    if not isinstance(name, str):
        name = _get(pyproject, "tool", "flit", "metadata", "module")
    if not isinstance(name, str):
        project = _project_name(pyproject)
        name = project.replace("-", "_") if project else None
    layout = Layout(root, "flit", description=f"flit module {name!r}")
    if not name:
        layout.problems.append("flit: no module name (set [project] name or [tool.flit.module] name)")
        return layout
    relative = name.replace(".", "/")
    found = []
    for base in (root, root / "src"):
        if is_dir(base / relative):
            found.append((base, base / relative))
        if is_file(base / f"{relative}.py"):
            found.append((base, base / f"{relative}.py"))
    if len(found) > 1:
        layout.problems.append(f"flit: multiple files or folders could be module {name}")
    if not found:
        layout.problems.append(f"flit: no file/folder found for module {name} (in . or src/)")
        return layout
    base, path = found[-1]  # flit keeps the last candidate it checks
    layout.roots = [SourceRoot(base)]
    layout.included = [Included(path)]
    return layout


# -- uv ----------------------------------------------------------------------


def _uv(root: Path, pyproject: dict) -> Layout:
    config = _get(pyproject, "tool", "uv", "build-backend")
    config = config if isinstance(config, dict) else {}
    module_root = config.get("module-root", "src")
    module_root = module_root if isinstance(module_root, str) else "src"
    base = root / module_root if module_root not in ("", ".") else root
    names = _str_list(config.get("module-name"))
    if names is None:
        project = _project_name(pyproject)
        names = [canonical_name(project).replace("-", "_")] if project else []
    namespace = config.get("namespace") is True
    layout = Layout(root, "uv", roots=[SourceRoot(base)], description="[tool.uv.build-backend]")
    if not names:
        layout.problems.append("uv_build: no module name (set [project] name)")
    for name in names:
        stub = name.split(".")[0].endswith("-stubs")
        directory = base / name.replace(".", "/")
        marker = directory / ("__init__.pyi" if stub else "__init__.py")
        if namespace and is_dir(directory) or is_file(marker):
            layout.included.append(Included(directory))
        else:
            layout.problems.append(f"uv_build expects a Python module at {_display(marker, root)}")
    return layout


# --------------------------------------------------------------------------
# Small file-system helpers (errors are "absent", never exceptions)
# --------------------------------------------------------------------------


def _listdir(path: Path) -> list[str]:
    if _BOUNDARY is not None and not _real_within(path, _BOUNDARY):
        return []  # outside the project (package-dir = {"" = "/"}): never listed
    try:
        return sorted(fs.listdir(path))
    except (OSError, ValueError):  # ValueError: a NUL in a configured path
        return []


def _walk_files(path: Path) -> Iterable[Path]:
    visited = 0
    for directory, dirs, files in fs.walk(path):
        dirs[:] = sorted(d for d in dirs if d not in _SKIPPED_DIRS)
        for name in sorted(files):
            yield Path(directory) / name
        visited += 1
        if visited >= _MAX_WALK:
            return


def _glob(base: Path, pattern: str) -> list[Path]:
    pattern = pattern.strip()
    if not pattern or os.path.isabs(pattern) or pattern.startswith(".."):
        return []
    try:
        return [p for p in fs.glob(base, pattern.rstrip("/")) if p.name not in _SKIPPED_DIRS]
    except (OSError, ValueError, NotImplementedError):
        return []


def _within(path: Path, directory: Path) -> bool:
    return path == directory or directory in path.parents


def _relative(path: Path, root: Path) -> str | None:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return None


def _display(path: Path, root: Path) -> str:
    return _relative(path, root) or str(path)


def _norm_rel(path: str) -> str:
    return os.path.normpath(path).replace(os.sep, "/").strip("/")


def _norm_dir(path: str) -> str:
    normalized = _norm_rel(path)
    return "" if normalized == "." else normalized + "/"


def _fnmatch_any(name: str, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatchcase(name, p) for p in patterns)


def _gitignore_match(relative: str, patterns: list[str]) -> bool:
    """Does ``relative`` (posix, relative to the root) or one of its parent
    directories match a gitignore-style pattern?  Supports ``*``, ``?``,
    ``**``, anchoring (leading or inner ``/``) and directory-only patterns
    (trailing ``/``); negation is not supported."""
    if not patterns:
        return False
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for raw in patterns:
        pattern = raw.strip()
        if not pattern or pattern.startswith(("#", "!")):
            continue
        directory_only = pattern.endswith("/")
        body = pattern.rstrip("/")
        anchored = body.startswith("/") or "/" in body
        regex = re.compile(_glob_regex(body.lstrip("/")))
        # a directory-only pattern matches directories only: every prefix but the file itself
        candidates = prefixes[:-1] if directory_only else prefixes
        if anchored:
            if any(regex.fullmatch(c) for c in candidates):
                return True
        elif any(regex.fullmatch(c.rsplit("/", 1)[-1]) for c in candidates):
            return True
    return False


def _glob_regex(pattern: str) -> str:
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)
