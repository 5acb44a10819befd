"""``[tool.fallint]`` configuration, as written.

Everywhere a rule is named (CLI flags, config, inline comments) a selector
may be a code (``FAL503``), a code prefix (``FAL5``, ``FAL``), a kebab name
(``unknown-machine-type``) or ``ALL``.  Reading the configuration does not
need the rules: selectors are kept as written, with where they were written
(:attr:`Config.selectors`); :mod:`fallint.engine.selection` resolves them
against the registry and reports those that name no rule.

Problems with the configuration never raise: they are collected as
:class:`ConfigProblem` values (key path, message) that a 9xx rule turns
into diagnostics.
"""

from __future__ import annotations


from fallint.diagnostics import ERROR, SEVERITIES, WARNING
from fallint.util.records import dataclass, field
from fallint.util.suggest import did_you_mean

KNOWN_KEYS = (
    "select",
    "extend-select",
    "ignore",
    "per-app-ignores",
    "extra-machine-types",
    "fail-on",
    "fal-version",
)


@dataclass(frozen=True)
class ConfigProblem:
    keypath: tuple  # absolute key path in pyproject.toml
    message: str
    part: str = "value"
    help: str | None = None


@dataclass(frozen=True)
class SelectorUse:
    """A selector in the table: its text and position (key path, ``part``)."""

    selector: str
    keypath: tuple
    part: str = "value"


@dataclass
class Config:
    select: list[str] | None = None  # selectors; None = everything
    extend_select: list[str] = field(default_factory=list)
    ignore: list[str] = field(default_factory=list)
    per_app_ignores: dict[str, list[str]] = field(default_factory=dict)
    extra_machine_types: list[str] = field(default_factory=list)
    fail_on: str | None = None
    #: ``fal-version``: the fal release to judge by (checked by FAL905)
    fal_version: str | None = None
    problems: list[ConfigProblem] = field(default_factory=list)
    #: every selector written in the table, where (validated by the engine)
    selectors: list[SelectorUse] = field(default_factory=list)


BASE = ("tool", "fallint")


def parse_config(raw: object) -> Config:
    """Turn the ``[tool.fallint]`` table into a :class:`Config` plus problems."""
    cfg = Config()
    if raw is None:
        return cfg
    if not isinstance(raw, dict):
        cfg.problems.append(ConfigProblem(BASE, "[tool.fallint] must be a table"))
        return cfg
    for key, value in raw.items():
        path = BASE + (key,)
        norm = key.replace("_", "-")
        if norm not in KNOWN_KEYS:
            hint = did_you_mean(norm, KNOWN_KEYS)
            cfg.problems.append(
                ConfigProblem(
                    path,
                    f"unknown fallint setting `{key}`" + (f"; did you mean `{hint}`?" if hint else ""),
                    part="key",
                    help=f"known settings: {', '.join(KNOWN_KEYS)}",
                )
            )
            continue
        if norm in ("select", "extend-select"):
            sel = _selector_list(value, path, cfg)
            if sel is not None:
                if norm == "select":
                    cfg.select = sel
                else:
                    cfg.extend_select = sel
        elif norm == "ignore":
            if isinstance(value, dict):
                for code, reason in value.items():
                    if not isinstance(reason, str):
                        cfg.problems.append(
                            ConfigProblem(path + (code,), "the reason for an ignore must be a string")
                        )
                    cfg.selectors.append(SelectorUse(code, path + (code,), "key"))
                    cfg.ignore.append(code)
            else:
                sel = _selector_list(value, path, cfg)
                if sel is not None:
                    cfg.ignore = sel
        elif norm == "per-app-ignores":
            if not isinstance(value, dict):
                cfg.problems.append(
                    ConfigProblem(path, "per-app-ignores must be a table of app key -> list of rules")
                )
                continue
            for app, sels in value.items():
                sel = _selector_list(sels, path + (app,), cfg)
                if sel is not None:
                    cfg.per_app_ignores[app] = sel
        elif norm == "extra-machine-types":
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                cfg.extra_machine_types = list(value)
            else:
                cfg.problems.append(ConfigProblem(path, "extra-machine-types must be a list of strings"))
        elif norm == "fal-version":
            if isinstance(value, str) and value.strip():
                cfg.fal_version = value.strip()
            else:
                cfg.problems.append(
                    ConfigProblem(path, f"fal-version must be a version string (\"1.75.2\", \">=1.70\", \"latest\"), not {value!r}")
                )
        elif norm == "fail-on":
            if value in SEVERITIES:
                cfg.fail_on = value
            else:
                cfg.problems.append(
                    ConfigProblem(path, f"fail-on must be \"{ERROR}\" or \"{WARNING}\", not {value!r}")
                )
    return cfg


def _selector_list(value: object, path: tuple, cfg: Config) -> list[str] | None:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        name = ".".join(str(p) for p in path[len(BASE):])
        cfg.problems.append(ConfigProblem(path, f"`{name}` must be a list of rule codes, prefixes or names"))
        return None
    cfg.selectors.extend(SelectorUse(sel, path + (i,)) for i, sel in enumerate(value))
    return list(value)
