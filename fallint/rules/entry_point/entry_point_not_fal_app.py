"""FAL208 `entry-point-not-fal-app`: The python_entry_point symbol is neither a fal.App subclass nor a fal function."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fallint.rules.registry import ERROR, Example, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.sources import Symbol
from fallint.model.entry_point import EntryPoint
from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import (
    PYPROJECT,
    SERVE_PY,
    SRC,
    definition_related,
)


@register
class EntryPointNotFalApp(EntryPointRule):
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
            related=definition_related(symbol),
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
