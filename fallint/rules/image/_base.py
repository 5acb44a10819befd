"""The base classes of the image rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from fallint.diagnostics import Diagnostic, Location
from fallint.rules.registry import OncePerFile, Rule

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import Project
from fallint.model.build import Build, image_is_built


class BuildRule(Rule):
    """A rule about an app's Dockerfile build (``check_build``).

    A diagnostic inside a Dockerfile (not the pyproject) that an earlier app
    sharing the Dockerfile already produced is dropped.  Rules about the
    build itself (``needs_build``) skip apps whose image fal never builds.
    """

    #: False for problems fal hits while *loading* the config (a missing Dockerfile)
    needs_build = True

    def check_project(self, project: "Project") -> Iterable[Diagnostic]:
        once = OncePerFile()
        for app in project.apps:
            build = app.build
            if build is None or (self.needs_build and not image_is_built(app)):
                continue
            for diag in self.check_build(build):
                if diag.location.path == project.pyproject_path or once.first(diag.location, diag.message):
                    yield diag

    def check_build(self, build: Build) -> Iterable[Diagnostic]:
        return ()

    def in_dockerfile(
        self, build: Build, location: Location, message: str, help: str | None = None
    ) -> Diagnostic:
        return self.at_location(
            location,
            message,
            app=build.app.key,
            key=build.keypath,
            help=help,
            related=build.related(),
        )
