"""Static analysis of a project's Python source, for checking fal app targets.

* :mod:`.index` -- one file -> a plain-data, JSON-able :class:`ModuleIndex`
  (the only module that uses libcst, and only inside :func:`index_source`);
* :mod:`.layout` -- where the project's modules live, per build backend;
* :mod:`.resolve` -- cross-file resolution: :class:`SourceProject`.

Nothing here imports or executes user code.  Importing this package is cheap:
libcst is imported only when a file is actually parsed.
"""

from __future__ import annotations

from .index import INDEX_FORMAT, ModuleIndex, PySyntaxError, index_source
from .layout import Layout, ModuleLocation, SourceRoot, detect_backend, project_layout
from .resolve import (
    FileResult,
    Route,
    Setting,
    SourceProject,
    Symbol,
    TargetScan,
    load_file,
)

__all__ = [
    "INDEX_FORMAT",
    "FileResult",
    "Layout",
    "ModuleIndex",
    "ModuleLocation",
    "PySyntaxError",
    "Route",
    "Setting",
    "SourceProject",
    "SourceRoot",
    "Symbol",
    "TargetScan",
    "detect_backend",
    "index_source",
    "load_file",
    "project_layout",
]
