"""The lean cold path of fallint.formats.python: a smaller skeleton (function
stubs, no blank, comment or ignored lines), the nesting scanner's fast lines,
code sliced from the text for values, and shallow files parsed without the
parse thread -- all giving exactly what libcst's PositionProvider over the
whole file gives."""

from __future__ import annotations

import glob
import random
import re
import subprocess
import sys
import sysconfig
import textwrap
import threading

import pytest

from fallint.formats import python as index_mod
from fallint.formats.python import (
    PySyntaxError,
    _index_with_provider,
    _safe_skeleton,
    _scan_nesting,
    _skeleton,
    _index_with_libcst,
)

#: what the skeleton leaves out or rewrites, one construct per case
CASES = {
    "stubs and one-line definitions": '''\
import os

def plain(a,
          b: int = (1 +
                    2)) -> dict[str, int]:
    return {}

async  def  spaced (x) : return x

class C(Base, metaclass=Meta):
    """Doc."""

    def method(self): ...

    @property
    def prop(self):
        return 1

    async def coro(self, *args: "*Ts"):
        await x


def é_name():
    pass
''',
    "headers the stub pattern does not take": '''\
def broken \\
        (x):
    return x

async \\
  def later(): pass

def body_on_header_end(a,
                       b): return a
''',
    "classes in class bodies": '''\
class Outer:
    x = 1

    class Inner:
        y = 2

    @decorator(
        "arg",
    )
    class Decorated:
        pass

    if flag:
        class InIf:
            z = 3
        w = 4

class Only:
    class Nested: pass
''',
    "blank and comment lines": '''\
#!/usr/bin/env python
# -*- coding: utf-8 -*-

"""Module doc."""

# comment

x = (1,

     # inside brackets

     2)
y = """a

# not a comment
"""
z = 1 + \\
    2
\f
if x:
    # comment in a block

    a = 1
# between the body and else
else:

    b = 2
# trailing comment''',
    "ignored statements": '''\
"""Doc."""
import sys
print("side effect")
__all__ = ["a"]
__all__.extend(["b"])
__all__.append("c")
(__all__).append("d")
__all__ += ["e"]
total: int
other += 1
assert True
del sys
if x:
    """only a docstring"""
if y:
    pass
    "doc"
else: "same line"; a = 1
class K:
    """Doc."""
    import os
    annotated: int
    count += 1
    value: int = 2
    __all__.append("z")
class Empty:
    """Only a docstring."""
''',
    "statements after a backslash": '''\
x = 1 \\

# comment
y = 2
''',
    "try, with, for, while and match": '''\
try:
    import fast
except ImportError:
    def fast():
        return 1
    fallback = 1
else:
    def other():
        return 2
finally:
    def last():
        return 3
with open("f") as handle, open("g") as (a, b):
    def in_with():
        pass
for item in range(3):
    def in_for():
        pass
else:
    def for_else():
        pass
while False:
    def in_while(): pass
match command:
    case ("a" |
          "b"):
        def first():
            pass
    case _ if (x >
               y):
        second = 2
''',
    "decorators": '''\
@decorator

@other.call(

    "multi", key=[1,
                  2],
)
# a comment before the def
def decorated():
    return 1

@fal.endpoint("/")
async def route(): ...
''',
    "values": '''\
class Model(fal.App, keep_alive=(300), name="x"):
    machine_type = "GPU-A100"
    requirements: list[str] = [
        "torch",
        "ünï",
    ]
    run = fal.endpoint("/")(impl)
    wrapped = (
        "a"
        "b"
    )
    plain = (1)
    text = f"{x!r:>{width}}"
    flag = not True
    big = [1, 2, 3]
CONFIG = {"a": -1, "b": [1.5, None], "c": (1, 2)}
ALIAS = os.path
TypeVar_ = typing.TypeVar("T")
''',
    "annotations": '''\
LABELS: tuple[str, ...] = ("a", "b")
plain: int = 1
quoted: "list[int]" = []
grouped: (int | None) = None
spread: dict[
    str, int
] = {}
ünï: list[str] = ["é"]
class Model:
    seed: int | None = Field(default=None)
    tags: list[str] = []
    bare: list[str]
''',
    "tabs and form feeds": "class T:\n\tdef m(self):\n\t\treturn 1\n\tx = 1\n\x0c\ndef f():\n\treturn 2\n",
}


@pytest.mark.parametrize("name", list(CASES))
def test_index_equals_position_provider(name):
    source = CASES[name]
    assert _index_with_libcst(source).to_list() == _index_with_provider(source).to_list()


@pytest.mark.parametrize("name", list(CASES))
def test_index_without_fast_positions_equals_position_provider(name, monkeypatch):
    """The stubs are found through PositionProvider too (the fallback when
    the fast positions cannot answer)."""

    def refuse(*args):
        raise index_mod._NoFastPosition()

    monkeypatch.setattr(index_mod, "_CodegenPositions", refuse)
    source = CASES[name]
    assert _index_with_libcst(source).to_list() == _index_with_provider(source).to_list()


def test_the_skeleton_keeps_only_what_the_index_reads():
    text, line_map = _skeleton(CASES["stubs and one-line definitions"])
    assert text.split("\n") == [
        "import os",
        "pass",
        "async  def  spaced (x) : return x",
        "class C(Base, metaclass=Meta):",
        "    def method(self): ...",
        "    @property",
        "    def prop(): pass",
        "    pass",
        "pass",
        "",
    ]
    assert line_map == [1, 3, 8, 10, 13, 15, 16, 19, 23, 25]
    skeleton = _safe_skeleton(CASES["stubs and one-line definitions"])
    assert skeleton.stubs == {3: ("plain", 5, False), 19: ("coro", 15, True), 23: ("é_name", 5, False)}
    functions = _index_with_libcst(CASES["stubs and one-line definitions"]).functions
    assert [(f.name, f.line, f.column, f.is_async) for f in functions] == [
        ("plain", 3, 5, False), ("spaced", 8, 13, True), ("é_name", 23, 5, False),
    ]


def test_ignored_statements_go_but_every_block_keeps_one():
    text, _ = _skeleton(CASES["ignored statements"])
    for gone in ('"""Doc."""', 'print("side effect")', "total: int", "other += 1", "assert True",
                 "del sys", "    import os", "annotated: int", "count += 1", '    __all__.append("z")'):
        assert gone not in text.splitlines(), gone
    for kept in ('__all__.extend(["b"])', '__all__.append("c")', '(__all__).append("d")', '__all__ += ["e"]',
                 '    """only a docstring"""', "    pass", 'else: "same line"; a = 1', '    """Only a docstring."""'):
        assert kept in text.splitlines(), kept
    index = _index_with_libcst(CASES["ignored statements"])
    assert index.all_names == ["a", "b", "c", "d", "e"]


def test_annotations_become_plain_names_of_the_same_width():
    text, _ = _skeleton(CASES["annotations"])
    def plain(annotation: str) -> str:
        return "_".ljust(len(annotation))

    assert text.split("\n") == [
        f'LABELS: {plain("tuple[str, ...]")} = ("a", "b")',
        "plain: int = 1",
        'quoted: "list[int]" = []',
        f"grouped: ({plain('int | None')}) = None",
        "spread: dict[",
        "    str, int",
        "] = {}",
        'ünï: list[str] = ["é"]',
        "class Model:",
        f"    seed: {plain('int | None')} = Field(default=None)",
        f"    tags: {plain('list[str]')} = []",
        "",
    ]


def test_lines_after_a_backslash_stay():
    text, _ = _skeleton(CASES["statements after a backslash"])
    assert text.split("\n") == ["x = 1 \\", "", "y = 2", ""]


def test_try_clauses_are_cut_in_line_order():
    """Functions in ``except`` and ``else`` blocks are cut where they are (the
    skeleton is valid: no parse of the whole file needed)."""
    text, _ = _skeleton(CASES["try, with, for, while and match"])
    compile(text, "<skeleton>", "exec", dont_inherit=True)
    assert "return" not in text


def test_code_sliced_from_the_text_is_what_libcst_generates(monkeypatch):
    """Values are sliced from the text when they have no parentheses of their
    own and fit on one line, else generated: the same strings either way."""
    source = CASES["values"]
    generated = []
    original = index_mod._generate

    def spy(module, node, state_class):
        generated.append(type(node).__name__)
        return original(module, node, state_class)

    monkeypatch.setattr(index_mod, "_generate", spy)
    index = _index_with_libcst(source)
    assert sorted(generated) == ["ConcatenatedString", "Integer", "Integer", "List", "Module"]
    assert index.to_list() == _index_with_provider(source).to_list()
    model = index.class_named("Model")
    assert model.attribute("requirements").value.source == '[\n    "torch",\n    "ünï",\n]'
    assert model.keywords["keep_alive"].source == "(300)"


def _stdlib_sources(count: int) -> list[str]:
    paths = sorted(glob.glob(sysconfig.get_paths()["stdlib"] + "/*.py"))
    chosen = random.Random(5).sample(paths, count)
    return [open(path, encoding="utf-8").read() for path in chosen]


def test_standard_library_modules_index_as_before():
    for source in _stdlib_sources(8):
        assert _index_with_libcst(source).to_list() == _index_with_provider(source).to_list()


#: text pieces the nesting scanner treats specially
PIECES = [
    '"', "'", '"""', "'''", 'f"', "f'", 'rb"', "F'''", 't"', 'x"', '1."', "{", "}", "{{", "}}", "(", ")",
    "[", "]", "\\", "\\\n", "\n", "\n", "#", "# c(", "elif x:", "else:", " if ", " else ", "lambda ",
    " ", "    ", "\t", "1.", "x", ".", "-", "+", "**", ",", ";", ":", "!", "!=", ":=", "==", "not ", " and ",
    "é", "\r", "\x0c", "await ", "f'{x!r:>{w}}'", '"a(b"', "'#'", "\n    elif y:", "\nelse:", "x = ",
    "def f(): pass\n", "@", "~", "<<", " is ", "_",
]


def test_scanner_fast_lines_change_nothing(monkeypatch):
    """Lines the scanner crosses at once give the same answer as scanning
    them token by token, at the real limits and at tiny ones."""
    rng = random.Random(7)
    texts = _stdlib_sources(4) + [
        "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 40))) for _ in range(1500)
    ] + ["x = 1\n" + "x = " + "(" * 201 + ")" * 201 + "\n", "y = 2\n" + "if a: pass\n" + "elif a: pass\n" * 1001]

    def scan_all(limits):
        monkeypatch.setattr(index_mod, "MAX_BRACKET_DEPTH", limits[0])
        monkeypatch.setattr(index_mod, "MAX_NESTING", limits[1])
        return [_scan_nesting(text)[0] for text in texts]

    for limits in ((200, 1000), (4, 12)):
        fast = scan_all(limits)
        with monkeypatch.context() as patch:
            patch.setattr(index_mod, "_simple_line", lambda: re.compile("(?!)"))
            slow = scan_all(limits)
        assert fast == slow
        assert any(problem is not None for problem in fast)


@pytest.mark.parametrize("source,shallow", [
    ("x = 1\n", True),
    ("x = " + "[" * 60 + "]" * 60 + "\n", True),
    ("x = [" + ", ".join(["1"] * 150) + "]\n", False),
    ("".join("    " * depth + "if x:\n" for depth in range(21)) + "    " * 21 + "y = 1\n", False),
    ("if a: pass\n" + "elif a: pass\n" * 25, False),
    ('x = ("a"\n' + '     "b"\n' * 300 + ")\n", False),
    ("def f():\n    return [" + ", ".join(["1"] * 500) + "]\n", True),
])
def test_shallow_skeletons(source, shallow):
    assert _safe_skeleton(source).shallow is shallow


def test_scanner_counts_tokens_of_the_longest_logical_line():
    assert _scan_nesting("x = 1\n")[1] <= len("x = 1")
    assert _scan_nesting("x = (1,\n     2)\ny = 3\n")[1] == 7
    assert _scan_nesting('x = """\n' + "a " * 500 + '\n"""\n')[1] == 3


def test_shallow_files_are_parsed_without_the_parse_thread():
    """On a main thread with a roomy stack (the usual 8 MiB), a shallow file
    starts no thread; a deeper one goes to the parse thread."""
    script = textwrap.dedent(
        """
        import threading
        from fallint.formats import python as index
        print(index._stack_is_roomy())
        assert index._index_with_libcst("class A(B):\\n    x = 1\\n").class_named("A").bases == ["B"]
        print(threading.active_count())
        deep = "x = " + "[" * 150 + "]" * 150 + "\\n"
        assert index._index_with_libcst(deep).assignments[0].name == "x"
        print(threading.active_count())
        """
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    roomy, *threads = run.stdout.split()
    assert threads == (["1", "2"] if roomy == "True" else ["2", "2"])


def test_other_threads_use_the_parse_thread(monkeypatch):
    calls = []
    original = index_mod._in_big_stack_thread

    def spy(fn, *args):
        calls.append(fn.__name__)
        return original(fn, *args)

    monkeypatch.setattr(index_mod, "_in_big_stack_thread", spy)
    results = []
    worker = threading.Thread(target=lambda: results.append(_index_with_libcst("x = 1\n")))
    worker.start()
    worker.join()
    assert results[0].assignments[0].name == "x" and calls == ["_libcst_parse_and_index"]
    calls.clear()
    assert _index_with_libcst("x = 1\n") == results[0]
    assert calls == ([] if index_mod._stack_is_roomy() else ["_parse_and_index"])


def test_syntax_errors_and_rejected_skeletons_still_go_the_long_way():
    with pytest.raises(PySyntaxError) as info:
        _index_with_libcst("import os\n\ndef f():\n    return (\n")
    assert info.value.line >= 4
    # libcst rejects `(x): int` where the interpreter accepts it: the whole file decides
    with pytest.raises(PySyntaxError):
        _index_with_libcst("(x): int\n")


def test_an_elif_chain_too_long_for_the_skeleton_walk_is_refused_cleanly():
    with pytest.raises(PySyntaxError, match="elif chain too long"):
        _index_with_libcst("if a: pass\n" + "elif a: pass\n" * 1500)
