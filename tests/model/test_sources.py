"""fallint.model.sources: cross-file resolution, fal verdicts, settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fallint.formats.python import ModuleIndex
from fallint.model.layout import project_layout
from fallint.model.sources import MAX_SOURCE_BYTES, FileResult, SourceProject, load_file


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


# -- fal.App detection ----------------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "import fal\nclass A(fal.App): pass\n",
        "import fal as f\nclass A(f.App): pass\n",
        "from fal import App as Base\nclass A(Base): pass\n",
        "import fal.app\nclass A(fal.app.App): pass\n",
        "from fal.app import App\nclass A(App): pass\n",
        "import fal\nBase = fal.App\nclass A(Base): pass\n",
        "from fal import *\nclass A(App): pass\n",
        "import fal\nclass Mid(fal.App): pass\nclass Mid2(Mid): pass\nclass A(object, Mid2): pass\n",
        "import fal.wma\nclass A(fal.wma.App): pass\n",
        "try:\n    from fal import App\nexcept ImportError:\n    App = object\nclass A(App): pass\n",
    ],
)
def test_is_fal_app_through_aliases_and_local_bases(tmp_path, source):
    write(tmp_path, {"app.py": source})
    project = SourceProject(tmp_path)
    assert project.is_fal_app(project.lookup(tmp_path / "app.py", "A")) is True


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("from pydantic import BaseModel\nclass A(BaseModel): pass\n", False),
        ("class A: pass\n", False),
        ("import typing\nclass A(typing.Generic[T], Exception): pass\n", False),
        ("import fal\nclass A(fal.toolkit.Image): pass\n", False),
        ("from mycorp.base import AppBase\nclass A(AppBase): pass\n", None),
        ("class A(undefined_name): pass\n", None),
        ("class A(make_base()): pass\n", None),
        ("from pydantic import BaseModel\nfrom mycorp import Mixin\nclass A(BaseModel, Mixin): pass\n", None),
        ("import fal\nfrom mycorp import Mixin\nclass A(Mixin, fal.App): pass\n", True),
    ],
)
def test_is_fal_app_false_or_unknown(tmp_path, source, expected):
    write(tmp_path, {"app.py": source})
    project = SourceProject(tmp_path)
    assert project.is_fal_app(project.lookup(tmp_path / "app.py", "A")) is expected


def test_bases_from_other_project_modules(tmp_path):
    write(tmp_path, {
        "shared/__init__.py": "from .base import Base\n__all__ = ['Base']\n",
        "shared/base.py": "import fal\nclass Base(fal.App):\n    machine_type = 'GPU-A100'\n",
        "shared/models.py": "from pydantic import BaseModel\nclass Input(BaseModel): pass\n",
        "apps/__init__.py": "",
        "apps/one.py": "from shared import Base\nclass One(Base): pass\n",
        "apps/two.py": "import shared.models as m\nfrom ..shared.base import Base as B\nclass Two(m.Input): pass\nclass Three(B): pass\n",
        "apps/three.py": "from shared import *\nclass Four(Base): pass\n",
    })
    project = SourceProject(tmp_path)
    one = project.lookup(tmp_path / "apps/one.py", "One")
    assert project.is_fal_app(one) is True
    base = project.lookup(tmp_path / "apps/one.py", "Base")
    assert (base.kind, base.path, base.line) == ("class", tmp_path / "shared/base.py", 2)
    assert base.binding == "Base"
    assert project.is_fal_app(project.lookup(tmp_path / "apps/two.py", "Two")) is False
    assert project.is_fal_app(project.lookup(tmp_path / "apps/two.py", "Three")) is True
    assert project.is_fal_app(project.lookup(tmp_path / "apps/three.py", "Four")) is True


def test_import_cycles_are_safe(tmp_path):
    write(tmp_path, {
        "a.py": "from b import B, Loop\nclass A(B): pass\nX = Y\nY = X\n",
        "b.py": "from a import A\nfrom a import Loop\nclass B(A): pass\n",
        "c.py": "from c import C\nclass D(C): pass\n",
    })
    project = SourceProject(tmp_path)
    assert project.is_fal_app(project.lookup(tmp_path / "a.py", "A")) is None
    assert project.lookup(tmp_path / "a.py", "Loop") is None
    x = project.lookup(tmp_path / "a.py", "X")
    assert x.kind == "assignment"
    assert project.is_fal_app(project.lookup(tmp_path / "c.py", "D")) is None
    assert project.has_route(project.lookup(tmp_path / "a.py", "A")) is None


# -- lookups, re-exports, modules --------------------------------------------------


def test_reexports_all_and_star_imports(tmp_path):
    write(tmp_path, {
        "pkg/__init__.py": "from .app import Svc\nfrom .util import *\nfrom . import models\n",
        "pkg/app.py": "import fal\nclass Svc(fal.App): pass\n",
        "pkg/util.py": "__all__ = ['helper', 'sub']\ndef helper(): ...\ndef hidden(): ...\n",
        "pkg/sub.py": "VALUE = 1\n",
        "pkg/models.py": "class M: pass\n",
        "pkg/private.py": "from .util2 import *\n",
        "pkg/util2.py": "def public(): ...\ndef _private(): ...\n",
        "main.py": "from pkg import Svc, helper, hidden, models, sub\nimport pkg.models\nfrom pkg.private import *\n",
    })
    project = SourceProject(tmp_path)
    main = tmp_path / "main.py"
    svc = project.lookup(main, "Svc")
    assert (svc.kind, svc.name, svc.path) == ("class", "Svc", tmp_path / "pkg/app.py")
    assert project.lookup(main, "helper").kind == "function"
    assert project.lookup(main, "hidden") is None  # not in util's __all__, never bound in pkg
    assert project.lookup(main, "models").kind == "module"
    assert project.lookup(main, "sub").path == tmp_path / "pkg/sub.py"  # __all__ names a submodule
    assert project.lookup(main, "public").kind == "function"
    assert project.lookup(main, "_private") is None
    assert project.resolve_dotted(main, "pkg.models.M").path == tmp_path / "pkg/models.py"
    assert project.lookup(main, "print").name == "builtins.print"


def test_module_file_without_a_layout_mirrors_run_path(tmp_path):
    # runpy.run_path does not put the file's own directory on sys.path;
    # fal appends the working directory (the project root)
    write(tmp_path, {
        "apps/app.py": "from helpers import X\nfrom apps.helpers import Y\nfrom .helpers import Z\n",
        "apps/helpers.py": "X = Y = Z = 1\n",
        "fal/__init__.py": "",
    })
    project = SourceProject(tmp_path)
    app = tmp_path / "apps/app.py"
    assert project.module_file("helpers").path is None
    assert project.lookup(app, "X").kind == "external"  # not a project module
    assert project.lookup(app, "Y").path == tmp_path / "apps/helpers.py"
    assert project.module_file("helpers", from_file=app, level=1).path == tmp_path / "apps/helpers.py"
    assert project.module_file("", from_file=app, level=1).kind == "namespace"
    assert project.module_file("fal").path is None  # fal is always the installed one


def test_module_file_with_a_layout(tmp_path):
    write(tmp_path, {"src/svc/__init__.py": "", "src/svc/app.py": "", "scripts/x.py": ""})
    layout = project_layout(tmp_path, {"project": {"name": "svc"}})
    project = SourceProject(tmp_path, layout)
    assert project.module_file("svc.app").path == tmp_path / "src/svc/app.py"
    assert project.module_file("scripts.x").path == tmp_path / "scripts/x.py"
    missing = project.module_file("svc.nope")
    assert missing.path is None and missing.looked_in == [tmp_path / "src/svc"]


# -- fal functions -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "expected", "called"),
    [
        ('import fal\n@fal.function("virtualenv", requirements=["x"])\ndef f(): ...\n', True, True),
        ("import fal\n@fal.function()\ndef f(): ...\n", True, True),
        ("from fal import function as ff\n@ff(machine_type='GPU')\ndef f(): ...\n", True, True),
        ("import fal\n@fal.isolated('virtualenv')\ndef f(): ...\n", True, True),
        # bare decorator: fal.function(f) makes fal raise "Unrecognised environment kind"
        ("import fal\n@fal.function\ndef f(): ...\n", False, False),
        ("import fal, functools\n@functools.cache\n@fal.function('virtualenv')\ndef f(): ...\n", False, True),
        ("import fal\n@fal.cached\ndef f(): ...\n", False, None),
        ("def f(): ...\n", False, None),
        ("import fal\ndef impl(): ...\nf = fal.function('virtualenv')(impl)\n", True, True),
        ("import fal\nclass A(fal.App): pass\nf = fal.wrap_app(A)\n", True, False),
        ("import fal\ndef impl(): ...\nf = fal.function(impl)\n", False, False),
    ],
)
def test_is_fal_function(tmp_path, source, expected, called):
    write(tmp_path, {"fn.py": source})
    project = SourceProject(tmp_path)
    symbol = project.lookup(tmp_path / "fn.py", "f")
    assert project.is_fal_function(symbol) is expected
    decorator = project.fal_function_decorator(symbol)
    assert (decorator.called if decorator is not None else None) is called


# -- what fal finds in a module --------------------------------------------------------


def test_scan_counts_imported_apps_like_fal(tmp_path):
    write(tmp_path, {
        "base.py": "import fal\nclass Base(fal.App): pass\n",
        "single.py": "import fal\nfrom fal import App\nclass Only(fal.App): pass\n",
        "two.py": "from base import Base\nclass Mine(Base): pass\n",
        "aliased.py": "import fal\nclass Mine(fal.App): pass\nAlias = Mine\n",
        "funcs.py": "import fal\nfrom mylib import Thing\nimport mylib\n@fal.function('virtualenv')\ndef a(): ...\n"
                    "@fal.function('virtualenv')\ndef b(): ...\nclass Unknown(Thing): pass\n",
        "wma.py": "import fal.wma\nfrom fal.wma import App\nclass Live(fal.wma.App): pass\n",
        "realtime.py": "from fal.wma.app import RealtimeApp\n",
    })
    project = SourceProject(tmp_path)
    assert [s.binding for s in project.apps_in(tmp_path / "single.py")] == ["Only"]
    assert [s.binding for s in project.apps_in(tmp_path / "two.py")] == ["Base", "Mine"]
    assert [s.binding for s in project.apps_in(tmp_path / "aliased.py")] == ["Mine", "Alias"]
    scan = project.scan(tmp_path / "funcs.py")
    assert scan.apps == [] and [s.binding for s in scan.functions] == ["a", "b"]
    assert [s.binding for s in scan.unknown] == ["Thing", "Unknown"]
    assert [s.binding for s in project.apps_in(tmp_path / "wma.py")] == ["Live"]
    # fal.wma.app.RealtimeApp is a fal.App subclass fal does not exclude from the scan
    assert [s.name for s in project.apps_in(tmp_path / "realtime.py")] == ["fal.wma.app.RealtimeApp"]


# -- routes ------------------------------------------------------------------------------


def test_routes_aliases_inheritance_and_overrides(tmp_path):
    write(tmp_path, {
        "base.py": """\
            import fal
            from fal import endpoint as ep, realtime
            class Base(fal.App):
                @ep("/base")
                def base(self) -> dict: ...
            class Live(fal.App):
                @realtime("/ws")
                def stream(self): ...
            class Health(fal.App):
                @fal.endpoint("/health", health_check=fal.HealthCheck())
                def health(self): ...
            """,
        "app.py": """\
            import fal
            from base import Base
            from mylib import Mixin
            class Child(Base): pass
            class Hidden(Base):
                def base(self): ...
            class NoRoute(fal.App):
                @fal.endpoint
                def bare(self): ...
                def plain(self): ...
            class Unknown(Mixin, fal.App): pass
            class ByAssignment(fal.App):
                run = fal.endpoint("/run")(print)
            class RouteMixin:
                @fal.endpoint("/mixin")
                def mixed(self): ...
            class WithMixin(RouteMixin, fal.App): pass
            class Wma(fal.wma.App): pass
            """,
    })
    project = SourceProject(tmp_path)
    app, base = tmp_path / "app.py", tmp_path / "base.py"

    def has(path, name):
        return project.has_route(project.lookup(path, name))

    assert has(base, "Base") is True and has(base, "Live") is True
    assert has(app, "Child") is True
    assert has(app, "Hidden") is False  # the undecorated override hides the route
    assert has(app, "NoRoute") is False
    assert has(app, "Unknown") is None
    assert has(app, "ByAssignment") is True
    assert has(app, "WithMixin") is True
    assert has(app, "Wma") is True
    routes = project.routes(project.lookup(app, "Child"))
    assert [(r.method, r.decorator, r.route_path, r.class_name, r.path) for r in routes] == [
        ("base", "fal.endpoint", "/base", "Base", base)
    ]
    live = project.routes(project.lookup(base, "Live"))[0]
    assert (live.decorator, live.route_path, live.line) == ("fal.realtime", "/ws", 8)
    health = project.routes(project.lookup(base, "Health"))[0]
    assert health.health_check and not live.health_check


# -- settings ------------------------------------------------------------------------------


def test_class_settings_own_keyword_and_inherited(tmp_path):
    write(tmp_path, {
        "base.py": """\
            import fal
            class Base(fal.App, private_logs=True):
                machine_type = "S"
                regions = ["us-east"]
                min_concurrency = 2
                keep_alive = 60
                app_files = ["weights/"]
            """,
        "app.py": """\
            import os
            from base import Base
            class Svc(Base, max_concurrency=4, name="svc"):
                machine_type = os.environ["MACHINE"]
                startup_timeout = None
                requirements = ["torch"]
                app_files_ignore = [r"\\.ckpt$"]
                unrelated = 1
                @fal.endpoint("/")
                def run(self) -> dict: ...
            """,
    })
    project = SourceProject(tmp_path)
    settings = project.class_settings(project.lookup(tmp_path / "app.py", "Svc"))
    assert set(settings) == {
        "machine_type", "startup_timeout", "requirements", "app_files_ignore", "regions",
        "min_concurrency", "keep_alive", "app_files", "max_concurrency", "private_logs",
    }
    machine = settings["machine_type"]
    assert (machine.literal, machine.source, machine.line, machine.column) == (False, 'os.environ["MACHINE"]', 4, 5)
    assert (machine.value_line, machine.value_column, machine.class_name) == (4, 20, "Svc")
    assert machine.overrides_toml is True and not machine.inherited and machine.via == "attribute"
    assert settings["startup_timeout"].overrides_toml is False  # None: the TOML value applies
    assert settings["requirements"].value == ["torch"]
    regions = settings["regions"]
    assert regions.inherited and regions.path == tmp_path / "base.py" and regions.class_name == "Base"
    assert regions.overrides_toml is True
    assert settings["keep_alive"].overrides_toml is True  # set explicitly, even to fal's default
    assert settings["app_files"].overrides_toml is True
    assert settings["app_files_ignore"].overrides_toml is True  # goes with the class's app_files
    keyword = settings["max_concurrency"]
    assert (keyword.via, keyword.value, keyword.line, keyword.column) == ("keyword", 4, 3, 17)
    assert settings["private_logs"].inherited and settings["private_logs"].via == "keyword"


def test_class_settings_follow_fal_precedence(tmp_path):
    write(tmp_path, {"app.py": """\
        import fal
        class Parent(fal.App):
            machine_type = "S"
            min_concurrency = 4
            app_files = []
        class Child(Parent, min_concurrency=9, keep_alive=8, machine_type="GPU-A100"):
            max_concurrency = None
        class NoneKeeps(fal.App, max_concurrency=3):
            max_concurrency = None
        """})
    project = SourceProject(tmp_path)
    child = project.class_settings(project.lookup(tmp_path / "app.py", "Child"))
    # an inherited machine_type equal to fal.App's default does not beat the TOML
    assert child["machine_type"].via == "attribute" and child["machine_type"].overrides_toml is False
    # the parent's attribute beats the child's keyword (fal reads it with getattr)
    assert child["min_concurrency"].value == 4 and child["min_concurrency"].via == "attribute"
    assert child["keep_alive"].via == "keyword" and child["keep_alive"].overrides_toml is True
    assert child["app_files"].overrides_toml is False  # empty: the TOML app_files still applies
    assert child["max_concurrency"].overrides_toml is False
    kept = project.class_settings(project.lookup(tmp_path / "app.py", "NoneKeeps"))
    assert kept["max_concurrency"].via == "keyword" and kept["max_concurrency"].value == 3


# -- files, errors, parse counts -------------------------------------------------------------


def test_each_file_is_parsed_once(tmp_path):
    write(tmp_path, {
        "shared.py": "import fal\nclass Base(fal.App):\n    machine_type = 'S'\n",
        "a.py": "from shared import Base\nclass A(Base): pass\n",
        "b.py": "from shared import Base\nimport a\nclass B(Base): pass\n",
    })
    project = SourceProject(tmp_path)
    for _ in range(3):
        for path, name in ((tmp_path / "a.py", "A"), (tmp_path / "b.py", "B")):
            symbol = project.lookup(path, name)
            project.is_fal_app(symbol)
            project.has_route(symbol)
            project.class_settings(symbol)
        project.scan(tmp_path / "b.py")
    assert project.parse_count == 3
    project.prefetch([tmp_path / "a.py", tmp_path / "./b.py", tmp_path / "missing.py"])
    assert project.parse_count == 4


def test_custom_loader_and_symlinked_paths_share_one_load(tmp_path):
    write(tmp_path, {"real.py": "class A: pass\n"})
    (tmp_path / "link.py").symlink_to(tmp_path / "real.py")
    calls = []

    def loader(path: Path) -> FileResult:
        calls.append(path)
        return load_file(path)

    project = SourceProject(tmp_path, loader=loader)
    assert project.lookup(tmp_path / "real.py", "A").kind == "class"
    assert project.lookup(tmp_path / "link.py", "A").kind == "class"
    assert len(calls) == 1 and project.parse_count == 1


def test_load_file_errors_are_values(tmp_path):
    write(tmp_path, {
        "bad_syntax.py": "x = 1\ndef f(:\n",
        "latin1.py": b"x = '\xe9'\n",
        "binary.py": b"\x00\x01\x02PNG",
        "declared.py": b"# -*- coding: latin-1 -*-\nNAME = '\xe9t\xe9'\n",
        "bom.py": b"\xef\xbb\xbfX = 1\r\nY = 2\r\n",
    })
    (tmp_path / "dir.py").mkdir()
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    big = tmp_path / "big.py"
    big.write_bytes(b"#" * (MAX_SOURCE_BYTES + 1))

    def load(name):
        return load_file(tmp_path / name)

    syntax = load("bad_syntax.py")
    assert (syntax.error, syntax.line, syntax.column) == ("syntax", 2, 7) and not syntax.ok
    latin1 = load("latin1.py")
    assert (latin1.error, latin1.line, latin1.column) == ("not-utf8", 1, 6)
    assert load("binary.py").error == "not-utf8" and "binary" in load("binary.py").message
    declared = load("declared.py")
    assert declared.ok and declared.index.binding("NAME").value.value == "été"
    bom = load("bom.py")
    assert bom.ok and bom.index.binding("Y").line == 2
    assert load("missing.py").error == "missing"
    assert load("dir.py").error == "directory"
    assert load("loop.py").error == "unreadable" and "symbolic links" in load("loop.py").message
    assert load("big.py").error == "too-large"


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a chmod 000 file")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.py"
    path.write_text("x = 1\n")
    path.chmod(0)
    try:
        result = load_file(path)
        assert result.error == "unreadable" and "permission denied" in result.message
    finally:
        path.chmod(0o644)


def test_a_failing_loader_becomes_an_unreadable_result(tmp_path):
    def loader(path: Path) -> FileResult:
        raise PermissionError(13, "Permission denied")

    project = SourceProject(tmp_path, loader=loader)
    result = project.file(tmp_path / "x.py")
    assert result.error == "unreadable" and not result.ok
    assert project.lookup(tmp_path / "x.py", "anything") is None


def test_file_result_round_trips_through_json(tmp_path):
    write(tmp_path, {"ok.py": "import fal\nclass A(fal.App): pass\n", "bad.py": "def f(:\n"})
    for name in ("ok.py", "bad.py"):
        result = load_file(tmp_path / name)
        assert FileResult.from_dict(json.loads(json.dumps(result.to_dict()))) == result
    assert isinstance(load_file(tmp_path / "ok.py").index, ModuleIndex)


def test_analysis_never_executes_user_code(tmp_path):
    marker = tmp_path / "executed.txt"
    side_effect = f"open({str(marker)!r}, 'w').write('ran')\n"
    write(tmp_path, {
        "evil_base.py": side_effect + "import fal\nclass Base(fal.App):\n    machine_type = 'S'\n",
        "evil/__init__.py": side_effect,
        "app.py": side_effect + "import fal, evil\nfrom evil_base import Base\nclass App1(Base):\n"
                  "    @fal.endpoint('/')\n    def run(self): ...\n",
    })
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path
        from fallint.model.sources import SourceProject
        from fallint.model.layout import project_layout
        root = Path({str(tmp_path)!r})
        project = SourceProject(root, project_layout(root, {{}}))
        symbol = project.lookup(root / "app.py", "App1")
        assert project.is_fal_app(symbol) is True
        assert project.has_route(symbol) is True
        assert project.class_settings(symbol)["machine_type"].value == "S"
        assert [s.binding for s in project.apps_in(root / "app.py")] == ["Base", "App1"]
        assert project.lookup(root / "app.py", "evil").kind == "module"
        assert not any(m in sys.modules for m in ("app", "evil", "evil_base"))
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert not marker.exists()
