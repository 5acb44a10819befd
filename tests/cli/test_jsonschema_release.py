"""``fallint schema --fal-version X``: the schema of what fal release X accepts (issue #14)."""

from __future__ import annotations

import json

import jsonschema
import pytest

from ..helpers import run_cli


def schema(*args: str) -> dict:
    r = run_cli(["schema", *args])
    assert r.code == 0, r.err
    return json.loads(r.out)


def valid(s: dict, app: dict) -> bool:
    jsonschema.Draft7Validator.check_schema(s)
    return jsonschema.Draft7Validator(s).is_valid({"apps": {"web": app}})


APP = {"ref": "app.py::Web", "auth": "private"}


@pytest.mark.parametrize("key, value, since, before", [
    ("machine_type", "GPU-H100", "1.75.2", "1.72.7"),
    ("keep_alive", 300, "1.75.3", "1.75.2"),
    ("request_start_timeout", 30, "1.82.1", "1.82.0"),
])
def test_key_added_later_is_rejected_by_the_older_release(key, value, since, before):
    app = {**APP, key: value}
    assert not valid(schema("--fal-version", before), app)
    assert valid(schema("--fal-version", since), app)
    assert valid(schema("--fal-version", "latest"), app)
    assert valid(schema(), app)  # the default schema is the newest release's
    # without the key, every one of them accepts the app
    assert valid(schema("--fal-version", before), APP)


def test_latest_release_schema_has_the_default_schemas_keys():
    default, latest = schema(), schema("--fal-version", "latest")
    for table in ("app", "image", "health_check"):
        assert set(latest["definitions"][table]["properties"]) == set(default["definitions"][table]["properties"])
        assert latest["definitions"][table]["additionalProperties"] is False


def test_not_strict_release_ignores_unknown_keys():
    # fal 1.10.0 reads [tool.fal.apps] but drops keys it does not know
    s = schema("--fal-version", "1.10.0")
    assert "additionalProperties" not in s["definitions"]["app"]
    assert "machine_type" not in s["definitions"]["app"]["properties"]
    assert valid(s, {**APP, "machine_type": "GPU-H100", "whatever": 1})
    assert not valid(s, {**APP, "auth": 3})  # a key it reads keeps its type
    # strict from 1.11.1 on
    assert not valid(schema("--fal-version", "1.11.1"), {**APP, "whatever": 1})


def test_release_without_app_tables():
    s = schema("--fal-version", "1.0.0")
    assert "does not read [tool.fal.apps]" in s["definitions"]["app"]["description"]
    assert valid(s, {"anything": 1})


def test_series_is_the_union_of_its_releases():
    s = schema("--fal-version", ">=1.75.2,<1.75.4")  # 1.75.2 lacks keep_alive, 1.75.3 has it
    assert valid(s, {**APP, "keep_alive": 300})
    assert "1.75.2" in s["title"] and "1.75.3" in s["title"]


@pytest.mark.parametrize("value", ["9.9", "banana", ">=5"])
def test_unknown_version_is_a_usage_error(value):
    r = run_cli(["schema", "--fal-version", value])
    assert r.code == 2 and "--fal-version" in r.err and r.out == ""
