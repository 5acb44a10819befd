"""FAL106 `ref-name-not-found`: The name after `::` is not defined at module level in the ref file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fallint.rules._fixes import app_of, text_at, toml_string
from fallint.rules.registry import ERROR, Example, register
from fallint.util.suggest import did_you_mean

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.sources import SourceProject
from fallint.model.ref_target import RefTarget
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY, files_defining


def _star_imports_known(sources: "SourceProject", target: RefTarget) -> bool:
    """Can every ``from x import *`` of the module be followed (so an unbound
    name is certainly unbound)?"""
    for star in target.index.star_imports:
        if star.level == 0 and star.module == "fal":
            continue
        location = sources.module_file(star.module, from_file=target.path, level=star.level)
        if location.path is None or sources.index(location.path) is None:
            return False
    return True


@register
class RefNameNotFound(RefRule):
    code = "FAL106"
    name = "ref-name-not-found"
    severity = ERROR
    summary = "The name after `::` is not defined at module level in the ref file"
    what = "A `ref = \"file.py::Name\"` whose file binds no module-level `Name` (a renamed class, a typo)."
    why = "fal raises `Function 'Name' not found in module` and nothing is deployed."
    fix = "Use the class's current name (fallint suggests a close one), or the file that defines it."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Website"
            ''',
            files={"app.py": WEB_APP_PY},
            expect=["2:7"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::WebApp"  # renamed
            ''',
            files={"app.py": WEB_APP_PY},
            expect=["2:7"],
            title="the file's one fal.App (what `--fix --unsafe-fixes` writes)",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"  # renamed
            ''',
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "main.py::Web"
            ''',
            files={"main.py": "from service import Web\n", "service.py": WEB_APP_PY},
            title="an imported class is a module-level name too",
        )
    ]

    def check_target(self, app, target):
        if target.index is None or target.name is None or target.symbol is not None:
            return
        if target.index.binding(target.name) is not None:
            return  # bound through an import fallint cannot follow
        sources = app.project.sources
        if not _star_imports_known(sources, target):
            return
        names = [n for n in target.index.names() if not n.startswith("__")]
        hint = did_you_mean(target.name, names)
        if hint:
            help = f'did you mean `ref = "{target.file_part}::{hint}"`?'
        else:
            elsewhere = files_defining(app.project, target.name, exclude=target.path)
            help = (f'`{target.name}` is defined in `{elsewhere[0]}`: did you mean '
                    f'`ref = "{elsewhere[0]}::{target.name}"`?') if len(elsewhere) == 1 else None
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` has no module-level name `{target.name}`",
            help=help,
        )

    fix_availability = "sometimes"
    fix_safety = "unsafe"

    def fix_for(self, diagnostic, project):
        """Point `ref` at the one fal.App the file defines, or at the one other file
        that defines the name (unsafe: another class may be meant)."""
        from fallint.diagnostics import Edit, Fix
        app = app_of(project, diagnostic)
        target = app.ref_target if app is not None else None
        source = text_at(project, diagnostic.location)
        if target is None or target.path is None or source is None or source[:1] not in ("'", '"'):
            return None
        apps = [s.name.rsplit(".", 1)[-1] for s in project.sources.scan(target.path).apps
                if s.path is not None and str(s.path) == str(target.path)]
        if len(apps) == 1:
            new = f"{target.file_part}::{apps[0]}"
        else:
            elsewhere = files_defining(project, target.name, exclude=target.path)
            if len(elsewhere) != 1 or apps:
                return None
            new = f"{elsewhere[0]}::{target.name}"
        return Fix.unsafe(f'Write `ref = "{new}"`', Edit.replace(diagnostic.location, toml_string(new, source)))
