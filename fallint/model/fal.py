"""What fal 1.83.0 accepts in ``[tool.fal.apps.<key>]``, as data.

Source: ``../shared/fal-apps-reference.md`` and fal's ``cli/_utils.py``,
``container.py`` and ``sdk.py``.  Rules read these tables; nothing here
reports anything.
"""

from __future__ import annotations

from typing import Any, Callable

from fallint.util.records import dataclass


@dataclass(frozen=True)
class Kind:
    """A value type: a predicate plus how to say it in a message."""

    name: str
    check: Callable[[Any], bool]


def _is_int(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _is_str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


STR = Kind("a string", lambda v: isinstance(v, str))
INT = Kind("an integer", _is_int)
BOOL = Kind("a boolean (true or false)", lambda v: isinstance(v, bool))
TABLE = Kind("a table", lambda v: isinstance(v, dict))
STR_LIST = Kind("a list of strings", _is_str_list)
STR_OR_STR_LIST = Kind("a string or a list of strings", lambda v: isinstance(v, str) or _is_str_list(v))
REQUIREMENTS = Kind(
    "a list of strings or a list of lists of strings",
    lambda v: isinstance(v, list)
    and (all(isinstance(x, str) for x in v) or all(_is_str_list(x) for x in v)),
)
STR_TABLE = Kind("a table of strings", lambda v: isinstance(v, dict) and all(isinstance(x, str) for x in v.values()))

#: scaling and timeout integers (in fal's order)
SCALING_KEYS = (
    "min_concurrency",
    "max_concurrency",
    "max_multiplexing",
    "concurrency_buffer",
    "concurrency_buffer_perc",
    "scaling_delay",
    "request_timeout",
    "request_start_timeout",
    "startup_timeout",
)
INT_KEYS = (*SCALING_KEYS, "keep_alive", "termination_grace_period_seconds", "num_gpus")

APP_KEYS: dict[str, Kind] = {
    "ref": STR,
    "python_entry_point": STR,
    "name": STR,
    "auth": STR,
    "team": STR,
    "deployment_strategy": STR,
    "app_scale_settings": BOOL,
    "no_scale": BOOL,
    "requirements": REQUIREMENTS,
    "requirements_context_dir": STR,
    "python_version": STR,
    "machine_type": STR_OR_STR_LIST,
    "regions": STR_LIST,
    **{k: INT for k in INT_KEYS},
    "private_logs": BOOL,
    "exposed_port": INT,
    "metrics_port": INT,
    "app_files": STR_LIST,
    "app_files_ignore": STR_LIST,
    "app_files_context_dir": STR,
    "skip_retry_conditions": STR_LIST,
    "retry_config": TABLE,
    "secrets": STR_LIST,
    "data_mounts": STR_LIST,
    "health_check": TABLE,
    "image": TABLE,
    "_scheduler": STR,
    "_scheduler_options": TABLE,
}

HEALTH_CHECK_KEYS: dict[str, Kind] = {
    "path": STR,
    "start_period_seconds": INT,
    "timeout_seconds": INT,
    "failure_threshold": INT,
    "call_regularly": BOOL,
    "method": STR,
}

IMAGE_KEYS: dict[str, Kind] = {
    "dockerfile": STR,
    "image": STR,
    "build_args": STR_TABLE,
    "secrets": STR_TABLE,
    "registries": TABLE,
    "entrypoint": STR_OR_STR_LIST,
    "cmd": STR_OR_STR_LIST,
}

REGISTRY_KEYS: dict[str, Kind] = {"username": STR, "password": STR}
RETRY_ENTRY_KEYS: dict[str, Kind] = {"retries": INT}

AUTH_MODES = ("private", "public", "shared")
DEPLOYMENT_STRATEGIES = ("rolling", "recreate")
REGIONS = ("us-west", "us-central", "us-east", "eu-north", "eu-west")
RETRY_CONDITIONS = ("timeout", "server_error", "connection_error")

#: keys under [tool.fal] that fal reads (after normalising `--` and `-`)
FAL_TOP_KEYS = ("apps",)

CPU_MACHINE_TYPES = ("XS", "S", "M", "L", "XL")
GPU_MACHINE_TYPES = (
    "GPU-A6000",
    "GPU-A100",
    "GPU-H100",
    "GPU-H200",
    "GPU-B200",
    "GPU-L40",
    "GPU-RTX4090",
    "GPU-RTX5090",
)
MACHINE_TYPES = CPU_MACHINE_TYPES + GPU_MACHINE_TYPES

PORT_KEYS = ("exposed_port", "metrics_port")
#: integers fal passes on that cannot meaningfully be negative
NON_NEGATIVE_KEYS = INT_KEYS


def split_ref(ref: str) -> tuple[str, str | None]:
    """How fal splits a ``ref``: ``"apps/app.py::Web"`` -> ``("apps/app.py", "Web")``;
    without ``::`` the name is None.

    fal (``RefAction.split_ref``) splits at the first ``::`` at index 2 or
    later, but only after making the path absolute (``project_root / ref``),
    so every ``::`` in the TOML value splits: ``::Web`` -> ``("", "Web")``,
    ``a::Web`` -> ``("a", "Web")``.
    """
    head, sep, tail = ref.partition("::")
    return (head, tail) if sep else (ref, None)


# -- fal's error messages that diagnostics quote ---------------------------------

#: ``fal/cli/_utils.py`` on a ``python_entry_point`` without one ``:``
FAL_FORMAT_ERROR = "python_entry_point must be in '<module>:<symbol>' format."
#: ``fal/cli/_utils.py`` on a ``requirements`` value of another shape
FAL_SHAPE_ERROR = "requirements must be a list of strings or a list of lists of strings."

#: ``fal.app.DEFAULT_APP_FILES_IGNORE`` (used when app_files_ignore is not set)
DEFAULT_APP_FILES_IGNORE = (r"\.pyc$", r"__pycache__/", r"\.git/", r"\.DS_Store$")


#: TOML keys that fal 1.83.0 puts into the host options (``cli/_utils.py``),
#: under the same name as the class attribute / class keyword / decorator keyword
HOST_KEYS = (
    "machine_type",
    "num_gpus",
    "regions",
    "keep_alive",
    *SCALING_KEYS,
    "termination_grace_period_seconds",
    "metrics_port",
    "private_logs",
    "secrets",
    "data_mounts",
    "skip_retry_conditions",
    "retry_config",
    "app_files",
    "app_files_ignore",
    "app_files_context_dir",
    "requirements_context_dir",
    "_scheduler",
    "_scheduler_options",
)


# -- what fal 1.83.0 defines ------------------------------------------------

#: other public spellings of fal names -> the canonical spelling used below
FAL_ALIASES = {
    "fal.app.App": "fal.App",
    "fal.wma.sdk.FalApp": "fal.App",
    "fal.wma.sdk.App": "fal.wma.App",
    "fal.isolated": "fal.function",
    "fal.api.function": "fal.function",
    "fal.api.api.function": "fal.function",
    "fal.app.fal_function": "fal.function",
    "fal.app.wrap_app": "fal.wrap_app",
    "fal.app.endpoint": "fal.endpoint",
    "fal.wma.sdk.endpoint": "fal.endpoint",
    "fal.app.realtime": "fal.realtime",
    "fal.realtime.realtime": "fal.realtime",
}
#: fal's own fal.App subclasses: canonical name -> routes (method, path) they define
FAL_APP_CLASSES: dict[str, tuple[tuple[str, str], ...]] = {
    "fal.App": (),
    "fal.wma.App": (("start_session", "/start-session"),),
    "fal.wma.app.RealtimeApp": (
        ("start_session", "/session"),
        ("session_heartbeat", "/session/heartbeat"),
        ("close_session", "/session/close"),
    ),
}
#: skipped by fal's scan of a module without ``::Name`` even when imported into it
FAL_SCAN_EXCLUDED = frozenset({"fal.App", "fal.wma.App"})
FAL_FUNCTION = "fal.function"
FAL_WRAP_APP = "fal.wrap_app"
ROUTE_DECORATORS = frozenset({"fal.endpoint", "fal.realtime"})
#: ``from fal import *`` brings these (fal.__all__)
FAL_STAR_EXPORTS = frozenset({
    "function", "cached", "App", "endpoint", "realtime", "HealthCheck", "BillingComponents",
    "BillingDeclaration", "FalServerlessKeyCredentials", "sync_dir", "__version__",
    "version_tuple", "ContainerImage",
})

# -- fal.App host settings (App.__init_subclass__ / wrap_app / _utils) -------

#: passed to fal.function(...) straight from the class attribute; a class
#: keyword of the same name makes fal raise TypeError ("multiple values")
DIRECT_SETTINGS = {"machine_type": "S", "num_gpus": None, "regions": None}
#: copied into host_kwargs only when not None
NOT_NONE_SETTINGS = frozenset({
    "request_timeout", "request_start_timeout", "startup_timeout", "metrics_port",
    "min_concurrency", "max_concurrency", "concurrency_buffer", "concurrency_buffer_perc",
    "scaling_delay", "max_multiplexing", "kind", "image", "skip_retry_conditions",
    "retry_config", "termination_grace_period_seconds", "secrets", "data_mounts",
    "requirements_context_dir",
})
APP_FILES_SETTINGS = frozenset({"app_files", "app_files_ignore", "app_files_context_dir"})
#: keys of fal.App.host_kwargs: a body attribute of that name is a setting
BASE_HOST_KWARGS = frozenset({"_scheduler", "_scheduler_options", "resolver", "keep_alive"})
ATTRIBUTE_SETTINGS = (
    frozenset(DIRECT_SETTINGS) | NOT_NONE_SETTINGS | APP_FILES_SETTINGS | {"requirements"}
)
#: class keywords that are not host settings
NON_SETTING_KEYWORDS = frozenset({"name", "metaclass"})
