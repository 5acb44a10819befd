"""What each fal release accepts, read from fal's own code (``fal_releases.json``).

``fal deploy`` runs the fal the user has installed, and what its loader accepts
in ``[tool.fal.apps]`` (and what ``fal``, ``fal.toolkit``, ... export) changed
from release to release. ``fal_releases.json`` holds those facts for every
release of fal on PyPI since ``since``; ``python -m fallint.releases.refresh``
regenerates it from the wheels (parsed with ``ast``, never installed or
imported; see :mod:`fallint.releases.refresh`).

Data format (``format`` 1), one JSON object::

    {
      "format": 1, "package": "fal", "since": "1.0.0",
      "command": "python -m fallint.releases.refresh",
      "releases": ["1.0.0", "1.0.1", ...],          # every analysed release, ascending
      "toml": {                                       # the [tool.fal.apps.<app>] loader
        "app": {
          "present": "1.3.2-",                        # releases that read [tool.fal.apps]
          "strict": "1.11.1-",                        # ... and raise on unknown keys
          "keys": {"machine_type": "1.75.2-", ...}    # keys the loader reads
        },
        "image": {...}, "health_check": {...}         # nested tables the loader checks
      },
      "class_kwargs": {"strict": "1.69.11-",          # class X(fal.App, keyword=...)
                       "names": {"keep_alive": "1.0.0-", ...}},
      "function_params": {"machine_type": "1.0.0-", ...},   # @fal.function(...)
      "modules": {"fal.toolkit": "1.0.0-", ...},      # non-private modules that exist
      "api": {"fal.toolkit": {"File": "1.0.0-", ...}, ...}  # public modules' public names
    }

Every fact is a *range string*: comma-separated spans ``SINCE-UNTIL``, where
``SINCE`` is the first release with the fact and ``UNTIL`` the first later
release without it (exclusive), empty when the newest known release still has
it: ``"1.5.17-1.69.1,1.69.6-"`` = from 1.5.17 up to (not including) 1.69.1,
and again from 1.69.6 on. ``""`` (only for ``strict``) means never. Versions
are final releases ``X.Y.Z``; the bounds are always entries of ``releases``,
so "which releases have it" is exact for known releases, and a version between
two known ones (a yanked one, say) is judged like the nearest older one.

A key is *accepted* by a release when the release reads that table and either
reads the key or does not check the table (not ``strict``: unknown keys are
silently ignored). The file is read once, lazily, on the first query.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from functools import lru_cache
from pathlib import Path
from typing import Iterable

DATA_FILE = Path(__file__).with_name("fal_releases.json")

__all__ = [
    "parse_version",
    "data",
    "known_releases",
    "latest",
    "releases_matching",
    "covering_release",
    "in_range",
    "table_checked",
    "table_strict",
    "accepts_key",
    "reads_key",
    "known_keys",
    "key_range",
    "key_ranges",
    "ranges",
    "module_range",
    "api_name_range",
    "api_name_ranges",
    "has_api_name",
    "class_kwarg_range",
    "accepts_class_kwarg",
    "function_param_range",
]

def parse_version(text: str) -> tuple[int, int, int] | None:
    """``"1.75"`` -> ``(1, 75, 0)``; ``"v1.75.2"`` -> ``(1, 75, 2)``; None when not a release number.

    Pre-, post- and dev-release suffixes and local labels are dropped
    (``1.76.0rc1`` -> ``(1, 76, 0)``); ``latest`` is not a version (see :func:`latest`).
    """
    if not isinstance(text, str):
        return None
    t = text.strip().lower().lstrip("v").split("+", 1)[0]
    parts: list[int] = []
    for piece in t.split("."):
        digits = ""
        for ch in piece:
            if not ch.isdigit():
                break
            digits += ch
        if not digits:
            break
        parts.append(int(digits))
        if digits != piece:
            break
    if not parts:
        return None
    return tuple((parts + [0, 0])[:3])  # type: ignore[return-value]


def _key(version: str) -> tuple[int, int, int]:
    v = parse_version(version)
    if v is None:
        raise ValueError(f"not a fal version: {version!r}")
    return v


@lru_cache(maxsize=None)
def data() -> dict:
    """The parsed data file (read once)."""
    with open(DATA_FILE, encoding="utf-8") as f:
        return json.load(f)


@lru_cache(maxsize=None)
def _release_keys() -> tuple[tuple[int, int, int], ...]:
    return tuple(_key(r) for r in data()["releases"])


def known_releases() -> list[str]:
    """Every release in the data, oldest first."""
    return list(data()["releases"])


def latest() -> str:
    """The newest known release."""
    return data()["releases"][-1]


def covering_release(version: str) -> str | None:
    """The known release that stands for ``version``: itself, else the newest older one.

    A version newer than every known release maps to :func:`latest` (the data
    is out of date; it is the best guess); one older than all of them to None.
    """
    keys = _release_keys()
    i = bisect_right(keys, _key(version))
    return data()["releases"][i - 1] if i else None


def releases_matching(specifier: str, prereleases: bool = False) -> list[str]:
    """Known releases a PEP 440 specifier (``">=1.70,<1.76"``, ``"~=1.74"``, ``"==1.75.*"``) admits."""
    from packaging.specifiers import SpecifierSet  # lazily: only pins need it

    spec = SpecifierSet(specifier)
    return [r for r in data()["releases"] if spec.contains(r, prereleases=prereleases)]


@lru_cache(maxsize=4096)
def _spans(text: str) -> tuple[tuple[tuple[int, int, int], tuple[int, int, int] | None], ...]:
    out = []
    for span in filter(None, text.split(",")):
        since, _, until = span.partition("-")
        out.append((_key(since), _key(until) if until else None))
    return tuple(out)


def ranges(text: str | None) -> list[tuple[str, str | None]]:
    """A range string as ``[(since, until or None), ...]``."""
    out = []
    for span in filter(None, (text or "").split(",")):
        since, _, until = span.partition("-")
        out.append((since, until or None))
    return out


def in_range(release: str, text: str | None) -> bool:
    """Whether ``release`` (judged by :func:`covering_release`) lies in a range string."""
    if not text:
        return False
    rel = covering_release(release)
    if rel is None:
        return False
    v = _key(rel)
    return any(since <= v and (until is None or v < until) for since, until in _spans(text))


def _first(text: str | None) -> tuple[str, str | None] | None:
    r = ranges(text)
    return r[0] if len(r) == 1 else (r[0][0], r[-1][1]) if r else None


# --------------------------------------------------------------------------- #
# [tool.fal.apps]
# --------------------------------------------------------------------------- #


def _table(table: str) -> dict:
    return data()["toml"].get(table) or {"present": "", "strict": "", "keys": {}}


def table_checked(release: str, table: str = "app") -> bool:
    """Whether ``release``'s loader reads ``table`` (``app``, ``image``, ``health_check``)."""
    return in_range(release, _table(table)["present"])


def table_strict(release: str, table: str = "app") -> bool:
    """Whether ``release`` raises "Found unexpected keys" for unknown keys in ``table``."""
    return in_range(release, _table(table)["strict"])


def accepts_key(release: str, table: str, key: str) -> bool:
    """Whether ``fal deploy`` with ``release`` accepts ``key`` in ``table``.

    ``table`` is ``app`` (an app table) or a nested table (``image``,
    ``health_check``). True when the loader reads the key, or reads the table
    without checking for unknown keys. For a nested table the release does not
    read at all, False (the app table rejects the nested key itself).
    """
    t = _table(table)
    if not in_range(release, t["present"]):
        return False
    if in_range(release, t["keys"].get(key)):
        return True
    return not in_range(release, t["strict"])


def reads_key(release: str, table: str, key: str) -> bool:
    """Whether ``release``'s loader reads ``key`` in ``table`` (accepted *and* used)."""
    return in_range(release, _table(table)["present"]) and in_range(release, _table(table)["keys"].get(key))


def known_keys(release: str, table: str = "app") -> list[str]:
    """The keys ``release``'s loader reads in ``table`` (sorted)."""
    return sorted(k for k, r in _table(table)["keys"].items() if in_range(release, r))


def key_range(table: str, key: str) -> tuple[str, str | None] | None:
    """``(since, until or None)`` of a key (the whole span when it left and came back)."""
    return _first(_table(table)["keys"].get(key))


def key_ranges(table: str, key: str) -> list[tuple[str, str | None]]:
    return ranges(_table(table)["keys"].get(key))


# --------------------------------------------------------------------------- #
# the Python API
# --------------------------------------------------------------------------- #


def module_range(module: str) -> tuple[str, str | None] | None:
    return _first(data()["modules"].get(module))


def api_name_range(module: str, name: str) -> tuple[str, str | None] | None:
    """``(since, until or None)`` for ``from module import name``.

    A submodule counts as a name of its package (``from fal.toolkit import
    file`` imports ``fal.toolkit.file``).
    """
    r = data()["api"].get(module, {}).get(name)
    if r is None:
        r = data()["modules"].get(f"{module}.{name}")
    return _first(r)


def api_name_ranges(module: str, name: str) -> list[tuple[str, str | None]]:
    r = data()["api"].get(module, {}).get(name)
    if r is None:
        r = data()["modules"].get(f"{module}.{name}")
    return ranges(r)


def has_api_name(release: str, module: str, name: str) -> bool | None:
    """Whether ``from module import name`` works with ``release``; None when the
    module is not one the data covers (a private, CLI or internal module)."""
    if module not in data()["api"]:
        return None
    r = data()["api"].get(module, {}).get(name) or data()["modules"].get(f"{module}.{name}")
    return in_range(release, r)


def class_kwarg_range(name: str) -> tuple[str, str | None] | None:
    """``(since, until or None)`` of ``class X(fal.App, name=...)``."""
    return _first(data()["class_kwargs"]["names"].get(name))


def accepts_class_kwarg(release: str, name: str) -> bool:
    """Whether ``release`` accepts ``class X(fal.App, name=...)`` (releases before
    ``class_kwargs.strict`` passed unknown keywords on to the server unchecked)."""
    ck = data()["class_kwargs"]
    return in_range(release, ck["names"].get(name)) or not in_range(release, ck["strict"])


def function_param_range(name: str) -> tuple[str, str | None] | None:
    """``(since, until or None)`` of the ``@fal.function(name=...)`` parameter."""
    return _first(data()["function_params"].get(name))


def summarize(releases: Iterable[str]) -> str:
    """``["1.74.0", "1.74.1"]`` -> ``"1.74.0, 1.74.1"``; long lists as ``first .. last (N releases)``."""
    rs = list(releases)
    if len(rs) <= 3:
        return ", ".join(rs)
    return f"{rs[0]} .. {rs[-1]} ({len(rs)} releases)"
