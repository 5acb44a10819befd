"""FAL109 `ref-ambiguous-target`: A ref without `::Name` whose file has several fal.Apps (or several fal.functions)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fallint.diagnostics import Location, Related
from fallint.rules._fixes import app_of, replace_string
from fallint.rules.registry import ERROR, Example, register

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App
    from fallint.model.sources import Symbol
from fallint.model.ref_target import RefTarget, symbol_location
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY


@register
class RefAmbiguousTarget(RefRule):
    code = "FAL109"
    name = "ref-ambiguous-target"
    severity = ERROR
    summary = "A ref without `::Name` whose file has several fal.Apps (or several fal.functions)"
    what = """
        A `ref` without `::Name` naming a file whose globals hold more than one
        `fal.App` subclass -- imported ones and aliases (`Alias = MyApp`) count, as
        fal scans every global -- or, with no app, more than one `fal.function`.
    """
    why = "fal raises `Multiple fal.Apps found in the module` and asks for the name."
    fix = "Add `::Name` to the `ref` to say which one to deploy."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py"
            ''',
            files={"app.py": WEB_APP_PY + "\n\nclass Admin(Web):\n    pass\n"},
            expect=["2:7"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py"
            ''',
            files={
                "base.py": WEB_APP_PY,
                "app.py": "from base import Web\n\n\nclass Admin(Web):\n    pass\n",
            },
            expect=["2:7"],
            title="the file defines one fal.App and imports another (what `--fix --unsafe-fixes` writes)",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Admin"
            ''',
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": WEB_APP_PY + "\n\nclass Admin(Web):\n    pass\n"},
        )
    ]

    def check_target(self, app, target):
        scan = target.scan
        if scan is None:
            return
        if len(scan.apps) > 1:
            found, what = scan.apps, "fal.App subclasses"
        elif not scan.apps and not scan.unknown and len(scan.functions) > 1:
            found, what = scan.functions, "fal.functions"
        else:
            return
        names = [s.binding or s.name for s in found]
        listed = ", ".join(f"`{n}`" for n in names)
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` has {len(names)} {what} ({listed}); fal needs `::Name` to pick one",
            help=f'write `ref = "{target.file_part}::{names[0]}"` (or another of them)',
            related=[r for r in (_binding_related(app, target, s) for s in found) if r is not None],
        )

    fix_availability = "sometimes"
    fix_safety = "unsafe"

    def fix_for(self, diagnostic, project):
        """Add `::Name` naming the one fal.App (or fal.function) the file itself
        defines, when the others are imported (unsafe: an imported one may be meant)."""
        from fallint.diagnostics import Fix

        app = app_of(project, diagnostic)
        target = app.ref_target if app is not None else None
        if target is None or target.path is None or target.name is not None or target.scan is None:
            return None
        scan = target.scan
        found = scan.apps if scan.apps else scan.functions
        own = {s.binding or s.name for s in found
               if s.path is not None and str(s.path) == str(target.path) and (s.binding or s.name) == s.name}
        if len(own) != 1:
            return None
        new = f"{target.file_part}::{own.pop()}"
        edit = replace_string(project, app.path + ("ref",), new)
        return Fix.unsafe(f'Write `ref = "{new}"`', edit) if edit is not None else None


def _binding_related(app: "App", target: RefTarget, symbol: "Symbol") -> Related | None:
    """Where the module binds ``symbol`` (the name fal lists), else its definition."""
    name = symbol.binding or symbol.name
    binding = target.index.binding(name)
    if binding is not None:
        loc = Location.point(target.path, binding.line, binding.column, len(name))
    else:  # through a star import: the definition
        loc = symbol_location(symbol)
    if loc is None:
        return None
    same = symbol.name == name
    return Related(loc, f"`{name}`" + ("" if same else f" (bound to `{symbol.name}`)"))
