"""The base classes of the requirements rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.rules.registry import Rule

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.formats.requirements import (
        ReqProblem,
    )
    from fallint.model.project import App
from fallint.model.requirement_layers import (
    USE_UV,
    AppRequirements,
    Layer,
)


class RequirementsRule(Rule):
    """Base: runs :meth:`check_requirements` for each app whose list fal uses."""

    #: the uses this rule applies to
    uses: frozenset[str] = frozenset({USE_UV})

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        reqs = app.requirements
        if reqs is not None and reqs.use in self.uses:
            yield from self.check_requirements(reqs)

    def check_requirements(self, reqs: AppRequirements) -> Iterator["Diagnostic"]:
        return iter(())

    def element(self, reqs: AppRequirements, layer: Layer, index: int, message: str,
                start: int | None = None, end: int | None = None, **kwargs) -> "Diagnostic":
        """A diagnostic at element ``index`` of ``layer`` (characters ``[start, end)``)."""
        loc = reqs.location(layer, index, start, end)
        return self.at_location(loc, message, app=reqs.app.key, key=reqs.app.path + layer.element(index), **kwargs)

    def problem(self, reqs: AppRequirements, layer: Layer, p: "ReqProblem", message: str,
                **kwargs) -> "Diagnostic":
        if p.index < 0:
            return self.at_location(reqs.layer_location(layer), message, app=reqs.app.key,
                                    key=reqs.app.path + layer.path, **kwargs)
        return self.element(reqs, layer, p.index, message, p.start, p.end, **kwargs)
