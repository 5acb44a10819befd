"""The 2xx python_entry_point rules, through the CLI (json output)."""

from __future__ import annotations

import json

import pytest

SERVE = '''
import fal


class TextGen(fal.App):
    @fal.endpoint("/")
    def complete(self, prompt: str) -> str:
        return prompt[::-1]
'''


def check(cli, root, select: str = "FAL2") -> list[dict]:
    res = cli(["check", "--no-cache", "--output-format", "json", "--select", select], cwd=root)
    assert res.code in (0, 1), res.err
    return json.loads(res.out)


def codes(diags: list[dict]) -> list[str]:
    return sorted(d["code"] for d in diags)


def where(d: dict) -> tuple:
    return (d["code"], d["path"], d["line"], d["column"], d["end_line"], d["end_column"])


def pyproject(
    entry: str = "textgen.serve:TextGen",
    requirements: str | None = '["."]',
    build: str = "",
    header: str = '[project]\nname = "textgen"\nversion = "0.1.0"\n',
    extra: str = "",
) -> str:
    """A pyproject with one entry-point app `textgen` (line 6 holds the entry point
    when ``header`` and ``build`` are the defaults)."""
    app = f'[tool.fal.apps.textgen]\npython_entry_point = "{entry}"\n'
    if requirements is not None:
        app += f"requirements = {requirements}\n"
    return f"{build}{header}\n{app}{extra}"


def backend(name: str) -> str:
    return f'[build-system]\nrequires = ["x"]\nbuild-backend = "{name}"\n\n'


# --------------------------------------------------------------------------
# FAL201: the format


@pytest.mark.parametrize(
    "entry, span, fragment, help",
    [
        ("textgen.serve.TextGen", (22, 45), "has no `:`", 'write `python_entry_point = "textgen.serve:TextGen"`'),
        ("textgen.serve:", (22, 38), "the symbol part of `textgen.serve:` is empty", None),
        (":TextGen", (22, 32), "the module part", None),
        ("textgen.serve::TextGen", (37, 45), "uses `::`", 'write `python_entry_point = "textgen.serve:TextGen"`'),
        ("text-gen.serve:TextGen", (23, 37), "`text-gen` is not a Python identifier", '"text_gen.serve:TextGen"'),
        (".serve:TextGen", (23, 29), "relative module names cannot be imported", None),
        ("textgen..serve:TextGen", (23, 37), "has an empty component", None),
        ("textgen.serve:TextGen()", (37, 46), "`TextGen()` is not a symbol name", None),
        ("textgen.serve: TextGen", (37, 45), "` TextGen` is not a Python identifier", '"textgen.serve:TextGen"'),
        ("src/textgen/serve.py:TextGen", (23, 43), "is a file path", '"textgen.serve:TextGen"'),
        ("src/textgen/serve.py::TextGen", (23, 43), "is a file path", '"textgen.serve:TextGen"'),
    ],
)
def test_format_errors_point_at_the_offending_part(project, cli, entry, span, fragment, help):
    root = project({"pyproject.toml": pyproject(entry), "src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE})
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL201", "pyproject.toml", 6, span[0], 6, span[1])]
    assert fragment in diags[0]["message"]
    if help is not None:
        assert help in diags[0]["help"]


def test_file_path_suggestion_uses_the_layout_import_name(project, cli):
    # flat path written for a package-dir mapped layout: the wheel name is `serving.api`
    root = project({
        "pyproject.toml": pyproject(
            "code/api.py:TextGen", extra='\n[tool.setuptools]\npackage-dir = {"serving" = "code"}\npackages = ["serving"]\n'
        ),
        "code/__init__.py": "",
        "code/api.py": SERVE,
    })
    diags = check(cli, root, "FAL201")
    assert diags[0]["help"] == 'write `python_entry_point = "serving.api:TextGen"`'


def test_valid_dotted_symbols_and_unicode_names_are_accepted(project, cli):
    root = project({"pyproject.toml": pyproject("modèle.serve:Outer.Inner", requirements=None,
                                                extra='image = { image = "ghcr.io/acme/x:1" }\n')})
    assert check(cli, root) == []


def test_escaped_value_points_at_the_whole_string(project, cli):
    root = project({"pyproject.toml": pyproject("text-gen\\u002eserve:TextGen")})
    diags = check(cli, root, "FAL201")
    assert [where(d) for d in diags] == [("FAL201", "pyproject.toml", 6, 22, 6, 51)]


def test_literal_string_and_inline_table_positions(project, cli):
    root = project({
        "pyproject.toml": (
            '[project]\nname = "textgen"\nversion = "0"\n\n'
            "[tool.fal.apps]\n"
            "textgen = { python_entry_point = 'textgen.serve:TextGenn', requirements = ['.'] }\n"
        ),
        "src/textgen/__init__.py": "",
        "src/textgen/serve.py": SERVE,
    })
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL207", "pyproject.toml", 6, 49, 6, 57)]
    assert diags[0]["help"] == "did you mean `TextGen`?"
    assert diags[0]["key"] == "tool.fal.apps.textgen.python_entry_point"


def test_non_string_and_ref_apps_are_left_to_other_rules(project, cli):
    root = project({
        "pyproject.toml": (
            '[tool.fal.apps.a]\npython_entry_point = 3\n\n'
            '[tool.fal.apps.b]\nref = "app.py::App"\npython_entry_point = "nothing.here:App"\n'
        ),
        "app.py": SERVE,
    })
    assert check(cli, root) == []


# --------------------------------------------------------------------------
# FAL202: the project must be installed


SRC = {"src/textgen/__init__.py": "from .serve import TextGen\n", "src/textgen/serve.py": SERVE}


@pytest.mark.parametrize(
    "requirements, extra",
    [
        ('["."]', ""),
        ('[".[serve]"]', ""),
        ('["./"]', ""),
        ('[" . "]', ""),
        ('[["torch"], ["./[serve]"]]', ""),
        ('[".."]', 'requirements_context_dir = "deploy"\n'),
        ('["svc"]', 'requirements_context_dir = ".."\n'),  # the project directory, seen from its parent
        ('["textgen==0.1.0"]', ""),  # the published version, installed by name
        ('["TextGen @ git+https://github.com/acme/textgen@v1"]', ""),
    ],
)
def test_project_is_installed(project, cli, tmp_path, requirements, extra):
    files = {"pyproject.toml": pyproject(requirements=requirements, extra=extra), **SRC, "deploy/.keep": ""}
    root = project(files)
    if "requirements_context_dir = \"..\"" in extra:
        # the context dir is the parent: "svc" names the project directory
        sub = tmp_path / "svc"
        sub.mkdir()
        for name, text in files.items():
            (sub / name).parent.mkdir(parents=True, exist_ok=True)
            (sub / name).write_text(text)
        root = sub
    assert check(cli, root) == []


def test_absolute_path_to_the_project_installs_it(project, cli, tmp_path):
    root = project({"pyproject.toml": pyproject(requirements=json.dumps([str(tmp_path) + "/"])), **SRC})
    assert check(cli, root) == []


@pytest.mark.parametrize(
    "requirements, related",
    [
        (None, False),
        ('["torch==2.4.1", "./src"]', True),  # ./src exists but is not the project
        ('["."]', True),  # relative to requirements_context_dir = "deploy"
    ],
)
def test_project_not_installed(project, cli, requirements, related):
    extra = 'requirements_context_dir = "deploy"\n' if requirements == '["."]' else ""
    root = project({"pyproject.toml": pyproject(requirements=requirements, extra=extra), **SRC, "deploy/.keep": ""})
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL202", "pyproject.toml", 6, 22, 6, 45)]
    assert "`requirements` do not install the project" in diags[0]["message"]
    assert "`src/textgen/serve.py`" in diags[0]["message"]
    assert diags[0]["help"] == 'add the project to requirements: `requirements = [".", ...]`'
    assert bool(diags[0]["related"]) == related


def test_project_not_installed_and_unnamed_mentions_the_name(project, cli):
    root = project({"pyproject.toml": pyproject(requirements='["torch"]', header='[tool.x]\ny = 1\n'), **SRC})
    diags = check(cli, root)
    assert codes(diags) == ["FAL202"]
    assert "[project]` `name`" in diags[0]["help"]


def test_module_in_another_local_project_is_not_this_projects(project, cli):
    # requirements install a sibling project that has the module
    root = project({
        "pyproject.toml": pyproject(requirements='["./services/textgen"]'),
        "textgen/__init__.py": "",  # a same-named package in this (uninstalled) project
        "textgen/serve.py": SERVE,
        "services/textgen/pyproject.toml": '[project]\nname = "textgen-svc"\nversion = "1"\n',
        "services/textgen/src/textgen/__init__.py": "",
        "services/textgen/src/textgen/serve.py": SERVE,
    })
    assert check(cli, root) == []


def test_other_local_project_without_the_module_does_not_excuse(project, cli):
    root = project({
        "pyproject.toml": pyproject(requirements='["./libs/common"]'),
        **SRC,
        "libs/common/pyproject.toml": '[project]\nname = "common"\nversion = "1"\n',
        "libs/common/src/common/__init__.py": "",
    })
    assert codes(check(cli, root)) == ["FAL202"]


@pytest.mark.parametrize("entry", ["textgen.serve:TextGen", "serve:TextGen", "textgen.nothing:TextGen"])
def test_app_files_may_provide_the_module(project, cli, entry):
    # uploaded app_files land on the worker's sys.path: not installed / not packaged / not found are unknowable
    root = project({"pyproject.toml": pyproject(entry, requirements=None, extra='app_files = ["src", "serve.py"]\n'),
                    **SRC, "serve.py": SERVE})
    assert check(cli, root) == []
    # the symbol is still checked in the project's file
    (root / "pyproject.toml").write_text(
        pyproject("textgen.serve:Nope", requirements=None, extra='app_files = ["src"]\n'))
    assert codes(check(cli, root)) == ["FAL207"]


def test_malformed_requirements_are_left_to_the_schema_rules(project, cli):
    root = project({"pyproject.toml": pyproject(requirements='"."'), **SRC})
    assert check(cli, root) == []


# --------------------------------------------------------------------------
# FAL203 / FAL204: building the project


def test_unnamed_project_in_requirements(project, cli):
    root = project({
        "pyproject.toml": pyproject(header='[tool.poetry]\nname = "textgen"\nversion = "0"\n'),
        "textgen/__init__.py": "",
        "textgen/serve.py": SERVE,
    })
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL203", "pyproject.toml", 6, 22, 6, 45)]
    assert diags[0]["related"][0]["line"] == 7


def test_unnamed_project_is_reported_for_prebuilt_images_too(project, cli):
    root = project({
        "pyproject.toml": pyproject(header="[tool.x]\ny = 1\n", extra='image = { image = "python:3.12" }\n'),
    })
    assert codes(check(cli, root)) == ["FAL203"]


@pytest.mark.parametrize(
    "build, files, fragment, help",
    [
        ("", {"textgen/__init__.py": "", "textgen/serve.py": SERVE, "notebooks/__init__.py": ""},
         "multiple top-level packages", '`include = ["textgen*"]`'),
        (backend("hatchling.build"), {"serving/__init__.py": "", "serving/serve.py": SERVE},
         "hatchling cannot determine", None),
        (backend("uv_build"), {"textgen/__init__.py": "", "textgen/serve.py": SERVE},
         "uv_build expects a Python module at src/textgen/__init__.py", None),
        (backend("flit_core.buildapi"), {"textgen/__init__.py": "", "src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE},
         "flit: multiple files or folders", None),
    ],
)
def test_build_failures(project, cli, build, files, fragment, help):
    entry = "serving.serve:TextGen" if "serving/serve.py" in files else "textgen.serve:TextGen"
    root = project({"pyproject.toml": pyproject(entry, build=build), **files})
    diags = check(cli, root)
    assert [where(d)[:4] for d in diags] == [("FAL204", "pyproject.toml", 10 if build else 6, 22)]
    assert fragment in diags[0]["message"]
    if help:
        assert help in diags[0]["help"]


def test_hatch_build_failure_help_names_the_package(project, cli):
    root = project({
        "pyproject.toml": pyproject("serving.serve:TextGen", build=backend("hatchling.build")),
        "src/serving/__init__.py": "",
        "src/serving/serve.py": SERVE,
    })
    diags = check(cli, root)
    assert codes(diags) == ["FAL204"]
    assert '`packages = ["src/serving"]`' in diags[0]["help"]


def test_build_failure_with_setup_py_is_uncertain(project, cli):
    root = project({
        "pyproject.toml": pyproject(),
        "setup.py": "from setuptools import setup\nsetup(packages=['textgen'])\n",
        "textgen/__init__.py": "",
        "textgen/serve.py": SERVE,
        "notebooks/__init__.py": "",
    })
    assert check(cli, root) == []


# --------------------------------------------------------------------------
# FAL205 / FAL206: the module, per build backend


LAYOUTS = {
    "setuptools-packages": (
        "",
        '\n[tool.setuptools]\npackages = ["textgen"]\n',
        {"textgen/__init__.py": "", "textgen/serve.py": SERVE, "textgen/api/__init__.py": "", "textgen/api/serve.py": SERVE},
        "textgen.serve",
        {"textgen.api.serve": "FAL206", "textgen.serv": "FAL205"},
    ),
    "setuptools-package-dir": (
        "",
        '\n[tool.setuptools]\npackage-dir = {"" = "lib"}\n',
        {"lib/textgen/__init__.py": "", "lib/textgen/serve.py": SERVE, "tools/run.py": SERVE},
        "textgen.serve",
        {"tools.run": "FAL206", "textgen.nope": "FAL205"},
    ),
    "setuptools-find-where-include": (
        "",
        '\n[tool.setuptools.packages.find]\nwhere = ["src"]\ninclude = ["textgen*"]\n',
        {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE, "src/scratch/__init__.py": "",
         "src/scratch/serve.py": SERVE},
        "textgen.serve",
        {"scratch.serve": "FAL206", "src.textgen.serve": "FAL206"},
    ),
    "hatch-packages": (
        backend("hatchling.build"),
        '\n[tool.hatch.build.targets.wheel]\npackages = ["src/textgen"]\n',
        {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE, "scripts/serve.py": SERVE},
        "textgen.serve",
        {"scripts.serve": "FAL206", "textgen.other": "FAL205"},
    ),
    "hatch-sources": (
        backend("hatchling.build"),
        '\n[tool.hatch.build.targets.wheel]\npackages = ["lib"]\nsources = {"lib" = "textgen"}\n',
        {"lib/__init__.py": "", "lib/serve.py": SERVE},
        "textgen.serve",
        {"lib.serve": "FAL206", "textgen.serv": "FAL205"},
    ),
    "poetry-packages-from": (
        backend("poetry.core.masonry.api"),
        '\n[tool.poetry]\npackages = [{ include = "textgen", from = "src" }]\n',
        {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE, "src/extras/__init__.py": "",
         "src/extras/serve.py": SERVE},
        "textgen.serve",
        {"extras.serve": "FAL206", "textgen.x": "FAL205"},
    ),
    "pdm": (
        backend("pdm.backend"),
        "",
        {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE, "tests/__init__.py": "", "tests/serve.py": SERVE},
        "textgen.serve",
        {"tests.serve": "FAL206", "textgen.y": "FAL205"},
    ),
    "flit": (
        backend("flit_core.buildapi"),
        "",
        {"textgen/__init__.py": "", "textgen/serve.py": SERVE, "helpers/__init__.py": "", "helpers/serve.py": SERVE},
        "textgen.serve",
        {"helpers.serve": "FAL206", "textgen.z": "FAL205"},
    ),
    "uv-module-root-name": (
        backend("uv_build"),
        '\n[tool.uv.build-backend]\nmodule-root = ""\nmodule-name = "textgen"\n',
        {"textgen/__init__.py": "", "textgen/serve.py": SERVE, "other/__init__.py": "", "other/serve.py": SERVE},
        "textgen.serve",
        {"other.serve": "FAL206", "textgen.w": "FAL205"},
    ),
    "src-discovery": (
        "",
        "",
        {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE, "serve.py": SERVE},
        "textgen.serve",
        {"serve": "FAL206", "src.textgen.serve": "FAL206", "textgen.v": "FAL205"},
    ),
    "flat-discovery": (
        "",
        "",
        {"textgen/__init__.py": "", "textgen/serve.py": SERVE, "tests/__init__.py": "", "tests/serve.py": SERVE},
        "textgen.serve",
        {"tests.serve": "FAL206", "textgen.u": "FAL205"},
    ),
    "namespace-package": (
        "",
        '\n[tool.setuptools.packages.find]\nwhere = ["src"]\n',
        {"src/acme/textgen/__init__.py": "", "src/acme/textgen/serve.py": SERVE},
        "acme.textgen.serve",
        {"acme.textgen.server": "FAL205"},
    ),
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_module_resolution_per_build_backend(project, cli, layout):
    build, config, files, good, bad = LAYOUTS[layout]
    root = project({"pyproject.toml": pyproject(f"{good}:TextGen", build=build, extra=config), **files})
    assert check(cli, root) == [], layout
    for module, code in bad.items():
        (root / "pyproject.toml").write_text(pyproject(f"{module}:TextGen", build=build, extra=config))
        diags = check(cli, root)
        line = 10 if build else 6
        assert [where(d) for d in diags] == [(code, "pyproject.toml", line, 23, line, 23 + len(module))], (layout, module)


def test_not_packaged_help_gives_the_installed_name(project, cli):
    root = project({"pyproject.toml": pyproject("src.textgen.serve:TextGen"), **SRC})
    diags = check(cli, root)
    assert codes(diags) == ["FAL206"]
    assert diags[0]["help"] == 'the wheel has this file as `textgen.serve`: write `python_entry_point = "textgen.serve:TextGen"`'
    assert "src layout (src/, automatic discovery)" in diags[0]["message"]


def test_module_not_found_lists_where_it_looked_and_suggests(project, cli):
    root = project({"pyproject.toml": pyproject("textgen.sevre:TextGen"), **SRC})
    diags = check(cli, root)
    assert diags[0]["message"] == "module `textgen.sevre` not found: looked in `src/textgen/`"
    assert diags[0]["help"] == "did you mean `textgen.serve`?"


def test_module_under_a_module_is_not_found(project, cli):
    root = project({"pyproject.toml": pyproject("textgen.serve.app:TextGen"), **SRC})
    diags = check(cli, root)
    assert codes(diags) == ["FAL205"]
    assert "`textgen.serve` is a module (`src/textgen/serve.py`), not a package" in diags[0]["message"]


def test_extension_modules_are_not_reported_missing(project, cli):
    root = project({"pyproject.toml": pyproject("textgen.fast:TextGen"), **SRC, "src/textgen/fast.pyx": ""})
    assert check(cli, root) == []


def test_unknown_top_level_module(project, cli):
    # nothing but this dependency-free project is installed: the module cannot come from anywhere
    root = project({"pyproject.toml": pyproject("textgn.serve:TextGen"), **SRC})
    diags = check(cli, root)
    assert codes(diags) == ["FAL205"]
    assert "it is not in this project (looked in `src/`, `./`)" in diags[0]["message"]
    assert diags[0]["help"] == "did you mean `textgen.serve`?"


@pytest.mark.parametrize(
    "requirements, header",
    [
        ('[".", "textgn"]', None),  # another requirement may provide it
        ('["."]', '[project]\nname = "textgen"\nversion = "0"\ndependencies = ["textgn"]\n'),
        ('["./libs/x"]', None),  # another local project (its dependencies may provide it)
        ('["json5"]', None),
    ],
)
def test_unknown_top_level_module_that_something_else_may_provide(project, cli, requirements, header):
    kwargs = {"header": header} if header else {}
    root = project({"pyproject.toml": pyproject("textgn.serve:TextGen", requirements=requirements, **kwargs),
                    **SRC, "libs/x/pyproject.toml": '[project]\nname = "x"\nversion = "1"\ndependencies = ["textgn"]\n'})
    assert check(cli, root) == []


def test_namespace_typo_is_not_reported_when_another_distribution_may_fill_it(project, cli):
    files = {"src/acme/textgen/__init__.py": "", "src/acme/textgen/serve.py": SERVE}
    root = project({"pyproject.toml": pyproject("acme.textgn.serve:TextGen", requirements='[".", "acme-other"]'), **files})
    assert check(cli, root) == []


def test_stdlib_and_fal_modules_are_not_reported(project, cli):
    for entry in ("http.server:HTTPServer", "fal.toolkit:Image"):
        root = project({"pyproject.toml": pyproject(entry, requirements="[]"), **SRC})
        assert check(cli, root) == [], entry


def test_setup_py_makes_module_errors_silent(project, cli):
    root = project({
        "pyproject.toml": pyproject("scripts.serve:TextGen"),
        "setup.py": "from setuptools import setup\nsetup()\n",
        "scripts/__init__.py": "",
        "scripts/serve.py": SERVE,
    })
    assert check(cli, root) == []


# --------------------------------------------------------------------------
# containers


def test_prebuilt_image_skips_module_resolution(project, cli):
    root = project({
        "pyproject.toml": pyproject("nowhere.serve:Missing", requirements=None,
                                    extra='image = { image = "ghcr.io/acme/textgen:1" }\n'),
    })
    assert check(cli, root) == []


def test_dockerfile_app_checks_only_what_the_project_has(project, cli):
    extra = '\n[tool.fal.apps.textgen.image]\ndockerfile = "Dockerfile"\n'
    files = {**SRC, "Dockerfile": "FROM python:3.12\nCOPY . /app\nRUN pip install /app\n"}
    # not installed through requirements, module not in the project: the image may provide both
    for entry in ("textgen.serve:TextGen", "vendored.serve:App"):
        root = project({"pyproject.toml": pyproject(entry, requirements=None, extra=extra), **files})
        assert check(cli, root) == [], entry
    # the module is in the project: the symbol is checked
    root = project({"pyproject.toml": pyproject("textgen.serve:Textgen", requirements=None, extra=extra), **files})
    diags = check(cli, root)
    assert codes(diags) == ["FAL207"]


# --------------------------------------------------------------------------
# FAL207-FAL209: the symbol


def symbol_project(project, entry: str, files: dict, requirements: str = '["."]'):
    return project({"pyproject.toml": pyproject(entry, requirements=requirements), **files})


@pytest.mark.parametrize(
    "entry, files",
    [
        # re-exported by the package
        ("textgen:TextGen", {"src/textgen/__init__.py": "from .serve import TextGen\n", "src/textgen/serve.py": SERVE}),
        # star import honouring __all__
        ("textgen:TextGen", {"src/textgen/__init__.py": "from .serve import *\n",
                             "src/textgen/serve.py": SERVE + '\n__all__ = ["TextGen"]\n'}),
        # an alias, through an absolute import
        ("textgen.api:Service", {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE,
                                 "src/textgen/api.py": "from textgen.serve import TextGen\nService = TextGen\n"}),
        # an intermediate base class in another module
        ("textgen.serve:Child", {"src/textgen/__init__.py": "",
                                 "src/textgen/base.py": SERVE.replace("TextGen", "Base"),
                                 "src/textgen/serve.py": "from .base import Base\n\nclass Child(Base):\n    pass\n"}),
        # a fal function, and wrap_app
        ("textgen.serve:run", {"src/textgen/__init__.py": "",
                               "src/textgen/serve.py": "import fal\n\n@fal.function(machine_type='S')\ndef run():\n    pass\n"}),
        ("textgen.serve:wrapped", {"src/textgen/__init__.py": "",
                                   "src/textgen/serve.py": SERVE + "\nwrapped = fal.wrap_app(TextGen)\n"}),
        # a base from a third-party package: cannot be decided
        ("textgen.serve:Svc", {"src/textgen/__init__.py": "",
                               "src/textgen/serve.py": "from acme_sdk import BaseApp\n\nclass Svc(BaseApp):\n    pass\n"}),
        # module __getattr__ may provide anything
        ("textgen.serve:Lazy", {"src/textgen/__init__.py": "",
                                "src/textgen/serve.py": "def __getattr__(name):\n    raise AttributeError(name)\n"}),
        # a star import from a third-party module may provide it
        ("textgen.serve:Thing", {"src/textgen/__init__.py": "", "src/textgen/serve.py": "from acme_sdk.apps import *\n"}),
        # a syntax error is not this family's business
        ("textgen.serve:TextGen", {"src/textgen/__init__.py": "", "src/textgen/serve.py": "class (:\n"}),
        # other decorators on a function: unknown
        ("textgen.serve:run", {"src/textgen/__init__.py": "",
                               "src/textgen/serve.py": "from acme import deco\n\n@deco\ndef run():\n    pass\n"}),
        # a class of its own with run_local (all the worker calls)
        ("textgen.serve:Custom", {"src/textgen/__init__.py": "",
                                  "src/textgen/serve.py": "class Custom:\n    @classmethod\n    def run_local(cls):\n        pass\n"}),
        # a dotted symbol: only the first name is checked
        ("textgen.serve:TextGen.complete", {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE}),
    ],
)
def test_symbol_accepted(project, cli, entry, files):
    assert check(cli, symbol_project(project, entry, files)) == []


@pytest.mark.parametrize(
    "entry, files, code, fragment",
    [
        ("textgen:TextGen", {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE},
         "FAL207", "`TextGen` is not defined in module `textgen` (`src/textgen/__init__.py`)"),
        ("textgen:TextGen", {"src/textgen/__init__.py": "from .serve import TextGenApp\n", "src/textgen/serve.py": SERVE},
         "FAL207", "`TextGen` is not defined"),
        ("textgen:Other", {"src/textgen/__init__.py": "from .serve import *\n",
                           "src/textgen/serve.py": SERVE + "\nclass Other(TextGen):\n    pass\n__all__ = ['TextGen']\n"},
         "FAL207", "`Other` is not defined"),
        ("textgen.serve:Helper", {"src/textgen/__init__.py": "",
                                  "src/textgen/serve.py": "class Helper:\n    pass\n"},
         "FAL208", "is a class that does not subclass fal.App"),
        ("textgen.serve:run", {"src/textgen/__init__.py": "",
                               "src/textgen/serve.py": "import fal\n\n@fal.function\ndef run():\n    pass\n"},
         "FAL208", "bare `@fal.function`"),
        ("textgen.serve:fal", {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE},
         "FAL208", "is `fal`, not a fal.App"),
        ("textgen:serve", {"src/textgen/__init__.py": "from . import serve\n", "src/textgen/serve.py": SERVE},
         "FAL208", "`serve` is a module"),
        ("textgen.serve:PORT", {"src/textgen/__init__.py": "", "src/textgen/serve.py": "PORT = 8080\n"},
         "FAL208", "is a constant (`8080`)"),
        ("textgen.serve:Base", {"src/textgen/__init__.py": "",
                                "src/textgen/serve.py": "from fal import App as Base\n"},
         "FAL209", "fal.App `Base` serves no route"),
        ("textgen.serve:Child", {"src/textgen/__init__.py": "",
                                 "src/textgen/serve.py": "import fal\n\nclass Base(fal.App):\n    pass\n\n"
                                                         "class Child(Base):\n    def run(self):\n        pass\n"},
         "FAL209", "fal.App `Child` serves no route"),
    ],
)
def test_symbol_rejected(project, cli, entry, files, code, fragment):
    diags = check(cli, symbol_project(project, entry, files))
    module, symbol = entry.split(":")
    assert [where(d) for d in diags] == [(code, "pyproject.toml", 6, 23 + len(module) + 1, 6, 23 + len(entry))]
    assert fragment in diags[0]["message"]


def test_symbol_diagnostics_point_back_at_the_definition(project, cli):
    files = {"src/textgen/__init__.py": "from .impl import Helper\n", "src/textgen/impl.py": "# helpers\n\nclass Helper:\n    pass\n"}
    diags = check(cli, symbol_project(project, "textgen:Helper", files))
    assert codes(diags) == ["FAL208"]
    [related] = diags[0]["related"]
    assert (related["path"], related["line"], related["column"]) == ("src/textgen/impl.py", 3, 7)


def test_symbol_is_checked_even_when_the_project_is_not_installed(project, cli):
    diags = check(cli, symbol_project(project, "textgen.serve:TextGenn", SRC, requirements=None))
    assert codes(diags) == ["FAL202", "FAL207"]


def test_symbol_is_not_checked_in_an_unpackaged_module(project, cli):
    files = {**SRC, "serve.py": "x = 1\n"}
    diags = check(cli, symbol_project(project, "serve:Missing", files))
    assert codes(diags) == ["FAL206"]


def test_each_file_is_parsed_once_per_run(project, cli, monkeypatch):
    from fallint.model import sources as resolve

    seen: list = []
    real_file, real_bytes = resolve.load_file, resolve.load_bytes

    def counting(path):
        seen.append(path)
        return real_file(path)

    def counting_bytes(path, data):
        seen.append(path)
        return real_bytes(path, data)

    monkeypatch.setattr(resolve, "load_file", counting)
    monkeypatch.setattr(resolve, "load_bytes", counting_bytes)
    extra = "".join(
        f'\n[tool.fal.apps.app{i}]\npython_entry_point = "textgen:TextGen"\nrequirements = ["."]\n' for i in range(3)
    )
    root = project({"pyproject.toml": pyproject(extra=extra), **SRC})
    assert check(cli, root) == []
    assert len(seen) == len(set(seen)) == 2  # textgen/__init__.py and textgen/serve.py


def test_clean_example_is_clean(cli):
    from ..helpers import REPO

    res = cli(["check", "--no-cache", "--select", "FAL2", str(REPO / "examples" / "clean")])
    assert res.code == 0, res.out


def test_multiline_value_points_at_the_whole_string(project, cli):
    root = project({
        "pyproject.toml": pyproject().replace('"textgen.serve:TextGen"', '"""textgen.serve:\nTextGen"""'),
        **SRC,
    })
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL201", "pyproject.toml", 6, 22, 7, 11)]


@pytest.mark.skipif(not hasattr(__import__("os"), "symlink"), reason="needs symlinks")
def test_hostile_files_do_not_break_the_rules(project, cli):
    import os

    root = project({
        "pyproject.toml": pyproject(extra='\n[tool.fal.apps.blob]\npython_entry_point = "textgen.blob:X"\nrequirements = ["."]\n'),
        **SRC,
        "src/textgen/blob.py": b"\x89PNG\x00\x00\xff",
    })
    os.symlink("loop", root / "src" / "textgen" / "loop")
    os.symlink(root / "src", root / "src" / "textgen" / "up")
    assert check(cli, root) == []
    # the symlink loop is also where a missing module is looked for
    (root / "pyproject.toml").write_text(pyproject("textgen.loop.x:X"))
    assert codes(check(cli, root)) == ["FAL205"]
