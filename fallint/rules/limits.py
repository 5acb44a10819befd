"""Hostile or oversized input: files fallint will not read.

* FAL424 -- ``image.dockerfile`` leaves the project directory: the file is
  not read (its lines would be quoted in diagnostics), and the build is not
  analysed;
* FAL904 -- a file an app names (its ``ref`` file, its entry-point module,
  its Dockerfile) is larger than fallint's read limit: it is not checked,
  and saying so beats a silent pass.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Iterator

from ..diagnostics import Diagnostic
from ..files import MAX_BYTES
from ..registry import WARNING, Example, Rule, register
from ..text import code
from .image import _BuildRule, build_of

if TYPE_CHECKING:
    from ..project import App
    from .image import Build


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
class DockerfileOutsideProject(_BuildRule):
    code = "FAL424"
    name = "dockerfile-outside-project"
    severity = WARNING
    needs_build = False  # fal reads the Dockerfile while loading the app
    summary = "image.dockerfile points outside the project directory"
    what = """
        An `image.dockerfile` path that leaves the directory of pyproject.toml:
        `../docker/Dockerfile`, an absolute path elsewhere, or a symlink leading out.
    """
    why = """
        fal reads whatever file the path reaches, so the build depends on the
        machine it is deployed from: a clone of the repository or a CI runner
        does not have that file.  fallint does not read it either (a pull
        request could point it at any file of the machine and have its lines
        quoted in the report), so the Dockerfile is not checked.
    """
    fix = "Keep the Dockerfile inside the project, next to pyproject.toml or below it."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "/etc/hostname"
            ''',
            expect=["2:14"],
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "docker/../Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n"},
        ),
    ]

    def check_build(self, build: "Build") -> Iterable[Diagnostic]:
        if build.file.error == "outside":
            yield self.at(
                build.app,
                ("image", "dockerfile"),
                f"image.dockerfile {code(_short(build.value))} is outside the project directory: "
                "fallint does not read it, and deploying works only where it exists",
                help="keep the Dockerfile inside the directory of pyproject.toml",
            )


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
        from .ref import ref_target

        if isinstance(app.table.get("ref"), str):
            target = ref_target(app)
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
        build = build_of(app)
        if build is not None and build.file.error == "too-large":
            yield self.at(app, ("image", "dockerfile"), _message(build.value, build.file.message), help=_HELP)


_HELP = "split the file, or check it by other means: fallint did not read it"


def _message(path: str, why: str | None) -> str:
    return f"{code(_short(path))} {why or 'is too large'}: fallint did not check it"


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _rel(app: "App", path) -> str:
    import os

    try:
        return os.path.relpath(path, app.project.root).replace(os.sep, "/")
    except ValueError:
        return str(path)
