"""FAL424 `dockerfile-outside-project`: image.dockerfile points outside the project directory."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from fallint.diagnostics import Diagnostic
from fallint.model.ref_target import short
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import WARNING, Example, Symlink, register
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
        `../docker/Dockerfile`, an absolute path elsewhere, or a symlink leading out;
        and a `.dockerignore` of the build context that is a symlink leading out.
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
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\n", ".dockerignore": Symlink("/etc/hosts")},
            expect=["2:14"],
            title="a .dockerignore leading out of the project",
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
        project = build.app.project
        # one .dockerignore per project: reported for the first app that builds with it
        if build.file.ok and build.ignore.outside and project.memo(
            ("dockerignore-outside-owner",), lambda: build.app.key
        ) == build.app.key:
            yield self.at(
                build.app,
                ("image", "dockerfile"),
                "the build context's .dockerignore is a symbolic link leading out of the project "
                "directory: fallint does not read it, and deploying works only where its target exists",
                help="keep .dockerignore a regular file inside the directory of pyproject.toml",
            )
        if build.file.error == "outside":
            yield self.at(
                build.app,
                ("image", "dockerfile"),
                f"image.dockerfile {code(short(build.value, 80))} is outside the project directory: "
                "fallint does not read it, and deploying works only where it exists",
                help="keep the Dockerfile inside the directory of pyproject.toml",
            )
