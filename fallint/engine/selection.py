"""The rules a run enables for one project: ``[tool.fallint]`` merged with
the command line, resolved against the rule registry.

Selectors that name no rule are reported (FAL901) at the position they are
written; they select nothing.
"""

from __future__ import annotations

from fallint.diagnostics import ERROR
from fallint.loading.config import Config, ConfigProblem
from fallint.rules.registry import iter_codes, resolve_selector
from fallint.util.records import dataclass, field


@dataclass
class Selection:
    """The effective rule set for one project (config merged with CLI overrides)."""

    enabled: set[str]
    per_app_disabled: dict[str, set[str]]
    fail_on: str
    #: the config's selectors that name no rule
    problems: list[ConfigProblem] = field(default_factory=list)

    def active(self, code: str, app: str | None) -> bool:
        if code not in self.enabled:
            return False
        if app is not None and code in self.per_app_disabled.get(app, ()):
            return False
        return True


def expand(selectors: list[str]) -> set[str]:
    """The codes ``selectors`` name (those that name none add nothing)."""
    out: set[str] = set()
    for sel in selectors:
        out.update(resolve_selector(sel) or ())
    return out


def selector_problems(cfg: Config) -> list[ConfigProblem]:
    """A problem for each selector in ``cfg`` that names no rule."""
    return [
        ConfigProblem(
            use.keypath,
            f"`{use.selector}` names no fallint rule",
            part=use.part,
            help="use a code (FAL503), a prefix (FAL5) or a rule name; see `fallint rules`",
        )
        for use in cfg.selectors
        if resolve_selector(use.selector) is None
    ]


def selection(
    cfg: Config,
    *,
    cli_select: list[str] | None = None,
    cli_extend_select: list[str] | None = None,
    cli_ignore: list[str] | None = None,
    cli_fail_on: str | None = None,
) -> Selection:
    base = cli_select if cli_select is not None else cfg.select
    enabled = expand(base) if base is not None else set(iter_codes())
    enabled |= expand(cfg.extend_select)
    enabled |= expand(cli_extend_select or [])
    enabled -= expand(cfg.ignore)
    enabled -= expand(cli_ignore or [])
    per_app = {app: expand(sels) for app, sels in cfg.per_app_ignores.items()}
    fail_on = cli_fail_on or cfg.fail_on or ERROR
    return Selection(enabled, per_app, fail_on, selector_problems(cfg))
