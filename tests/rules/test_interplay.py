"""The 6xx rules: TOML settings that fal accepts for a `ref` app and then ignores."""

from __future__ import annotations

import json
import textwrap

import pytest

ROUTE = "    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n"


def app_class(body: str = "", keywords: str = "", base: str = "fal.App", header: str = "import fal\n") -> str:
    """``class Web(<base><keywords>):`` with ``body`` lines and one endpoint."""
    body = textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n\n" if body.strip() else ""
    return f"{header}\n\nclass Web({base}{keywords}):\n{body}{ROUTE}"


@pytest.fixture
def lint(project, cli):
    """lint(toml_body, files) -> the FAL6xx diagnostics of app `web` (ref app.py::Web)."""

    def run(toml: str, files: dict, ref: str = "app.py::Web") -> list[dict]:
        pyproject = f'[tool.fal.apps.web]\nref = "{ref}"\n' + textwrap.dedent(toml)
        root = project({"pyproject.toml": pyproject, **files})
        res = cli(["check", str(root), "--output-format", "json", "--select", "FAL6"], cwd=root)
        assert res.code in (0, 1), res.err
        return json.loads(res.out)

    return run


# -- FAL601: host settings -----------------------------------------------------------------------

SETTINGS = [
    ("machine_type", '"GPU-A100"', '"GPU-H100"'),
    ("num_gpus", "2", "1"),
    ("regions", '["us-east"]', '["eu-west"]'),
    ("keep_alive", "300", "600"),
    ("min_concurrency", "1", "0"),
    ("max_concurrency", "4", "8"),
    ("max_multiplexing", "2", "4"),
    ("concurrency_buffer", "1", "2"),
    ("concurrency_buffer_perc", "10", "20"),
    ("scaling_delay", "5", "10"),
    ("request_timeout", "30", "60"),
    ("request_start_timeout", "30", "60"),
    ("startup_timeout", "300", "600"),
    ("termination_grace_period_seconds", "5", "10"),
    ("metrics_port", "9091", "9092"),
    ("secrets", '["HF_TOKEN"]', '["OPENAI_KEY"]'),
    ("data_mounts", '["/data"]', '["/data/.cache"]'),
    ("skip_retry_conditions", '["timeout"]', '["server_error"]'),
    ("app_files", '["assets"]', '["models"]'),
    ("requirements_context_dir", '"libs"', '"other"'),
]


@pytest.mark.parametrize(("key", "code_value", "toml_value"), SETTINGS, ids=[s[0] for s in SETTINGS])
def test_class_attribute_beats_toml(lint, key, code_value, toml_value):
    diags = lint(f"{key} = {toml_value}\n", {"app.py": app_class(f"{key} = {code_value}")})
    assert [(d["code"], d["line"], d["column"], d["severity"]) for d in diags] == [("FAL601", 3, 1, "warning")]
    assert diags[0]["message"].startswith(f"`{key} = ")
    assert f"class `Web` sets `{key} = {code_value}`" in diags[0]["message"].replace("'", '"')
    related = diags[0]["related"][0]
    assert (related["path"], related["line"], related["column"]) == ("app.py", 5, 5)
    # the same value in both places loses nothing
    assert lint(f"{key} = {code_value}\n", {"app.py": app_class(f"{key} = {code_value}")}) == []


def test_class_keyword_beats_toml(lint):
    diags = lint("keep_alive = 600\nprivate_logs = false\n",
                 {"app.py": app_class(keywords=", keep_alive=300, private_logs=True")})
    assert [d["line"] for d in diags] == [3, 4]
    assert "the class keyword `keep_alive=300`" in diags[0]["message"]
    assert diags[1]["message"].startswith("`private_logs = false` is ignored")


def test_none_and_unset_settings_let_the_toml_apply(lint):
    source = app_class("request_timeout = None\nmin_concurrency = None")
    assert lint("request_timeout = 60\nmin_concurrency = 1\nmax_concurrency = 2\n", {"app.py": source}) == []


def test_inherited_settings(lint):
    files = {
        "base.py": "import fal\n\n\nclass Base(fal.App, keep_alive=5):\n    machine_type = 'GPU-A100'\n    num_gpus = None\n",
        "app.py": app_class(base="Base", header="import fal\nfrom base import Base\n"),
    }
    diags = lint('machine_type = "GPU-H100"\nkeep_alive = 10\nnum_gpus = 2\n', files)
    assert [d["line"] for d in diags] == [3, 4]
    assert "(inherited from `Base`)" in diags[0]["message"]
    assert [(r["path"], r["line"]) for d in diags for r in d["related"]] == [("base.py", 5), ("base.py", 4)]
    # a base's machine_type equal to fal's default lets the TOML win
    files["base.py"] = "import fal\n\n\nclass Base(fal.App):\n    machine_type = 'S'\n"
    assert lint('machine_type = "GPU-H100"\n', files) == []
    # ... but not when the class itself sets it
    files["app.py"] = app_class("machine_type = 'S'", base="Base", header="import fal\nfrom base import Base\n")
    assert [d["code"] for d in lint('machine_type = "GPU-H100"\n', files)] == ["FAL601"]


def test_app_files_ignore_follows_app_files(lint):
    files = {"app.py": app_class("app_files = ['assets']")}
    diags = lint('app_files = ["models"]\napp_files_ignore = ["\\\\.ckpt$"]\n', files)
    assert [d["line"] for d in diags] == [3, 4]
    assert "fal keeps the class's `app_files_ignore`" in diags[1]["message"]
    # the class has no app_files: the TOML's apply, with their ignore patterns
    files = {"app.py": app_class("app_files_ignore = ['x']")}
    assert lint('app_files = ["models"]\napp_files_ignore = ["\\\\.ckpt$"]\n', files) == []


def test_health_check_endpoint(lint):
    health = app_class(header="import fal\n") + (
        "\n    @fal.endpoint('/health', health_check=fal.HealthCheck(failure_threshold=3))\n"
        "    def health(self) -> dict:\n        return {}\n"
    )
    diags = lint('health_check = { path = "/health" }\n', {"app.py": health})
    assert [(d["code"], d["line"]) for d in diags] == [("FAL601", 3)]
    assert diags[0]["related"][0]["line"] == 10  # def health
    plain = app_class() + "\n    @fal.endpoint('/health')\n    def health(self) -> dict:\n        return {}\n"
    assert lint('health_check = { path = "/health" }\n', {"app.py": plain}) == []


def test_fal_function_keywords(lint):
    files = {"job.py": "import fal as f\n\n\n@f.function(keep_alive=30, requirements=['numpy'])\ndef job():\n    pass\n"}
    diags = lint('keep_alive = 60\nmachine_type = "M"\nrequirements = ["scipy"]\n', files, ref="job.py::job")
    assert [(d["code"], d["line"]) for d in diags] == [("FAL601", 3), ("FAL602", 5)]
    assert diags[0]["related"][0]["line"] == 4
    assert "passes `requirements=['numpy']`" in diags[1]["message"]


def test_two_apps_on_one_class_with_different_settings(project, cli):
    root = project({
        "pyproject.toml": '[tool.fal.apps.small]\nref = "app.py::Web"\nmachine_type = "M"\n\n'
                          '[tool.fal.apps.big]\nref = "app.py::Web"\nmachine_type = "GPU-H100"\nnum_gpus = 2\n',
        "app.py": app_class(),
    })
    res = cli(["check", str(root), "--select", "FAL6,FAL1", "--fail-on", "warning"], cwd=root)
    assert res.code == 0, res.out


def test_unknown_bases_say_nothing(lint):
    files = {"app.py": "import fal\nfrom mycorp import Base\n\n\nclass Web(Base):\n    machine_type = 'GPU-A100'\n"}
    assert lint('machine_type = "M"\nrequirements = ["x"]\n', files) == []


# -- FAL602: requirements --------------------------------------------------------------------------


def test_toml_requirements_on_a_class_app(lint):
    diags = lint('requirements = ["numpy"]\n', {"app.py": app_class()})
    assert [(d["code"], d["line"], d["column"]) for d in diags] == [("FAL602", 3, 1)]
    assert "class `Web` sets none" in diags[0]["message"]
    assert diags[0]["related"][0]["line"] == 4  # the class
    diags = lint('requirements = ["numpy"]\n', {"app.py": app_class("requirements = ['torch']")})
    assert "fal installs class `Web`'s `requirements = ['torch']`" in diags[0]["message"]
    assert diags[0]["help"] == 'move these requirements into the class: `requirements = ["numpy"]` in `Web`'
    assert lint('requirements = ["numpy"]\n', {"app.py": app_class("requirements = ['numpy']")}) == []


def test_toml_requirements_on_a_function_without_requirements(lint):
    files = {"job.py": "import fal\n\n\n@fal.function()\ndef job():\n    pass\n"}
    assert lint('requirements = ["numpy"]\n', files, ref="job.py::job") == []


# -- FAL603: private_logs --------------------------------------------------------------------------


def test_private_logs_attribute(project, cli):
    root = project({
        "pyproject.toml": '[tool.fal.apps.a]\nref = "app.py::Web"\n\n[tool.fal.apps.b]\nref = "app.py"\n',
        "app.py": app_class("private_logs = True"),
    })
    res = cli(["check", str(root), "--select", "FAL603", "--output-format", "json"], cwd=root)
    diags = json.loads(res.out)
    assert [(d["path"], d["line"], d["column"], d["app"]) for d in diags] == [("app.py", 5, 5, "a")]  # once


def test_private_logs_attribute_read_after_a_base_keyword(lint):
    files = {
        "base.py": "import fal\n\n\nclass Base(fal.App, private_logs=True):\n    pass\n",
        "app.py": app_class("private_logs = False", base="Base", header="import fal\nfrom base import Base\n"),
    }
    assert lint("", files) == []
    files["base.py"] = "import fal\n\n\nclass Base(fal.App):\n    private_logs = True\n"
    diags = lint("", files)
    assert sorted((d["path"], d["line"]) for d in diags) == [("app.py", 6), ("base.py", 5)]
