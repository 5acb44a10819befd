"""FAL114 `ref-sibling-import`: The ref file imports a module next to it that fal's sys.path does not reach."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from fallint.model.ref_target import path_kind, rel
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import (
    WEB_APP_PY,
    dotted_dir,
    import_text,
    ref_related,
    statement_location,
    top_level_imports,
)
from fallint.rules.registry import WARNING, Example, register


@register
class RefSiblingImport(RefRule):
    code = "FAL114"
    name = "ref-sibling-import"
    severity = WARNING
    summary = "The ref file imports a module next to it that fal's sys.path does not reach"
    what = """
        A top-level `import helpers` / `from helpers import x` in `apps/web.py` where
        `apps/helpers.py` exists but `helpers` is not importable from the project
        root or the project's source directories (and the file does not touch
        `sys.path`).
    """
    why = """
        fal runs the file with `runpy.run_path`, which does not put the file's own
        directory on `sys.path`; fal adds its working directory. The import works
        only when `fal` is started from `apps/`, and fails from the project root.
    """
    fix = "Import it through its package from the project root: `from apps.helpers import x`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from helpers import GREETING\n" + WEB_APP_PY},
            expect=["apps/web.py:1:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from apps.helpers import GREETING\n" + WEB_APP_PY},
        )
    ]

    def check_target(self, app, target):
        if target.index is None:
            return
        project, sources = app.project, app.project.sources
        directory = Path(target.path).parent
        if os.path.normpath(directory) == os.path.normpath(project.root):
            return
        stdlib = getattr(sys, "stdlib_module_names", frozenset())

        def sibling_only(top: str) -> bool:
            """``top`` is not found from the root, but next to the file
            (memoised per directory: the apps of a monorepo share theirs)."""
            if top in stdlib or top == "fal":
                return False

            def look() -> bool:
                if sources.module_file(top).path is not None:
                    return False
                return path_kind(directory / f"{top}.py") == "file" or path_kind(directory / top) == "dir"

            return project.memo(("sibling-module", os.fspath(directory), top), look)

        tops = {e.module.split(".")[0] for e in target.index.imports if e.level <= 0 and e.module}
        tops |= {s.module.split(".")[0] for s in target.index.star_imports if s.level <= 0 and s.module}
        suspects = {top for top in tops if sibling_only(top)}
        if not suspects:
            return
        text = project.read(target.path).text or ""
        if "sys.path" in text or "addsitedir" in text:
            return
        package = dotted_dir(project, target.path)
        for line, entry in top_level_imports(app, target):
            if entry.level > 0 or not entry.module:
                continue
            top = entry.module.split(".")[0]
            if top not in suspects:
                continue
            where = rel(project, directory)
            better = f"{package}.{entry.module}" if package else None
            yield from self.in_python(
                app,
                statement_location(app, target.path, line),
                f"`{top}` is found only when fal runs from `{where}/`: fal puts its working "
                f"directory on sys.path, not the directory of `{target.file_part}`",
                help=(f"import it from the project root: `{import_text(entry).replace(entry.module, better, 1)}`"
                      if better else "import it through its package, from the project root"),
                related=[ref_related(app, f"app `{app.key}` runs this file")],
            )
