"""fallint.formats.python: one file -> a plain-data ModuleIndex."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fallint.formats.python import (
    INDEX_FORMAT,
    AssignmentEntry,
    ClassEntry,
    ImportEntry,
    ModuleIndex,
    PySyntaxError,
    _nesting_problem,
    index_source,
)


def idx(source: str) -> ModuleIndex:
    return index_source(textwrap.dedent(source))


SAMPLE = '''
import os
import fal
import fal as f
import a.b.c
import a.b.c as abc
from fal import App as Base, function
from .app import Svc
from . import mod
from ..pkg.sub import thing
from .x import *
from fal.toolkit import *

__all__ = ["Svc", "Model"]
__all__ += ["extra"]

ALIAS = fal.App
Other = Base
value = compute()
runner = fal.function("virtualenv", requirements=["torch"])(impl)
a, (b, *c) = 1, (2, 3)
type Vector = list[float]

@fal.function("virtualenv", machine_type="GPU")
def remote(x): ...

@decorator
async def helper(): ...

class Model(fal.App, keep_alive=300, name="my-app"):
    machine_type = "GPU-A100"
    requirements: list[str] = ["torch==2.1", "numpy"]
    num_gpus = 1 + 1
    app_files = ("a.txt", "b.txt")
    regions = {"primary": "us-east", "weights": [1, 2.5, -3, True, None]}
    run = fal.endpoint("/run")(impl)

    if DEBUG:
        keep_alive = 10

    @fal.endpoint("/", is_websocket=False)
    def generate(self, prompt: str) -> dict: ...

    @property
    def helper(self): ...

class Plain(Generic[T], mixins.Mixin, *extra_bases, metaclass=Meta): pass
'''


def test_records_every_kind_of_binding():
    index = idx(SAMPLE)
    imports = {i.name: (i.module, i.level, i.attr) for i in index.imports}
    assert imports == {
        "os": ("os", 0, None),
        "fal": ("fal", 0, None),
        "f": ("fal", 0, None),
        "a": ("a", 0, None),
        "abc": ("a.b.c", 0, None),
        "Base": ("fal", 0, "App"),
        "function": ("fal", 0, "function"),
        "Svc": ("app", 1, "Svc"),
        "mod": ("", 1, "mod"),
        "thing": ("pkg.sub", 2, "thing"),
    }
    assert [(s.module, s.level) for s in index.star_imports] == [("x", 1), ("fal.toolkit", 0)]
    assert index.all_names == ["Svc", "Model", "extra"] and not index.all_dynamic

    assignments = {a.name: a for a in index.assignments}
    assert assignments["ALIAS"].alias == "fal.App"
    assert assignments["Other"].alias == "Base"
    assert assignments["value"].alias is None and assignments["value"].applied.name == "compute"
    runner = assignments["runner"].applied
    assert (runner.name, runner.called) == ("fal.function", True)
    assert runner.keywords["requirements"].value == ["torch"]
    # unpacking binds every name, without a value
    assert {"a", "b", "c"} <= set(assignments) and assignments["c"].value is None
    assert assignments["Vector"].value.source == "list[float]"

    functions = {fn.name: fn for fn in index.functions}
    remote = functions["remote"].decorators[0]
    assert (remote.name, remote.called, remote.args[0].value) == ("fal.function", True, "virtualenv")
    assert remote.keywords["machine_type"].value == "GPU"
    assert functions["helper"].is_async and functions["helper"].decorators[0].called is False


def test_class_entry_details():
    index = idx(SAMPLE)
    model = index.class_named("Model")
    assert model.bases == ["fal.App"]
    assert model.keywords["keep_alive"].value == 300 and model.keywords["name"].value == "my-app"
    attrs = {a.name: a for a in model.attributes}
    assert attrs["machine_type"].value.value == "GPU-A100" and attrs["machine_type"].value.literal
    assert attrs["requirements"].annotated and attrs["requirements"].value.value == ["torch==2.1", "numpy"]
    assert not attrs["num_gpus"].value.literal and attrs["num_gpus"].value.source == "1 + 1"
    assert attrs["app_files"].value.value == ["a.txt", "b.txt"]  # tuples are stored as lists
    assert attrs["app_files"].value.source == '("a.txt", "b.txt")'
    assert attrs["regions"].value.value == {"primary": "us-east", "weights": [1, 2.5, -3, True, None]}
    assert attrs["run"].applied.name == "fal.endpoint" and attrs["run"].applied.called
    # the unconditional keep_alive? none: only the one under `if DEBUG` (a fallback-free branch)
    assert model.attribute("keep_alive").value.value == 10
    methods = {m.name: m for m in model.methods}
    endpoint = methods["generate"].decorators[0]
    assert (endpoint.name, endpoint.called, endpoint.args[0].value) == ("fal.endpoint", True, "/")
    assert endpoint.keywords["is_websocket"].value is False
    assert (methods["helper"].decorators[0].name, methods["helper"].decorators[0].called) == ("property", False)

    plain = index.class_named("Plain")
    assert plain.bases == ["Generic", "mixins.Mixin", None]
    assert plain.keywords["metaclass"].source == "Meta"


def test_non_literal_values_keep_their_source():
    index = idx(
        """
        class A:
            a = f"x{y}"
            b = {1, 2}
            c = b"bytes"
            d = {1: "int key"}
            e = os.environ["X"]
            g = 1e999
            h = -(-1)
            i = [1, [2, {"k": (3,)}]]
        """
    )
    values = {a.name: a.value for a in index.class_named("A").attributes}
    for name in "abcdeg":
        assert not values[name].literal and values[name].value is None
    assert values["e"].source == 'os.environ["X"]'
    assert values["h"].literal and values["h"].value == 1
    assert values["i"].literal and values["i"].value == [1, [2, {"k": [3]}]]


def test_positions_are_one_based_character_columns():
    index = idx(
        """\
        é = "ü"; ÿ = 1
        class Ü(fal.App, keep_alive=5):
            machine_type = "S"
        """
    )
    ydots = next(a for a in index.assignments if a.name == "ÿ")
    assert (ydots.line, ydots.column) == (1, 10)
    cls = index.class_named("Ü")
    assert (cls.line, cls.column) == (2, 7)
    assert cls.keyword_positions["keep_alive"] == [2, 18]
    assert (cls.keywords["keep_alive"].line, cls.keywords["keep_alive"].column) == (2, 29)
    attr = cls.attributes[0]
    assert (attr.line, attr.column, attr.value.line, attr.value.column) == (3, 5, 3, 20)


def test_bindings_in_module_level_blocks_and_the_winner():
    index = idx(
        """
        try:
            from fal import App
        except ImportError:
            App = object

        if sys.version_info >= (3, 11):
            import tomllib
        else:
            import tomli as tomllib

        with open("x") as handle:
            class Inner(App): pass

        for loop_var in range(3):
            pass

        match command:
            case 1:
                picked = "first"
            case _:
                picked = "other"

        X = 1
        X = 2

        if flag: one_liner = 1
        """
    )
    assert isinstance(index.binding("App"), ImportEntry)  # the try body, not the fallback
    assert index.binding("tomllib").module == "tomllib"
    assert [type(b) for b in index.bindings("App")] == [ImportEntry, AssignmentEntry]
    assert isinstance(index.binding("Inner"), ClassEntry)
    assert index.binding("handle") is not None and index.binding("loop_var") is not None
    assert index.binding("picked").value.value == "first"
    assert index.binding("X").value.value == 2
    assert index.binding("one_liner") is not None
    names = index.names()
    assert names.index("App") < names.index("tomllib") < names.index("Inner") < names.index("X")


@pytest.mark.parametrize(
    ("source", "expected", "dynamic"),
    [
        ("__all__ = ('a', 'b')", ["a", "b"], False),
        ("__all__ = ['a']\n__all__.extend(['b'])\n__all__.append('c')", ["a", "b", "c"], False),
        ("__all__ = ['a'] + other.__all__", None, True),
        ("__all__ = ['a']\n__all__ += other.__all__", None, True),
        ("x = 1", None, False),
    ],
)
def test_dunder_all(source, expected, dynamic):
    index = idx(source)
    assert index.all_names == expected and index.all_dynamic is dynamic


def test_syntax_the_running_interpreter_cannot_parse():
    source = textwrap.dedent(
        """
        type Alias[T] = list[T]

        def first[T](items: list[T]) -> T:
            return items[0]

        class Box[T](fal.App):
            value = f"{'nested'!r:>{width}}"

        match point:
            case {"x": x, **rest}:
                pass

        try:
            pass
        except* ValueError:
            pass
        """
    )
    if sys.version_info < (3, 12):
        with pytest.raises(SyntaxError):
            ast.parse(source)
    index = index_source(source)
    assert index.binding("Alias") is not None
    assert index.function_named("first") is not None
    assert index.class_named("Box").bases == ["fal.App"]


@pytest.mark.parametrize(
    ("source", "line", "column"),
    [
        ("x = 1\ny = (\nz = 3\n", 2, 5),
        ("def f(:\n    pass\n", 1, 7),
        ("\n\n\nx = )\n", 4, 5),
        ("if x:\ny = 1\n", 2, 1),
        ("print 'hello'\n", 1, 1),
    ],
)
def test_syntax_errors_carry_a_position(source, line, column):
    with pytest.raises(PySyntaxError) as info:
        index_source(source)
    assert (info.value.line, info.value.column) == (line, column)
    assert info.value.message


def test_syntax_error_after_newer_syntax_is_located_by_libcst():
    # CPython 3.11 stops at the PEP 695 line; the real error is on line 3
    with pytest.raises(PySyntaxError) as info:
        index_source('class Box[T]:\n    pass\nprint "x"\n')
    assert info.value.line == 3


def test_json_round_trip_equals_the_original():
    index = idx(SAMPLE)
    data = json.loads(json.dumps(index.to_dict()))
    assert data["format"] == INDEX_FORMAT
    again = ModuleIndex.from_dict(data)
    assert again == index
    assert again.binding("Model").attributes == index.binding("Model").attributes
    assert ModuleIndex.from_json(index.to_json()) == index
    with pytest.raises(ValueError):
        ModuleIndex.from_dict({**data, "format": INDEX_FORMAT + 1})


def test_long_values_are_truncated_and_not_literal():
    index = idx("BIG = [" + ", ".join(str(i) for i in range(5000)) + "]\n")
    value = index.binding("BIG").value
    assert not value.literal and value.source.endswith("...") and len(value.source) < 5000


HOSTILE_CASES = """
CASES = {
    "parens": "x = " + "(" * 5000 + "1" + ")" * 5000,
    "not": "x = " + "not " * 20000 + "y",
    "attributes": "x = a" + ".b" * 20000,
    "calls": "x = f" + "()" * 20000,
    "lambdas": "x = " + "lambda: " * 20000 + "1",
    "fstrings": "x = " + 'f"{' * 3000 + "1" + '}"' * 3000,
    "elif": "if a: pass\\n" + "elif a: pass\\n" * 20000,
}
"""


def test_pathological_nesting_is_refused_not_a_crash():
    # in a subprocess: without the guard, libcst's native parser segfaults
    script = HOSTILE_CASES + textwrap.dedent(
        """
        from fallint.formats.python import index_source, PySyntaxError
        for name, source in CASES.items():
            try:
                index_source(source + "\\n")
                print(name, "parsed")
            except PySyntaxError as exc:
                print(name, "refused", exc.line)
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert len(lines) == 7 and all(" refused " in line for line in lines), lines


def test_nesting_guard_accepts_real_code_and_flat_data():
    import dataclasses
    import inspect as inspect_module
    import typing

    for module in (typing, dataclasses, inspect_module, ast):
        assert _nesting_problem(Path(module.__file__).read_text(encoding="utf-8")) is None
    flat = "DATA = [" + ", ".join(f"-{i}.5" for i in range(30000)) + "]\n"
    assert _nesting_problem(flat) is None
    chain = "x = (" + " + ".join(f'"{i}"' for i in range(300)) + ")\n"
    assert _nesting_problem(chain) is None
    assert _nesting_problem("x = '" + "-" * 5000 + "'\n# " + "+" * 5000 + "\n") is None
    assert _nesting_problem('"""\n' + "a.b." * 5000 + '\n"""\n') is None


def test_importing_index_does_not_import_libcst():
    script = textwrap.dedent(
        """
        import json, sys
        from fallint.formats.python import ModuleIndex
        import fallint.model.sources, fallint.model.layout
        data = json.loads(sys.stdin.read())
        index = ModuleIndex.from_dict(data)
        assert index.class_named("Model") is not None
        print("libcst" in sys.modules)
        """
    )
    run = subprocess.run(
        [sys.executable, "-c", script],
        input=json.dumps(idx(SAMPLE).to_dict()),
        capture_output=True, text=True, timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "False"
