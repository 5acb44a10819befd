"""``github``: one GitHub Actions workflow command (``::error ...::message``) per
diagnostic, then the summary as a plain log line (no ``::``), which GitHub shows
in the job log and does not turn into an annotation."""

from __future__ import annotations

from pathlib import Path

from fallint.diagnostics import ERROR, Diagnostic, display_path
from fallint.reports.common import Context, _join, _plain_message, summary_line


def render(diagnostics: list[Diagnostic], ctx: Context) -> str:
    commands = [_github_command(d, ctx.cwd) for d in diagnostics]
    if ctx.summary is not None:
        commands.append(summary_line(diagnostics, ctx.summary))
    return _join(commands)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github_command(d: Diagnostic, cwd: Path) -> str:
    loc = d.location
    props = {
        "file": display_path(loc.path, cwd),
        "line": loc.line,
        "col": loc.column,
        "endLine": loc.end_line,
        "endColumn": loc.end_column,
        "title": f"{d.code} ({d.name})",
    }
    command = "error" if d.severity == ERROR else "warning"
    joined = ",".join(f"{k}={_escape_property(str(v))}" for k, v in props.items())
    return f"::{command} {joined}::{_escape_data(_plain_message(d))}"
