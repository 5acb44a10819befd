"""The command line as a user runs it: exit codes, configuration, discovery, robustness.

Selection and suppression: tests/engine/."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from ..cli_projects import APP_PY, BAD, codes


def test_exit_codes(project, cli):
    root = project({"pyproject.toml": BAD, "app.py": APP_PY})
    assert cli(["check", str(root)], cwd=root).code == 1
    assert cli(["check", str(root), "--exit-zero"], cwd=root).code == 0
    assert cli(["check", str(root), "--ignore", "FAL003"], cwd=root).code == 0  # only a warning left
    assert cli(["check", str(root), "--ignore", "FAL003", "--fail-on", "warning"], cwd=root).code == 1
    assert cli(["check", str(root / "nope")], cwd=root).code == 2
    assert cli(["check", str(root), "--select", "FAL999"], cwd=root).code == 2
    assert cli(["check", str(root), "--output-format", "xml"], cwd=root).code == 2
    assert cli([], cwd=root).code == 2


def test_usage_errors_are_one_line_without_traceback(project, cli):
    root = project({"pyproject.toml": BAD, "app.py": APP_PY})
    res = cli(["check", "does/not/exist"], cwd=root)
    assert res.code == 2
    assert res.err.strip() == "fallint: error: does/not/exist: no such file or directory"
    res = cli(["check", "--select", "nonsense-rule"], cwd=root)
    assert res.code == 2 and "names no rule" in res.err and "Traceback" not in res.err


def test_config_in_pyproject(project, cli):
    root = project(
        {
            "app.py": APP_PY,
            "pyproject.toml": BAD
            + '''
[tool.fallint]
ignore = { FAL503 = "custom fleet" }
per-app-ignores = { web = ["unknown-key"] }
'''
        }
    )
    res = cli(["check", str(root), "--output-format", "json"], cwd=root)
    assert res.code == 0 and json.loads(res.out) == []
    # the CLI's --select overrides the configuration's selection, --ignore adds to it
    res = cli(["check", str(root), "--output-format", "json", "--select", "FAL503"], cwd=root)
    assert codes(res) == []


def test_config_fail_on_and_extra_machine_types(project, cli):
    root = project(
        {
            "pyproject.toml": '''
[tool.fal.apps.web]
ref = "app.py::Web"
machine_type = "GPU-X1"
num_gpus = 1

[tool.fallint]
fail-on = "warning"
'''
        }
    )
    res = cli(["check", str(root), "--output-format", "json"], cwd=root)
    assert res.code == 1 and "FAL503" in codes(res)
    text = (root / "pyproject.toml").read_text().replace('fail-on = "warning"', 'extra-machine-types = ["GPU-X1"]')
    (root / "pyproject.toml").write_text(text)
    res = cli(["check", str(root), "--output-format", "json", "--select", "FAL5"], cwd=root)
    assert codes(res) == []


def test_bad_config_is_a_diagnostic_not_a_crash(project, cli):
    root = project(
        {
            "pyproject.toml": '''
[tool.fal.apps.web]
ref = "app.py::Web"

[tool.fallint]
select = "FAL0"
ignore = [3]
per-app-ignores = ["web"]
fail-on = 1
colour = true
extra-machine-types = "GPU-X"
'''
        }
    )
    res = cli(["check", str(root), "--output-format", "json", "--select", "FAL9"], cwd=root)
    found = [(d["code"], d["line"]) for d in json.loads(res.out)]
    assert found == [("FAL901", 6), ("FAL901", 7), ("FAL901", 8), ("FAL901", 9), ("FAL901", 10)]


def test_directory_discovery_skips_hidden_venvs_and_non_fal(project, cli):
    root = project(
        {
            "svc/a/pyproject.toml": BAD,
            "svc/b/pyproject.toml": BAD,
            "plain/pyproject.toml": "[project]\nname = 'x'\n",
            ".hidden/pyproject.toml": BAD,
            "node_modules/x/pyproject.toml": BAD,
            "venv/pyvenv.cfg": "home = /usr\n",
            "venv/lib/pyproject.toml": BAD,
            "build/pyproject.toml": BAD,
        }
    )
    res = cli(["check", str(root), "--output-format", "json"], cwd=root)
    paths = sorted({d["path"] for d in json.loads(res.out)})
    assert paths == ["svc/a/pyproject.toml", "svc/b/pyproject.toml"]


def test_file_argument_lints_enclosing_project_once(project, cli):
    root = project(
        {
            "pyproject.toml": BAD,
            "app.py": "x = 1\n",
            "pkg/mod.py": "y = 2\n",
            "Dockerfile": "FROM python\n",
        }
    )
    res = cli(
        ["check", "app.py", "pkg/mod.py", "Dockerfile", "pyproject.toml", "--output-format", "json", "--select", "FAL0,FAL5"],
        cwd=root,
    )
    assert codes(res) == ["FAL003", "FAL503"]  # once, not four times
    assert json.loads(res.out)[0]["path"] == "pyproject.toml"


def test_file_outside_any_fal_project_is_fine(project, cli):
    root = project({"tool.py": "x = 1\n", "pyproject.toml": "[project]\nname = 'x'\n"})
    (root / ".git").mkdir()
    res = cli(["check", "tool.py"], cwd=root)
    assert res.code == 0
    assert "Traceback" not in res.out + res.err


def test_paths_relative_to_cwd_with_forward_slashes(project, cli):
    root = project({"deep/er/pyproject.toml": BAD})
    res = cli(["check", "deep", "--output-format", "json"], cwd=root)
    assert {d["path"] for d in json.loads(res.out)} == {"deep/er/pyproject.toml"}
    res = cli(["check", ".", "--output-format", "json"], cwd=root / "deep" / "er")
    assert {d["path"] for d in json.loads(res.out)} == {"pyproject.toml"}


def test_json_contract(project, cli):
    root = project({"pyproject.toml": BAD, "app.py": APP_PY})
    res = cli(["check", "--output-format", "json"], cwd=root)
    data = json.loads(res.out)
    assert [(d["line"], d["column"]) for d in data] == sorted((d["line"], d["column"]) for d in data)
    for d in data:
        assert set(d) >= {
            "code", "name", "severity", "message", "path", "line", "column",
            "end_line", "end_column", "app", "key", "help", "url",
        }
        assert d["url"].endswith("rules.md#" + d["code"].lower() + "-" + d["name"])
    clean = project({"pyproject.toml": '[tool.fal.apps.web]\nimage = { image = "python:3.12" }\n'})
    res = cli(["check", "--output-format", "json", "--select", "FAL0,FAL4,FAL5"], cwd=clean)
    assert res.code == 0 and json.loads(res.out) == []


def test_rules_and_rule_commands(cli, tmp_path):
    res = cli(["rules", "--output-format", "json"], cwd=tmp_path)
    data = json.loads(res.out)
    assert res.code == 0 and {"code", "name", "severity", "summary"} == set(data[0])
    assert [d["code"] for d in data] == sorted(d["code"] for d in data)
    res = cli(["rules"], cwd=tmp_path)
    assert "FAL003  unknown-key" in res.out
    res = cli(["rule", "FAL003"], cwd=tmp_path)
    assert res.code == 0 and "# FAL003 unknown-key" in res.out and "## Bad" in res.out and "## How to fix" in res.out
    assert cli(["rule", "unknown-key"], cwd=tmp_path).out == res.out
    res = cli(["rule", "FAL0003"], cwd=tmp_path)
    assert res.code == 2 and "did you mean" in res.err


def test_statistics_and_quiet(project, cli):
    root = project({"pyproject.toml": BAD, "app.py": APP_PY})
    res = cli(["check", "--statistics", "--select", "FAL0,FAL5"], cwd=root)
    assert "FAL003" in res.out and "unknown-key" in res.out and "keepalive" not in res.out
    res = cli(["check", "--quiet", "--output-format", "concise", "--select", "FAL0,FAL5"], cwd=root)
    assert res.out.count("\n") == 2 and "Found" not in res.out


def test_python_dash_m_and_console_script(project):
    root = project({"pyproject.toml": BAD, "app.py": APP_PY})
    res = subprocess.run(
        [sys.executable, "-m", "fallint", "check", "--output-format", "concise", "--select", "FAL0"],
        cwd=root, capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"},
    )
    assert res.returncode == 1 and "FAL003" in res.stdout
    res = subprocess.run([sys.executable, "-m", "fallint", "--version"], capture_output=True, text=True)
    assert res.returncode == 0 and res.stdout.startswith("fallint ")


def test_public_api(project):
    import fallint

    root = project({"pyproject.toml": BAD, "app.py": APP_PY})
    diags = fallint.check([str(root)], select=["FAL0"])
    assert [d.code for d in diags] == ["FAL003"]
    assert diags[0].location.line == 3


@pytest.mark.parametrize(
    "content",
    [
        b"\x00\x01\x02binary\xff",
        "[tool.fal.apps.a]\nref = \"caf\xe9\"\n".encode("latin-1"),
        b"[tool.fal.apps]\na = 1\nb = { ref = 2, requirements = [1, [2]], image = \"x\" }\n[tool.fal.apps.c.health_check]\n",
        b"[tool.fal]\n",
        b"[tool.fal.apps.a]\nref = \"app.py::A\n",
        b"\xef\xbb\xbf[tool.fal.apps.a]\r\nref = 3\r\n",
        b"[[tool.fal.apps]]\nref = 1\n",
        b"[tool]\nfal = 3\n",
        b"tool = { fal = { apps = [1, 2] } }\n",
        b"[tool.fal.apps.\"\"]\nref = \"\"\n",
        ("[tool.fal.apps.a]\nrequirements = [" + "\"x\"," * 20000 + "]\n").encode(),
    ],
)
def test_hostile_pyproject_never_crashes(tmp_path, cli, content):
    (tmp_path / "pyproject.toml").write_bytes(content)
    for fmt in ("full", "json", "sarif", "github", "concise"):
        res = cli(["check", str(tmp_path), "--output-format", fmt], cwd=tmp_path)
        assert res.code in (0, 1, 2), res
        assert "Traceback" not in res.out + res.err and "internal error" not in res.err, res.err


def test_not_utf8_and_binary_are_reported(tmp_path, cli):
    (tmp_path / "pyproject.toml").write_bytes("[tool.fal.apps.a]\nref = \"caf\xe9\"\n".encode("latin-1"))
    res = cli(["check", "--output-format", "json"], cwd=tmp_path)
    (d,) = json.loads(res.out)
    assert d["code"] == "FAL001" and "UTF-8" in d["message"] and (d["line"], d["column"]) == (2, 11)


def test_symlink_loop_and_unreadable(tmp_path, cli):
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    res = cli(["check", "loop"], cwd=tmp_path)
    assert res.code == 2 and "symbolic links" in res.err
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "self").symlink_to(tmp_path / "d")
    (tmp_path / "d" / "pyproject.toml").write_text(BAD)
    res = cli(["check", "d", "--output-format", "json", "--select", "FAL0"], cwd=tmp_path)
    assert codes(res) == ["FAL003"]  # directory symlinks are not followed


def test_huge_pyproject_is_refused_not_read(tmp_path, cli):
    with open(tmp_path / "pyproject.toml", "wb") as fh:
        fh.write(b"[tool.fal.apps.a]\n")
        fh.write(b"#" * (11 * 1024 * 1024))
    res = cli(["check", "--output-format", "json"], cwd=tmp_path)
    (d,) = json.loads(res.out)
    assert d["code"] == "FAL001" and "bytes" in d["message"]


def test_missing_dependency_is_a_clear_message(project):
    root = project({"pyproject.toml": BAD})
    code = "import sys; sys.modules['tomli'] = None; from fallint.cli import main; sys.exit(main(['check', '.']))"
    res = subprocess.run([sys.executable, "-c", code], cwd=root, capture_output=True, text=True)
    assert res.returncode == 2
    assert "Traceback" not in res.stderr and "`tomli` package is missing" in res.stderr
