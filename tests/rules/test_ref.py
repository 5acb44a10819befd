"""The 1xx rules: an app's `ref`, the file it names and the target fal finds there."""

from __future__ import annotations

import json
import os
import textwrap

import pytest

from fallint.engine.run import Options, check_paths

WEB = textwrap.dedent('''
    import fal


    class Web(fal.App):
        @fal.endpoint("/")
        def run(self) -> dict:
            return {}
    ''').lstrip("\n")


def pyproject(*refs: str, extra: str = "") -> str:
    """A pyproject with one app per ref: app0, app1, ..."""
    out = []
    for i, ref in enumerate(refs):
        out.append(f'[tool.fal.apps.app{i}]\nref = {json.dumps(ref)}\n{extra}')
    return "\n".join(out)


@pytest.fixture
def lint(project, cli):
    """lint(files) -> the FAL1xx diagnostics (json dicts) of the project."""

    def run(files: dict, select: str = "FAL1") -> list[dict]:
        root = project(files)
        res = cli(["check", str(root), "--output-format", "json", "--select", select], cwd=root)
        assert res.code in (0, 1), res.err
        return json.loads(res.out)

    return run


def brief(diags: list[dict]) -> list[tuple]:
    return sorted((d["code"], d["path"], d["line"], d["column"]) for d in diags)


# -- finding the target through aliases, bases and re-exports ------------------------


@pytest.mark.parametrize(
    "source",
    [
        WEB,
        "import fal as f\n\n\nclass Web(f.App):\n    @f.endpoint('/')\n    def run(self): ...\n",
        "from fal import App as Base, endpoint\n\n\nclass Web(Base):\n    @endpoint('/')\n    def run(self): ...\n",
        "from fal import *\n\n\nclass Web(App):\n    @realtime('/ws')\n    def run(self): ...\n",
        "import fal\n\n\nclass Mid(fal.App):\n    @fal.endpoint('/')\n    def run(self): ...\n\n\nclass Web(Mid):\n    pass\n",
        "type Payload = dict[str, int]\n\n\ndef first[T](items: list[T]) -> T:\n    return items[0]\n\n\n" + WEB,
    ],
    ids=["plain", "import-fal-as-f", "from-fal-import-App-as-Base", "star", "local-base", "pep695"],
)
def test_valid_app_through_aliases_and_new_syntax(lint, source):
    assert lint({"pyproject.toml": pyproject("app.py::Web"), "app.py": source}) == []


def test_cross_module_base_and_reexport(lint):
    files = {
        "pyproject.toml": pyproject("main.py::Web", "main.py", "apps/web.py::Web"),
        "shared/__init__.py": "from shared.base import Base\n__all__ = ['Base']\n",
        "shared/base.py": "import fal\n\n\nclass Base(fal.App):\n    @fal.endpoint('/')\n    def run(self): ...\n",
        "apps/web.py": "from shared import Base\n\n\nclass Web(Base):\n    machine_type = 'M'\n",
        "main.py": "from apps.web import Web\n",
    }
    assert lint(files) == []
    # the base loses its endpoint: the class main.py re-exports has none
    files["shared/base.py"] = "import fal\n\n\nclass Base(fal.App):\n    pass\n"
    diags = lint(files)
    assert brief(diags) == [("FAL110", "apps/web.py", 4, 7)]  # reported once for three apps
    assert diags[0]["related"][0]["path"] == "pyproject.toml"


def test_third_party_bases_say_nothing(lint):
    source = "from mycorp.serving import BaseApp\n\n\nclass Web(BaseApp):\n    pass\n\n\nclass Other(BaseApp):\n    pass\n"
    assert lint({"pyproject.toml": pyproject("app.py::Web", "app.py"), "app.py": source}) == []


def test_import_cycles_do_not_hang_or_report(lint):
    files = {
        "pyproject.toml": pyproject("a.py::A", "a.py", "b.py::Loop"),
        "a.py": "from b import B, Loop\n\n\nclass A(B):\n    pass\n",
        "b.py": "from a import A, Loop\n\n\nclass B(A):\n    pass\n",
    }
    assert lint(files) == []


# -- the file ---------------------------------------------------------------------------------------


def test_malformed_refs(lint):
    files = {
        "pyproject.toml": pyproject("", "   ", "app.py::", "::Web", "app.py:Web", "apps.web::Web", "nothing", "app.py::Web"),
        "app.py": WEB,
        "apps/web.py": WEB,
    }
    diags = lint(files)
    assert {d["app"] for d in diags if d["code"] == "FAL101"} == {f"app{i}" for i in range(7)}
    assert all((d["path"], d["column"]) == ("pyproject.toml", 7) for d in diags)
    by_app = {d["app"]: d for d in diags}
    assert by_app["app4"]["help"] == 'write `ref = "app.py::Web"`'
    assert by_app["app5"]["help"] == 'did you mean `ref = "apps/web.py::Web"`?'
    assert "app7" not in by_app


def test_outside_the_project(lint, tmp_path):
    outside = tmp_path.parent / f"{tmp_path.name}-shared"
    outside.mkdir()
    (outside / "app.py").write_text(WEB)
    diags = lint({"pyproject.toml": pyproject(f"../{outside.name}/app.py::Web", str(outside / "app.py") + "::Web",
                                              "apps/../app.py::Web"),
                  "app.py": WEB})
    assert [(d["code"], d["severity"], d["app"]) for d in diags] == [
        ("FAL102", "warning", "app0"), ("FAL102", "warning", "app1")]
    assert "absolute path" in diags[1]["message"]


def test_missing_file_suggestions(lint):
    files = {
        "pyproject.toml": pyproject("apps/imagegen.py::ImageGen", "apps/web.py::Renamed", "apps/wbe.py",
                                    "nowhere/x.py"),
        "apps/image_gen.py": WEB.replace("Web", "ImageGen"),
        "apps/web.py": WEB,
        ".venv/lib/apps/wbe.py": WEB,  # hidden directories are not suggested
        "venv/pyvenv.cfg": "home = /usr\n",
        "venv/apps/wbe.py": WEB,
    }
    diags = {d["app"]: d for d in lint(files)}
    assert diags["app0"]["code"] == "FAL103"
    assert diags["app0"]["help"] == ('`ImageGen` is defined in `apps/image_gen.py`: '
                                     'did you mean `ref = "apps/image_gen.py::ImageGen"`?')
    assert diags["app1"]["code"] == "FAL106"  # the file exists: the name is the problem
    assert diags["app2"]["help"] == 'did you mean `ref = "apps/web.py"`?'
    assert diags["app3"]["code"] == "FAL103" and diags["app3"]["help"] is None


def test_directory_unreadable_not_utf8_binary(lint, tmp_path):
    files = {
        "pyproject.toml": pyproject("apps::Web", "loop.py::Web", "latin.py::Web", "binary.py::Web", "cookie.py::Web"),
        "apps/web.py": WEB,
        "latin.py": b"import fal\n# caf\xe9\n",
        "binary.py": b"import fal\x00\n",
        "cookie.py": b"# -*- coding: latin-1 -*-\n# caf\xe9\n" + WEB.encode(),
    }
    os.symlink("loop.py", tmp_path / "loop.py")  # a symlink loop
    diags = {d["app"]: d for d in lint(files)}
    assert set(diags) == {"app0", "app1", "app2", "app3"}
    assert all((d["code"], d["column"]) == ("FAL104", 7) for d in diags.values())
    assert diags["app0"]["help"] == 'did you mean `ref = "apps/web.py::Web"`?'
    assert "symbolic links" in diags["app1"]["message"]
    assert "not valid UTF-8" in diags["app2"]["message"]
    assert (diags["app2"]["related"][0]["path"], diags["app2"]["related"][0]["line"]) == ("latin.py", 2)
    assert "binary" in diags["app3"]["message"]


def test_syntax_error_in_the_python_file(lint):
    files = {
        "pyproject.toml": pyproject("app.py::Web", "app.py"),
        "app.py": "import fal\n\nclass Web(fal.App):\n    def run(self) -> dict\n        return {}\n",
    }
    diags = lint(files)
    assert brief(diags) == [("FAL105", "app.py", 4, 26)]  # once, though two apps run the file
    assert diags[0]["related"][0]["path"] == "pyproject.toml"
    assert "expected ':'" in diags[0]["message"]


# -- the name ------------------------------------------------------------------------------------


def test_name_not_found(lint):
    files = {
        "pyproject.toml": pyproject("app.py::Website", "app.py::print", "app.py::Thing", "star.py::Anything",
                                    "fromfal.py::Web", "broken.py::Web"),
        "app.py": WEB,
        "star.py": "from somewhere_else import *\n",  # a third-party star import: could bind anything
        "fromfal.py": "from fal import *\n\n\nclass Web(App):\n    @endpoint('/')\n    def run(self): ...\n",
        "broken.py": "from missing_local_module_xyz import Web\n",
        "models.py": "class Thing:\n    pass\n",
    }
    diags = {d["app"]: d for d in lint(files)}
    assert set(diags) == {"app0", "app1", "app2"}
    assert diags["app0"]["message"] == "`app.py` has no module-level name `Website`"
    assert diags["app0"]["help"] == 'did you mean `ref = "app.py::Web"`?'
    assert diags["app1"]["code"] == "FAL106"  # builtins are not module globals
    assert diags["app2"]["help"] == '`Thing` is defined in `models.py`: did you mean `ref = "models.py::Thing"`?'


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("Prompt", "a pydantic model"),
        ("Plain", "a plain class"),
        ("Error", "a class that does not derive from fal.App"),
        ("helper", "a plain function (not decorated with `@fal.function(...)`)"),
        ("PORT", "an integer (`8080`)"),
        ("os", "a module"),
        ("BaseModel", "`pydantic.BaseModel`, imported from outside the project"),
    ],
)
def test_not_an_app(lint, name, what):
    source = (
        "import os\nimport fal\nfrom pydantic import BaseModel\n\nPORT = 8080\n\n\n"
        "class Prompt(BaseModel):\n    text: str\n\n\nclass Plain:\n    pass\n\n\n"
        "class Error(Exception):\n    pass\n\n\ndef helper():\n    pass\n\n\n" + WEB.replace("import fal\n", "")
    )
    diags = lint({"pyproject.toml": pyproject(f"app.py::{name}"), "app.py": source})
    assert [d["code"] for d in diags] == ["FAL107"]
    assert diags[0]["message"] == f"`{name}` in `app.py` is {what}, not a fal.App subclass or a fal.function"
    assert diags[0]["help"] == 'did you mean `ref = "app.py::Web"`?'


def test_fal_function_targets(lint):
    source = textwrap.dedent('''
        import fal
        from fal import function as ff


        @fal.function()
        def plain_call():
            pass


        @ff(requirements=["numpy"])
        def aliased():
            pass


        wrapped = fal.function("virtualenv")(lambda: 1)
        served = fal.wrap_app(None)


        def undecorated():
            pass


        @some_decorator
        def maybe():
            pass
        ''')
    refs = ["app.py::plain_call", "app.py::aliased", "app.py::wrapped", "app.py::served", "app.py::maybe",
            "app.py::undecorated"]
    diags = lint({"pyproject.toml": pyproject(*refs), "app.py": source})
    assert [(d["code"], d["app"]) for d in diags] == [("FAL107", "app5")]


def test_bare_and_misplaced_fal_function(lint):
    source = textwrap.dedent('''
        import functools
        import fal as f


        @f.function
        def bare():
            pass


        @functools.cache
        @f.function()
        def under():
            pass
        ''')
    diags = lint({"pyproject.toml": pyproject("job.py::bare", "job.py::under", "job.py"), "job.py": source})
    assert brief(diags) == [("FAL111", "job.py", 5, 2), ("FAL111", "job.py", 11, 2)]
    assert "without parentheses" in diags[0]["message"] and "`@f.function`" in diags[0]["message"]
    assert "not the outermost decorator of `under`" in diags[1]["message"]


def test_scan_without_name(lint):
    files = {
        "pyproject.toml": pyproject("alias.py", "imported.py", "fal_bases.py", "functions.py", "empty.py",
                                    "unknown.py", "one.py"),
        "alias.py": WEB + "\n\nAlias = Web\n",
        "imported.py": "from one import Web\n\n\n" + WEB.replace("class Web", "class Other"),
        "fal_bases.py": "import fal\nfrom fal import App\nfrom fal.wma import App as W\n\n\n" + WEB,
        "functions.py": "import fal\n\n\n@fal.function()\ndef a(): ...\n\n\n@fal.function()\ndef b(): ...\n",
        "empty.py": "import os\nVALUE = 1\n",
        "unknown.py": "from mycorp import Base\n\n\nclass Web(Base):\n    pass\n",
        "one.py": WEB,
    }
    diags = {d["app"]: d for d in lint(files)}
    assert set(diags) == {"app0", "app1", "app3", "app4"}
    assert diags["app0"]["message"] == \
        "`alias.py` has 2 fal.App subclasses (`Web`, `Alias`); fal needs `::Name` to pick one"
    assert [(r["line"], r["message"]) for r in diags["app0"]["related"]] == [
        (4, "`Web`"), (10, "`Alias` (bound to `Web`)")]
    assert "(`Web`, `Other`)" in diags["app1"]["message"]
    assert diags["app1"]["related"][0]["line"] == 1  # the import binds it
    assert diags["app3"]["message"].startswith("`functions.py` has 2 fal.functions (`a`, `b`)")
    assert diags["app4"]["code"] == "FAL108"


# -- what fal does with the class ---------------------------------------------------------------------


def test_class_keywords_that_crash(lint):
    files = {
        "pyproject.toml": pyproject("app.py::Web", "app.py::Other"),
        "base.py": "import fal\n\n\nclass Base(fal.App, regions=['us-east']):\n    @fal.endpoint('/')\n    def run(self): ...\n",
        "app.py": "import fal\nfrom base import Base\n\n\nclass Web(Base, num_gpus=1, keep_alive=5):\n    pass\n\n\n"
                  "class Other(fal.App, keep_alive=5):\n    @fal.endpoint('/')\n    def run(self): ...\n",
    }
    diags = lint(files)
    assert brief(diags) == [("FAL112", "app.py", 5, 17), ("FAL112", "base.py", 4, 21)]
    assert all("multiple values" in d["message"] for d in diags)


def test_relative_imports(lint):
    files = {
        "pyproject.toml": pyproject("apps/web.py::Web"),
        "apps/__init__.py": "",
        "apps/helpers.py": "A = B = C = D = 1\n",
        "apps/web.py": textwrap.dedent('''
            from typing import TYPE_CHECKING
            from . import helpers
            from .helpers import (
                A,
                B,
            )
            from .helpers import *

            if TYPE_CHECKING:
                from .helpers import C
            try:
                from .helpers import D
            except ImportError:
                D = 0
            ''').lstrip("\n") + WEB,
    }
    diags = lint(files)
    assert brief(diags) == [("FAL113", "apps/web.py", 2, 1), ("FAL113", "apps/web.py", 3, 1),
                            ("FAL113", "apps/web.py", 7, 1)]
    assert diags[0]["help"] == "use an absolute import: `from apps import helpers`"
    files["apps/web.py"] = "__package__ = 'apps'\n" + files["apps/web.py"]
    assert lint(files) == []


def test_sibling_imports(lint):
    files = {
        "pyproject.toml": pyproject("apps/web.py::Web"),
        "apps/helpers.py": "A = 1\n",
        "apps/tools/__init__.py": "",
        "shared.py": "B = 1\n",
        "apps/shared.py": "B = 1\n",
        "apps/web.py": "import json\nimport helpers\nfrom tools import x\nimport shared\n" + WEB,
    }
    diags = lint(files)
    assert brief(diags) == [("FAL114", "apps/web.py", 2, 1), ("FAL114", "apps/web.py", 3, 1)]
    assert diags[0]["severity"] == "warning"
    assert diags[0]["help"] == "import it from the project root: `import apps.helpers`"
    files["apps/web.py"] = "import sys, os\nsys.path.insert(0, os.path.dirname(__file__))\n" + files["apps/web.py"]
    assert lint(files) == []


def test_app_files_with_toml_image(lint):
    files = {
        "pyproject.toml": '[tool.fal.apps.web]\nref = "app.py::Web"\n\n[tool.fal.apps.web.image]\ndockerfile = "Dockerfile"\n',
        "Dockerfile": "FROM python:3.11\n",
        "base.py": "import fal\n\n\nclass Base(fal.App):\n    app_files = ['assets']\n",
        "app.py": "import fal\nfrom base import Base\n\n\nclass Web(Base):\n    @fal.endpoint('/')\n    def run(self): ...\n",
    }
    diags = lint(files)
    assert brief(diags) == [("FAL115", "pyproject.toml", 4, 20)]  # `image` in the header
    assert (diags[0]["related"][0]["path"], diags[0]["related"][0]["line"]) == ("base.py", 5)
    files["base.py"] = "import fal\n\n\nclass Base(fal.App):\n    app_files = []\n"
    assert lint(files) == []


# -- the run as a whole -----------------------------------------------------------------------------


def test_no_user_code_runs(lint, tmp_path):
    marker = tmp_path / "IMPORTED"
    evil = f"open({str(marker)!r}, 'w').write('ran')\nimport helper\n" + WEB
    files = {
        "pyproject.toml": pyproject("app.py::Web", "app.py", "app.py::Missing"),
        "app.py": evil,
        "helper.py": f"open({str(marker)!r}, 'w').write('ran')\n",
    }
    lint(files)
    assert not marker.exists()


def test_each_python_file_is_parsed_once(project):
    root = project({
        "pyproject.toml": pyproject("app.py::Web", "app.py", "app.py::Web", "main.py::Web", "main.py",
                                    extra='requirements = ["numpy"]\nmachine_type = "M"\n'),
        "app.py": "from base import Base\nimport fal\n\n\nclass Web(Base):\n    @fal.endpoint('/')\n    def run(self): ...\n",
        "base.py": "import fal\n\n\nclass Base(fal.App):\n    machine_type = 'S'\n",
        "main.py": "from app import Web\n",
    })
    result = check_paths([str(root)], Options(project_options={"no_cache": True}), cwd=root)
    assert not result.internal_errors
    assert result.projects[0].sources.parse_count == 3


NO_ROUTE = {
    "pyproject.toml": '# apps\n[tool.fal.apps.web]\nname = "web"\nref   =   "app.py::Web"\n',
    "app.py": "import fal\n\n\nclass Web(fal.App):\n    pass\n",
}


def test_full_output_shows_related_locations_as_notes(project, cli):
    root = project(NO_ROUTE)
    res = cli(["check", str(root), "--select", "FAL110", "--output-format", "full"], cwd=root)
    assert "app.py:4:7: error FAL110 [web] fal.App class `Web` has no endpoint" in res.out
    assert "= note: pyproject.toml:4:11: app `web` deploys this class" in res.out
    assert '4 | ref   =   "app.py::Web"' in res.out


def test_sarif_has_related_locations(project, cli):
    root = project(NO_ROUTE)
    res = cli(["check", str(root), "--select", "FAL110", "--output-format", "sarif"], cwd=root)
    result = json.loads(res.out)["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "app.py"
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "pyproject.toml"
    assert (related["region"]["startLine"], related["region"]["startColumn"]) == (4, 11)


def test_examples_clean_stays_clean(cli):
    from ..helpers import REPO

    res = cli(["check", str(REPO / "examples" / "clean"), "--select", "FAL1,FAL6", "--fail-on", "warning"],
              cwd=REPO)
    assert res.code == 0, res.out


def test_nul_byte_in_ref_does_not_crash(lint):
    diags = lint({"pyproject.toml": '[tool.fal.apps.web]\nref = "app\\u0000.py::Web"\n', "app.py": WEB})
    assert [d["code"] for d in diags] == ["FAL101"]
