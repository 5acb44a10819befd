"""What each ``[tool.fal.apps.<key>]`` key means, for editors (hover, completion).

Facts from ``fal-apps-reference.md`` (fal 1.83.0); types and allowed values
come from :mod:`fallint.model.fal` so the two cannot disagree.
"""

from __future__ import annotations

from fallint.model import fal
from fallint.util.records import dataclass

#: the fal release these facts describe
FAL_RELEASE = "1.83.0"


@dataclass(frozen=True)
class KeyDoc:
    key: str
    kind: str  # "a string", "an integer", ... (fal.Kind.name)
    summary: str  # what fal does with it
    allowed: tuple[str, ...] = ()
    default: str | None = None
    enforced: str = ""  # who rejects a bad value: "fal raises", "server", ...


_CONCURRENCY = "Autoscaling setting passed to fal's server as is."

_DOCS: dict[str, tuple[str, tuple[str, ...], str | None, str]] = {
    # key: (summary, allowed values, default, who enforces)
    "ref": (
        "The Python file fal executes (`path/to/file.py`, relative to the pyproject directory), "
        "optionally `::Name` of the `fal.App` subclass or `@fal.function` to deploy. Without "
        "`::Name` the file must define exactly one `fal.App` subclass (else one `@fal.function`).",
        (), None, "fal raises",
    ),
    "python_entry_point": (
        "`<module>:<symbol>` imported by the worker after installing `requirements` (not imported "
        "locally): the project itself must be in `requirements`. Exclusive with `ref`.",
        (), None, "fal raises",
    ),
    "name": ("The deployed app name.", (), "the table key", "server"),
    "auth": ("Who may call the deployed app.", fal.AUTH_MODES, None, "server"),
    "team": ("Team slug the app is deployed under (a CLI `--team` overrides it).", (), None, "server"),
    "deployment_strategy": ("How a new revision replaces the old one.", fal.DEPLOYMENT_STRATEGIES, None, "server"),
    "app_scale_settings": ("Whether deploying applies the scaling settings of this table.", (), None, ""),
    "no_scale": (
        "**Deprecated** (fal prints a warning): the opposite of `app_scale_settings`; setting both makes fal raise.",
        (), None, "fal warns",
    ),
    "requirements": (
        "pip requirements installed into the app's environment: a list of strings, or a list of lists "
        "(install layers). Ignored for a `ref` app: the class's `requirements` win.",
        (), "[]", "fal raises",
    ),
    "requirements_context_dir": (
        "Base directory of local-path requirements, relative to the pyproject directory.", (), None, "fal raises",
    ),
    "python_version": ("Python version of the app's environment, such as `\"3.12\"`.", (), None, "fal raises"),
    "machine_type": (
        "Machine the app runs on, or a list tried in order. A value the class sets wins over this one.",
        fal.MACHINE_TYPES, "S", "server",
    ),
    "num_gpus": ("Number of GPUs; only meaningful on GPU machine types.", (), None, "server"),
    "regions": ("Regions the app may run in.", fal.REGIONS, None, "fal raises"),
    "min_concurrency": (_CONCURRENCY, (), None, "server"),
    "max_concurrency": (_CONCURRENCY, (), None, "server"),
    "max_multiplexing": (_CONCURRENCY, (), None, "server"),
    "concurrency_buffer": (_CONCURRENCY, (), None, "server"),
    "concurrency_buffer_perc": (_CONCURRENCY, (), None, "server"),
    "scaling_delay": (_CONCURRENCY, (), None, "server"),
    "request_timeout": ("Request timeout in seconds.", (), None, "server"),
    "request_start_timeout": ("Seconds a request may wait to start.", (), None, "server"),
    "startup_timeout": ("Seconds a runner may take to start.", (), None, "server"),
    "keep_alive": ("Seconds an idle runner is kept (a bool is rejected).", (), None, "fal raises"),
    "termination_grace_period_seconds": ("Seconds a runner gets to shut down.", (), None, "fal raises"),
    "private_logs": ("Keep the app's logs private.", (), None, "fal raises"),
    "exposed_port": ("Port (0-65535) the app serves on.", (), None, "fal raises"),
    "metrics_port": ("Port (0-65535) of the app's metrics.", (), None, "fal raises"),
    "app_files": (
        "Paths uploaded with the app. Not allowed together with `image`; a fallback when the class sets none.",
        (), None, "fal raises",
    ),
    "app_files_ignore": ("Regular expressions of `app_files` paths not uploaded.", (), None, "fal raises"),
    "app_files_context_dir": (
        "Base directory of `app_files` (only with `app_files`), relative to the pyproject directory.",
        (), None, "fal raises",
    ),
    "skip_retry_conditions": ("Failures not retried.", fal.RETRY_CONDITIONS, None, "fal raises"),
    "retry_config": (
        "Table: condition (`timeout`, `server_error`, `connection_error`) -> `{ retries = <int> }`.",
        (), None, "fal raises",
    ),
    "secrets": ("Names of fal secrets the app reads.", (), None, "fal raises"),
    "data_mounts": ("Data mounts of the app.", (), None, "fal raises"),
    "health_check": (
        "Table: `path` (required), `start_period_seconds`, `timeout_seconds`, `failure_threshold`, "
        "`call_regularly`, `method`. Ignored when a route decorator passes a health check.",
        (), None, "fal raises",
    ),
    "image": (
        "Container image: exactly one of `dockerfile` (path relative to the pyproject directory; its "
        "COPY/ADD sources are uploaded) or `image` (a prebuilt image reference); plus `build_args`, "
        "`secrets`, `registries`, `entrypoint`, `cmd`. Ignored for a `ref` app.",
        (), None, "fal raises",
    ),
    "_scheduler": ("Internal scheduler name (non-empty string).", (), None, "fal raises"),
    "_scheduler_options": ("Internal scheduler options.", (), None, "fal raises"),
}


def key_doc(key: str) -> KeyDoc | None:
    """The documentation of app key ``key`` (None for keys fal does not accept)."""
    kind = fal.APP_KEYS.get(key)
    entry = _DOCS.get(key)
    if kind is None or entry is None:
        return None
    summary, allowed, default, enforced = entry
    return KeyDoc(key, kind.name, summary, tuple(allowed), default, enforced)


def allowed_values(key: str, extra_machine_types: tuple[str, ...] = ()) -> tuple[str, ...]:
    """The values completion offers for ``key`` (machine types with the project's extras)."""
    if key == "machine_type":
        return fal.MACHINE_TYPES + tuple(t for t in extra_machine_types if t not in fal.MACHINE_TYPES)
    doc = key_doc(key)
    return doc.allowed if doc else ()


def markdown(doc: KeyDoc, fal_version: str | None = None) -> str:
    """``doc`` as Markdown for a hover; ``fal_version``: the release the project pins, if known."""
    lines = [f"**`{doc.key}`**: {doc.kind}", "", doc.summary]
    if doc.allowed:
        lines += ["", "Allowed: " + ", ".join(f"`{v}`" for v in doc.allowed)]
    if doc.default is not None:
        lines += ["", f"Default: {doc.default if doc.default.startswith('the ') else '`' + doc.default + '`'}"]
    if doc.enforced:
        lines += ["", f"Checked by: {doc.enforced}"]
    release = f"fal {FAL_RELEASE}"
    if fal_version and fal_version != FAL_RELEASE:
        release += f" (this project pins fal {fal_version})"
    lines += ["", f"_As of {release}._"]
    return "\n".join(lines)


def all_keys() -> list[str]:
    return [k for k in fal.APP_KEYS if k in _DOCS]
