"""The shipped fal release table (fallint/releases/fal_releases.json) and its query API.

No network: the facts below were extracted by ``python -m fallint.releases.refresh``
from fal's wheels and checked against real installs of fal 1.83.0, 1.75.1 and
1.60.0 (``python -m fallint.releases.probe``: each key set alone in a probe
project, loaded by that release's ``get_app_data_from_toml``).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from fallint import releases as R
from fallint.releases import refresh

# ---------------------------------------------------------------- the data file


def test_data_file_is_valid_and_in_the_scripts_own_format():
    text = R.DATA_FILE.read_text(encoding="utf-8")
    data = json.loads(text)
    assert refresh.validate(data) == []
    assert refresh.dumps(data) == text  # byte-for-byte what the script writes
    assert data["command"] == "python -m fallint.releases.refresh"


def test_data_file_is_small():
    assert R.DATA_FILE.stat().st_size < 64 * 1024


def test_releases_sorted_and_cover_1_50_on():
    rel = R.known_releases()
    assert [R.parse_version(r) for r in rel] == sorted(R.parse_version(r) for r in rel)
    assert R.latest() == rel[-1]
    for v in ("1.0.0", "1.50.0", "1.60.0", "1.75.1", "1.75.2", "1.82.1", "1.83.0"):
        assert v in rel
    assert "1.79.0" not in rel  # yanked on PyPI


def test_validator_rejects_garbage():
    good = json.loads(R.DATA_FILE.read_text(encoding="utf-8"))
    assert refresh.validate([]) != []
    bad = dict(good, releases=["1.2.0", "1.1.0"])
    assert any("sorted" in e for e in refresh.validate(bad))
    bad = json.loads(json.dumps(good))
    bad["toml"]["app"]["keys"]["ref"] = "9.9.9-"
    assert any("unknown release" in e for e in refresh.validate(bad))
    bad["toml"]["app"]["keys"]["ref"] = "1.5.0-1.5.0"
    assert refresh.validate(bad)


# ---------------------------------------------------------------- versions and ranges


def test_parse_version():
    assert R.parse_version("1.75") == (1, 75, 0)
    assert R.parse_version("v1.75.2") == (1, 75, 2)
    assert R.parse_version("1.76.0rc1") == (1, 76, 0)
    assert R.parse_version("latest") is None
    assert R.parse_version("") is None


def test_ranges_round_trip():
    rel = ["1.0.0", "1.1.0", "1.2.0", "1.3.0", "1.4.0"]
    text = refresh.to_ranges([True, True, False, True, True], rel)
    assert text == "1.0.0-1.2.0,1.3.0-"
    assert refresh.parse_ranges(text) == [("1.0.0", "1.2.0"), ("1.3.0", None)]
    assert refresh.to_ranges([False] * 5, rel) == ""
    assert refresh.to_ranges([False, True, False, False, False], rel) == "1.1.0-1.2.0"


def test_covering_release():
    assert R.covering_release("1.83.0") == "1.83.0"
    assert R.covering_release("1.79.0") == "1.78.3"  # yanked: the nearest older known
    assert R.covering_release("99.0.0") == R.latest()
    assert R.covering_release("0.1.0") is None


def test_releases_matching():
    assert R.releases_matching("==1.75.2") == ["1.75.2"]
    m = R.releases_matching(">=1.70,<1.76")
    assert m[0] == "1.70.0" and m[-1] == "1.75.9" and "1.76.0" not in m
    assert R.releases_matching("~=1.74")[0] == "1.74.0"
    assert "1.74.1" in R.releases_matching("~=1.74.0") and "1.75.0" not in R.releases_matching("~=1.74.0")


# ---------------------------------------------------------------- [tool.fal.apps] facts

# every key fal 1.83.0's loader accepts (docs/fal-apps-reference.md, and the probes)
KEYS_1_83 = {
    "ref", "python_entry_point", "name", "auth", "team", "deployment_strategy",
    "app_scale_settings", "no_scale", "requirements", "requirements_context_dir",
    "python_version", "machine_type", "num_gpus", "regions", "min_concurrency",
    "max_concurrency", "max_multiplexing", "concurrency_buffer", "concurrency_buffer_perc",
    "scaling_delay", "request_timeout", "request_start_timeout", "startup_timeout",
    "keep_alive", "termination_grace_period_seconds", "private_logs", "exposed_port",
    "metrics_port", "app_files", "app_files_ignore", "app_files_context_dir",
    "skip_retry_conditions", "retry_config", "secrets", "data_mounts", "health_check",
    "image", "_scheduler", "_scheduler_options",
}


def test_1_83_keys_match_the_reference():
    assert set(R.known_keys("1.83.0", "app")) == KEYS_1_83
    assert set(R.known_keys("1.83.0", "health_check")) == {
        "path", "start_period_seconds", "timeout_seconds", "failure_threshold", "call_regularly", "method",
    }
    assert set(R.known_keys("1.83.0", "image")) == {
        "dockerfile", "image", "build_args", "secrets", "registries", "entrypoint", "cmd",
    }
    for table in ("app", "image", "health_check"):
        assert R.table_strict("1.83.0", table)
        assert not R.accepts_key("1.83.0", table, "bogus_key")
    assert not R.accepts_key("1.83.0", "app", "machine-type")  # keys inside an app are not normalised


@pytest.mark.parametrize(
    "table,key,since",
    [
        ("app", "ref", "1.3.2"),
        ("app", "auth", "1.3.2"),
        ("app", "deployment_strategy", "1.5.0"),
        ("app", "no_scale", "1.6.1"),
        ("app", "app_scale_settings", "1.28.0"),
        ("app", "team", "1.52.2"),
        ("app", "name", "1.69.6"),
        ("app", "requirements", "1.69.6"),
        ("app", "max_concurrency", "1.69.6"),
        ("app", "app_files", "1.69.14"),
        ("app", "python_entry_point", "1.72.7"),
        ("app", "image", "1.73.0"),
        ("app", "python_version", "1.73.0"),
        ("app", "exposed_port", "1.73.1"),
        ("app", "machine_type", "1.75.2"),
        ("app", "num_gpus", "1.75.2"),
        ("app", "keep_alive", "1.75.3"),
        ("app", "secrets", "1.75.3"),
        ("app", "health_check", "1.75.3"),
        ("app", "retry_config", "1.76.0"),
        ("app", "metrics_port", "1.78.0"),
        ("app", "requirements_context_dir", "1.78.0"),
        ("app", "request_start_timeout", "1.82.1"),
        ("image", "dockerfile", "1.73.0"),
        ("image", "cmd", "1.75.5"),
        ("image", "image", "1.76.0"),
        ("health_check", "path", "1.75.3"),
        ("health_check", "method", "1.78.1"),
    ],
)
def test_key_since(table, key, since):
    assert R.key_range(table, key) == (since, None)
    before = R.known_releases()[R.known_releases().index(since) - 1]
    assert R.reads_key(since, table, key) and not R.reads_key(before, table, key)


def test_loader_history():
    app = R.data()["toml"]["app"]
    assert app["present"] == "1.3.2-"  # before: `fal deploy <app-name>` did not read pyproject.toml
    assert app["strict"] == "1.11.1-"  # before: unknown keys silently ignored
    assert not R.table_checked("1.3.1") and not R.accepts_key("1.3.1", "app", "ref")
    # 1.10.0 reads only ref/auth/deployment_strategy/no_scale but ignores the rest
    assert R.accepts_key("1.10.0", "app", "machine_type") and not R.reads_key("1.10.0", "app", "machine_type")
    assert not R.accepts_key("1.11.1", "app", "machine_type")
    # nested tables are read only since the app key that holds them
    assert not R.table_checked("1.72.7", "image") and R.table_checked("1.73.0", "image")


def test_deployment_strategy_was_never_removed_from_the_loader():
    # issue #12 says it "went away and came back"; in fal's code the app loader
    # has popped it in every release since 1.5.0 (one range)
    assert R.key_ranges("app", "deployment_strategy") == [("1.5.0", None)]


# what the real loaders said (python -m fallint.releases.probe, see module docstring)
PROBED = {
    "1.83.0": {
        "accepted": ["machine_type", "request_start_timeout", "deployment_strategy", "team", "image", "health_check"],
        "rejected": ["bogus_key", "machine-type", "Machine_Type"],
    },
    "1.75.1": {
        "accepted": ["requirements", "python_version", "exposed_port", "image", "team"],
        "rejected": ["machine_type", "num_gpus", "keep_alive", "health_check", "bogus_key"],
    },
    "1.60.0": {
        "accepted": ["ref", "auth", "deployment_strategy", "no_scale", "app_scale_settings", "team"],
        "rejected": ["machine_type", "name", "requirements", "image", "keep_alive", "bogus_key"],
    },
}


@pytest.mark.parametrize("release", sorted(PROBED))
def test_agrees_with_the_real_loader(release):
    for key in PROBED[release]["accepted"]:
        assert R.accepts_key(release, "app", key), key
    for key in PROBED[release]["rejected"]:
        assert not R.accepts_key(release, "app", key), key


# ---------------------------------------------------------------- the Python API facts


def test_api_names():
    assert R.has_api_name("1.83.0", "fal", "App")
    assert R.has_api_name("1.83.0", "fal", "function")
    assert R.has_api_name("1.83.0", "fal.toolkit", "File")
    assert R.has_api_name("1.83.0", "fal.toolkit", "file")  # a submodule counts
    assert R.has_api_name("1.83.0", "fal.container", "ContainerImage")
    assert R.has_api_name("1.83.0", "fal.cli", "main") is None  # not covered
    # fal.toolkit.optimize (the module) existed up to 1.71.0
    assert R.api_name_range("fal.toolkit", "optimize") == ("1.0.0", "1.71.1")
    assert R.has_api_name("1.71.0", "fal.toolkit", "optimize")
    assert not R.has_api_name("1.83.0", "fal.toolkit", "optimize")


def test_a_name_removed_and_re_added_has_two_ranges():
    assert R.api_name_ranges("fal.sdk", "console") == [("1.60.1", "1.69.13"), ("1.71.1", None)]
    assert R.api_name_range("fal.sdk", "console") == ("1.60.1", None)  # the whole span
    assert R.has_api_name("1.69.12", "fal.sdk", "console")
    assert not R.has_api_name("1.70.0", "fal.sdk", "console")
    assert R.has_api_name("1.71.1", "fal.sdk", "console")


def test_class_kwargs_and_function_params():
    assert R.class_kwarg_range("keep_alive") == ("1.0.0", None)
    assert R.class_kwarg_range("request_start_timeout") == ("1.82.1", None)
    assert R.class_kwarg_range("health_check_path") == ("1.57.1", "1.59.0")
    assert R.data()["class_kwargs"]["strict"] == "1.69.11-"
    # strict: Host.parse_options raises "Unrecognised option" (checked on 1.83.0; 1.60.0 passes it on)
    assert not R.accepts_class_kwarg("1.83.0", "bogus")
    assert R.accepts_class_kwarg("1.60.0", "bogus")
    assert R.accepts_class_kwarg("1.83.0", "machine_type")
    assert R.function_param_range("machine_type") == ("1.0.0", None)
    assert R.function_param_range("compile_bytecode") == ("1.81.3", None)


def test_lazy_single_read(monkeypatch):
    R.data.cache_clear()
    R._release_keys.cache_clear()
    calls = []
    real_open = open

    def counting_open(path, *a, **k):
        if str(path) == str(R.DATA_FILE):
            calls.append(path)
        return real_open(path, *a, **k)

    monkeypatch.setattr("builtins.open", counting_open)
    for _ in range(3):
        R.accepts_key("1.83.0", "app", "ref")
        R.latest()
    assert len(calls) == 1


# ---------------------------------------------------------------- the extractor (no network)

UTILS = '''
from fal.project import parse_pyproject_toml
PASSTHROUGH = ("build_args", "cmd")

def _pop_scaling(data):
    data.pop("keep_alive", None)

def get_app_data_from_toml(app_name):
    apps = parse_pyproject_toml(None).get("apps", {})
    app_data = dict(apps[app_name])
    ref = app_data.pop("ref")
    image = app_data.pop("image", None)
    _pop_scaling(app_data)
    if len(app_data) > 0:
        raise ValueError(f"Found unexpected keys in pyproject.toml: {app_data}")

def _image(app_name, image_config):
    image_config = dict(image_config)
    image_config.pop("dockerfile", None)
    for key in PASSTHROUGH:
        if key in image_config:
            image_config.pop(key)
    if image_config:
        raise ValueError(f"Found unexpected keys in app {app_name} image: {image_config}")
'''

INIT = '''
from fal.api import function
from fal.app import App
from fal import toolkit
import os
__all__ = ["App", "function"]
'''

API = '''
def function(kind="virtualenv", *, host=None, machine_type="S", **config):
    pass

class Host:
    _GATEWAY_KEYS = frozenset({"serve", "exposed_port"})

    @classmethod
    def parse_options(cls, **config):
        raise ValueError("Unrecognised option")

class FalServerlessHost(Host):
    _SUPPORTED_KEYS = frozenset({"keep_alive", "regions"})
'''

APP = '''
class App:
    def __init_subclass__(cls, **kwargs):
        name = kwargs.pop("name", None)
        cls.host_kwargs = {**kwargs}
'''


def _wheel(tmp_path: Path, files: dict) -> Path:
    path = tmp_path / "fal-9.9.9-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return path


def test_extractor_on_a_synthetic_wheel(tmp_path):
    path = _wheel(tmp_path, {
        "fal/__init__.py": INIT,
        "fal/cli/_utils.py": UTILS,
        "fal/api/__init__.py": "from .api import *\n",
        "fal/api/api.py": API,
        "fal/app.py": APP,
        "fal/toolkit/__init__.py": "from fal.toolkit.file import File\nfrom typing import Any\n",
        "fal/toolkit/file/__init__.py": "class File: pass\n",
        "fal/_private.py": "x = 1\n",
    })
    facts = refresh.release_facts(path)
    keys = {f[3] for f in facts if f[:3] == ("toml", "app", "key")}
    assert keys == {"ref", "image", "keep_alive"}  # through the helper too
    assert {f[3] for f in facts if f[:3] == ("toml", "image", "key")} == {"dockerfile", "build_args", "cmd"}
    assert ("toml", "app", "strict") in facts and ("toml", "image", "strict") in facts
    assert ("api", "fal", "App") in facts and ("api", "fal", "toolkit") in facts
    assert ("api", "fal", "os") not in facts  # third-party imports are not fal's API
    assert ("api", "fal.toolkit", "File") in facts and ("api", "fal.toolkit", "Any") not in facts
    assert ("api", "fal.api", "function") in facts  # through `from .api import *`
    assert ("module", "fal._private") not in facts
    assert {f[1] for f in facts if f[0] == "function_param"} == {"kind", "host", "machine_type"}
    kwargs = {f[1] for f in facts if f[0] == "class_kwarg"}
    assert {"name", "keep_alive", "regions", "serve", "exposed_port", "kind", "machine_type"} <= kwargs
    assert ("class_kwargs_strict",) in facts


def test_non_strict_loader(tmp_path):
    path = _wheel(tmp_path, {
        "fal/__init__.py": "",
        "fal/cli/_utils.py": (
            "def get_app_data_from_toml(app_name):\n"
            "    apps = fal_data.get('apps', {})\n"
            "    app_data = apps[app_name]\n"
            "    ref = app_data['ref']\n"
            "    auth = app_data.get('auth', 'private')\n"
        ),
    })
    facts = refresh.release_facts(path)
    assert ("toml", "app", "present") in facts and ("toml", "app", "strict") not in facts
    assert {f[3] for f in facts if f[:3] == ("toml", "app", "key")} == {"ref", "auth"}


def test_build_data_removed_and_re_added(tmp_path, monkeypatch):
    per = {
        "1.0.0": {("toml", "app", "present"), ("toml", "app", "strict"), ("toml", "app", "key", "ref"),
                  ("toml", "app", "key", "deployment_strategy")},
        "1.1.0": {("toml", "app", "present"), ("toml", "app", "strict"), ("toml", "app", "key", "ref")},
        "1.2.0": {("toml", "app", "present"), ("toml", "app", "strict"), ("toml", "app", "key", "ref"),
                  ("toml", "app", "key", "deployment_strategy")},
    }
    data = refresh.build_data(per, "1.0.0")
    assert refresh.validate(data) == []
    assert data["toml"]["app"]["keys"]["deployment_strategy"] == "1.0.0-1.1.0,1.2.0-"
    monkeypatch.setattr(R, "data", lambda: data)
    R._release_keys.cache_clear()
    try:
        assert R.key_ranges("app", "deployment_strategy") == [("1.0.0", "1.1.0"), ("1.2.0", None)]
        assert [R.accepts_key(r, "app", "deployment_strategy") for r in ("1.0.0", "1.1.0", "1.2.0")] == [True, False, True]
        assert R.accepts_key("1.1.5", "app", "deployment_strategy") is False  # judged as 1.1.0
    finally:
        R._release_keys.cache_clear()


def test_check_mode(tmp_path, monkeypatch, capsys):
    data = json.loads(R.DATA_FILE.read_text(encoding="utf-8"))
    monkeypatch.setattr(refresh, "generate", lambda since, cache, log: data)
    out = tmp_path / "data.json"
    out.write_text(refresh.dumps(data), encoding="utf-8")
    assert refresh.main(["--check", "--output", str(out), "--cache", str(tmp_path), "--quiet"]) == 0
    out.write_text("{}", encoding="utf-8")
    assert refresh.main(["--check", "--output", str(out), "--cache", str(tmp_path), "--quiet"]) == 1
    assert refresh.main(["--output", str(out), "--cache", str(tmp_path), "--quiet"]) == 0
    assert out.read_text(encoding="utf-8") == R.DATA_FILE.read_text(encoding="utf-8")


def test_image_table_agrees_with_the_real_loader():
    # fal 1.75.1: [tool.fal.apps.x.image] with a dockerfile; cmd/entrypoint came in 1.75.5, image in 1.76.0
    for key in ("dockerfile", "build_args", "secrets", "registries"):
        assert R.accepts_key("1.75.1", "image", key), key
    for key in ("cmd", "entrypoint", "image", "bogus_key"):
        assert not R.accepts_key("1.75.1", "image", key), key
    assert not R.table_checked("1.75.1", "health_check")  # health_check itself is an unknown app key there
