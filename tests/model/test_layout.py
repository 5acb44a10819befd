"""fallint.model.layout: where modules live, per build backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from fallint.model.layout import detect_backend, project_layout


def make(root: Path, *files: str) -> Path:
    """Create empty files (and their directories) under ``root``."""
    for name in files:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()
    return root


def backend(name: str) -> dict:
    return {"build-system": {"build-backend": name}}


def rel(root: Path, path: Path | None) -> str | None:
    return path.relative_to(root).as_posix() if path is not None else None


@pytest.mark.parametrize(
    ("build_backend", "expected"),
    [
        ("setuptools.build_meta", "setuptools"),
        ("setuptools.build_meta:__legacy__", "setuptools"),
        ("hatchling.build", "hatch"),
        ("poetry.core.masonry.api", "poetry"),
        ("pdm.backend", "pdm"),
        ("flit_core.buildapi", "flit"),
        ("uv_build", "uv"),
        ("maturin", "unknown"),
    ],
)
def test_detect_backend(build_backend, expected):
    assert detect_backend(backend(build_backend)) == expected


def test_no_build_system_means_setuptools():
    assert detect_backend({"project": {"name": "x"}}) == "setuptools"
    assert detect_backend({"build-system": {"requires": ["setuptools"]}}) == "setuptools"


# -- setuptools ---------------------------------------------------------------


def test_setuptools_src_layout_discovery(tmp_path):
    make(tmp_path, "src/app/__init__.py", "src/app/server.py", "src/app/ns/deep.py", "src/single.py",
         "tests/test_app.py")
    layout = project_layout(tmp_path, {"project": {"name": "app"}})
    loc = layout.find_module("app.server")
    assert (loc.kind, rel(tmp_path, loc.path)) == ("module", "src/app/server.py")
    assert layout.is_packaged("app.server") and layout.is_packaged("app")
    assert layout.is_packaged("app.ns.deep")  # namespace subpackages are discovered too
    assert layout.is_packaged("single")
    # found in the project, but not in the wheel
    assert layout.find_module("tests.test_app").kind == "module"
    assert not layout.is_packaged("tests.test_app")
    assert "src layout" in layout.description and layout.certain


def test_setuptools_flat_layout_excludes_reserved_names(tmp_path):
    make(tmp_path, "myapp/__init__.py", "myapp/main.py", "tests/__init__.py", "docs/conf.py",
         "setup_helpers/x.py", "noxfile.py")
    layout = project_layout(tmp_path, {})
    assert layout.is_packaged("myapp.main")
    assert not layout.is_packaged("tests") and not layout.is_packaged("docs.conf")
    assert layout.problems and "multiple top-level packages" in layout.problems[0]  # myapp + setup_helpers

    other = tmp_path / "single"
    make(other, "tool.py", "noxfile.py", "conftest.py")
    single = project_layout(other, {})
    assert single.is_packaged("tool") and not single.is_packaged("noxfile")
    assert single.problems == []


def test_setuptools_explicit_packages_are_not_recursive(tmp_path):
    make(tmp_path, "lib/core/__init__.py", "lib/core/a.py", "lib/core/sub/__init__.py", "lib/core/sub/b.py",
         "tools.py")
    pyproject = {
        **backend("setuptools.build_meta"),
        "tool": {"setuptools": {"packages": ["core"], "package-dir": {"": "lib"}, "py-modules": ["tools"]}},
    }
    layout = project_layout(tmp_path, pyproject)
    assert layout.is_packaged("core.a")
    assert layout.find_module("core.sub.b").kind == "module"
    assert not layout.is_packaged("core.sub.b")  # core.sub is not listed
    assert not layout.is_packaged("tools")  # py-modules live under package-dir "" = lib
    make(tmp_path, "lib/tools.py")
    assert layout.is_packaged("tools")


def test_setuptools_package_dir_mapping(tmp_path):
    make(tmp_path, "source/mypkg/__init__.py", "source/mypkg/app.py")
    pyproject = {"tool": {"setuptools": {"packages": ["fancy"], "package-dir": {"fancy": "source/mypkg"}}}}
    layout = project_layout(tmp_path, pyproject)
    loc = layout.find_module("fancy.app")
    assert rel(tmp_path, loc.path) == "source/mypkg/app.py" and layout.is_packaged("fancy.app")
    assert not layout.is_packaged("mypkg.app")


def test_setuptools_find_with_include_exclude_and_namespaces(tmp_path):
    make(tmp_path, "src/fal_apps/__init__.py", "src/fal_apps/x.py", "src/fal_apps/tests/__init__.py",
         "src/other/__init__.py", "src/nsdir/mod.py")
    find = {"where": ["src"], "include": ["fal_apps*", "nsdir*"], "exclude": ["*.tests"]}
    layout = project_layout(tmp_path, {"tool": {"setuptools": {"packages": {"find": find}}}})
    assert layout.is_packaged("fal_apps.x")
    assert not layout.is_packaged("fal_apps.tests")
    assert not layout.is_packaged("other")
    assert layout.find_module("nsdir").kind == "namespace" and layout.is_packaged("nsdir.mod")

    strict = project_layout(tmp_path, {"tool": {"setuptools": {"packages": {"find": {**find, "namespaces": False}}}}})
    assert strict.is_packaged("fal_apps.x") and not strict.is_packaged("nsdir.mod")


def test_setup_py_makes_the_answer_uncertain(tmp_path):
    make(tmp_path, "setup.py", "pkg/__init__.py")
    layout = project_layout(tmp_path, {})
    assert not layout.certain and layout.is_packaged("pkg")


def test_unknown_backend_falls_back_to_discovery(tmp_path):
    make(tmp_path, "src/pkg/__init__.py")
    layout = project_layout(tmp_path, backend("maturin"))
    assert layout.backend == "unknown" and not layout.certain
    assert layout.is_packaged("pkg") and "maturin" in layout.description


# -- hatchling ------------------------------------------------------------------


def test_hatch_packages_rewrite_the_source_prefix(tmp_path):
    make(tmp_path, "src/foo/__init__.py", "src/foo/app.py", "scripts/run.py")
    pyproject = {**backend("hatchling.build"),
                 "tool": {"hatch": {"build": {"targets": {"wheel": {"packages": ["src/foo"]}}}}}}
    layout = project_layout(tmp_path, pyproject)
    assert rel(tmp_path, layout.find_module("foo.app").path) == "src/foo/app.py"
    assert layout.is_packaged("foo.app")
    assert not layout.is_packaged("src.foo.app")  # found via the project root, not in the wheel
    assert layout.find_module("scripts.run").kind == "module" and not layout.is_packaged("scripts.run")


def test_hatch_sources_mapping_and_only_include(tmp_path):
    make(tmp_path, "lib/core.py", "lib/extra.py", "standalone.py")
    pyproject = {**backend("hatchling.build"), "tool": {"hatch": {"build": {
        "sources": {"lib": "company/svc"},
        "targets": {"wheel": {"only-include": ["lib/core.py", "standalone.py"]}},
    }}}}
    layout = project_layout(tmp_path, pyproject)
    assert rel(tmp_path, layout.find_module("company.svc.core").path) == "lib/core.py"
    assert layout.is_packaged("company.svc.core")
    assert not layout.is_packaged("company.svc.extra")
    assert layout.is_packaged("standalone")


def test_hatch_sources_list_and_include_exclude_patterns(tmp_path):
    make(tmp_path, "src/pkg/__init__.py", "src/pkg/app.py", "src/pkg/test_app.py", "src/other/__init__.py")
    pyproject = {**backend("hatchling.build"), "tool": {"hatch": {"build": {"targets": {"wheel": {
        "sources": ["src"], "include": ["src/pkg"], "exclude": ["test_*.py"],
    }}}}}}
    layout = project_layout(tmp_path, pyproject)
    assert layout.is_packaged("pkg.app")
    assert not layout.is_packaged("pkg.test_app")
    assert not layout.is_packaged("other")


@pytest.mark.parametrize(
    ("files", "name", "module"),
    [
        (["my_app/__init__.py"], "my-app", "my_app"),
        (["src/my_app/__init__.py"], "My.App", "my_app"),
        (["my_app.py"], "my-app", "my_app"),
        (["company/my_app/__init__.py"], "my-app", "company.my_app"),
    ],
)
def test_hatch_default_file_selection(tmp_path, files, name, module):
    make(tmp_path, *files)
    layout = project_layout(tmp_path, {**backend("hatchling.build"), "project": {"name": name}})
    assert layout.is_packaged(module) and layout.problems == []


def test_hatch_default_selection_can_fail(tmp_path):
    make(tmp_path, "something_else/__init__.py")
    layout = project_layout(tmp_path, {**backend("hatchling.build"), "project": {"name": "my-app"}})
    assert not layout.is_packaged("something_else")
    assert "hatchling cannot determine" in layout.problems[0]


# -- poetry ----------------------------------------------------------------------


def test_poetry_packages_with_from_to_and_format(tmp_path):
    make(tmp_path, "lib/svc/__init__.py", "lib/svc/app.py", "devtools/__init__.py", "mod.py")
    pyproject = {**backend("poetry.core.masonry.api"), "tool": {"poetry": {"packages": [
        {"include": "svc", "from": "lib"},
        {"include": "svc", "from": "lib", "to": "vendor"},
        {"include": "devtools", "format": "sdist"},
        {"include": "mod.py"},
    ]}}}
    layout = project_layout(tmp_path, pyproject)
    assert layout.is_packaged("svc.app")
    assert rel(tmp_path, layout.find_module("vendor.svc.app").path) == "lib/svc/app.py"
    assert layout.is_packaged("vendor.svc.app")
    assert layout.find_module("devtools").kind == "package" and not layout.is_packaged("devtools")
    assert layout.is_packaged("mod")


@pytest.mark.parametrize("where", ["", "src/"])
def test_poetry_default_package_is_named_after_the_project(tmp_path, where):
    make(tmp_path, f"{where}my_service/__init__.py", f"{where}my_service/api.py")
    layout = project_layout(tmp_path, {**backend("poetry.core.masonry.api"),
                                       "tool": {"poetry": {"name": "My-Service"}}})
    assert layout.is_packaged("my_service.api") and layout.problems == []


def test_poetry_package_mode_false_builds_nothing(tmp_path):
    make(tmp_path, "app/__init__.py")
    layout = project_layout(tmp_path, {**backend("poetry.core.masonry.api"),
                                       "project": {"name": "app"}, "tool": {"poetry": {"package-mode": False}}})
    assert not layout.is_packaged("app") and layout.find_module("app").kind == "package"
    assert "package-mode" in layout.problems[0]


# -- pdm -------------------------------------------------------------------------


def test_pdm_defaults_to_src_top_level_packages(tmp_path):
    make(tmp_path, "src/svc/__init__.py", "src/svc/app.py", "src/loose.py", "tests/test_x.py")
    layout = project_layout(tmp_path, {**backend("pdm.backend"), "project": {"name": "svc"}})
    assert layout.is_packaged("svc.app")
    assert not layout.is_packaged("loose")  # packages found, so top-level modules are not included
    assert not layout.is_packaged("tests.test_x")


def test_pdm_includes_excludes_and_package_dir(tmp_path):
    make(tmp_path, "code/svc/__init__.py", "code/svc/app.py", "code/svc/secret.py", "code/other/__init__.py")
    pyproject = {**backend("pdm.backend"), "tool": {"pdm": {"build": {
        "package-dir": "code", "includes": ["code/svc"], "excludes": ["code/svc/secret.py"],
    }}}}
    layout = project_layout(tmp_path, pyproject)
    assert layout.is_packaged("svc.app")
    assert not layout.is_packaged("svc.secret")
    assert not layout.is_packaged("other")


# -- flit ------------------------------------------------------------------------


def test_flit_module_named_after_the_project(tmp_path):
    make(tmp_path, "src/my_tool/__init__.py", "src/my_tool/cli.py")
    layout = project_layout(tmp_path, {**backend("flit_core.buildapi"), "project": {"name": "my-tool"}})
    assert layout.is_packaged("my_tool.cli") and layout.problems == []


def test_flit_module_name_option_and_missing_module(tmp_path):
    make(tmp_path, "actual.py")
    layout = project_layout(tmp_path, {**backend("flit_core.buildapi"), "project": {"name": "dist-name"},
                                       "tool": {"flit": {"module": {"name": "actual"}}}})
    assert layout.is_packaged("actual")
    missing = project_layout(tmp_path, {**backend("flit_core.buildapi"), "project": {"name": "nothing"}})
    assert missing.problems and not missing.is_packaged("nothing")


# -- uv ----------------------------------------------------------------------------


def test_uv_build_backend_defaults(tmp_path):
    make(tmp_path, "src/my_pkg/__init__.py", "src/my_pkg/app.py")
    layout = project_layout(tmp_path, {**backend("uv_build"), "project": {"name": "My-Pkg"}})
    assert layout.is_packaged("my_pkg.app") and layout.problems == []


def test_uv_module_root_names_and_namespaces(tmp_path):
    make(tmp_path, "one/__init__.py", "two/__init__.py", "three/x.py", "corp/svc/__init__.py")
    config = {"module-root": "", "module-name": ["one", "two"]}
    layout = project_layout(tmp_path, {**backend("uv_build"), "tool": {"uv": {"build-backend": config}}})
    assert layout.is_packaged("one") and layout.is_packaged("two") and not layout.is_packaged("three.x")

    dotted = project_layout(tmp_path, {**backend("uv_build"),
                                       "tool": {"uv": {"build-backend": {"module-root": "", "module-name": "corp.svc"}}}})
    assert dotted.is_packaged("corp.svc") and dotted.is_packaged("corp")  # corp is a namespace

    missing = project_layout(tmp_path, {**backend("uv_build"), "tool": {"uv": {"build-backend": {
        "module-root": "", "module-name": "three"}}}})
    assert "expects a Python module at three/__init__.py" in missing.problems[0]
    namespace = project_layout(tmp_path, {**backend("uv_build"), "tool": {"uv": {"build-backend": {
        "module-root": "", "module-name": "three", "namespace": True}}}})
    assert namespace.is_packaged("three.x") and namespace.problems == []


# -- module search -------------------------------------------------------------------


def test_namespace_packages_merge_across_roots(tmp_path):
    make(tmp_path, "src/ns/a.py", "ns/b.py")
    layout = project_layout(tmp_path, {})
    assert layout.find_module("ns").kind == "namespace"
    assert rel(tmp_path, layout.find_module("ns.a").path) == "src/ns/a.py"
    assert rel(tmp_path, layout.find_module("ns.b").path) == "ns/b.py"  # found via the project root


def test_regular_package_wins_over_module_and_namespace(tmp_path):
    make(tmp_path, "src/thing/__init__.py", "thing.py", "src/other/x.py", "other.py")
    layout = project_layout(tmp_path, {})
    assert rel(tmp_path, layout.find_module("thing").path) == "src/thing/__init__.py"
    # the namespace directory in src loses to the regular module in the project root
    assert layout.find_module("other").kind == "module"


def test_not_found_reports_where_it_looked(tmp_path):
    make(tmp_path, "src/pkg/__init__.py", "src/pkg/mod.py")
    layout = project_layout(tmp_path, {})
    top = layout.find_module("missing.app")
    assert top.path is None and top.kind is None
    assert top.looked_in == [tmp_path / "src", tmp_path]
    inner = layout.find_module("pkg.nothing")
    assert inner.looked_in == [tmp_path / "src" / "pkg"]
    through_module = layout.find_module("pkg.mod.deeper")
    assert through_module.path is None and through_module.looked_in == [tmp_path / "src" / "pkg" / "mod.py"]
    assert layout.find_module("not a module").path is None
