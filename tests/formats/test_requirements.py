"""fallint.formats.requirements: fal `requirements` layers read as `uv pip install` reads them.

The unit tests need nothing but packaging and tomli. The tests at the end
run the real `uv` (the `uv` package from PyPI, or `uv` on PATH) and skip
cleanly without it: uv is the specification of what is valid.
"""

from __future__ import annotations

import concurrent.futures
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fallint.formats import requirements as R
from fallint.formats.requirements import (
    LAYER,
    UV_CONFLICTS,
    UV_PIP_INSTALL_OPTIONS,
    analyze_layer,
    conflicting_pins,
    duplicates,
    local_path_target,
    option_spec,
)


def problems(layer, **kw):
    return [(p.index, p.kind) for p in analyze_layer(layer, **kw).problems]


def one_problem(layer, **kw) -> R.ReqProblem:
    found = analyze_layer(layer, **kw).problems
    assert len(found) == 1, found
    return found[0]


def marked(text: str, p: R.ReqProblem) -> str:
    return text[p.start : p.end]


# --------------------------------------------------------------------------
# What things are
# --------------------------------------------------------------------------


def test_named_requirement_fields():
    a = analyze_layer(['Numpy_Foo[B,a] >=1.0,<2 ; python_version < "3.12"'])
    assert a.problems == ()
    (item,) = a.items
    assert item.kind == "requirement"
    assert item.name == "numpy-foo"
    assert item.extras == ("a", "b")
    assert item.specifier == "<2,>=1.0"
    assert item.marker == 'python_version < "3.12"'
    assert item.url is None


@pytest.mark.parametrize(
    "text, kind, name, url, path",
    [
        ("torch==2.1.0+cu121", "requirement", "torch", None, None),
        ("name @ https://x.org/name-1.0-py3-none-any.whl", "url", "name",
         "https://x.org/name-1.0-py3-none-any.whl", None),
        ("https://host/pkg-1.0-py3-none-any.whl", "url", "pkg",
         "https://host/pkg-1.0-py3-none-any.whl", None),
        ("git+https://github.com/o/r@v1#egg=r", "vcs", "r", "git+https://github.com/o/r@v1#egg=r",
         None),
        ("name @ git+https://github.com/o/r@v1", "vcs", "name", "git+https://github.com/o/r@v1",
         None),
        ("https://github.com/o/r.git", "vcs", None, "https://github.com/o/r.git", None),
        (".", "path", None, None, "."),
        ("./local[dev]", "path", None, None, "./local"),
        ("../lib[extra]", "path", None, None, "../lib"),
        ("/abs/path", "path", None, None, "/abs/path"),
        ("dist/x-1.0.tar.gz", "path", None, None, "dist/x-1.0.tar.gz"),
        ("numpy.zip", "path", None, None, "numpy.zip"),  # an archive, not a project name
        ("file:///opt/x-1.0.tar.gz", "path", None, "file:///opt/x-1.0.tar.gz", "/opt/x-1.0.tar.gz"),
        ("name @ ./sub", "path", "name", "./sub", "./sub"),
    ],
)  # fmt: skip
def test_kinds(text, kind, name, url, path):
    (item,) = analyze_layer([text]).items
    assert analyze_layer([text]).problems == ()
    assert (item.kind, item.name, item.url, item.path) == (kind, name, url, path)


def test_path_extras_and_marker():
    (item,) = analyze_layer(["./local[Dev, test] ; python_version > '3.9'"]).items
    assert item.extras == ("dev", "test")
    assert item.marker == 'python_version > "3.9"'


@pytest.mark.parametrize(
    "layer, option, value, value_index, value_start",
    [
        (["--extra-index-url", "https://x.org/simple", "torch"], "--extra-index-url",
         "https://x.org/simple", 1, 0),
        (["--extra-index-url=https://x.org/simple", "torch"], "--extra-index-url",
         "https://x.org/simple", 0, 18),
        (["-f", "https://x.org/links", "torch"], "--find-links", "https://x.org/links", 1, 0),
        (["-fhttps://x.org/links", "torch"], "--find-links", "https://x.org/links", 0, 2),
        (["-f=https://x.org/links", "torch"], "--find-links", "https://x.org/links", 0, 3),
        (["-i", "https://x.org/simple", "torch"], "--index-url", "https://x.org/simple", 1, 0),
        (["--requirement", "req.txt"], "--requirements", "req.txt", 1, 0),
    ],
)  # fmt: skip
def test_option_values(layer, option, value, value_index, value_start):
    a = analyze_layer(layer)
    assert a.problems == ()
    opt = a.items[0]
    assert (opt.kind, opt.option, opt.value, opt.value_index, opt.value_start) == (
        "option", option, value, value_index, value_start
    )  # fmt: skip
    assert layer[value_index][value_start:] == value
    if value_index != 0:
        assert a.items[value_index].kind == "option-value"
        assert a.items[value_index].option == option
    assert a.options(option) == (opt,)


def test_flags_and_clusters():
    a = analyze_layer(["--pre", "-qU", "--no-deps", "numpy"])
    assert a.problems == ()
    assert [i.kind for i in a.items] == ["option", "option", "option", "requirement"]
    assert a.items[0].option == "--pre" and a.items[0].value_index is None
    assert analyze_layer(["-q", "-q", "-qq", "numpy"]).problems == ()  # counting flags


def test_double_dash_makes_the_rest_positional():
    a = analyze_layer(["--", "numpy"])
    assert a.problems == () and a.items[1].kind == "requirement"
    p = one_problem(["--", "--pre"])
    assert (p.index, p.kind) == (1, "invalid-requirement")


def test_editable_values():
    a = analyze_layer(["-e", "."])
    assert a.problems == ()
    assert (a.items[1].kind, a.items[1].path, a.items[1].editable) == ("path", ".", True)
    assert a.items[1].option == "--editable"
    # `-e name` means the directory ./name
    a = analyze_layer(["-e", "numpy[dev]"])
    assert a.problems == () and (a.items[1].path, a.items[1].extras) == ("numpy", ("dev",))
    for value, why in [
        ("git+https://github.com/o/r", "Git sources"),
        ("numpy==1.0", "Registry requirements"),
        ("./x-1.0.tar.gz", "Local archives"),
        ("https://x.org/x-1.0.tar.gz", "Remote archives"),
    ]:
        p = one_problem(["-e", value])
        assert (p.index, p.kind, p.start, p.end) == (1, "bad-option-value", 0, len(value))
        assert why in p.message
    assert analyze_layer(["-e", "git+https://github.com/o/r"]).items[1].kind == "vcs"


def test_whitespace_uv_skips():
    assert analyze_layer(["numpy==1.0\n", " numpy ", "numpy >= 1.0 , < 2"]).problems == ()


def test_non_string_element():
    p = one_problem(["numpy", 3])  # type: ignore[list-item]
    assert (p.index, p.kind) == (1, "invalid-requirement")


def test_empty_layer_is_fine():
    assert analyze_layer([]) == R.LayerAnalysis((), ())


# --------------------------------------------------------------------------
# Problems and where they are
# --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, kind, mark",
    [
        ("numpy===", "invalid-requirement", "="),
        ("foo bar", "invalid-requirement", "b"),
        ("torch>=", "invalid-requirement", ">"),
        ("pkg[", "invalid-requirement", "["),
        ("numpy>=1.*", "invalid-requirement", ">=1.*"),
        ("numpy (>=1.0", "invalid-requirement", "(>=1.0"),
        ("numpy==1.0 # c", "invalid-requirement", "==1.0 #"),
        ("numpy; python_versio >= '3.8'", "invalid-marker", "p"),
        ("numpy; python_version < 3.12", "invalid-marker", "3"),
        ("numpy; python_version >= '3.8' and", "invalid-marker", "d"),
        ("numpy ;", "invalid-marker", ";"),
        ("numpy===abc", "invalid-requirement", "===abc"),
        ("numpy; python_version === '3.8'", "invalid-marker", "==="),
        ("./local ; python_version >", "invalid-marker", ">"),
        ("./local[dev!]", "invalid-requirement", "[dev!"),
        ("./adir #c", "invalid-requirement", "#"),
        ("numpy @ https://", "invalid-requirement", "https://"),
        ("numpy @ https://x.org:99999/a-1.0.tar.gz", "invalid-requirement",
         "https://x.org:99999/a-1.0.tar.gz"),
        ("numpy @ https://x.org/simple/", "invalid-requirement", "https://x.org/simple/"),
        ("https://github.com/o/r", "invalid-requirement", "https://github.com/o/r"),
        ("numpy @ https://x.org/a-1.0.WHL", "invalid-requirement", "https://x.org/a-1.0.WHL"),
        ("numpy @ https://x.org/a.tar.gz#sha256=abc", "invalid-hash",
         "https://x.org/a.tar.gz#sha256=abc"),
        ("git+git://x.org/r", "invalid-requirement", "git+git://x.org/r"),
        ("hg+https://x.org/r", "invalid-requirement", "hg+https://x.org/r"),
        ("./x.py", "invalid-requirement", "./x.py"),
        ("numpy @ x.py", "invalid-requirement", "x.py"),
        ("a/b==1.0", "invalid-requirement", "a/b==1.0"),
        ("pkg.whl", "invalid-wheel-filename", "pkg.whl"),
        ("other @ https://x.org/pkg-1.0-py3-none-any.whl", "name-mismatch",
         "https://x.org/pkg-1.0-py3-none-any.whl"),
    ],
)  # fmt: skip
def test_requirement_problem_positions(text, kind, mark):
    p = one_problem([text])
    assert (p.index, p.kind) == (0, kind)
    assert marked(text, p) == mark, (p, marked(text, p))
    assert p.parse_time == (kind in R.PARSE_TIME_KINDS)


def test_packaging_supplies_the_syntax_messages():
    p = one_problem(["numpy; python_versio >= '3.8'"])
    assert p.message == "Expected a marker variable or quoted string"


def test_url_then_semicolon_is_fine_for_uv():
    # packaging wants whitespace before `;` after a URL, uv does not
    text = "numpy @ https://x.org/numpy-1.0-py3-none-any.whl; python_version > '3.8'"
    (item,) = analyze_layer([text]).items
    assert analyze_layer([text]).problems == () and item.marker == 'python_version > "3.8"'
    # and a marker error there is still placed right (the inserted space is undone)
    bad = text.replace("python_version", "python_versio")
    p = one_problem([bad])
    assert p.kind == "invalid-marker" and bad[p.start] == "p"


def test_problem_in_attached_editable_value_is_offset():
    p = one_problem(["-e=git+https://github.com/o/r"])
    assert (p.index, p.kind, p.start, p.end) == (0, "bad-option-value", 3, 29)


@pytest.mark.parametrize(
    "layer, message_part, suggestion",
    [
        (["--frobnicate", "numpy"], "unknown option '--frobnicate'", None),
        (["--extra_index_url=https://x.org/s", "numpy"], "", "--extra-index-url=https://x.org/s"),
        (["--extra-index-ur", "https://x.org/s", "numpy"], "",
         "did you mean --extra-index-url?"),
        (["--ignore-installed", "numpy"], "pip option", "--reinstall"),
        (["--extra-index-url https://x.org/simple", "numpy"], "separate elements",
         "--extra-index-url=https://x.org/simple"),
    ],
)  # fmt: skip
def test_unknown_options(layer, message_part, suggestion):
    p = [q for q in analyze_layer(layer).problems if q.kind == "unknown-option"][0]
    assert p.index == 0 and p.start == 0
    assert message_part in p.message
    if suggestion is not None:
        assert p.suggestion == suggestion
    if " " in layer[0]:
        assert p.end == len(layer[0])


def test_unknown_short_options():
    p = one_problem(["-U=1", "numpy"])
    assert (p.kind, p.start, p.end) == ("unknown-option", 2, 3)
    (p,) = [p for p in analyze_layer(["-numpy"]).problems if p.index == 0]
    assert (p.kind, p.start, p.end) == ("unknown-option", 2, 3)  # -n is --no-cache, -u unknown


def test_single_dash_long_option_is_suspicious():
    a = analyze_layer(["-extra-index-url", "https://x.org/whl-1.0-py3-none-any.whl"])
    (p,) = [q for q in a.problems if q.kind == "suspicious-option"]
    assert p.suggestion == "--extra-index-url" and not p.parse_time
    assert a.items[0].option == "--editable" and a.items[0].value == "xtra-index-url"


@pytest.mark.parametrize(
    "layer, index, start, end",
    [
        (["numpy", "--extra-index-url"], 1, 0, 17),
        (["--index-url", "--pre", "numpy"], 0, 0, 11),
        (["numpy", "-i"], 1, 0, 2),
        (["numpy", "-qi"], 1, 2, 3),
        (["--link-mode", "", "numpy"], 1, 0, 0),
        (["-t", "", "numpy"], 1, 0, 0),
    ],
)
def test_missing_values(layer, index, start, end):
    p = one_problem(layer)
    assert (p.index, p.kind, p.start, p.end) == (index, "missing-value", start, end)


@pytest.mark.parametrize(
    "layer, index, mark, suggestion",
    [
        (["--prerelease=Allow", "numpy"], 0, "Allow", "allow"),
        (["--prerelease", "bogus", "numpy"], 1, "bogus", None),
        (["--no-deps=true", "numpy"], 0, "=true", "--no-deps"),
        (["--no-binary", "numpy,bad name!", "numpy"], 1, "bad name!", None),
        (["--only-binary", "numpy,", "numpy"], 1, ",", None),
        (["-C", "novalue", "numpy"], 1, "novalue", None),
        (["--config-settings-package", "numpy:k", "numpy"], 1, "numpy:k", None),
        (["--prerelease-package", "numpy=bogus", "numpy"], 1, "numpy=bogus", None),
        (["--exclude-newer-package", "numpy", "numpy"], 1, "numpy", None),
        (["--python-version", "3.x", "numpy"], 1, "3.x", None),
        (["--python-version", "311", "numpy"], 1, "311", None),
        (["--exclude-newer", "1 month", "numpy"], 1, "1 month", None),
        (["--exclude-newer", "2024-02-30", "numpy"], 1, "2024-02-30", None),
        (["--exclude-newer", "yesterday", "numpy"], 1, "yesterday", None),
        (["--exclude-newer", "3 DAYS", "numpy"], 1, "3 DAYS", None),
        (["--exclude-newer", "3", "numpy"], 1, "3", None),
        (["-P", "numpy>=", "numpy"], 1, "numpy>=", None),
        (["-P", "./x", "numpy"], 1, "./x", None),
        (["--reinstall-package", "bad name", "numpy"], 1, "bad name", None),
        (["--torch-backend", "cu999", "numpy"], 1, "cu999", None),
        (["--group", "a:dev", "numpy"], 1, "a:dev", None),
        (["--trusted-host", "host:99999", "numpy"], 1, "host:99999", None),
        (["--index", "n@x=https://x.org/simple", "numpy"], 1, "n@x=https://x.org/simple", None),
    ],
)
def test_bad_option_values(layer, index, mark, suggestion):
    p = one_problem(layer)
    assert (p.index, p.kind) == (index, "bad-option-value")
    assert marked(layer[index], p) == mark, p
    if suggestion:
        assert p.suggestion == suggestion


@pytest.mark.parametrize(
    "layer",
    [
        ["--exclude-newer", "3 days", "numpy"],
        ["--exclude-newer", "P3D", "numpy"],
        ["--exclude-newer", "2024-01-01T00:00:00Z", "numpy"],
        ["--exclude-newer", "1 week, 2 days", "numpy"],
        ["--exclude-newer", "20240101", "numpy"],
        ["--exclude-newer-package", "numpy=false", "numpy"],
        ["--python-version", "3.11.2", "numpy"],
        ["--no-binary", ":all:", "numpy"],
        ["-C", "k=", "numpy"],
        ["--group", "pyproject.toml:dev", "numpy"],
        ["--extra-index-url", "https://a.org/simple https://b.org/simple", "numpy"],
    ],
)
def test_good_option_values(layer):
    assert analyze_layer(layer).problems == ()


def test_repeats_and_conflicts():
    p = one_problem(["-U", "--upgrade", "numpy"])
    assert (p.index, p.kind, p.start, p.end) == (1, "repeated-option", 0, 9)
    assert problems(["--pre", "--pre", "numpy"]) == [(1, "repeated-option")]
    assert problems(["--extra-index-url", "a", "--extra-index-url", "b", "numpy"]) == []
    assert problems(["--target", "/t", "--prefix", "/p", "numpy"]) == [(2, "conflicting-options")]
    assert problems(["-qv", "numpy"]) == [(0, "conflicting-options")]
    assert one_problem(["-qv", "numpy"]).start == 2


def test_require_hashes():
    hashed = "https://x.org/a-1.0.tar.gz#sha256=" + "0" * 64
    a = analyze_layer(["--require-hashes", "numpy==1.0", "-e", ".", hashed])
    assert [(p.index, p.kind) for p in a.problems] == [(1, "missing-hash"), (3, "missing-hash")]
    assert not a.rejected_by_uv  # uv gets past parsing, then refuses
    assert problems(["--require-hashes", "--no-require-hashes", "numpy"]) == []


def test_layer_level_and_unsupported():
    p = one_problem(["--pre"])
    assert (p.index, p.kind) == (LAYER, "no-requirements")
    assert problems(["--user", "numpy"]) == [(0, "unsupported-option")]
    assert problems(["--extra", "dev", "numpy"]) == [(0, "unsupported-option")]
    assert problems(["-r", "sub/pyproject.toml", "--extra", "dev"]) == []
    assert problems(["--all-extras", "--no-all-extras", "numpy"]) == []
    assert problems(["--upgrade-group", "dev", "numpy"]) == [(0, "unsupported-option")]
    assert problems(["-r", "requirements.txt"]) == []  # -r is something to install


# --------------------------------------------------------------------------
# fal's local paths
# --------------------------------------------------------------------------

PYPROJECT = """\
[project]
name = "My_Pkg"
version = "0.1"
[project.optional-dependencies]
Dev = ["pytest"]
gpu = []
"""


def _project(root: Path, text: str | None = PYPROJECT) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    if text is not None:
        (root / "pyproject.toml").write_text(text, encoding="utf-8")
    return root


def test_local_path_target_reads_the_project(tmp_path):
    _project(tmp_path / "pkg")
    lp = local_path_target("  ./pkg[dev, TEST]  ", tmp_path)
    assert lp is not None
    assert lp.directory == (tmp_path / "pkg").resolve()
    assert (lp.extras_text, lp.extras) == ("[dev, TEST]", ("dev", "test"))
    assert (lp.has_pyproject, lp.project_name, lp.error) == (True, "My_Pkg", None)
    assert lp.optional_dependencies == ("dev", "gpu")
    assert lp.unknown_extras == ("test",)
    assert local_path_target(".", tmp_path / "pkg").directory == lp.directory
    assert local_path_target(str(tmp_path / "pkg"), Path("/nonexistent")) is not None


def test_local_path_target_like_fal(tmp_path, monkeypatch):
    _project(tmp_path / "numpy")
    (tmp_path / "file.txt").write_text("x")
    # any string naming an existing directory is uploaded, even a project name
    assert local_path_target("numpy", tmp_path) is not None
    assert local_path_target("numpy>=1", tmp_path) is None
    assert local_path_target("file.txt", tmp_path) is None
    assert local_path_target("missing[dev]", tmp_path) is None
    assert local_path_target("[dev]", tmp_path) is None
    assert local_path_target("", tmp_path) is None
    assert local_path_target("a\x00b", tmp_path) is None
    monkeypatch.setenv("HOME", str(tmp_path))
    assert local_path_target("~/numpy", Path("/")).directory == (tmp_path / "numpy").resolve()


def test_local_path_target_problems(tmp_path):
    _project(tmp_path / "bare", None)
    lp = local_path_target("bare", tmp_path)
    assert (lp.has_pyproject, lp.project_name, lp.optional_dependencies) == (False, None, None)
    assert "no pyproject.toml" in lp.error
    _project(tmp_path / "broken", "[project\nname = ")
    lp = local_path_target("broken", tmp_path)
    assert lp.has_pyproject and lp.project_name is None and "not valid TOML" in lp.error
    _project(tmp_path / "noname", "[project]\nversion = '1'\n")
    lp = local_path_target("noname[x]", tmp_path)
    assert lp.project_name is None and lp.error is None and lp.unknown_extras == ("x",)
    _project(tmp_path / "weird", "project = 3\n")
    assert local_path_target("weird", tmp_path).project_name is None
    _project(tmp_path / "binary").joinpath("pyproject.toml").write_bytes(b"\x00\xff")
    assert local_path_target("binary", tmp_path).error.startswith("pyproject.toml is a binary")
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    assert local_path_target("loop", tmp_path) is None


def test_analyze_layer_with_base_dir(tmp_path):
    _project(tmp_path / "pkg")
    (tmp_path / "wheels").mkdir()
    a = analyze_layer([".[dev]", "./pkg[gpu]", "-f", "wheels", "numpy"], base_dir=tmp_path / "pkg")
    assert a.problems == ()
    assert a.items[0].local.directory == (tmp_path / "pkg").resolve()
    assert a.items[0].local.project_name == "My_Pkg"
    assert (a.items[0].kind, a.items[0].name, a.items[0].extras) == ("path", "my-pkg", ("dev",))
    assert a.items[1].local is None  # pkg/pkg does not exist: uv sees the path itself
    a = analyze_layer(["-f", "wheels", "numpy"], base_dir=tmp_path)
    assert a.items[1].local.directory == (tmp_path / "wheels").resolve()
    # fal hands uv a remote sdist URL, which cannot be editable
    a = analyze_layer(["-e", "."], base_dir=tmp_path / "pkg")
    assert [(p.index, p.kind) for p in a.problems] == [(1, "bad-option-value")]
    # a directory with a dot is fine when fal uploads it, refused when uv gets the path
    (tmp_path / "my.pkg").mkdir()
    assert analyze_layer(["./my.pkg"], base_dir=tmp_path).problems == ()
    assert problems(["./my.pkg"]) == [(0, "invalid-requirement")]
    # fal copies the extras text into `name[...] @ url`: uv must accept it
    p = one_problem(["pkg[dev!]"], base_dir=tmp_path)
    assert (p.kind, marked("pkg[dev!]", p)) == ("invalid-requirement", "[dev!")


# --------------------------------------------------------------------------
# The same project twice
# --------------------------------------------------------------------------


def test_duplicates():
    a = analyze_layer(
        ["numpy", "--pre", "NumPy>=1", "numpy; sys_platform == 'linux'", "scipy", "numpy[dev]"]
    )
    assert duplicates(a) == [(0, 2, "numpy"), (0, 5, "numpy")]
    a = analyze_layer(["torch; sys_platform == 'linux'", "torch ; sys_platform=='linux'"])
    assert duplicates(a) == [(0, 1, "torch")]
    assert duplicates(analyze_layer(["./a", "./b", "numpy"])) == []


def test_conflicting_pins():
    a = analyze_layer(["torch==2.1.0", "torch==2.2.0", "torch>=2.0", "torch==2.1.0+cu121"])
    assert conflicting_pins(a) == [(0, 1, "torch"), (1, 3, "torch")]
    assert conflicting_pins(analyze_layer(["torch==2.1.0+cu121", "torch==2.1.0+cpu"])) == [
        (0, 1, "torch")
    ]
    assert conflicting_pins(analyze_layer(["torch==2.1.*", "torch==2.1.3"])) == []
    assert conflicting_pins(analyze_layer(["a==1", "a>=2"])) == [(0, 1, "a")]
    assert conflicting_pins(analyze_layer(["a==1; os_name=='nt'", "a==2"])) == []
    assert conflicting_pins(analyze_layer(["a===1.0", "a==1.0"])) == []


# --------------------------------------------------------------------------
# The option table itself
# --------------------------------------------------------------------------


def test_option_table_is_consistent():
    spellings = [s for spec in UV_PIP_INSTALL_OPTIONS for s in spec.spellings]
    assert len(spellings) == len(set(spellings))
    names = {spec.name for spec in UV_PIP_INSTALL_OPTIONS}
    for pair in UV_CONFLICTS:
        assert pair <= names
    for spec in UV_PIP_INSTALL_OPTIONS:
        assert spec.name.startswith("--") and all(a.startswith("--") for a in spec.aliases)
        assert spec.short is None or re.fullmatch(r"-[A-Za-z]", spec.short)
        assert spec.check is None or spec.check in R._VALUE_CHECKS
        assert spec.takes_value or not (spec.choices or spec.check or spec.delimiter)
        if spec.choices:
            assert not spec.empty_ok
        for s in spec.spellings:
            assert option_spec(s) is spec
    assert option_spec("--nope") is None and option_spec("-x") is None


# --------------------------------------------------------------------------
# Against the real uv
# --------------------------------------------------------------------------

#: (layer, uv accepts it at parse time). Resolution is not parsing: a
#: requirement uv cannot find offline, or a path that does not exist, counts
#: as accepted.
CROSS_CHECK = [
    (["numpy"], True),
    (["numpy >= 1.0"], True),
    (["torch==2.1.0+cu121"], True),
    (['pkg[extra1,extra2]>=1; python_version < "3.12"'], True),
    (["name @ https://x.org/name-1.0-py3-none-any.whl"], True),
    (["https://host.org/pkg-1.0-py3-none-any.whl"], True),
    (["https://x.org/numpy-1.0-py3-none-any.whl[extra]"], True),
    (["git+https://github.com/o/r@v1"], True),
    (["git+https://github.com/o/r@v1#egg=r"], True),
    (["name @ git+https://github.com/o/r@v1"], True),
    (["numpy @ git+ssh://git@github.com/o/r.git@main"], True),
    (["git+http://x.org/r"], True),
    (["https://github.com/o/r.git"], True),
    (["./local[dev]"], True),
    (["."], True),
    (["../lib[extra]"], True),
    (["/abs/path"], True),
    (["dist/x-1.0.tar.gz"], True),
    (["numpy.zip"], True),
    (["file:///tmp/x"], True),
    (["numpy @ file:///tmp/x.tar.gz"], True),
    (["./.hidden", "x/"], True),
    (["-e", "."], True),
    (["-e", "numpy"], True),
    (["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch"], True),
    (["--extra-index-url=https://download.pytorch.org/whl/cu124", "torch"], True),
    (["--extra-index-url", "https://a.org/simple https://b.org/simple", "numpy"], True),
    (["--extra-index-url", "https://a.org/s", "--extra-index-url", "https://b.org/s", "x"], True),
    (["-f", "https://download.pytorch.org/whl/torch_stable.html", "torch"], True),
    (["-fhttps://x.org/links", "numpy"], True),
    (["-f=https://x.org/links", "numpy"], True),
    (["-i", "https://x.org/simple", "numpy"], True),
    (["--index-url", "-", "numpy"], True),
    (["--index", "name=https://x.org/simple", "numpy"], True),
    (["--index-strategy", "unsafe-best-match", "numpy"], True),
    (["--pre", "numpy"], True),
    (["-U", "numpy"], True),
    (["-qU", "numpy"], True),
    (["-q", "-q", "numpy"], True),
    (["--no-deps", "numpy"], True),
    (["--prerelease=allow", "numpy"], True),
    (["--no-binary", ":all:", "numpy"], True),
    (["--only-binary", "numpy,scipy", "numpy"], True),
    (["-C", "key=value", "numpy"], True),
    (["--config-settings", "k=v", "numpy"], True),
    (["--python-version", "3.11", "numpy"], True),
    (["--exclude-newer", "2024-01-01", "numpy"], True),
    (["--exclude-newer", "3 days", "numpy"], True),
    (["--reinstall-package", "numpy", "numpy"], True),
    (["--force-reinstall", "--no-cache-dir", "--compile", "numpy"], True),
    (["--trusted-host", "localhost", "numpy"], True),
    (["--trusted-host", "localhost:8080 https://x.org:1", "numpy"], True),
    (["--trusted-host", "x:abc", "numpy"], False),
    (["--index", "numpy>=1", "numpy"], False),
    (["--torch-backend", "cu124", "numpy"], True),
    (["--", "numpy"], True),
    (["numpy (>=1.0)"], True),
    (["numpy[]"], True),
    (["numpy>=1.0,"], True),
    (["numpy==1.0.*"], True),
    (["numpy===1.0"], True),
    (["torch===2.1.0+cu121"], True),
    (["numpy==1.0.0-rc1"], True),
    ([" numpy ", "Numpy_Foo.bar"], True),
    (["numpy==1.0\n"], True),
    (["numpy; python_version ~= '3.8'"], True),
    (["numpy ; os_name == 'posix' or platform_system=='Linux'"], True),
    (["numpy @ https://x.org/numpy-1.0-py3-none-any.whl ; python_version >= '3.8'"], True),
    (["numpy @ https://x.org/numpy-1.0-py3-none-any.whl; python_version >= '3.8'"], True),
    (["numpy", "numpy==1.0"], True),
    (["pkg.whl"], True),  # fails later, when uv reads the wheel name
    (["--require-hashes", "numpy==1.0"], True),  # fails later: no hash
    (["--managed-python", "--python-preference", "system", "numpy"], False),
    (["numpy==="], False),
    (["foo bar"], False),
    (["torch>="], False),
    (["pkg["], False),
    ([""], False),
    (["-"], False),
    (["_a"], False),
    (["a-"], False),
    (["numpy,scipy"], False),
    (["numpy #"], False),
    (["numpy==1.0 # comment"], False),
    (["numpy>=1.*"], False),
    (["numpy~=1"], False),
    (["numpy>=1.0+local"], False),
    (["numpy===abc"], False),
    (["numpy[dev,]"], False),
    (["numpy @ "], False),
    (["numpy; python_version === '3.8'"], False),
    (["numpy; python_versio >= '3.8'"], False),
    (["numpy; python_version < 3.12"], False),
    (["numpy; python_version >= '3.8' and"], False),
    (["numpy @ https://"], False),
    (["numpy @ https://x.org:99999/a-1.0.tar.gz"], False),
    (["https://x.org/simple/"], False),
    (["https://github.com/o/r"], False),
    (["numpy @ https://x.org/a-1.0.WHL"], False),
    (["numpy @ https://x.org/a.tar.gz#md5=abc"], True),  # refused later, as a bad hash
    (["git+git://x.org/r"], False),
    (["hg+https://x.org/r"], False),
    (["./x.py"], False),
    (["a/b==1.0"], False),
    (["numpy @ x.py"], False),
    (["./local[dev!]"], False),
    (["./adir #c"], False),
    (["-e", "git+https://github.com/o/r"], False),
    (["-e", "numpy==1.0"], False),
    (["-e", "./x-1.0.tar.gz"], False),
    (["numpy", "-e", ""], False),
    (["--extra-index-url"], False),
    (["numpy", "--extra-index-url"], False),
    (["--index-url", "--pre", "numpy"], False),
    (["--index-url", "-x", "numpy"], False),
    (["--frobnicate", "numpy"], False),
    (["--extra-index-url https://x.org/simple", "numpy"], False),
    (["--pre"], False),
    (["--pre", "--pre", "numpy"], False),
    (["-U", "--upgrade", "numpy"], False),
    (["--index-url", "https://a.org/simple", "--index-url", "https://b.org/simple", "x"], False),
    (["--prerelease", "bogus", "numpy"], False),
    (["--prerelease=Allow", "numpy"], False),
    (["--no-deps=true", "numpy"], False),
    (["-U=1", "numpy"], False),
    (["-numpy"], False),
    (["--", "--pre"], False),
    (["--user", "numpy"], False),
    (["--upgrade-group", "dev", "numpy"], False),
    (["--extra", "dev", "numpy"], False),
    (["--target", "/tmp/t", "--prefix", "/tmp/p", "numpy"], False),
    (["--no-build", "--no-binary", "numpy", "numpy"], False),
    (["-q", "-v", "numpy"], False),
    (["--no-binary", "bad name!", "numpy"], False),
    (["--only-binary", "numpy,", "numpy"], False),
    (["-C", "novalue", "numpy"], False),
    (["--config-settings-package", "numpy:k", "numpy"], False),
    (["--prerelease-package", "numpy=bogus", "numpy"], False),
    (["--exclude-newer-package", "numpy", "numpy"], False),
    (["--python-version", "3.x", "numpy"], False),
    (["--exclude-newer", "1 month", "numpy"], False),
    (["--exclude-newer", "3.x", "numpy"], False),
    (["--exclude-newer", "2 weeks ago", "numpy"], True),
    (["-P", "numpy>=", "numpy"], False),
    (["--reinstall-package", "bad name", "numpy"], False),
    (["--torch-backend", "cu999", "numpy"], False),
    (["--link-mode", "", "numpy"], False),
    (["-t", "", "numpy"], False),
]

# what uv says when it got past parsing and failed to resolve or fetch offline
_LATER_FAILURES = (
    "Using Python",
    "No solution found",
    "Network connectivity is disabled",
    "not found in the cache",
    "Distribution not found",
    "does not appear to be a Python project",
    "Git operation failed",
    "is invalid: Must have a version",
)


def _uv_binary() -> str | None:
    exe = shutil.which("uv")
    if exe:
        return exe
    try:
        import uv  # the `uv` package from PyPI ships the binary
    except ImportError:
        return None
    try:
        return uv.find_uv_bin()
    except Exception:  # noqa: BLE001 - installed without its binary
        return None


@dataclass
class Uv:
    exe: str
    python: str
    cache: Path
    work: Path
    env: dict

    def run(self, args: list[str], install_flags: bool = True) -> tuple[int, str]:
        cmd = [self.exe, "pip", "install"]
        if install_flags:
            cmd += ["--dry-run", "--offline", "--no-config", "--no-python-downloads",
                    "--cache-dir", str(self.cache), "--python", self.python]  # fmt: skip
        p = subprocess.run(
            cmd + list(args),
            cwd=self.work,
            env=self.env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        return p.returncode, p.stdout + p.stderr

    def rejects(self, layer: list[str]) -> tuple[bool, str]:
        """Did uv refuse ``layer`` before resolving anything?"""
        code, out = self.run(layer)
        rejected = code == 2 and not any(m in out for m in _LATER_FAILURES)
        return rejected, out

    def many(self, fn, inputs: list) -> list:
        with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
            return list(pool.map(fn, inputs))


@pytest.fixture(scope="session")
def uv(tmp_path_factory) -> Uv:
    exe = _uv_binary()
    if exe is None:
        pytest.skip("uv is not installed (pip install uv)")
    root = tmp_path_factory.mktemp("uv")
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("UV_", "PIP_")) and k != "VIRTUAL_ENV"
    }
    # nothing may leave this machine: every connection goes to a closed local port
    closed = "http://127.0.0.1:9"
    env.update(HTTP_PROXY=closed, HTTPS_PROXY=closed, ALL_PROXY=closed, NO_PROXY="", NO_COLOR="1")
    cache = root / "cache"
    venv = root / "venv"
    made = subprocess.run(
        [exe, "venv", "--no-config", "--offline", "--no-python-downloads", "--cache-dir",
         str(cache), "--python", sys.executable, str(venv)],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    if made.returncode != 0:
        pytest.skip(f"uv venv failed: {made.stderr.strip()}")
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    work = root / "work"
    (work / "adir").mkdir(parents=True)
    (work / "req.txt").write_text("numpy\n")
    (root / "uv.toml").write_text("")
    return Uv(exe, str(python), cache, work, env)


@pytest.fixture(scope="session")
def uv_verdicts(uv) -> dict:
    layers = [layer for layer, _ in CROSS_CHECK]
    return {tuple(layer): v for layer, v in zip(layers, uv.many(uv.rejects, layers))}


def test_cross_check_table_is_big_and_balanced():
    assert len(CROSS_CHECK) >= 40
    assert sum(ok for _, ok in CROSS_CHECK) >= 20 and sum(not ok for _, ok in CROSS_CHECK) >= 20


@pytest.mark.parametrize(
    "layer, valid", CROSS_CHECK, ids=[repr(layer)[:60] for layer, _ in CROSS_CHECK]
)
def test_library_verdict(layer, valid):
    """The expected verdict is the library's, without uv."""
    a = analyze_layer(layer)
    assert a.rejected_by_uv == (not valid), a.problems


@pytest.mark.parametrize(
    "layer, valid", CROSS_CHECK, ids=[repr(layer)[:60] for layer, _ in CROSS_CHECK]
)
def test_uv_verdict(layer, valid, uv_verdicts):
    """uv rejects at parse time exactly what the library marks invalid."""
    rejected, out = uv_verdicts[tuple(layer)]
    assert rejected == (not valid), out


def _help_options(text: str) -> dict[str, tuple[str | None, bool, tuple[str, ...]]]:
    """``--long -> (short, takes value, possible values)`` from ``uv pip install --help``."""
    found: dict[str, tuple[str | None, bool, tuple[str, ...]]] = {}
    blocks = re.split(r"\n(?=\s+(?:-\w, )?--[\w-]+)", text)
    for block in blocks:
        m = re.match(r"\s+(?:(-\w), )?(--[\w-]+)( <[\w]+>)?", block)
        if not m:
            continue
        values = re.search(r"\[possible\s+values:\s*([^\]]*)\]", block)
        choices = tuple(v.strip() for v in values.group(1).split(",")) if values else ()
        found[m.group(2)] = (m.group(1), bool(m.group(3)), choices)
    return found


def test_option_table_matches_uv_help(uv):
    code, out = uv.run(["--help"], install_flags=False)
    assert code == 0
    version = subprocess.run([uv.exe, "--version"], capture_output=True, text=True).stdout.strip()
    why = f"the table was read from uv {R.UV_VERSION}; this is {version}"
    listed = _help_options(out)
    assert len(listed) > 60
    for name, (short, takes_value, choices) in listed.items():
        spec = option_spec(name)
        assert spec is not None and spec.name == name, (name, why)
        assert (spec.short, spec.takes_value, spec.hidden) == (short, takes_value, False), name
        assert set(spec.choices) == set(choices), (name, why)
    for spec in UV_PIP_INSTALL_OPTIONS:
        assert spec.hidden == (spec.name not in listed), (spec.name, why)


def _probe(uv: Uv, spelling: str) -> tuple[str, str]:
    return spelling, uv.run([spelling], install_flags=False)[1]


def test_every_spelling_is_accepted_by_uv(uv):
    spellings = [s for spec in UV_PIP_INSTALL_OPTIONS for s in spec.spellings]
    for spelling, out in uv.many(lambda s: _probe(uv, s), spellings):
        spec = option_spec(spelling)
        assert "unexpected argument" not in out, spelling
        assert ("a value is required" in out) == spec.takes_value, (spelling, out)


# a valid value for each option that takes one (choices use their first)
SAMPLES = {
    "--requirements": "req.txt", "--editable": ".", "--no-editable-package": "numpy",
    "--constraints": "req.txt", "--overrides": "req.txt", "--excludes": "req.txt",
    "--build-constraints": "req.txt", "--extra": "dev", "--cert": "req.txt", "--group": "dev",
    "--target": "t", "--prefix": "p", "--no-binary": "numpy", "--only-binary": "numpy",
    "--python-version": "3.11", "--index": "https://x.org/simple",
    "--default-index": "https://x.org/simple", "--index-url": "https://x.org/simple",
    "--extra-index-url": "https://x.org/simple", "--find-links": "https://x.org/links",
    "--upgrade-package": "numpy", "--upgrade-group": "dev", "--prerelease-package": "numpy=allow",
    "--exclude-newer": "2024-01-01", "--exclude-newer-package": "numpy=2024-01-01",
    "--no-sources-package": "numpy", "--reinstall-package": "numpy", "--config-setting": "k=v",
    "--config-settings-package": "numpy:k=v", "--no-build-isolation-package": "numpy",
    "--refresh-package": "numpy", "--allow-insecure-host": "localhost", "--directory": ".",
    "--project": ".", "--config-file": "../uv.toml", "--preview-features": "pylock",
}  # fmt: skip
# options the harness itself passes, or that stop uv early
_HARNESS = {"--dry-run", "--check", "--offline", "--no-offline", "--no-config", "--cache-dir",
            "--python", "--no-python-downloads", "--allow-python-downloads", "--help",
            "--show-settings", "--refresh"}  # fmt: skip


def test_repeatable_matches_uv(uv):
    specs = [s for s in UV_PIP_INSTALL_OPTIONS if s.name not in _HARNESS]

    def twice(spec):
        value = [SAMPLES.get(spec.name) or spec.choices[0]] if spec.takes_value else []
        return spec, uv.run([spec.name, *value, spec.name, *value, "numpy"])[1]

    for spec, out in uv.many(twice, specs):
        assert ("cannot be used multiple times" in out) == (not spec.repeatable), (spec.name, out)


def test_conflicts_match_uv(uv):
    def together(pair):
        args = []
        for name in sorted(pair):
            spec = option_spec(name)
            args += [name] + ([SAMPLES.get(name) or spec.choices[0]] if spec.takes_value else [])
        return pair, uv.run(args + ["numpy"], install_flags=False)[1]

    for pair, out in uv.many(together, sorted(UV_CONFLICTS, key=sorted)):
        assert re.search(r"cannot be used (with|together)", out), (sorted(pair), out)
