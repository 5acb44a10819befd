"""More output formats, one module each (``render(diagnostics, cwd, summary) -> str``).

``diagnostics`` arrive sorted (by display path, line, column, code);
``summary`` is the :class:`~fallint.reporters.RunSummary`, or None when the
summary line is not wanted (``--quiet``).  Each module reuses the helpers of
:mod:`fallint.reporters`; :func:`fallint.reporters.render` dispatches here.
"""

from __future__ import annotations

import importlib

#: format name -> module name
FORMATS = {
    "json-lines": "json_lines",
    "junit": "junit",
    "gitlab": "gitlab",
    "rdjson": "rdjson",
    "pylint": "pylint",
    "azure": "azure",
    "grouped": "grouped",
}


def render(fmt: str, diagnostics, cwd, summary) -> str:
    """The output of format ``fmt`` (one of :data:`FORMATS`)."""
    module = importlib.import_module(f"{__name__}.{FORMATS[fmt]}")
    return module.render(diagnostics, cwd, summary)
