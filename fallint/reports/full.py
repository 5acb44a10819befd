"""``full`` (the default): ruff-like ``path:line:col: SEVERITY CODE [app] message``,
then the source line with a gutter and a ``^^^`` underline under the span, then
``= help:`` and one ``= note:`` per related location (with its own excerpt,
underlined with ``---``); a blank line between diagnostics; then the summary."""

from __future__ import annotations

from fallint.diagnostics import Diagnostic
from fallint.reports.common import Context
from fallint.reports.text import render_text


def render(diagnostics: list[Diagnostic], ctx: Context) -> str:
    return render_text(diagnostics, ctx, full=True)
