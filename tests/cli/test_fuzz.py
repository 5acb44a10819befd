"""Property-based fuzzing of the whole CLI (GitHub issue #11).

Generated projects -- pyproject tables with every app key and values of every
TOML type, Python app files (any syntax up to 3.14, truncated, corrupted),
Dockerfiles and .dockerignore files -- must give: exit 0, 1 or 2, no
traceback and no internal error, JSON whose positions lie inside the files,
the same output twice, the same output with and without the cache, and an
answer within a time bound.

Budget: the ``ci`` profile (default) is derandomized with a fixed example
count, a few seconds per test.  A long session::

    FALLINT_FUZZ=long FALLINT_FUZZ_EXAMPLES=2500 python -m pytest tests/test_fuzz.py -q -p no:cacheprovider

(``long`` is randomized; the example count applies per test;
``FALLINT_FUZZ_LOG=FILE`` appends a line per input that passed.)
"""

from __future__ import annotations

import datetime
import json
import math
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings, strategies as st

from fallint.model.fal import APP_KEYS

from ..helpers import run_cli, write_files

settings.register_profile(
    "fallint-ci", max_examples=25, derandomize=True, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)
settings.register_profile(
    "fallint-long", max_examples=int(os.environ.get("FALLINT_FUZZ_EXAMPLES", "2500")), deadline=None,
    database=None, suppress_health_check=list(HealthCheck),
)
PROFILE = "fallint-long" if os.environ.get("FALLINT_FUZZ") == "long" else "fallint-ci"
#: seconds one run may take (generous: CI machines are shared)
TIME_BOUND = float(os.environ.get("FALLINT_FUZZ_TIME_BOUND", "10"))
#: inputs tried, per test (printed by the long session's summary)
TRIED: dict[str, int] = {}

# -- TOML ---------------------------------------------------------------------

_TEXT = st.text(
    alphabet=st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)),
                       st.sampled_from(list("\x00\r\n\t\\\"' #=[]{}.:/*"))),
    max_size=30,
)
_LONG = st.integers(1_000, 200_000).map(lambda n: "x" * n)
_STRINGS = st.one_of(
    _TEXT, _LONG,
    st.sampled_from(["app.py", "app.py::A", "app.py::Web", "Dockerfile", ".", "..", "/", "/etc/passwd",
                     "../../..", "GPU-A100", "numpy>=1", "-r req.txt", "pkg.mod:A", "\x00", "a/" * 50,
                     "python:3.12", "~/x", "*.py", "**", "$HOME"]),
)
_SCALARS = st.one_of(
    _STRINGS, st.integers(-(2**63), 2**63 - 1), st.booleans(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.datetimes(), st.dates(), st.times(),
)


def _values(depth: int = 3):
    return st.recursive(
        _SCALARS,
        lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(_keys(), inner, max_size=4)),
        max_leaves=12,
    )


def _keys():
    return st.one_of(st.sampled_from(sorted(APP_KEYS) + ["image", "dockerfile", "build_args", "where",
                                                         "package-dir", "tool"]), _TEXT.filter(bool))


def _toml_string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (datetime.datetime, datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_string(k)} = {_toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


@st.composite
def pyprojects(draw) -> bytes:
    lines = []
    if draw(st.booleans()):
        lines += ['[project]', 'name = "svc"', 'version = "0.1"']
        if draw(st.booleans()):
            lines += ["[tool.setuptools]", f"package-dir = {_toml_value(draw(st.dictionaries(_TEXT, _STRINGS, max_size=2)))}"]
    if draw(st.booleans()):
        lines += ["[tool.fallint]", f"{draw(st.sampled_from(['select', 'ignore', 'fail-on', 'x']))} = "
                  f"{_toml_value(draw(_values()))}"]
    for app in draw(st.lists(st.sampled_from(["web", "worker", "a.b", "ü", ""]), min_size=1, max_size=3, unique=True)):
        lines.append(f"[tool.fal.apps.{_toml_string(app)}]")
        lines.append(f'ref = {_toml_value(draw(st.sampled_from(["app.py::A", "app.py", "app.py::Web"])))}')
        for key, value in draw(st.dictionaries(_keys(), _values(), max_size=5)).items():
            lines.append(f"{_toml_string(key)} = {_toml_value(value)}  # fallint: ignore[FAL003]")
    text = "\n".join(lines) + "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    data = text.encode("utf-8")
    mutation = draw(st.sampled_from(["none", "none", "bom", "truncate", "nul", "garbage", "nest"]))
    if mutation == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mutation == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "nul":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + b"\x00" + data[at:]
    elif mutation == "garbage":
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(max_size=20)) + data[at:]
    elif mutation == "nest":
        depth = draw(st.integers(1, 600))
        data += b"[tool.fal.apps.deep]\nx = " + b"[" * depth + b"]" * depth + b"\n"
    return data


# -- Python -------------------------------------------------------------------

_PY_SNIPPETS = [
    "import fal\n",
    "import fal, os\nfrom helpers import thing\nfrom . import rel\n",
    'class A(fal.App):\n    machine_type = "GPU-A100"\n    requirements = ["numpy"]\n'
    '    @fal.endpoint("/")\n    def run(self) -> dict:\n        return {}\n',
    'class Web(fal.App, keep_alive=300):\n    @fal.endpoint("/", is_websocket=True)\n    async def ws(self): ...\n',
    "@fal.function(machine_type='S')\ndef f(x: int) -> int:\n    return x\n",
    "@fal.function\ndef g(): pass\n",
    "type Alias[T] = list[T]\n",
    "class G[T: int, *Ts, **P]:\n    def m[U](self, u: U) -> U: return u\n",
    "try:\n    pass\nexcept* ValueError as eg:\n    pass\n",
    "match command.split():\n    case [action, obj]:\n        pass\n    case {'x': 1, **rest}:\n        pass\n    case _:\n        pass\n",
    "name = 'w'\nmsg = t'hello {name!r:>10}'\nf'{name:{10}}'\n",
    "def gen():\n    yield from range(3)\n    x = lambda: (yield)\n",
    "async def a():\n    async with x as y:\n        async for z in y:\n            await z\n",
    "if TYPE_CHECKING:\n    from x import Y\nelse:\n    Y = None\n",
    "__all__ = ['A']\n__all__ += ['B']\nfrom os import *\n",
    "x = (\n" + "(" * 50 + "1" + ")" * 50 + "\n)\n",
    "with (open('a') as a, open('b') as b):\n    pass\n",
    "def f(a, /, b, *, c): return [i async for i in c]\n",
    "A: int = 1\nB: 'str'\nglobal_var = {**a, 'b': [*c]}\n",
    "x = '''\nmulti\nline\n'''\n",
    "# -*- coding: latin-1 -*-\n",
    "\tclass Bad:\n  pass\n",
    "def broken(:\n",
    "print 'py2'\n",
]


@st.composite
def python_files(draw) -> bytes:
    parts = draw(st.lists(st.sampled_from(_PY_SNIPPETS), max_size=6))
    text = "".join(parts)
    data = text.encode("utf-8")
    mutation = draw(st.sampled_from(["none", "none", "truncate", "corrupt", "crlf", "bom", "random"]))
    if mutation == "truncate":
        data = data[: draw(st.integers(0, len(data)))]
    elif mutation == "corrupt" and data:
        at = draw(st.integers(0, len(data) - 1))
        data = data[:at] + draw(st.binary(min_size=1, max_size=5)) + data[at + 1:]
    elif mutation == "crlf":
        data = data.replace(b"\n", b"\r\n")
    elif mutation == "bom":
        data = b"\xef\xbb\xbf" + data
    elif mutation == "random":
        data = draw(st.text(max_size=200)).encode("utf-8", "surrogatepass")
    return data


# -- Dockerfile and .dockerignore --------------------------------------------

_DOCKER_LINES = [
    "FROM python:3.12-slim", "FROM --platform=$P base AS build", "ARG VERSION", "ARG X=1",
    "COPY . /app", "COPY app.py requirements.txt /app/", "COPY --from=build /a /b", "ADD https://x/y /z",
    "ADD --chown=1:1 *.py /app/", 'COPY ["a b", "/c"]', "COPY 'unclosed /x", "COPY \\", "  a b /c",
    "RUN echo hi \\\n  && echo there", "RUN <<EOF\necho heredoc\nEOF", "COPY <<EOT /f\ncontent\nEOT",
    "# escape=`", "# syntax=docker/dockerfile:1", "ENV A=$VERSION", "WORKDIR /app", "CMD python app.py",
    "COPY ${VERSION}/x /y", "COPY --chmod=755 a* /", "ONBUILD COPY x /", "HEALTHCHECK CMD true",
]


@st.composite
def dockerfiles(draw) -> bytes:
    lines = draw(st.lists(st.one_of(st.sampled_from(_DOCKER_LINES), _TEXT,
                                    st.integers(1_000, 300_000).map(lambda n: "COPY " + "w" * n + " /x")),
                          max_size=8))
    text = "\n".join(lines)
    if draw(st.booleans()):
        text += "\n"
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8", "surrogatepass")


_IGNORE_LINES = ["*", "!app.py", "**/*.pyc", "# comment", "[", "\\", "!", "/abs", "../x", "a/**/b",
                 "*.py\\", "  spaced  ", "[a-", "?", "**"]


@st.composite
def dockerignores(draw) -> bytes:
    lines = draw(st.lists(st.one_of(st.sampled_from(_IGNORE_LINES), _TEXT), max_size=8))
    return "\n".join(lines).encode("utf-8", "surrogatepass")


# -- the invariants -----------------------------------------------------------


def _run(root: Path, *extra: str, env: dict | None = None):
    start = time.perf_counter()
    res = run_cli(["check", "--output-format", "json", *extra, "."], cwd=root, env=env)
    elapsed = time.perf_counter() - start
    assert elapsed < TIME_BOUND, f"took {elapsed:.1f} s"
    assert res.code in (0, 1, 2), res
    assert "Traceback" not in res.err and "internal error" not in res.err, res.err
    if res.code == 2:  # only for input the command cannot use: then one line, no output
        assert res.err.count("\n") == 1, res.err
        return res.code, None
    diags = json.loads(res.out)
    assert isinstance(diags, list)
    for d in diags:
        path = root / d["path"]
        assert path.is_file() or not path.exists(), d
        if path.is_file():
            lines = path.read_bytes().decode("utf-8", "replace").replace("\r\n", "\n").split("\n")
            assert 1 <= d["line"] <= len(lines) + 1, d
            assert d["column"] >= 1 and d["end_line"] >= d["line"], d
            assert (d["end_line"], d["end_column"]) > (d["line"], d["column"]), d
    return res.code, res.out


def _check_project(files: dict[str, bytes], name: str) -> None:
    TRIED[name] = TRIED.get(name, 0) + 1
    with tempfile.TemporaryDirectory(prefix="fallint-fuzz-") as tmp:
        tmp_path = Path(tmp)
        root = write_files(tmp_path / "p", files)
        env = {"FALLINT_CACHE_KEY": "fuzz", "XDG_CACHE_HOME": str(tmp_path / "xdg")}
        first = _run(root, "--no-cache")
        assert _run(root, "--no-cache") == first, "not deterministic"
        cache = ["--cache-dir", str(tmp_path / "cache")]
        assert _run(root, *cache, env=env) == first, "cold cache differs"
        assert _run(root, *cache, env=env) == first, "warm cache differs"
    log = os.environ.get("FALLINT_FUZZ_LOG")
    if log:  # a long session's running count of inputs that passed every invariant
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{name} ok\n")


_BASE_TOML = b'[tool.fal.apps.web]\nref = "app.py::A"\nimage = { dockerfile = "Dockerfile" }\n'
_BASE_APP = _PY_SNIPPETS[0] + _PY_SNIPPETS[2]


@settings.get_profile(PROFILE)
@given(pyprojects(), python_files())
# found by a long run: a NUL in a configured package directory reached os.listdir
@example(pyproject=b'[project]\nname = "svc"\nversion = "0.1"\n[tool.setuptools]\n'
                   b'package-dir = {"0" = "\\u0000"}\n[tool.fal.apps."web"]\nref = "app.py::A"\n', app=b"")
def test_fuzz_pyproject(pyproject, app):
    _check_project({"pyproject.toml": pyproject, "app.py": app, "Dockerfile": b"FROM python\n"}, "pyproject")


@settings.get_profile(PROFILE)
@given(python_files(), python_files())
def test_fuzz_app_files(app, helper):
    _check_project({"pyproject.toml": _BASE_TOML, "app.py": app, "helpers.py": helper,
                    "Dockerfile": b"FROM python\n"}, "python")


@settings.get_profile(PROFILE)
@given(dockerfiles(), dockerignores())
def test_fuzz_dockerfiles(dockerfile, dockerignore):
    _check_project({"pyproject.toml": _BASE_TOML.replace(b'ref = "app.py::A"\n', b""),
                    "Dockerfile": dockerfile, ".dockerignore": dockerignore,
                    "app.py": _BASE_APP.encode(), "requirements.txt": b"numpy\n"}, "docker")


def teardown_module(module):  # the long session's figures
    if PROFILE == "fallint-long":
        print(f"\nfallint fuzz: inputs tried per test: {TRIED}, total {sum(TRIED.values())}")
