"""The base classes of the ref rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from fallint.diagnostics import Location, Related
from fallint.rules.registry import OncePerFile, Rule

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App, Project
from fallint.model.ref_target import RefTarget


class RefRule(Rule):
    """Base of the rules that look at each app's resolved ``ref``."""

    def check_project(self, project: "Project") -> Iterable:
        self._once = OncePerFile()
        for app in project.apps:
            target = app.ref_target
            if target is not None:
                yield from self.check_target(app, target)

    def check_target(self, app: "App", target: RefTarget) -> Iterable:
        return ()

    def in_python(self, app: "App", location: Location, message: str, help: str | None = None,
                  related: Iterable[Related] = ()) -> list:
        """A diagnostic in a Python file (as a list), reported once however
        many apps share the file: the first app checked owns it."""
        if not self._once.first(location, message):
            return []
        return [self.at_location(location, message, app=app.key, key=app.path + ("ref",), help=help,
                                 related=related)]
