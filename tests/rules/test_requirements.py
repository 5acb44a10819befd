"""The 3xx requirements rules, through the CLI (json, github and sarif output)."""

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
SRC = {"src/textgen/__init__.py": "", "src/textgen/serve.py": SERVE}
HEADER = '[project]\nname = "textgen"\nversion = "0.1.0"\n'
#: the `requirements = [` line of :func:`entry_app`, and the column of its first element
LINE, FIRST = 7, 17


def entry_app(requirements: str, extra: str = "", header: str = HEADER, key: str = "textgen") -> str:
    """An entry-point app whose `requirements` start on line 7 (with the default header)."""
    return (
        f"{header}\n[tool.fal.apps.{key}]\npython_entry_point = \"textgen.serve:TextGen\"\n"
        f"requirements = {requirements}\n{extra}"
    )


def toml_string(text: str) -> str:
    """A literal string when the text needs escapes as a basic one (so positions map exactly)."""
    if ('"' in text or "\\" in text) and "'" not in text:
        return f"'{text}'"
    return json.dumps(text, ensure_ascii=False)


def inline(elements: list[str]) -> str:
    return "[" + ", ".join(toml_string(e) for e in elements) + "]"


def element_column(elements: list[str], index: int) -> int:
    """Column of element ``index`` (its opening quote) in :func:`inline`'s array on line 7."""
    return FIRST + sum(len(toml_string(e)) + 2 for e in elements[:index])


def run(cli, root, select: str = "FAL3", fmt: str = "json"):
    res = cli(["check", "--no-cache", "--output-format", fmt, "--select", select], cwd=root)
    assert res.code in (0, 1), res.err
    return res


def check(cli, root, select: str = "FAL3") -> list[dict]:
    return json.loads(run(cli, root, select).out)


def where(d: dict) -> tuple:
    return (d["code"], d["line"], d["column"], d["end_line"], d["end_column"])


# --------------------------------------------------------------------------
# Real-world strings that must pass


VALID = [
    ["torch==2.4.1"],
    ["torch==2.1.0+cu121"],
    ["numpy>=1.26,<2"],
    ["transformers>=4.44,<5; python_version >= '3.10'"],
    ['xformers; sys_platform == "linux" and platform_machine == "x86_64"'],
    ["requests[socks,security]>=2.31"],
    ["typing_extensions>=4.8"],
    ["Pillow"],
    ["accelerate ~= 0.33.0"],
    ["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch"],
    ["--extra-index-url=https://download.pytorch.org/whl/cu124", "torch"],
    ["--index-url", "https://pypi.org/simple", "numpy"],
    ["-i", "https://pypi.org/simple", "numpy"],
    ["-ihttps://pypi.org/simple", "numpy"],
    ["-f", "https://data.pyg.org/whl/torch-2.4.0+cu124.html", "torch-scatter"],
    ["--find-links=https://data.pyg.org/whl/torch-2.4.0+cu124.html", "torch-scatter"],
    ["--prerelease=allow", "diffusers"],
    ["--prerelease", "if-necessary-or-explicit", "diffusers"],
    ["--index-strategy", "unsafe-best-match", "torch"],
    ["--no-build-isolation-package", "flash-attn", "flash-attn==2.6.3"],
    ["--no-cache", "-U", "--compile-bytecode", "numpy"],
    ["--config-setting", "editable_mode=compat", "numpy"],
    ["-r", "https://raw.githubusercontent.com/acme/app/main/requirements.txt"],
    ["-c", "https://raw.githubusercontent.com/acme/app/main/constraints.txt", "numpy"],
    [
        "flash-attn @ https://github.com/Dao-AILab/flash-attention/releases/download/v2.6.3/"
        "flash_attn-2.6.3+cu123torch2.4cxx11abiFALSE-cp311-cp311-linux_x86_64.whl"
    ],
    ["https://files.pythonhosted.org/packages/six-1.16.0-py2.py3-none-any.whl"],
    ["git+https://github.com/huggingface/diffusers.git@v0.30.0"],
    ["diffusers @ git+https://github.com/huggingface/diffusers@main"],
    ["git+https://github.com/openai/CLIP.git#egg=clip"],
    ["git+ssh://git@github.com/acme/private-lib.git@v1.2"],
    ["torch==2.4.1; sys_platform == 'linux'", "torch==2.2.2; sys_platform == 'darwin'"],
    ["ray[serve]>=2.9", "ray[tune]"],
    ["./libs/tokenizer"],
    ["./libs/tokenizer[fast]"],
    ["--no-deps", "numpy"],
    ["--", "numpy"],
]


def test_real_world_strings_raise_nothing(project, cli):
    """Every group in its own app (one run): no 3xx diagnostic at all."""
    apps = "\n".join(
        f'[tool.fal.apps.a{n}]\npython_entry_point = "textgen.serve:TextGen"\nrequirements = {inline(["."] + group)}\n'
        for n, group in enumerate(VALID)
    )
    root = project({
        "pyproject.toml": HEADER + "\n[project.optional-dependencies]\nserve = []\n\n" + apps,
        "libs/tokenizer/pyproject.toml": '[project]\nname = "tokenizer"\nversion = "0.1"\n'
                                         '[project.optional-dependencies]\nfast = ["tokenizers"]\n',
        **SRC,
    })  # fmt: skip
    assert check(cli, root) == []


# --------------------------------------------------------------------------
# Invalid strings: code, element, exact characters

# (elements, code, element index, (start, end) inside the string or None for the whole
#  element, message fragment)
INVALID = [
    (["numpy==="], "FAL306", 0, (5, 8), "`===` needs a version after it"),
    (["torch=2.4.1"], "FAL306", 0, (5, 6), "`=` is not a version operator"),
    (["torch=>2.4"], "FAL306", 0, (5, 7), "`=>` is not a version operator"),
    (["diffusers>=0.30,,<1"], "FAL306", 0, (16, 17), "an empty version specifier between two commas"),
    (["numpy>=1.0<2"], "FAL306", 0, (10, 11), "a comma is missing"),
    (["numpy scipy"], "FAL306", 0, (6, 11), "each requirement is a string of its own"),
    (["numpy==\"1.0\""], "FAL306", 0, (7, 12), "versions are not quoted"),
    (["numpy[dev"], "FAL306", 0, (5, 6), "is never closed"),
    (["torch==2.4.1 --index-url https://x.org/simple"], "FAL306", 0, (13, 45), "inside a requirement string"),
    (["transformers; python_version > 3.10"], "FAL306", 0, (31, 35), "marker values are quoted strings"),
    (["numpy; python_verison > '3'"], "FAL306", 0, (7, 21), "`python_verison` is not a marker variable"),
    (["numpy; os_name = 'nt'"], "FAL306", 0, (15, 16), "`=` is not a marker operator"),
    (["numpy;"], "FAL306", 0, (5, 6), "a marker is missing"),
    ([""], "FAL306", 0, None, "an empty string is not a requirement"),
    (["numpyé>=2"], "FAL306", 0, (5, 6), "`é` cannot be part of a project name"),
    (["https://github.com/acme/lib"], "FAL306", 0, None, "lacks the `git+` prefix"),
    (["hg+https://hg.example.com/repo"], "FAL306", 0, None, "Mercurial"),
    (["--frobnicate", "numpy"], "FAL302", 0, None, "unknown option '--frobnicate'"),
    (["--index-url https://x.org/simple", "numpy"], "FAL302", 0, None, "must be separate elements"),
    (["--prefer-binary", "numpy"], "FAL302", 0, None, "a pip option uv does not have"),
    (["-Z", "numpy"], "FAL302", 0, (1, 2), "unknown option '-Z'"),
    (["numpy", "--extra-index-url"], "FAL303", 1, None, "--extra-index-url needs a value"),
    (["--extra-index-url", "--no-deps", "numpy"], "FAL303", 0, None, "needs a value"),
    (["--prerelease=alow", "numpy"], "FAL303", 0, (13, 17), "invalid value 'alow' for --prerelease"),
    (["--prerelease", "alow", "numpy"], "FAL303", 1, None, "invalid value 'alow'"),
    (["--no-deps=1", "numpy"], "FAL303", 0, (9, 11), "--no-deps takes no value"),
    (["--python-version", "three", "numpy"], "FAL303", 1, None, "not a Python version"),
    (["-e", "git+https://github.com/acme/lib"], "FAL303", 1, None, "Git sources cannot be editable"),
    (["-i", "https://a.org/simple", "--index-url", "https://b.org/simple", "numpy"], "FAL304", 2, None,
     "--index-url can be given only once"),
    (["--target", "t", "--prefix", "p", "numpy"], "FAL304", 2, None, "refuses --prefix together with --target"),
    (["-q", "-v", "numpy"], "FAL304", 1, None, "--verbose together with --quiet"),
    (["--user", "numpy"], "FAL304", 0, None, "`--user` is unsupported"),
    (["--extra", "serve", "numpy"], "FAL304", 0, None, "--extra/--all-extras only"),
    (["https://example.com/dist/pkg.whl"], "FAL307", 0, None, "invalid wheel file name"),
    (["torchvision @ https://x.org/torch-2.4.1-cp311-cp311-linux_x86_64.whl"], "FAL307", 0, (14, 68),
     "names 'torchvision', but the file is 'torch'"),
    (["six @ https://x.org/six-1.16.0-py2.py3-none-any.whl#sha256=abc"], "FAL307", 0, (6, 62),
     "invalid sha256 hash"),
    (["-extra-index-url", "https://x.org/simple", "numpy"], "FAL308", 0, None,
     "read as '-e xtra-index-url', not as --extra-index-url"),
    (["-r", "requirements.txt"], "FAL309", 1, None, "`-r requirements.txt`: fal does not upload files"),
    (["--constraint=constraints.txt", "numpy"], "FAL309", 0, (13, 28), "fal does not upload files"),
    (["dist/pkg-1.0-py3-none-any.whl"], "FAL309", 0, None, "does not exist"),
    (["./libs/missing[fast]"], "FAL309", 0, (0, 14), "does not exist"),
    (["-e.", "numpy"], "FAL309", 0, None, "reaches uv as written"),
    (["numpy==1.26.4", "numpy==2.0.0"], "FAL315", 1, None, "contradicts `numpy==1.26.4`"),
    (["numpy==1.26.4", "NumPy>=2"], "FAL315", 1, None, "no version of `numpy` satisfies both"),
    (["numpy>=1.26", "NumPy<2"], "FAL314", 1, None, "`numpy` is already required in this layer"),
    (["typing_extensions", "typing-extensions>=4"], "FAL314", 1, None, "already required"),
    (["--dry-run", "numpy"], "FAL316", 0, None, "--dry-run makes uv install nothing"),
    (["--python-version=3.11", "numpy"], "FAL316", 0, (0, 16), "another Python"),
    (["--system", "numpy"], "FAL316", 0, None, "outside the app's environment"),
]


@pytest.mark.parametrize("elements, code, index, span, fragment", INVALID, ids=[str(r[0])[:60] for r in INVALID])
def test_invalid_strings_are_reported_at_the_exact_characters(project, cli, elements, code, index, span, fragment):
    layer = ["."] + elements
    root = project({"pyproject.toml": entry_app(inline(layer)), **SRC})
    diags = check(cli, root, select=code)
    column = element_column(layer, index + 1)
    if span is None:
        expected = (code, LINE, column, LINE, column + len(toml_string(layer[index + 1])))
    else:
        expected = (code, LINE, column + 1 + span[0], LINE, column + 1 + span[1])
    assert [where(d) for d in diags] == [expected], [d["message"] for d in diags]
    assert fragment in diags[0]["message"]
    assert diags[0]["key"] == f"tool.fal.apps.textgen.requirements[{index + 1}]"


def test_element_columns_are_computed_as_the_file_has_them(project, cli):
    """Guards the helper above with literal positions."""
    root = project({"pyproject.toml": entry_app('[".", "numpy===", "torch=2.4.1"]'), **SRC})
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL306", 7, 28, 7, 31), ("FAL306", 7, 40, 7, 41)]
    assert diags[0]["help"] == "write a version (`numpy===1.0`) or remove `===`"
    assert diags[1]["help"] == "write `torch==2.4.1`"


def test_require_hashes_needs_a_hash_on_every_requirement(project, cli):
    url = "https://x.org/six-1.16.0-py2.py3-none-any.whl#sha256=" + "0" * 64
    root = project({"pyproject.toml": entry_app(inline(["--require-hashes", "numpy==1.26.4", url])), **SRC})
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL307", 7, 37, 7, 52)]
    assert "needs a hash for every requirement" in diags[0]["message"]


def test_layer_of_only_options_points_at_the_layer(project, cli):
    flat = project({"pyproject.toml": entry_app('["--extra-index-url", "https://x.org/simple"]'), **SRC})
    assert [where(d) for d in check(cli, flat)] == [("FAL305", 7, 16, 7, 61)]


# --------------------------------------------------------------------------
# Array layouts: multi-line arrays, list-of-lists layers, strings fallint cannot map


def test_multi_line_array(project, cli):
    text = entry_app(
        "[\n"
        '    ".",\n'
        '    "numpy==",                      # line 9\n'
        "    'torch=2.4.1',                  # a literal string\n"
        '    "diffusers>=0.30,\\u002c<1",     # an escape: the whole string\n'
        '    """transformers>=4,,<5""",\n'
        "    \"--prerelease\", \"alow\",\n"
        "]"
    )
    root = project({"pyproject.toml": text, **SRC})
    diags = check(cli, root)
    assert [where(d) for d in diags] == [
        ("FAL306", 9, 11, 9, 13),
        ("FAL306", 10, 11, 10, 12),
        ("FAL306", 11, 5, 11, 31),
        ("FAL306", 12, 5, 12, 30),
        ("FAL303", 13, 21, 13, 27),
    ]
    assert [d["key"].rsplit(".", 1)[1] for d in diags] == [
        "requirements[1]", "requirements[2]", "requirements[3]", "requirements[4]", "requirements[6]",
    ]  # fmt: skip


def test_list_of_lists_layers(project, cli):
    text = entry_app(
        "[\n"
        '    ["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"],\n'
        '    [".", "flash-attn=2.6.3", "torch==2.5.0"],\n'
        '    ["--index-url", "https://a.org/simple"],\n'
        "]"
    )
    root = project({"pyproject.toml": text, **SRC})
    diags = check(cli, root)
    assert [where(d) for d in diags] == [
        ("FAL306", 9, 22, 9, 23),
        ("FAL305", 10, 5, 10, 44),
    ]
    assert diags[0]["key"] == "tool.fal.apps.textgen.requirements[1][1]"
    assert diags[1]["key"] == "tool.fal.apps.textgen.requirements[2]"
    assert "this layer has options but nothing to install" in diags[1]["message"]


def test_the_same_project_in_two_layers_is_no_duplicate(project, cli):
    root = project({"pyproject.toml": entry_app('[[".", "torch==2.4.1"], ["torch==2.5.0"]]'), **SRC})
    assert check(cli, root) == []


# --------------------------------------------------------------------------
# FAL301: the shape, and FAL004 leaving arrays to it


def test_shape_errors_point_at_the_elements_for_every_app_kind(project, cli):
    root = project({
        "pyproject.toml": """
            [tool.fal.apps.web]
            ref = "app.py::Web"
            requirements = ["numpy", ["torch"], 3]

            [tool.fal.apps.layers]
            image = { image = "python:3.11" }
            requirements = [["numpy", true], "torch", {}]
            """,
        "app.py": "import fal\n\nclass Web(fal.App):\n    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n",
    })  # fmt: skip
    diags = check(cli, root, select="FAL301,FAL004")
    assert [where(d) for d in diags] == [
        ("FAL301", 3, 26, 3, 35),
        ("FAL301", 3, 37, 3, 38),
        ("FAL301", 7, 27, 7, 31),
        ("FAL301", 7, 34, 7, 41),
        ("FAL301", 7, 43, 7, 45),
    ]
    assert "is a list (an install layer), but the other elements are strings" in diags[0]["message"]
    assert "this element is an integer, not a string" in diags[1]["message"]
    assert "this element of layer 0 is a boolean" in diags[2]["message"]
    assert "is a string, but the other elements are lists" in diags[3]["message"]
    assert diags[3]["help"] == 'put it into a layer: `["torch"]`'
    assert "this element is a table" in diags[4]["message"]
    assert all("fal raises `requirements must be a list of strings" in d["message"] for d in diags)


def test_wrong_type_still_reports_a_requirements_string(project, cli):
    root = project({"pyproject.toml": '[tool.fal.apps.web]\nimage = { image = "x" }\nrequirements = "numpy"\n'})
    assert [where(d) for d in check(cli, root, select="FAL004,FAL301")] == [("FAL004", 3, 16, 3, 23)]


def test_bad_shape_stops_the_other_rules(project, cli):
    root = project({"pyproject.toml": entry_app('["numpy===", ["torch"]]'), **SRC})
    assert [d["code"] for d in check(cli, root)] == ["FAL301"]


# --------------------------------------------------------------------------
# Which apps fal installs the TOML list for

APP_PY = """
import fal


class Web(fal.App):
    @fal.endpoint("/")
    def run(self) -> dict:
        return {}


@fal.function(machine_type="S")
def job() -> int:
    return 1


@fal.function(requirements=["numpy==2.1.0"])
def pinned() -> int:
    return 1
"""


def test_only_apps_whose_list_fal_installs_are_checked(project, cli):
    bad = '["numpy===", "./vendored"]'
    root = project({
        "pyproject.toml": f"""
            [tool.fal.apps.web]
            ref = "app.py::Web"
            requirements = {bad}

            [tool.fal.apps.pinned]
            ref = "app.py::pinned"
            requirements = {bad}

            [tool.fal.apps.unresolved]
            ref = "app.py::Missing"
            requirements = {bad}

            [tool.fal.apps.job]
            ref = "app.py::job"
            requirements = {bad}

            [tool.fal.apps.image-only]
            image = {{ image = "python:3.11" }}
            requirements = {bad}

            [tool.fal.apps.entry]
            python_entry_point = "acme.serve:App"
            image = {{ image = "ghcr.io/acme/serve:1" }}
            requirements = {bad}

            [tool.fal.apps.both]
            ref = "app.py::Web"
            python_entry_point = "acme.serve:App"
            requirements = {bad}
            """,
        "app.py": APP_PY,
        "vendored/setup.py": "",
    })  # fmt: skip
    diags = check(cli, root)
    found = sorted((d["app"], d["code"]) for d in diags)
    assert found == [
        ("entry", "FAL306"), ("entry", "FAL310"),
        ("image-only", "FAL310"),  # fal builds the sdist; whether uv runs is up to the server
        ("job", "FAL306"), ("job", "FAL310"),  # a fal.function without requirements takes the TOML list
    ]  # fmt: skip


# --------------------------------------------------------------------------
# FAL309: what fal never uploads


def test_files_are_only_reported_for_plain_virtualenv_apps(project, cli):
    reqs = '[".", "-r", "requirements.txt", "dist/x-1.0-py3-none-any.whl"]'
    root = project({
        "pyproject.toml": entry_app(reqs)
        + '\n[tool.fal.apps.image]\npython_entry_point = "textgen.serve:TextGen"\n'
        f'image = {{ dockerfile = "Dockerfile" }}\nrequirements = {reqs}\n'
        + '\n[tool.fal.apps.files]\npython_entry_point = "textgen.serve:TextGen"\n'
        f'app_files = ["src"]\nrequirements = {reqs}\n',
        "requirements.txt": "numpy\n",
        "dist/x-1.0-py3-none-any.whl": b"PK",
        "Dockerfile": "FROM python:3.11\nCOPY requirements.txt .\n",
        **SRC,
    })  # fmt: skip
    diags = check(cli, root, select="FAL309")
    assert [(d["app"], d["line"], d["column"]) for d in diags] == [("textgen", 7, 28), ("textgen", 7, 48)]
    assert "is a local file: fal uploads only directories" in diags[1]["message"]


def test_absolute_paths_urls_and_variables_are_left_alone(project, cli):
    reqs = ['.', "-r", "/etc/app/requirements.txt", "--cert", "/etc/ssl/certs/ca.pem", "-c", "${CONSTRAINTS}",
            "/opt/wheels/x-1.0-py3-none-any.whl", "file:///opt/wheels/y-1.0-py3-none-any.whl", "-r", "-"]
    root = project({"pyproject.toml": entry_app(inline(reqs)), **SRC})
    assert check(cli, root, select="FAL309") == []


def test_a_directory_not_named_by_its_own_string(project, cli):
    root = project({
        "pyproject.toml": entry_app('[".", "tok @ ./libs/tok", "--find-links=wheels"]'),
        "libs/tok/pyproject.toml": '[project]\nname = "tok"\nversion = "1"\n',
        "wheels/x-1.0-py3-none-any.whl": b"PK",
        **SRC,
    })  # fmt: skip
    diags = check(cli, root, select="FAL309")
    assert [where(d) for d in diags] == [("FAL309", 7, 29, 7, 39), ("FAL309", 7, 56, 7, 62)]
    assert "reaches uv as written" in diags[0]["message"]
    assert diags[0]["help"] == "write the directory as a string of its own: `./libs/tok`"
    assert "only when a string names it by itself" in diags[1]["message"]


# --------------------------------------------------------------------------
# FAL310, FAL311, FAL313: local directories


def test_local_directory_problems(project, cli):
    root = project({
        "pyproject.toml": entry_app('[".", "./no-pyproject", "numpy", "-f", "wheels", "./broken", "./unnamed"]'),
        "no-pyproject/setup.py": "",
        "numpy/__init__.py": "",  # a directory that shadows the package name
        "wheels/x-1.0-py3-none-any.whl": b"PK",
        "broken/pyproject.toml": "[project\n",
        "unnamed/pyproject.toml": "[tool.poetry]\nname = 'x'\n",
        **SRC,
    })  # fmt: skip
    diags = check(cli, root, select="FAL310")
    assert [(d["column"], d["end_column"]) for d in diags] == [(22, 38), (40, 47), (55, 63), (65, 75), (77, 88)]
    messages = [d["message"] for d in diags]
    assert "the directory `no-pyproject/`" in messages[0] and "it has no `pyproject.toml`" in messages[0]
    assert "`numpy` (the directory `numpy/`)" in messages[1]
    assert "`wheels`" in messages[2]
    assert "is not valid TOML" in messages[3]
    assert "has no `[project]` `name`" in messages[4]


def test_this_project_unnamed_is_fal203_for_entry_points_and_fal310_otherwise(project, cli):
    header = '[tool.poetry]\nname = "textgen"\n'
    root = project({
        "pyproject.toml": entry_app('[".[serve]"]', header=header)
        + '\n[tool.fal.apps.site]\nimage = { image = "python:3.11" }\nrequirements = ["."]\n',
        **SRC,
    })  # fmt: skip
    diags = check(cli, root, select="FAL203,FAL310")
    assert [(d["code"], d["app"], d["line"]) for d in diags] == [("FAL203", "textgen", 5), ("FAL310", "site", 10)]


def test_unknown_extras(project, cli):
    root = project({
        "pyproject.toml": entry_app('[".[serve,gpu]", "./libs/tok[Fast]", "./libs/dyn[anything]"]',
                                    header=HEADER + '[project.optional-dependencies]\nserve = []\n'),
        "libs/tok/pyproject.toml": '[project]\nname = "tok"\nversion = "1"\n[project.optional-dependencies]\nfast = []\n',
        "libs/dyn/pyproject.toml": '[project]\nname = "dyn"\ndynamic = ["version", "optional-dependencies"]\n',
        **SRC,
    })  # fmt: skip
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL311", 9, 19, 9, 30)]
    assert diags[0]["severity"] == "warning"
    assert "`textgen` declares no extra `gpu` (in `pyproject.toml`)" in diags[0]["message"]
    assert diags[0]["help"] == "declared extras: `serve`"


def test_editable_local_directory(project, cli):
    root = project({
        "pyproject.toml": entry_app('["-e", ".", "--editable", "./libs/tok", "-e./libs/tok"]'),
        "libs/tok/pyproject.toml": '[project]\nname = "tok"\nversion = "1"\n',
        **SRC,
    })  # fmt: skip
    diags = check(cli, root)
    # fal rewrites a directory only when the whole string names it: `-e./libs/tok` reaches uv as is
    assert [where(d) for d in diags] == [("FAL313", 7, 17, 7, 21), ("FAL313", 7, 28, 7, 40), ("FAL309", 7, 56, 7, 70)]
    assert diags[1]["help"] == "drop the `-e`: `./libs/tok`"
    assert "`-e./libs/tok` reaches uv as written" in diags[2]["message"]


# --------------------------------------------------------------------------
# FAL312: requirements_context_dir


def test_context_dir_missing_is_a_warning_with_a_suggestion(project, cli):
    root = project({
        "pyproject.toml": entry_app('["..", "tok"]', 'requirements_context_dir = "lib"\n'),
        "libs/tok/pyproject.toml": '[project]\nname = "tok"\nversion = "1"\n',
        **SRC,
    })  # fmt: skip
    diags = check(cli, root, select="FAL312")
    assert [where(d) for d in diags] == [("FAL312", 8, 28, 8, 33)]
    assert diags[0]["severity"] == "warning"
    assert diags[0]["help"] == "did you mean `libs`?"


def test_context_dir_that_is_a_file_or_unused(project, cli):
    root = project({
        "pyproject.toml": entry_app('["."]', 'requirements_context_dir = "README.md"\n')
        + '\n[tool.fal.apps.norequirements]\npython_entry_point = "textgen.serve:TextGen"\n'
        'requirements_context_dir = "missing"\n'
        + '\n[tool.fal.apps.web]\nref = "app.py::Web"\nrequirements = ["numpy"]\nrequirements_context_dir = "missing"\n',
        "README.md": "hi\n",
        "app.py": APP_PY,
        **SRC,
    })  # fmt: skip
    diags = check(cli, root, select="FAL312")
    assert [(d["app"], d["line"]) for d in diags] == [("textgen", 8)]
    assert "`README.md` is a file" in diags[0]["message"]


def test_context_dir_resolves_local_paths(project, cli):
    root = project({
        "pyproject.toml": entry_app('["..", "tok[fast]"]', 'requirements_context_dir = "libs"\n'),
        "libs/tok/pyproject.toml": '[project]\nname = "tok"\nversion = "1"\n[project.optional-dependencies]\nfast = []\n',
        **SRC,
    })  # fmt: skip
    assert check(cli, root, select="FAL3,FAL202") == []


# --------------------------------------------------------------------------
# FAL308: one dash


def test_one_dash_options_error_or_warning(project, cli):
    root = project({
        "pyproject.toml": entry_app('[".", "-extra-index-url", "https://x.org/simple", "-target", "out", "torch"]'),
        **SRC,
    })  # fmt: skip
    diags = check(cli, root)
    assert [(d["code"], d["severity"], d["column"]) for d in diags] == [
        ("FAL308", "error", 22),
        ("FAL317", "warning", 66),
    ]  # the swallowed URL is no FAL306 of its own, `-target` no FAL316
    assert "`https://x.org/simple` becomes a requirement: uv fails" in diags[0]["message"]
    assert diags[0]["help"] == "write `--extra-index-url`"
    assert "uv accepts it and does something else" in diags[1]["message"]


def test_one_dash_index_url_fails_only_with_registry_requirements(project, cli):
    root = project({"pyproject.toml": entry_app('[".", "-index-url", "https://x.org/simple", "torch"]'), **SRC})
    assert [d["severity"] for d in check(cli, root, select="FAL308")] == ["error"]


# --------------------------------------------------------------------------
# FAL314 / FAL315: related locations


def test_duplicates_and_conflicts_point_back_at_the_first(project, cli):
    root = project({"pyproject.toml": entry_app('[".", "numpy>=1.26", "torch==2.4.1", "NumPy<2", "torch==2.5"]'), **SRC})
    diags = check(cli, root)
    assert [where(d) for d in diags] == [("FAL314", 7, 53, 7, 62), ("FAL315", 7, 64, 7, 76)]
    assert [(r["line"], r["column"], r["end_column"]) for r in diags[0]["related"]] == [(7, 22, 35)]
    assert diags[0]["related"][0]["message"] == "`numpy` is first required here"
    assert [(r["line"], r["column"]) for r in diags[1]["related"]] == [(7, 37)]


def test_repeated_option_points_back_at_the_first(project, cli):
    root = project({"pyproject.toml": entry_app('[".", "-i", "https://a.org", "--index-url", "https://b.org", "x"]'), **SRC})
    (d,) = check(cli, root)
    assert where(d) == ("FAL304", 7, 45, 7, 58)
    assert "(first given in element" not in d["message"]
    assert [(r["column"], r["message"]) for r in d["related"]] == [(22, "`-i` is given here")]


# --------------------------------------------------------------------------
# Other output formats carry the element's position


BAD = entry_app('[".", "torch=2.4.1"]')


def test_github_format_carries_the_position(project, cli):
    root = project({"pyproject.toml": BAD, **SRC})
    out = run(cli, root, fmt="github").out
    line = next(line for line in out.splitlines() if line.startswith("::error"))
    assert "file=pyproject.toml,line=7,col=28,endLine=7,endColumn=29,title=FAL306 (invalid-requirement)" in line
    assert "`=` is not a version operator" in line


def test_sarif_format_carries_the_position(project, cli):
    root = project({"pyproject.toml": BAD, **SRC})
    (result,) = json.loads(run(cli, root, fmt="sarif").out)["runs"][0]["results"]
    assert result["ruleId"] == "FAL306" and result["level"] == "error"
    region = result["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 7, "startColumn": 28, "endLine": 7, "endColumn": 29}
    assert result["properties"]["key"] == "tool.fal.apps.textgen.requirements[1]"
