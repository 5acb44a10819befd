"""The ast walk (``_index_with_ast``) against the libcst walk
(``_index_with_libcst``): a file the running interpreter parses is indexed from
its ``ast`` tree, and that index must be exactly what libcst gives -- every
name, position, value's code and literal, in the same order."""

from __future__ import annotations

import glob
import os
import sys
import sysconfig
import textwrap

import pytest

from fallint.formats import python as index_mod
from fallint.formats.python import _index_with_ast, _index_with_libcst, index_source
from ..helpers import REPO
from .test_python_index_fast import CASES as SKELETON_CASES
from .test_python_index_speed import EDGES

#: constructs where the two parsers see positions or code differently
CASES = {
    "parenthesized values and tuples": """\
        a = (1)
        b = ((1, 2))
        c = (1), 2
        d = (1), (2)
        e = ( 1, 2 )
        f = ()
        g = 1, 2,
        h = ((1),)
        h2 = (1, 2), 3
        h3: T = \\
            (-1, None), np.ndarray([])
        h4 = ((1, 2), (3,))
        i = (  # comment (with parens)
            1
        )
        j: int = ((1))
        k = l = (3)
        m = -(1)
        (n) = 2
        o, *p = 1, 2
        r = (yield_ := 1)
        """,
    "class bodies over several lines": '''\
        class App(fal.App, keep_alive=(300), max_concurrency=( 2 ), kind="container"):
            requirements = [
                "a==1",  # a comment
                "b",
            ]
            text = """first
            second"""
            joined = ("a"
                      "b")
            tail = [1,
        2,
                ]
            cont = 1 + \\
                2
            machine_type = ("GPU-A100"
                # a comment line
                )
            if flag:
                nested = {
                    "k": [
                        "v",
                    ],
                }
            else:
                other = dict(
                    a=1,
                )
            f_single = f"{x}"
            f_parts = (
                f"a {x!r:>{w}}"
                "b"  # comment
                rf'c\\{y}'
            )

            @fal.endpoint(
                "/",
                is_websocket=(True),
            )
            def run(self): ...
        ''',
    "decorators and calls": """\
        @fal.function(
            "virtualenv", (  # why
                1), *args, requirements=["x"], **kw,
        )
        def f(): pass

        @(decorator)
        async   def g(): pass

        @d((a, b), c)
        def \\
            h(): pass

        run = fal.endpoint("/")(impl)
        value = (make)(1, key=(2))
        """,
    "imports": """\
        import os, os.path as osp, a.b.c
        from . import (x as y,
                       z)
        from ..m import *
        from ...pkg.mod import name as alias
        try:
            import json
        except ImportError:
            json = None
        """,
    "__all__ and literals": """\
        __all__ = ["a", 'b']
        __all__ += ("c",)
        __all__.extend(["d"])
        __all__.append("e")
        big = 1e999
        neg = -1.5
        pos = +2
        flags = [True, False, None, ..., b"x", 1j, {"k": -0.0}, {1}, {**x}]
        s = "a" "b"
        fs = "a" f"b"
        """,
    "blocks": """\
        if a:
            x = 1
        elif b:
            x = 2
        else:
            x = 3
        for i, (j, k) in items:
            pass
        else:
            after = 1
        with open(p) as fh, ctx() as (u, v):
            inside = 1
        while w:
            loop = 1
        try:
            t = 1
        except* E:
            t = 2
        else:
            t3 = 3
        finally:
            t4 = 4
        match m:
            case 1:
                c1 = 1
            case _:
                c2 = 2
        if flag: one_line = [
            1]
        class K:
            if a: y = 1
            class Inner:
                z = 1
            def m(self): pass
            async def n(self): pass
        """,
    "non-ASCII": """\
        é = "ü"  # comment ﬁ
        class Ünïcode(Base):
            naïve = "…"
            in_string = 1 if "ﬁ" else 2  # ﬂ
        x = {"µs": "ｆｕｌｌ"}
        """,
}


def _equal(source: str) -> None:
    from_ast = _index_with_ast(source)
    assert from_ast is not None, "the ast walk declined the file"
    assert from_ast.to_list() == _index_with_libcst(source).to_list()


@pytest.mark.parametrize("name", sorted(CASES))
def test_constructs(name: str) -> None:
    _equal(textwrap.dedent(CASES[name]))


@pytest.mark.parametrize("name", sorted(SKELETON_CASES))
def test_the_skeleton_cases(name: str) -> None:
    _equal(SKELETON_CASES[name])


def test_position_edges() -> None:
    _equal(EDGES)


def test_valid_python_libcst_rejects_is_indexed() -> None:
    """``(x): int = 1`` is valid Python (libcst rejects it): fal would run it,
    so it is indexed, not reported as a syntax error."""
    source = "(x): int = 1\ny = 2\n"
    with pytest.raises(index_mod.PySyntaxError):
        _index_with_libcst(source)
    assert [a.name for a in index_source(source).assignments] == ["x", "y"]


def test_index_source_takes_the_ast_path_without_libcst() -> None:
    """A file the interpreter parses never imports libcst."""
    import subprocess

    code = textwrap.dedent("""\
        import sys
        from fallint.formats.python import index_source
        index = index_source("import fal\\nclass A(fal.App):\\n    machine_type = 'S'\\n")
        assert index.class_named("A").attribute("machine_type").value.value == "S"
        print("libcst" in sys.modules)
    """)
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": str(REPO)}, check=True,
    )
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize(
    "source",
    [
        "x = (\n",  # a syntax error
        "x = 1\r\ny = 2\r\n",  # carriage returns
        "ﬁle = 1\n",  # an identifier that NFKC normalisation changes
        "x = (a for a in b)\n",  # a generator expression value
        "x = [\n" + "-" * 1500 + "1]\n",  # the nesting guard
    ],
)
def test_left_to_libcst(source: str) -> None:
    """What the ast walk declines, libcst indexes (or refuses) as before."""
    assert _index_with_ast(source) is None
    try:
        expected = _index_with_libcst(source).to_list()
    except index_mod.PySyntaxError as exc:
        with pytest.raises(index_mod.PySyntaxError) as raised:
            index_source(source)
        assert (raised.value.message, raised.value.line, raised.value.column) == (exc.message, exc.line, exc.column)
    else:
        assert index_source(source).to_list() == expected


def _corpus() -> list[str]:
    """The repository's Python files and fixtures, the rule examples' Python
    files, and 150 modules of the standard library (every n-th one)."""
    files = sorted(
        path for pattern in ("fallint/**/*.py", "tests/**/*.py", "benchmarks/**/*.py")
        for path in glob.glob(str(REPO / pattern), recursive=True)
    )
    stdlib = sorted(glob.glob(os.path.join(sysconfig.get_paths()["stdlib"], "**", "*.py"), recursive=True))
    step = max(1, len(stdlib) // 150)
    return files + stdlib[::step][:150]


def _texts() -> list[tuple[str, str]]:
    texts = []
    for path in _corpus():
        try:
            with open(path, encoding="utf-8") as handle:
                texts.append((path, handle.read()))
        except (OSError, UnicodeDecodeError):
            continue
    from fallint import rules
    from fallint.rules.registry import all_rules

    rules.load_all()
    for rule in all_rules():
        for number, example in enumerate([*rule.invalid, *rule.valid]):
            for name, text in example.files.items():
                if name.endswith(".py") and isinstance(text, str):
                    texts.append((f"{rule.code} example {number}: {name}", text))
    return texts


def test_corpus() -> None:
    mismatches, compared = [], 0
    for name, text in _texts():
        from_ast = _index_with_ast(text)
        if from_ast is None:
            continue
        try:
            expected = _index_with_libcst(text).to_list()
        except index_mod.PySyntaxError:
            continue  # syntax libcst does not know yet: the ast walk indexes it
        compared += 1
        if from_ast.to_list() != expected:
            mismatches.append(name)
    assert compared > 300
    assert mismatches == []
