"""FAL410 `dockerfile-unreadable`: image.dockerfile is missing, a directory, unreadable or empty."""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

from fallint.loading import fs
from fallint.diagnostics import Diagnostic
from fallint.loading.files import is_file
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import ERROR, Example, register
from fallint.util.suggest import did_you_mean
from fallint.util.text import code


@register
class DockerfileUnreadable(BuildRule):
    code = "FAL410"
    needs_build = False  # fal opens the Dockerfile while loading the app
    name = "dockerfile-unreadable"
    severity = ERROR
    summary = "image.dockerfile is missing, a directory, unreadable or empty"
    what = """
        An `image.dockerfile` that does not name a readable, non-empty text file:
        the path does not exist, is a directory, cannot be read, is not UTF-8 text,
        is binary, or is empty / only whitespace.
    """
    why = """
        fal reads the Dockerfile when it loads the app, relative to the pyproject
        directory. It raises `image.dockerfile not found` for a missing file and
        `Invalid dockerfile: Dockerfile is required` for a blank one; a directory,
        an unreadable or undecodable file makes the read itself fail.
    """
    fix = "Point `image.dockerfile` at the Dockerfile, relative to the directory of pyproject.toml."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "docker/Dockerfile" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n"},
            expect=["3:24"],
        ),
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "\n  \n"},
            expect=["2:14"],
            title="blank Dockerfile",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "docker/Dockerfile" }
            ''',
            files={"docker/Dockerfile": "FROM python:3.12-slim\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        problem = self._problem(build)
        if problem is not None:
            message, help = problem
            yield self.at(build.app, ("image", "dockerfile"), message, help=help)

    @staticmethod
    def _problem(build: Build) -> tuple[str, str | None] | None:
        shown = code(build.value)
        file = build.file
        if not build.value.strip():
            return (
                "image.dockerfile is empty: fal opens the project directory instead of a "
                "Dockerfile and fails",
                'set it to the Dockerfile\'s path, e.g. `dockerfile = "Dockerfile"`',
            )
        if file.error == "missing":
            return (
                f"Dockerfile {shown} does not exist (fal raises `image.dockerfile not found`)",
                _suggest_dockerfile(build),
            )
        if file.error == "directory":
            inner = build.path / "Dockerfile"
            help = (
                f"did you mean {code(build.value.rstrip('/') + '/Dockerfile')}?"
                if fs.isfile(inner)
                else "point image.dockerfile at the Dockerfile inside it"
            )
            return f"image.dockerfile {shown} is a directory, not a Dockerfile", help
        if file.error in ("unreadable", "not-utf8", "binary"):
            help = "save the Dockerfile as UTF-8 text" if file.error == "not-utf8" else None
            return f"Dockerfile {shown} {file.message}; fal cannot read it", help
        if file.text is not None and not file.text.strip():
            return (
                f"Dockerfile {shown} is empty (fal raises `Invalid dockerfile: Dockerfile is "
                "required`)",
                "write the build instructions, starting with `FROM <base image>`",
            )
        return None  # readable (or too large to check)


def _suggest_dockerfile(build: Build) -> str | None:
    parent = build.path.parent
    names = [n for n in build.project.files.listdir(parent) if is_file(parent / n)]
    close = did_you_mean(build.path.name, names)
    if close is None:
        return None
    rel = Path(build.value).parent / close
    return f"did you mean {code(rel.as_posix())}?"
