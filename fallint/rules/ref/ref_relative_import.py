"""FAL113 `ref-relative-import`: A relative import in the file a ref runs."""

from __future__ import annotations

from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import (
    WEB_APP_PY,
    dotted_dir,
    import_text,
    ref_related,
    statement_location,
    top_level_imports,
)
from fallint.rules.registry import ERROR, Example, register


@register
class RefRelativeImport(RefRule):
    code = "FAL113"
    name = "ref-relative-import"
    severity = ERROR
    summary = "A relative import in the file a ref runs"
    what = "An unconditional top-level relative import (`from .helpers import x`) in the file an app's `ref` names."
    why = """
        fal runs the file as a script (`runpy.run_path`), outside any package: the
        import fails with `attempted relative import with no known parent package`.
    """
    fix = """
        Import from the project root instead (`from apps.helpers import x`): fal
        puts its working directory, the project root, on `sys.path`.
    """
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/__init__.py": "", "apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from .helpers import GREETING\n" + WEB_APP_PY},
            expect=["apps/web.py:1:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/__init__.py": "", "apps/helpers.py": "GREETING = 'hi'\n",
                   "apps/web.py": "from apps.helpers import GREETING\n"
                                  "try:\n    from .helpers import GREETING\nexcept ImportError:\n    pass\n"
                                  + WEB_APP_PY},
            title="absolute, or guarded by try/except",
        )
    ]

    def check_target(self, app, target):
        index = target.index
        if index is None or index.binding("__package__") is not None:
            return
        if not any(e.level > 0 for e in index.imports) and not any(s.level > 0 for s in index.star_imports):
            return
        package = dotted_dir(app.project, target.path)
        for line, entry in top_level_imports(app, target):
            if entry.level <= 0:
                continue
            statement = import_text(entry)
            help = "import from the project root (fal puts its working directory on sys.path)"
            if package is not None and entry.level == 1:
                absolute = ".".join(p for p in (package, entry.module) if p)
                help = f"use an absolute import: `{statement.replace('from ' + '.' + entry.module, 'from ' + absolute, 1)}`"
            yield from self.in_python(
                app,
                statement_location(app, target.path, line),
                f"`{statement}` fails when fal runs `{target.file_part}` as a script "
                f"(\"attempted relative import with no known parent package\")",
                help=help,
                related=[ref_related(app, f"app `{app.key}` runs this file")],
            )
