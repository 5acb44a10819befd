"""fallint.formats.dockerfile.shlex_split is shlex.split, in linear time."""

from __future__ import annotations

import shlex
import time

from hypothesis import given, settings, strategies as st

from fallint.formats.dockerfile import shlex_split

_CHARS = st.text(alphabet=st.sampled_from(list("ab \t\r\n'\"\\#$=-/\x00é")), max_size=40)


def _shlex(text: str):
    try:
        return shlex.split(text)
    except ValueError:
        return ValueError


def _ours(text: str):
    try:
        return shlex_split(text)
    except ValueError:
        return ValueError


@settings(max_examples=400, deadline=None, derandomize=True)
@given(_CHARS)
def test_same_as_shlex(text):
    assert _ours(text) == _shlex(text)


def test_a_megabyte_word_is_fast():
    for text in ("x" * 1_000_000, '"' + "x" * 1_000_000 + '"', "'" + "x" * 1_000_000, "a\\ " * 300_000):
        start = time.perf_counter()
        _ours(text)
        assert time.perf_counter() - start < 3.0  # shlex.split: 13 s for the first one
