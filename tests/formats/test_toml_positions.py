"""Every diagnostic about the TOML points at the offending key or value, in every TOML spelling."""

from __future__ import annotations

import json

import pytest


def diags(cli, root, *extra):
    res = cli(["check", str(root), "--output-format", "json", "--select", "FAL0,FAL5", *extra], cwd=root)
    assert res.code in (0, 1), res.err
    return json.loads(res.out)


def where(d):
    return (d["code"], d["line"], d["column"], d["end_line"], d["end_column"], d["key"])


SPELLINGS = {
    "table header": (
        '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        keep_alive = "300"
        ''',
        ("FAL004", 3, 14, 3, 19, "tool.fal.apps.web.keep_alive"),
    ),
    "inline table": (
        '''
        [tool.fal.apps]
        web = { ref = "app.py::Web", keep_alive = "300" }
        ''',
        ("FAL004", 2, 43, 2, 48, "tool.fal.apps.web.keep_alive"),
    ),
    "dotted keys under [tool.fal]": (
        '''
        [tool.fal]
        apps.web.ref = "app.py::Web"
        apps.web.keep_alive = "300"
        ''',
        ("FAL004", 3, 23, 3, 28, "tool.fal.apps.web.keep_alive"),
    ),
    "dotted keys from the root": (
        '''
        tool.fal.apps.web.ref = "app.py::Web"
        tool.fal.apps.web.keep_alive = "300"
        ''',
        ("FAL004", 2, 32, 2, 37, "tool.fal.apps.web.keep_alive"),
    ),
    "quoted keys": (
        '''
        [tool.fal.apps."my web"]
        ref = "app.py::Web"
        "keep_alive" = "300"
        ''',
        ("FAL004", 3, 16, 3, 21, 'tool.fal.apps."my web".keep_alive'),
    ),
    "sub-table header": (
        '''
        [tool.fal.apps.web]
        ref = "app.py::Web"

        [tool.fal.apps.web.health_check]
        path = "/health"
        timeout_seconds = "5"
        ''',
        ("FAL004", 6, 19, 6, 22, "tool.fal.apps.web.health_check.timeout_seconds"),
    ),
    "multi-line array with comments": (
        '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        regions = [
            "us-west",  # primary
            # fallback:
            "mars-1",
        ]
        ''',
        ("FAL011", 6, 5, 6, 13, "tool.fal.apps.web.regions[1]"),
    ),
    "non-ASCII before the value": (
        '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        team = "équipe"; regions = ["x"]
        ''',
        None,  # invalid TOML: handled below
    ),
}


@pytest.mark.parametrize("name", [n for n, (_, exp) in SPELLINGS.items() if exp])
def test_value_position_in_every_spelling(project, cli, name):
    text, expected = SPELLINGS[name]
    root = project({"pyproject.toml": text})
    found = [where(d) for d in diags(cli, root)]
    assert expected in found, found


def test_columns_count_characters_not_bytes(project, cli):
    root = project(
        {
            "pyproject.toml": '''
            [tool.fal.apps]
            "café" = { ref = "app.py::Web", keep_alive = "3" }
            '''
        }
    )
    (d,) = [d for d in diags(cli, root) if d["code"] == "FAL004"]
    # `"café" = { ref = "app.py::Web", keep_alive = ` is 45 characters (46 bytes)
    assert (d["line"], d["column"], d["end_column"]) == (2, 46, 49)
    assert d["key"] == 'tool.fal.apps."café".keep_alive'


def test_unknown_key_points_at_key_in_inline_sub_table(project, cli):
    root = project(
        {
            "pyproject.toml": '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            health_check = { path = "/h", "timeout" = 5 }
            '''
        }
    )
    (d,) = [d for d in diags(cli, root) if d["code"] == "FAL003"]
    assert (d["line"], d["column"], d["end_column"]) == (3, 31, 40)
    assert "timeout_seconds" in d["message"]


def test_app_level_diagnostic_points_at_header_key(project, cli):
    root = project(
        {
            "pyproject.toml": '''
            # comment
            [tool.fal.apps.web]
            machine_type = "S"
            '''
        }
    )
    (d,) = [d for d in diags(cli, root) if d["code"] == "FAL005"]
    assert (d["line"], d["column"], d["end_column"]) == (2, 16, 19)


def test_app_defined_only_by_sub_table_points_at_its_key(project, cli):
    root = project(
        {
            "pyproject.toml": '''
            [project]
            name = "x"

            [tool.fal.apps.web.health_check]
            timeout_seconds = 3
            '''
        }
    )
    found = {d["code"]: d for d in diags(cli, root)}
    assert (found["FAL005"]["line"], found["FAL005"]["column"]) == (4, 16)
    assert (found["FAL007"]["line"], found["FAL007"]["column"]) == (4, 20)


def test_syntax_error_does_not_hide_other_apps(project, cli):
    root = project(
        {
            "pyproject.toml": '''
            [tool.fal.apps.a]
            ref = "app.py::A

            [tool.fal.apps.b]
            ref = "app.py::B"
            keepalive = 1

            [tool.fal.apps]
            c = { ref = "app.py::C", keep_alive = "x" }
            d = { ref = 
            e = { ref = "app.py::E", machine_type = "GPU-h100" }
            '''
        }
    )
    found = sorted((d["code"], d["line"], d["column"], d["app"]) for d in diags(cli, root))
    assert found == [
        ("FAL001", 2, 17, None),
        ("FAL001", 10, 13, None),
        ("FAL003", 6, 1, "b"),
        ("FAL004", 9, 39, "c"),
        ("FAL503", 11, 41, "e"),
    ]


def test_broken_app_is_not_reported_as_missing_its_ref(project, cli):
    root = project({"pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::A\nmachine_type = "S"\n'})
    codes = [d["code"] for d in diags(cli, root)]
    assert codes == ["FAL001"]


def test_end_is_after_start_for_multiline_values(project, cli):
    root = project(
        {
            "pyproject.toml": '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            health_check = {
              path = "/h" }
            '''
        }
    )
    res = cli(["check", str(root), "--output-format", "json"], cwd=root)
    for d in json.loads(res.out):
        assert (d["end_line"], d["end_column"]) > (d["line"], d["column"])
