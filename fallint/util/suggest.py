""""Did you mean" suggestions, shared by every rule that offers one."""

from __future__ import annotations

import difflib
from typing import Iterable


def _norm(s: str) -> str:
    return s.lower().replace("-", "_").replace(" ", "")


def did_you_mean(word: str, candidates: Iterable[str], cutoff: float = 0.6) -> str | None:
    """The candidate closest to ``word``, or None.

    Case, ``-``/``_`` and spaces are ignored first (``machine-type`` ->
    ``machine_type``, ``gpu-h100`` -> ``GPU-H100``), then difflib's ratio,
    then a candidate that ``word`` is a prefix or suffix of.
    """
    cands = list(candidates)
    if not cands:
        return None
    nw = _norm(word)
    for c in cands:
        if _norm(c) == nw:
            return c
    normed = {_norm(c): c for c in cands}
    close = difflib.get_close_matches(nw, list(normed), n=1, cutoff=cutoff)
    if close:
        return normed[close[0]]
    for c in cands:
        nc = _norm(c)
        if len(nw) >= 3 and (nc.startswith(nw) or nc.endswith(nw) or nw in nc):
            return c
    return None


def did_you_mean_text(word: str, candidates: Iterable[str]) -> str:
    hint = did_you_mean(word, candidates)
    return f"; did you mean `{hint}`?" if hint else ""
