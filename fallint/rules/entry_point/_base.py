"""The base classes of the entry_point rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.rules.registry import Rule

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.model.project import App
from fallint.model.entry_point import KEY, EntryPoint


class EntryPointRule(Rule):
    """Base: runs :meth:`check_entry_point` for each app with a string ``python_entry_point``."""

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        ep = app.entry_point
        if ep is not None:
            yield from self.check_entry_point(app, ep)

    def check_entry_point(self, app: "App", ep: EntryPoint) -> Iterator["Diagnostic"]:
        return iter(())

    def report(self, app: "App", ep: EntryPoint, part: str, message: str, **kwargs) -> "Diagnostic":
        return self.at_location(ep.span(part), message, app=app.key, key=app.path + (KEY,), **kwargs)
