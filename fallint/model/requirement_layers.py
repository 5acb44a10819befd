"""3xx: ``requirements``, read the way fal and ``uv pip install`` read them.

What fal 1.83.0 does with an app's TOML ``requirements`` (``fal/cli/_utils.py``,
``fal/utils.py``, ``fal/api/api.py``, ``fal/api/_sdist.py``, and isolate's
virtualenv backend):

* the loader checks the shape for **every** app (a list of strings, or a list
  of lists of strings: install layers) and raises on anything else;
* which apps use the list at all: a ``python_entry_point`` app always (with or
  without ``image``); a ``ref`` app only when its target is a
  ``@fal.function(...)`` that passes no ``requirements`` (a ``fal.App`` class
  keeps its own ``requirements`` attribute, default empty, and the TOML list
  is never read, not even its local paths: FAL602 says so); an image-only app
  (``image`` and neither ``ref`` nor ``python_entry_point``) has its list
  prepared, but runs without isolate, so whether anything installs it is up
  to the server;
* before deploying, every string naming an existing directory (a trailing
  ``[extras]`` stripped, resolved against ``requirements_context_dir``, else
  the pyproject directory) is built as an sdist and rewritten to
  ``<[project].name>[extras] @ <url>``: fal raises when that directory has no
  ``pyproject.toml`` or no ``[project].name``. Nothing else is uploaded, and
  ``requirements_context_dir`` itself is never checked;
* the worker runs ``uv pip install <layer...>`` for each non-empty layer, the
  strings as the argument vector: an option, its value, a requirement each.

So the rules here report, for the apps where fal uses the list: what ``uv``
refuses before resolving (:data:`fallint.formats.requirements.PARSE_TIME_KINDS`),
what makes the install fail later, what fal itself refuses (local paths), and
what is accepted but almost certainly wrong. :func:`requirements_of` (``app.requirements``) analyses
an app once (memoised per run) and every rule reads the same result. The
shape rule applies to every app."""

from __future__ import annotations

import os
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from fallint.diagnostics import Location, Related
from fallint.loading.files import resolved
from fallint.model.build import string_offset_location
from fallint.model.fal import REQUIREMENTS
from fallint.util.records import dataclass, field

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.requirements import (
        LayerAnalysis,
        ReqItem,
        ReqProblem,
    )
    from fallint.model.project import App


KEY = "requirements"


#: fal installs the list with ``uv pip install`` (entry-point apps, fal.function refs)
USE_UV = "uv"


#: fal only prepares the list (local paths become sdists): image-only apps
USE_LOCAL = "local"


def toml_requirements_use(app: "App") -> str | None:
    """How fal uses ``app``'s TOML ``requirements``: :data:`USE_UV`, :data:`USE_LOCAL`, or None.

    None: fal never reads the list (a ``fal.App`` ``ref``), the target is
    unknown, or fal raises before (both ``ref`` and ``python_entry_point``, a
    non-string ``python_entry_point``, nothing to run).
    """
    table = app.table
    if "python_entry_point" in table:
        return USE_UV if isinstance(table["python_entry_point"], str) and "ref" not in table else None
    if "ref" in table:
        return USE_UV if _function_takes_toml_requirements(app) else None
    if isinstance(table.get("image"), dict):
        return USE_LOCAL
    return None


def _function_takes_toml_requirements(app: "App") -> bool:
    """The ``ref`` target is a ``@fal.function(...)`` whose options lack
    ``requirements`` (so fal merges the TOML list in). ``serve=...`` makes fal
    add its own requirements first: then the TOML list is ignored too."""
    target = app.ref_target
    if target is None or target.kind != "function" or target.symbol is None or target.symbol.path is None:
        return False
    sources = app.project.sources
    decorator = sources.fal_function_decorator(target.symbol)
    if decorator is None or not decorator.called or not sources.is_fal_function(target.symbol):
        return False  # a wrap_app, or not certainly a fal.function
    return "requirements" not in decorator.keywords and "serve" not in decorator.keywords


def shape_ok(value) -> bool:
    """fal's ``_validate_requirements``."""
    return REQUIREMENTS.check(value)


@dataclass(eq=False)
class Layer:
    """One install layer: the flat list, or one inner list of a list of lists."""
    #: key path (below the app) of the list holding the strings
    path: tuple
    strings: list[str]
    analysis: "LayerAnalysis"

    def element(self, index: int) -> tuple:
        return self.path + (index,)


@dataclass(eq=False)
class AppRequirements:
    """One app's ``requirements`` as fal and uv read them (see :func:`requirements_of`)."""
    app: "App"
    #: :data:`USE_UV` or :data:`USE_LOCAL`
    use: str
    #: where local paths resolve (the resolved ``requirements_context_dir``, else the project)
    base_dir: Path
    layers: list[Layer] = field(default_factory=list)

    @property
    def uv(self) -> bool:
        """uv installs the list (so uv's verdicts matter)."""
        return self.use == USE_UV

    @property
    def virtualenv(self) -> bool:
        """A plain virtualenv on fal's machines: nothing but the strings reaches uv."""
        return self.uv and "image" not in self.app.table

    @cached_property
    def root(self) -> Path:
        return resolved(self.app.project.root)

    def items(self) -> Iterator[tuple[Layer, "ReqItem"]]:
        for layer in self.layers:
            for item in layer.analysis.items:
                yield layer, item

    def problems(self, kinds: Iterable[str]) -> Iterator[tuple[Layer, "ReqProblem"]]:
        wanted = frozenset(kinds)
        for layer in self.layers:
            hidden = _hidden_problems(layer)
            for problem in layer.analysis.problems:
                if problem.kind in wanted and problem not in hidden:
                    yield layer, problem

    # -- positions --------------------------------------------------------

    def location(self, layer: Layer, index: int, start: int | None = None, end: int | None = None) -> Location:
        """Element ``index`` of ``layer`` (the whole string, quotes included), or
        its characters ``[start, end)`` when they are not the whole string."""
        path = layer.element(index)
        text = layer.strings[index] if 0 <= index < len(layer.strings) else ""
        if start is None or end is None or (start <= 0 and end >= len(text)):
            return self.app.span(*path)
        return string_offset_location(self.app, path, start, max(1, end - start))

    def layer_location(self, layer: Layer) -> Location:
        return self.app.span(*layer.path)

    def related(self, layer: Layer, index: int, message: str) -> Related:
        return Related(self.location(layer, index), message)

    def display(self, path: Path) -> str:
        """``path`` relative to the project root (``./`` for the root, dirs end in ``/``)."""
        try:
            rel = Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:
            return str(path)
        return "./" if rel == "." else rel + "/"


def context_dir(app: "App") -> Path:
    """Where fal resolves local paths: ``requirements_context_dir`` (``~``
    expanded, relative to the pyproject directory), else the pyproject directory."""
    root = resolved(app.project.root)
    value = app.table.get("requirements_context_dir")
    if not isinstance(value, str):
        return root
    try:
        return resolved(root / Path(value).expanduser())
    except (RuntimeError, ValueError):  # no home directory, NUL in the path
        return root / value


def requirements_of(app: "App") -> AppRequirements | None:
    """The app's analysed ``requirements`` when fal uses them (see
    :func:`toml_requirements_use`) and their shape is one fal accepts; else None."""
    value = app.table.get(KEY)
    ctx = app.table.get("requirements_context_dir")
    if not isinstance(value, list) or not value or not shape_ok(value):
        return None
    if ctx is not None and not isinstance(ctx, str):
        return None  # fal raises (FAL004)
    use = toml_requirements_use(app)
    if use is None:
        return None
    base = context_dir(app)
    reqs = AppRequirements(app, use, base)
    if all(isinstance(x, str) for x in value):
        reqs.layers.append(Layer((KEY,), list(value), _analysis(app, value, base)))
    else:
        for i, inner in enumerate(value):
            if inner:  # isolate skips an empty layer
                reqs.layers.append(Layer((KEY, i), list(inner), _analysis(app, inner, base)))
    return reqs


def _analysis(app: "App", items: list, base: Path) -> "LayerAnalysis":
    """``analyze_layer(items, base)``, shared by the apps of a project with the
    same layer (monorepos repeat theirs; the analysis is immutable)."""
    # imported on first use: costly to import, only apps with requirements need it
    from fallint.formats.requirements import analyze_layer

    known = app.project.known_pyprojects
    if not all(isinstance(x, str) for x in items):
        return analyze_layer(items, base, known)
    return app.project.memo(("layer", tuple(items), base), lambda: analyze_layer(items, base, known))


def _hidden_problems(layer: Layer) -> frozenset:
    """Problems that only follow from a reported ``suspicious-option``: the
    element the user meant as that option's value is read as a requirement."""
    # imported on first use: costly to import, only apps with requirements need it
    from fallint.formats.requirements import option_spec

    hidden = []
    for problem in layer.analysis.problems:
        if problem.kind != "suspicious-option" or not problem.suggestion:
            continue
        spec = option_spec(problem.suggestion.split("=")[0])
        nxt = problem.index + 1
        if spec is not None and spec.takes_value and "=" not in layer.strings[problem.index]:
            if nxt < len(layer.strings):
                hidden.extend(p for p in layer.analysis.problems if p.index == nxt)
    return frozenset(hidden)
