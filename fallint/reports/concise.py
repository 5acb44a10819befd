"""``concise``: the header line of each diagnostic, then the summary line."""

from __future__ import annotations

from fallint.diagnostics import Diagnostic
from fallint.reports.common import Context
from fallint.reports.text import render_text


def render(diagnostics: list[Diagnostic], ctx: Context) -> str:
    return render_text(diagnostics, ctx, full=False)
