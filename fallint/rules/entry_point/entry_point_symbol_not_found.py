"""FAL207 `entry-point-symbol-not-found`: The python_entry_point symbol is not defined in its module."""

from __future__ import annotations

from pathlib import Path

from fallint.diagnostics import Location, Related
from fallint.rules._fixes import app_of, one_close, replace_string
from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import PYPROJECT, SRC
from fallint.rules.registry import ERROR, Example, register
from fallint.util.suggest import did_you_mean
from fallint.util.text import code


@register
class EntryPointSymbolNotFound(EntryPointRule):
    code = "FAL207"
    name = "entry-point-symbol-not-found"
    severity = ERROR
    summary = "The python_entry_point symbol is not defined in its module"
    what = """
        A `python_entry_point` whose module (found in the project) binds no such name:
        not defined, imported or re-exported there (package `__init__.py` re-exports,
        `__all__` and star imports are followed; a module-level `__getattr__` silences
        the rule).
    """
    why = "The worker imports the module and then fails to find the symbol: the app never starts."
    fix = "Use the name of the `fal.App` subclass or fal function, or re-export it from the module."
    invalid = [
        Example(
            PYPROJECT.replace(":TextGen", ":TextGenApp"),
            files=SRC,
            expect=["6:37"],
            fixed=PYPROJECT,
        ),
        Example(
            PYPROJECT.replace(":TextGen", ":Generator"),
            files=SRC,
            expect=["6:37"],
            title="a renamed class: the module's one fal.App (what `--fix --unsafe-fixes` writes)",
            fixed=PYPROJECT,
        ),
    ]
    valid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "textgen:"),
            files=SRC,
            title="re-exported by the package's __init__.py",
        )
    ]

    def check_entry_point(self, app, ep):
        if not ep.symbol_missing:
            return
        head = ep.symbol.split(".")[0]
        index = ep.project.sources.index(ep.module_file)
        candidates = [n for n in index.names() if not n.startswith("__")] if index is not None else []
        hint = did_you_mean(head, candidates)
        where = ep.display(ep.module_file)
        yield self.report(
            app,
            ep,
            "symbol",
            f"{code(head)} is not defined in module {code(ep.module)} ({code(where)})",
            help=f"did you mean `{hint}`?" if hint else "name the fal.App subclass or fal function the module defines",
            related=[Related(Location.point(Path(ep.module_file), 1, 1), f"module {code(ep.module)}")],
        )

    fix_availability = "sometimes"
    fix_safety = "unsafe"

    def fix_for(self, diagnostic, project):
        """Name the module's one fal.App (or, with no app, its one fal function), or
        the close name the help suggests when it is one of them (unsafe: another
        symbol may be meant)."""
        from fallint.diagnostics import Fix
        from fallint.model.entry_point import KEY

        app = app_of(project, diagnostic)
        ep = app.entry_point if app is not None else None
        if ep is None or not ep.symbol_missing or ep.module_file is None:
            return None
        scan = project.sources.scan(ep.module_file)
        if scan.unknown:
            return None  # something fallint cannot judge may be the app
        found = scan.apps or scan.functions
        targets = list(dict.fromkeys(s.binding or s.name for s in found))
        head, _, rest = ep.symbol.partition(".")
        if rest:
            return None  # `module:obj.attr`: what the attribute became is unknown
        if len(targets) == 1:
            name = targets[0]
        else:
            index = project.sources.index(ep.module_file)
            names = [n for n in index.names() if not n.startswith("__")] if index is not None else []
            name = one_close(head, names)
            if name is None or name not in targets:
                return None
        if name == head:
            return None
        new = f"{ep.module}:{name}"
        edit = replace_string(project, app.path + (KEY,), new)
        return Fix.unsafe(f'Write `python_entry_point = "{new}"`', edit) if edit is not None else None
