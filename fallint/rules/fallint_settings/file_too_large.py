"""FAL904 `file-too-large`: a file an app names is over fallint's size limit and was not checked."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Iterator

from fallint.diagnostics import Diagnostic
from fallint.loading.files import MAX_BYTES
from fallint.model.ref_target import short
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App


class _Lazy:
    """A class attribute computed on first access (examples with large files
    must not cost every run the memory of building them)."""

    def __init__(self, make) -> None:
        self._make = make
        self._value = None

    def __get__(self, obj, owner=None):
        if self._value is None:
            self._value = self._make()
        return self._value


_WEB = '''
import fal


class Web(fal.App):
    @fal.endpoint("/")
    def run(self) -> dict:
        return {"ok": True}
'''


@register
class FileTooLarge(Rule):
    code = "FAL904"
    name = "file-too-large"
    severity = WARNING
    summary = "A file an app names is over fallint's size limit and was not checked"
    what = f"""
        The `ref` file, the `python_entry_point` module or the Dockerfile of an
        app is larger than fallint reads ({MAX_BYTES // (1024 * 1024)} MiB for
        Dockerfiles; 5 MiB or 20,000 lines for Python files).
    """
    why = """
        fallint bounds what it reads so that a hostile pull request cannot make
        it run for minutes or exhaust memory.  A file over the limit is not
        parsed, so none of the rules about it ran: this warning says so instead
        of passing silently.
    """
    fix = "Split the file (generated data belongs in a data file, not in the module fal imports)."
    invalid = _Lazy(lambda: [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": b"#" * (5 * 1024 * 1024 + 1)},
            expect=["2:7"],
        ),
    ])
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": _WEB},
        ),
    ]

    def check_project(self, project) -> Iterator[Diagnostic]:
        for app in project.apps:
            yield from self._check(app)

    def _check(self, app: "App") -> Iterator[Diagnostic]:
        if isinstance(app.table.get("ref"), str):
            target = app.ref_target
            result = target.result if target is not None else None
            if result is not None and result.error == "too-large":
                yield self.at(app, ("ref",), _message(target.file_part, result.message), help=_HELP)
        entry = app.table.get("python_entry_point")
        if isinstance(entry, str):
            module = entry.split(":", 1)[0].strip()
            if module and all(part.isidentifier() for part in module.split(".")):
                location = app.project.sources.module_file(module)
                if location.kind in ("module", "package") and location.path is not None:
                    result = app.project.sources.file(location.path)
                    if result.error == "too-large":
                        shown = _rel(app, location.path)
                        yield self.at(app, ("python_entry_point",), _message(shown, result.message), help=_HELP)
        build = app.build
        if build is not None and build.file.error == "too-large":
            yield self.at(app, ("image", "dockerfile"), _message(build.value, build.file.message), help=_HELP)


_HELP = "split the file, or check it by other means: fallint did not read it"


def _message(path: str, why: str | None) -> str:
    return f"{code(short(path, 80))} {why or 'is too large'}: fallint did not check it"


def _rel(app: "App", path) -> str:
    try:
        return os.path.relpath(path, app.project.root).replace(os.sep, "/")
    except ValueError:
        return str(path)
