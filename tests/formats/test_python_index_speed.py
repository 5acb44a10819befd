"""The fast index path (skeleton parse, positions from one code generation)
gives exactly what libcst's PositionProvider over the whole file gives."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

from fallint.formats import python as index_mod
from fallint.formats.python import PySyntaxError, _index_with_provider, _skeleton, _index_with_libcst

from ..helpers import REPO


#: source written to stress positions: decorators, nested blocks, one-line and
#: multi-line headers, bodies ending in strings and comments, tabs, non-ASCII
EDGES = '''\
"""Module docstring."""
from __future__ import annotations
import os, sys as system
from .rel import (a as b,
    c)
from fal import *
__all__ = ["Model", "helper"]
__all__ += ["extra"]

é_value = "ünïcode" ; after = 1
if os.environ.get("X"):
    def helper(x): return x
    CONST = 1
elif sys:
    def helper(x):
        """Docstring only."""
else:
    helper = lambda x: x

try:
    import fast as impl
except ImportError:  # comment
    impl = None
finally:
    done = True

def plain(a,
          b=(1,
             2)) -> int:
    text = """
class NotAClass:
    machine_type = "fake"
"""
    return len(text)
# a comment at column 0 after a body

        # an indented comment after a body
@decorator
@decorator.call(
    "multi", key=[1,
                  2],
)
async def decorated(): ...


class Model(fal.App, keep_alive=300, name="x"):
    """Class docstring."""
    machine_type = "GPU-A100"
    requirements: list[str] = ["torch", "ünï"]
    run = fal.endpoint("/")(impl)

    @fal.endpoint("/")
    def route(self, x: int) -> dict:
        def inner():
            return {"nested": True}
        return inner()

    if sys.version_info >= (3, 11):
        keep_alive = 5
        def method(self): pass
    else:
        keep_alive = 10

    @property
    def prop(self): return 1

    class Nested:
        def skipped(self):
            pass

    def last(self):
        x = """trailing
string"""
\t
def tabs():
\tif True:
\t\treturn 1

match command:
    case "a":
        def in_case(): return 1
    case _:
        value = 2

with open("f") as handle:
    def in_with():
        pass
for item in range(3):
    def in_for():
        pass
while False:
    def in_while():
        pass
\f
def after_formfeed():
    return 1
x = \\
    3
'''


def _corpus() -> list[tuple[str, str]]:
    """(name, source) pairs: the edge cases, the repository's own Python files
    (fixtures, examples, benchmarks, some of fallint itself) and a few
    standard-library modules, all small enough to keep the test fast."""
    sources = [("edges", EDGES)]
    for pattern in ("tests/fixtures/**/*.py", "examples/**/*.py", "benchmarks/*.py",
                    "fallint/formats/python.py", "fallint/model/*.py", "fallint/engine/*.py", "fallint/loading/cache.py"):
        for path in sorted(REPO.glob(pattern)):
            sources.append((str(path.relative_to(REPO)), path.read_text(encoding="utf-8")))
    for name in ("dataclasses", "argparse", "json.decoder", "contextlib", "functools"):
        spec = importlib.util.find_spec(name)
        sources.append((name, Path(spec.origin).read_text(encoding="utf-8")))
    return sources


CORPUS = _corpus()


@pytest.mark.parametrize("name,source", CORPUS, ids=[name for name, _ in CORPUS])
def test_fast_index_equals_position_provider(name, source):
    assert _index_with_libcst(source).to_dict() == _index_with_provider(source).to_dict()


def test_edges_take_the_fast_path(monkeypatch):
    """The corpus really exercises the fast path: a skeleton with the function
    bodies cut, and no PositionProvider."""

    def refuse(*args):
        raise AssertionError("PositionProvider used")

    monkeypatch.setattr(index_mod, "_ProviderPositions", refuse)
    skeleton, line_map = _skeleton(EDGES)
    assert "NotAClass" not in skeleton and "nested" not in skeleton
    assert "return x" in skeleton  # a one-line body stays
    assert len(line_map) == skeleton.count("\n") + 1
    assert line_map[-1] == EDGES.count("\n") + 1
    found = _index_with_libcst(EDGES)
    model = found.class_named("Model")
    assert [m.name for m in model.methods] == ["route", "method", "prop", "last"]
    assert (model.method("last").line, model.method("last").column) == (
        EDGES.splitlines().index("    def last(self):") + 1, 9)
    assert [(f.name, f.line) for f in found.functions] == [
        ("helper", 12), ("helper", 15), ("plain", 27), ("decorated", 43), ("tabs", 75),
        ("in_case", 81), ("in_with", 86), ("in_for", 89), ("in_while", 92), ("after_formfeed", 95),
    ]


@pytest.mark.parametrize("source", [
    "x = 1\r\ny = 2\r\n",  # a CR: the whole file goes to libcst
    "def f[T](x: T) -> T:\n    return x\n",  # newer than some interpreters
    'x = f"{"nested"}"\n',
    "class C:\n    def f(self):\n        return 1\n",
    "",
    "# only a comment",
])
def test_other_paths_give_the_same_index(source):
    assert _index_with_libcst(source).to_dict() == _index_with_provider(source).to_dict()


def test_syntax_errors_in_function_bodies_are_still_reported():
    source = "import os\n\ndef f():\n    return (\n\nclass A:\n    pass\n"
    with pytest.raises(PySyntaxError) as info:
        _index_with_libcst(source)
    assert info.value.line >= 4


def test_valid_python_libcst_rejects_inside_a_body_is_indexed():
    """CPython accepts ``(name): int`` and libcst does not; inside a function
    body (which libcst no longer sees) the file is now indexed."""
    source = "def f():\n    (x): int\n\nclass A:\n    pass\n"
    assert _index_with_libcst(source).class_named("A").line == 4
    with pytest.raises(PySyntaxError):
        _index_with_libcst("(x): int\n")


def test_deep_nesting_is_still_refused():
    with pytest.raises(PySyntaxError, match="nested too deeply|too many nested"):
        _index_with_libcst("x = " + "(" * 300 + ")" * 300 + "\n")
    with pytest.raises(PySyntaxError, match="nested too deeply"):
        _index_with_libcst("def f():\n    return " + "-" * 5000 + "1\n")


def _generated_module() -> str:
    spec = importlib.util.spec_from_file_location("fallint_bench_generate", REPO / "benchmarks" / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = generate
    spec.loader.exec_module(generate)
    return generate


def test_faster_than_position_provider(tmp_path):
    """On the benchmark's ~200-line app modules the fast path takes well
    under half the time of the reference (it is about a fifth)."""
    generate = _generated_module()
    project = generate.generate(6, tmp_path)
    texts = [p.read_text(encoding="utf-8") for p in sorted((project / "apps").glob("*.py"))]
    _index_with_libcst(texts[0])  # import libcst outside the timing

    def best(fn) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            for text in texts:
                fn(text)
            times.append(time.perf_counter() - start)
        return min(times)

    fast, reference = best(_index_with_libcst), best(_index_with_provider)
    assert fast < 0.5 * reference, (fast, reference)
