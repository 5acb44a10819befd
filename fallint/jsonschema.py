"""A JSON Schema for ``[tool.fal]``, generated from the facts the schema rules use.

Types, allowed values, ranges and key sets come from :mod:`fallint.model.fal`
(the same tables ``FAL0xx``, ``FAL40x`` and ``FAL50x`` read); only the hover
texts are written here.  The schema is strict exactly where fal (or its
server) rejects a table -- the error-severity rules in :data:`SCHEMA_RULES`
-- and never for what fallint only warns about (an unknown machine type,
``no_scale``, which is marked ``deprecated`` instead).

The generated file is committed as :data:`SCHEMA_FILE` (package data: the
validate-pyproject plugin reads it) and a test fails when it is stale::

    python -m fallint.jsonschema            # rewrite it
    python -m fallint.jsonschema --check    # exit 1 when it is stale
    fallint schema                          # print it

``fallint schema --fal-version X`` prints the schema of what fal release X
accepts instead (:func:`release_schema`, from the release table of
:mod:`fallint.releases`): the keys X's loader reads, closed
(``additionalProperties: false``) only where X raises on unknown keys; the
value types and choices stay those of the newest release.

It has no ``$id`` (see :func:`build_schema`).  Draft-07, the newest draft that validate-pyproject (fastjsonschema), taplo
and SchemaStore's editors all read.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from fallint.model import fal

__all__ = ["SCHEMA_FILE", "SCHEMA_ID", "SCHEMA_RULES", "build_schema", "release_schema", "render_schema"]

SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "partial-fal.json"
from fallint.pyproject_plugin import SCHEMA_ID  # where the committed schema is published
DOCS_URL = "https://github.com/fallint/fallint/blob/main/rules.md"
FAL_DOCS = "https://docs.fal.ai/serverless"

#: The rules whose error-severity diagnostics the schema reproduces: a
#: ``[tool.fal]`` table is valid under the schema exactly when fallint
#: reports no error with one of these codes on it (tested on every example).
SCHEMA_RULES = (
    "FAL002", "FAL003", "FAL004", "FAL005", "FAL006", "FAL007", "FAL011", "FAL012",
    "FAL014", "FAL301", "FAL401", "FAL402", "FAL403", "FAL404", "FAL405", "FAL502",
)

# -- hover texts (markdown; the plain `description` drops the backticks) ------

APP_DOCS: dict[str, str] = {
    "ref": "The Python file to run, `path/to/file.py` or `path/to/file.py::Name` (a `fal.App` subclass or a `@fal.function`), relative to the pyproject directory.",
    "python_entry_point": "`<module>:<symbol>` of an installed module (the worker imports it after installing `requirements`). Not together with `ref`.",
    "name": "The deployed app name (defaults to the table key).",
    "auth": "Who may call the app: `private`, `public` or `shared`.",
    "team": "The team slug to deploy under (`--team` on the command line overrides it).",
    "deployment_strategy": "How a new deployment replaces the old one: `rolling` or `recreate`.",
    "app_scale_settings": "Apply this table's scaling settings on deploy (`false` keeps those of the deployed app).",
    "no_scale": "Deprecated: use `app_scale_settings` (`no_scale = true` means `app_scale_settings = false`). Not together with `app_scale_settings`.",
    "requirements": "Packages to install: a list of requirement strings (uv pip install syntax), or a list of lists (install layers). Ignored for `ref` apps, whose class sets the requirements.",
    "requirements_context_dir": "Base directory for local-path requirements, relative to the pyproject directory.",
    "python_version": "The Python version of the environment, as a string such as `\"3.12\"`.",
    "machine_type": "A fal machine type (CPU `XS` `S` `M` `L` `XL`, GPU `GPU-H100` ...), or a list of them in fallback order.",
    "num_gpus": "The number of GPUs (GPU machine types only).",
    "regions": "Regions to run in.",
    "min_concurrency": "Runners kept warm at all times.",
    "max_concurrency": "The most runners the app scales to.",
    "max_multiplexing": "Requests one runner serves at once.",
    "concurrency_buffer": "Extra idle runners kept ready.",
    "concurrency_buffer_perc": "Extra idle runners kept ready, as a percentage of the busy ones.",
    "scaling_delay": "Seconds to wait before scaling up.",
    "request_timeout": "Seconds a request may take.",
    "request_start_timeout": "Seconds a request may wait for a runner.",
    "startup_timeout": "Seconds a runner may take to start.",
    "keep_alive": "Seconds an idle runner is kept.",
    "termination_grace_period_seconds": "Seconds a runner gets to finish when it is stopped.",
    "private_logs": "Keep the app's logs private.",
    "exposed_port": "The port the app serves on (0-65535).",
    "metrics_port": "The port the app serves metrics on (0-65535).",
    "app_files": "Files and directories to upload with the app (not with an `image`).",
    "app_files_ignore": "Regular expressions of `app_files` paths not to upload.",
    "app_files_context_dir": "The directory `app_files` are relative to (only with `app_files`).",
    "skip_retry_conditions": "Failures after which a request is not retried.",
    "retry_config": "Retries per failure condition: `timeout = { retries = 3 }`.",
    "secrets": "Names of fal secrets to expose to the app.",
    "data_mounts": "Data mounts to attach.",
    "health_check": "An HTTP health check: `{ path = \"/health\" }` plus optional timings.",
    "image": "Run in a container: build `dockerfile` or pull `image` (exactly one).",
    "_scheduler": "Internal: the scheduler to use.",
    "_scheduler_options": "Internal: scheduler options.",
}
HEALTH_CHECK_DOCS: dict[str, str] = {
    "path": "The path to request, such as `/health` (required).",
    "start_period_seconds": "Seconds after start-up before failures count.",
    "timeout_seconds": "Seconds one check may take.",
    "failure_threshold": "Failed checks before the runner is replaced.",
    "call_regularly": "Call the check regularly, not only at start-up.",
    "method": "The HTTP method of the check.",
}
IMAGE_DOCS: dict[str, str] = {
    "dockerfile": "The Dockerfile to build, relative to the pyproject directory (the build context). Not together with `image`.",
    "image": "A container image reference to pull, such as `python:3.12-slim`. Not together with `dockerfile`.",
    "build_args": "Build arguments (`ARG`s) for the Dockerfile; only with `dockerfile`.",
    "secrets": "Build-time secrets (values starting with `$` name fal secrets); only with `dockerfile`.",
    "registries": "Credentials per registry host: `{ \"ghcr.io\" = { username = \"...\", password = \"$TOKEN\" } }`.",
    "entrypoint": "The container entrypoint (a string or a list of strings).",
    "cmd": "The container command (a string or a list of strings).",
}
REGISTRY_DOCS: dict[str, str] = {
    "username": "The registry user name.",
    "password": "The registry password; take it from a fal secret (`\"$REGISTRY_TOKEN\"`).",
}
RETRY_ENTRY_DOCS: dict[str, str] = {"retries": "How many times to retry."}

#: the rule whose documentation a key's hover text links to
KEY_RULES: dict[str, str] = {
    "ref": "FAL101",
    "python_entry_point": "FAL201",
    "auth": "FAL011",
    "deployment_strategy": "FAL011",
    "regions": "FAL011",
    "skip_retry_conditions": "FAL011",
    "no_scale": "FAL501",
    "requirements": "FAL301",
    "machine_type": "FAL503",
    "num_gpus": "FAL504",
    "exposed_port": "FAL012",
    "metrics_port": "FAL012",
    "app_files": "FAL401",
    "app_files_context_dir": "FAL402",
    "retry_config": "FAL007",
    "health_check": "FAL007",
    "image": "FAL403",
}

#: allowed values per key (FAL011), from fal's own tables
_CHOICES = {"auth": fal.AUTH_MODES, "deployment_strategy": fal.DEPLOYMENT_STRATEGIES}
_LIST_CHOICES = {"regions": fal.REGIONS, "skip_retry_conditions": fal.RETRY_CONDITIONS}


def _rule_url(code: str) -> str:
    from fallint.rules.registry import get_rule

    rule = get_rule(code)
    return f"{DOCS_URL}#{rule.anchor()}" if rule is not None else DOCS_URL


def _kind(kind: Any) -> dict:
    """The JSON Schema of a :class:`fallint.model.fal.Kind` (FAL004, FAL301)."""
    strings = {"type": "array", "items": {"type": "string"}}
    table = {
        id(fal.STR): {"type": "string"},
        id(fal.INT): {"type": "integer"},
        id(fal.BOOL): {"type": "boolean"},
        id(fal.TABLE): {"type": "object"},
        id(fal.STR_LIST): strings,
        id(fal.STR_OR_STR_LIST): {"type": ["string", "array"], "items": {"type": "string"}},
        id(fal.REQUIREMENTS): {
            "type": "array",
            "anyOf": [
                {"items": {"type": "string"}},
                {"items": strings},
            ],
        },
        id(fal.STR_TABLE): {"type": "object", "additionalProperties": {"type": "string"}},
    }
    try:
        return dict(table[id(kind)])
    except KeyError:  # a new Kind in fallint.model.fal: teach it here
        raise ValueError(f"no JSON Schema for value kind {kind.name!r}") from None


def _plain(markdown: str) -> str:
    return markdown.replace("`", "")


def _described(schema: dict, markdown: str, rule: str | None = None) -> dict:
    """``schema`` with ``description``, ``markdownDescription`` and a docs link."""
    out = {"description": _plain(markdown), "markdownDescription": markdown}
    if rule is not None:
        url = _rule_url(rule)
        out["markdownDescription"] = f"{markdown}\n\n[fallint {rule}]({url})"
        out["x-taplo"] = {"links": {"key": url}}
    out.update(schema)
    return out


def _table(keys: dict, docs: dict, refine: dict | None = None, rules: dict | None = None) -> dict:
    """A closed table (FAL003) whose properties have the types of ``keys`` (FAL004)."""
    missing = set(keys) ^ set(docs)
    if missing:
        raise ValueError(f"hover texts and fal's keys differ: {sorted(missing)}")
    props = {}
    for key, kind in keys.items():
        prop = _kind(kind)
        prop.update((refine or {}).get(key, {}))
        props[key] = _described(prop, docs[key], (rules or {}).get(key))
    return {"type": "object", "properties": props, "additionalProperties": False}


def build_schema() -> dict:
    """The JSON Schema of ``[tool.fal]`` (a new dict on each call)."""
    port = {"minimum": 0, "maximum": 65535}
    refine: dict[str, dict] = {
        **{k: {"enum": list(v)} for k, v in _CHOICES.items()},
        **{k: {"items": {"type": "string", "enum": list(v)}} for k, v in _LIST_CHOICES.items()},
        **{k: dict(port) for k in fal.PORT_KEYS},
        "machine_type": {"examples": list(fal.MACHINE_TYPES)},
        "no_scale": {
            "deprecated": True,
            "deprecationMessage": "no_scale is deprecated: use app_scale_settings (with the opposite value)",
        },
        "_scheduler": {"minLength": 1},
        "health_check": {"$ref": "#/definitions/health_check"},
        "image": {"$ref": "#/definitions/image"},
        "retry_config": {"$ref": "#/definitions/retry_config"},
        "python_version": {"examples": ["3.10", "3.11", "3.12", "3.13"]},
    }
    app = _table(fal.APP_KEYS, APP_DOCS, refine, KEY_RULES)
    # draft-07 ignores the siblings of "$ref": keep only the reference and the texts
    for key in ("health_check", "image", "retry_config"):
        app["properties"][key].pop("type")
    app["description"] = "A fal app: `fal run KEY` / `fal deploy KEY` run it."
    app["markdownDescription"] = app["description"] + f"\n\n[fal docs]({FAL_DOCS})"
    app["anyOf"] = [{"required": [k]} for k in ("ref", "python_entry_point", "image")]  # FAL005
    app["allOf"] = [
        {"not": {"required": ["ref", "python_entry_point"]}},  # FAL006
        {"not": {"required": ["no_scale", "app_scale_settings"]}},  # FAL502
        # FAL401: a non-empty app_files together with an image
        {"not": {"required": ["app_files", "image"], "properties": {"app_files": {"minItems": 1}}}},
    ]
    app["dependencies"] = {"app_files_context_dir": ["app_files"]}  # FAL402

    health_check = _table(fal.HEALTH_CHECK_KEYS, HEALTH_CHECK_DOCS)
    health_check["required"] = ["path"]  # FAL007
    image = _table(
        fal.IMAGE_KEYS,
        IMAGE_DOCS,
        {
            "image": {"pattern": r"\S"},  # FAL014: non-blank
            "registries": {"additionalProperties": {"$ref": "#/definitions/registry"}},
        },
    )
    image["oneOf"] = [{"required": ["dockerfile"]}, {"required": ["image"]}]  # FAL403
    image["dependencies"] = {"build_args": ["dockerfile"], "secrets": ["dockerfile"]}  # FAL404
    registry = _table(fal.REGISTRY_KEYS, REGISTRY_DOCS)
    registry["required"] = ["password", "username"]  # FAL405
    retry_entry = _table(fal.RETRY_ENTRY_KEYS, RETRY_ENTRY_DOCS)
    retry_entry["required"] = ["retries"]  # FAL007
    retry_config = {
        "type": "object",
        "propertyNames": {"enum": list(fal.RETRY_CONDITIONS)},  # FAL011
        "additionalProperties": {"$ref": "#/definitions/retry_entry"},
    }

    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        # no "$id": its "#/definitions/..." references would then resolve
        # against the URL, which taplo fetches even when given a local file.
        # The validate-pyproject plugin adds SCHEMA_ID (it requires an "$id").
        "title": "fal apps",
        "description": (
            "The [tool.fal] table of pyproject.toml: fal.ai serverless apps. "
            "Generated by fallint from the facts its rules check."
        ),
        "markdownDescription": (
            "The `[tool.fal]` table of `pyproject.toml`: [fal.ai](https://fal.ai) serverless apps. "
            f"Generated by [fallint]({DOCS_URL}) from the facts its rules check."
        ),
        "type": "object",
        "properties": {
            "apps": {
                "description": "The apps, one table each: [tool.fal.apps.KEY].",
                "markdownDescription": f"The apps, one table each: `[tool.fal.apps.KEY]`.\n\n[fal docs]({FAL_DOCS})",
                "type": "object",
                "additionalProperties": {"$ref": "#/definitions/app"},  # FAL002
            }
        },
        "definitions": {
            "app": app,
            "health_check": health_check,
            "image": image,
            "registry": registry,
            "retry_config": retry_config,
            "retry_entry": retry_entry,
        },
    }


def release_schema(releases: list[str]) -> dict:
    """The schema of what fal ``releases`` accept (one release, or every one a
    series or specifier admits): a key is allowed when one of them accepts it,
    and a table is closed only when all of them reject unknown keys (FAL016).
    Value types and choices are the newest release's."""
    from fallint import releases as rel

    schema = build_schema()
    what = rel.summarize(releases)
    definitions = schema["definitions"]
    schema["title"] = f"fal apps (fal {what})"
    note = f" Keys as fal {what} reads them (from fallint's release table)."
    schema["description"] += note
    schema["markdownDescription"] += note
    for table in ("app", "image", "health_check"):
        definition = definitions[table]
        reading = [r for r in releases if rel.table_checked(r, table)]
        if not reading:
            if table == "app":  # nothing reads [tool.fal.apps]: no constraint at all
                text = f"fal {what} does not read [tool.fal.apps] (it needs fal >= {rel.ranges(rel.data()['toml']['app']['present'])[0][0]})."
                definitions[table] = {"type": "object", "description": text, "markdownDescription": text}
            continue
        read = {k for r in reading for k in rel.known_keys(r, table)}
        definition["properties"] = {k: v for k, v in definition["properties"].items() if k in read}
        if not all(rel.table_strict(r, table) for r in reading):
            definition.pop("additionalProperties", None)  # unknown keys are ignored, not rejected
    return schema


def schema_for_version(value: str) -> dict:
    """:func:`release_schema` for a ``--fal-version`` value (a version, a series,
    a specifier or ``latest``); ``ValueError`` with the reason when it names no
    known release."""
    from fallint import releases as rel
    from fallint.model.fal_release import check_version_choice

    problem = check_version_choice(value)
    if problem is not None:
        message, hint = problem
        raise ValueError(message + (f" (did you mean {hint}?)" if hint else ""))
    from fallint.releases.pins import _override

    found = _override(value, [])
    if not found:
        raise ValueError(f"`{value}` names no known fal release")
    return release_schema([r for r in rel.known_releases() if r in set(found)])


def render_schema(fal_version: str | None = None) -> str:
    """The schema as the committed file holds it (that of ``fal_version`` when given)."""
    schema = build_schema() if fal_version is None else schema_for_version(fal_version)
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str] | None = None) -> int:
    import argparse
    import sys

    parser = argparse.ArgumentParser(prog="python -m fallint.jsonschema", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when the committed schema is stale")
    args = parser.parse_args(argv)
    text = render_schema()
    current = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else None
    if args.check:
        if current != text:
            print(f"{SCHEMA_FILE} is stale: run `python -m fallint.jsonschema`", file=sys.stderr)
            return 1
        return 0
    if current != text:
        SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
        SCHEMA_FILE.write_text(text, encoding="utf-8")
        print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
