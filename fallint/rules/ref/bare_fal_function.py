"""FAL111 `bare-fal-function`: `@fal.function` without parentheses, or not the outermost decorator."""

from __future__ import annotations

from pathlib import Path

from fallint.diagnostics import Location
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import misapplied_fal_functions, ref_related
from fallint.rules.registry import ERROR, Example, register


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
            for entry, decorator in misapplied_fal_functions(sources, path):
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
                    related=[ref_related(app, f"app `{app.key}` runs this file")],
                )

    fix_availability = "sometimes"

    def fix_for(self, diagnostic, project):
        """Call a bare `@fal.function`: `@fal.function()` (what fal needs to make a
        function of it; moving a decorator that is not outermost is left to you)."""
        import re

        from fallint.diagnostics import Edit, Fix

        loc = diagnostic.location
        lines = project.files.lines(loc.path) if project.files is not None else None
        if not lines or not 1 <= loc.line <= len(lines) or loc.line != loc.end_line:
            return None
        text = lines[loc.line - 1]
        name = text[loc.column - 1: loc.end_column - 1]
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", name) or text[: loc.column - 1].strip() != "@":
            return None
        rest = text[loc.end_column - 1:]
        if not re.fullmatch(r"\s*(#.*)?", rest):
            return None  # `@fal.function(...)` or anything more: not the bare case
        return Fix.safe(f"Write `@{name}()`", Edit.insert(loc.path, loc.line, loc.end_column, "()"))
