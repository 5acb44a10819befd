"""FAL424 `dockerfile-outside-project`: image.dockerfile points outside the project directory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from fallint.diagnostics import Diagnostic
from fallint.model.ref_target import short
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import WARNING, Example, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.build import Build


@register
class DockerfileOutsideProject(BuildRule):
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
                f"image.dockerfile {code(short(build.value, 80))} is outside the project directory: "
                "fallint does not read it, and deploying works only where it exists",
                help="keep the Dockerfile inside the directory of pyproject.toml",
            )
