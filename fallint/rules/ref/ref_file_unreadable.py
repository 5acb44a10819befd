"""FAL104 `ref-file-unreadable`: The ref file is a directory, unreadable, binary or not UTF-8."""

from __future__ import annotations

from fallint.diagnostics import Location, Related
from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY
from fallint.rules.registry import ERROR, Example, register


@register
class RefFileUnreadable(RefRule):
    code = "FAL104"
    name = "ref-file-unreadable"
    severity = ERROR
    summary = "The ref file is a directory, unreadable, binary or not UTF-8"
    what = """
        A `ref` that names a directory, a file that cannot be read (permissions, a
        symlink loop), a binary file, or a file that is not UTF-8 and declares no
        other encoding.
    """
    why = """
        fal must read and run the file: Python rejects source that is not valid
        UTF-8 (without a `# -*- coding: ... -*-` line) or contains NUL bytes, and
        fal cannot open a directory.
    """
    fix = "Point `ref` at the app's `.py` file, and save it as UTF-8 text."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps::Web"
            ''',
            files={"apps/web.py": WEB_APP_PY},
            expect=["2:7"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": b"import fal\n# caf\xe9\n"},
            expect=["2:7"],
            title="a Latin-1 file without a coding line",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/web.py::Web"
            ''',
            files={"apps/web.py": WEB_APP_PY},
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + WEB_APP_PY.encode()},
            title="a declared encoding",
        ),
    ]

    def check_target(self, app, target):
        result = target.result
        if result is None or result.error not in ("directory", "unreadable", "not-utf8"):
            return
        related = []
        if result.error == "directory":
            hint = None
            pys = sorted(p for p in app.project.files.listdir(target.path) if p.endswith(".py"))
            if len(pys) == 1:
                suffix = f"::{target.name}" if target.name is not None else ""
                hint = f'did you mean `ref = "{target.file_part.rstrip("/")}/{pys[0]}{suffix}"`?'
            message = f"`{target.file_part}` is a directory; `ref` must name a Python file"
        else:
            if result.line:
                related.append(Related(Location.point(target.path, result.line, result.column or 1),
                                       "the first byte that is not UTF-8"))
            message = f"`{target.file_part}` {result.message}: fal cannot run it"
            hint = "save the file as UTF-8 text" if result.error == "not-utf8" else None
        yield self.at(app, ("ref",), message, help=hint, related=related)
