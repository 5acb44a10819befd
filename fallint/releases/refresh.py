"""Regenerate ``fal_releases.json`` from fal's own wheels on PyPI.

Run as ``python -m fallint.releases.refresh`` (see ``--help``)::

    python -m fallint.releases.refresh                  # rewrite the data file
    python -m fallint.releases.refresh --check          # exit 1 when it is stale
    python -m fallint.releases.refresh --cache /tmp/fal-wheels --since 1.50

For every release of ``fal`` on PyPI (final releases with a pure-Python wheel,
not yanked, from ``--since`` on) the wheel is downloaded (cached by file name,
checked against PyPI's sha256) and its sources are read straight out of the zip
and parsed with :mod:`ast`. fal is never installed, imported or executed.

What is extracted, per release (see :mod:`fallint.releases` for the data format):

``toml``
    The ``[tool.fal.apps.<app>]`` loader: the function that raises
    ``Found unexpected keys ...`` after popping every key it knows from the
    table (``fal/cli/_utils.py`` since 1.5.x). Every ``X.pop("key")`` on the
    checked dict counts, also through ``for key in CONSTANT: X.pop(key)``
    loops and helpers the dict is passed to. The message names the table
    (``pyproject.toml`` -> ``app``, ``app {name} image`` -> ``image``, ...).
    Releases whose loader has no such check (it reads a few keys with
    ``.get``/``[]``/``.pop`` and ignores the rest) are recorded as not strict,
    with the keys they read.
``api``
    Module-level public names of ``fal`` and its public submodules (what
    ``from fal.x import name`` finds): functions, classes, assignments, names
    imported from fal's own modules, and ``__all__``. Names imported from
    third-party modules and private names are left out. ``modules`` records
    which modules exist (all non-private ones, CLI included); ``api`` has an
    entry for every public module (not ``fal.cli``, ``fal.console``, ...
    see ``EXCLUDED_MODULE_PREFIXES``), even one without names.
``class_kwargs``
    Keywords accepted in ``class Web(fal.App, keyword=...)``: parameters of
    ``App.__init_subclass__``, the keys it pops from ``**kwargs``, and (where
    the rest is forwarded as host options) the option names the host classes
    declare (``*_KEYS`` class attributes of ``Host``/``FalServerlessHost``)
    plus ``kind``. ``strict`` records releases whose ``Host.parse_options``
    raises on an unknown option (before that, unknown options were passed on
    to the server as environment options).
``function_params``
    Parameter names of ``fal.function`` (every ``def function`` overload and
    the implementation in the module ``fal`` imports it from).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import sys
import tempfile
import urllib.request
import zipfile
from pathlib import Path
from typing import Iterable, Iterator

FORMAT = 1
PACKAGE = "fal"
COMMAND = "python -m fallint.releases.refresh"
DEFAULT_SINCE = "1.0.0"
DATA_FILE = Path(__file__).with_name("fal_releases.json")
SIMPLE_URL = "https://pypi.org/simple/fal/"

# public submodules whose names are recorded (besides ``fal`` itself); any
# module under these prefixes, not private (``_x``) and not the CLI/internals
EXCLUDED_MODULE_PREFIXES = (
    "fal.cli",
    "fal.console",
    "fal.logging",
    "fal.auth",
    "fal.api.",  # fal.api itself is public (fal.api.function); its innards are not
    "fal.toolkit.file.providers",
    "fal.toolkit.image.nsfw_filter",
    "fal.wma",
)

_VERSION_RE = re.compile(r"^(\d+)\.(\d+)\.(\d+)$")


# --------------------------------------------------------------------------- #
# versions and ranges
# --------------------------------------------------------------------------- #


def vkey(version: str) -> tuple:
    """Sort key of a final release ``X.Y.Z`` (``X.Y`` reads as ``X.Y.0``)."""
    parts = version.split(".")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
        raise ValueError(f"not a final release version: {version!r}")
    return tuple(int(p) for p in parts) + (0,) * (3 - len(parts))


def to_ranges(present: list[bool], releases: list[str]) -> str:
    """``[T, T, F, T]`` over releases -> ``"a-c,d-"`` (until = first release without)."""
    spans = []
    start = None
    for i, flag in enumerate(present):
        if flag and start is None:
            start = i
        elif not flag and start is not None:
            spans.append(f"{releases[start]}-{releases[i]}")
            start = None
    if start is not None:
        spans.append(f"{releases[start]}-")
    return ",".join(spans)


def parse_ranges(text: str) -> list[tuple[str, str | None]]:
    out = []
    for span in text.split(","):
        since, _, until = span.partition("-")
        if not _ or not since:
            raise ValueError(f"bad range {span!r}")
        vkey(since)
        if until:
            vkey(until)
            if vkey(until) <= vkey(since):
                raise ValueError(f"empty range {span!r}")
        out.append((since, until or None))
    return out


# --------------------------------------------------------------------------- #
# PyPI
# --------------------------------------------------------------------------- #


def list_wheels(since: str = DEFAULT_SINCE) -> dict[str, dict]:
    """Final, non-yanked releases >= since with a ``py3-none-any`` wheel: version -> file info."""
    req = urllib.request.Request(
        SIMPLE_URL, headers={"Accept": "application/vnd.pypi.simple.v1+json"}
    )
    with urllib.request.urlopen(req, timeout=60) as resp:
        index = json.load(resp)
    out: dict[str, dict] = {}
    for f in index.get("files", []):
        name = f.get("filename", "")
        m = re.match(r"^fal-([^-]+)-py3-none-any\.whl$", name)
        if not m or f.get("yanked"):
            continue
        version = m.group(1)
        if not _VERSION_RE.match(version) or vkey(version) < vkey(since):
            continue
        out[version] = {"url": f["url"], "sha256": f.get("hashes", {}).get("sha256"), "filename": name}
    return dict(sorted(out.items(), key=lambda kv: vkey(kv[0])))


def fetch_wheel(info: dict, cache: Path) -> Path:
    cache.mkdir(parents=True, exist_ok=True)
    path = cache / info["filename"]
    if path.exists() and _sha256(path) == info.get("sha256", _sha256(path)):
        return path
    with urllib.request.urlopen(info["url"], timeout=120) as resp:
        data = resp.read()
    if info.get("sha256") and hashlib.sha256(data).hexdigest() != info["sha256"]:
        raise RuntimeError(f"sha256 mismatch for {info['filename']}")
    tmp = path.with_suffix(".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
    return path


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- #
# source helpers
# --------------------------------------------------------------------------- #


class Wheel:
    """The ``fal/**.py`` sources of one wheel, parsed lazily."""

    def __init__(self, path: Path):
        self.sources: dict[str, str] = {}
        with zipfile.ZipFile(path) as zf:
            for name in zf.namelist():
                if name.startswith("fal/") and name.endswith(".py"):
                    self.sources[_module_name(name)] = zf.read(name).decode("utf-8", "replace")
        self._trees: dict[str, ast.Module | None] = {}

    def tree(self, module: str) -> ast.Module | None:
        if module not in self._trees:
            src = self.sources.get(module)
            try:
                self._trees[module] = ast.parse(src) if src is not None else None
            except SyntaxError:
                self._trees[module] = None
        return self._trees[module]

    def is_package(self, module: str) -> bool:
        return any(m.startswith(module + ".") for m in self.sources)


def _module_name(path: str) -> str:
    parts = path[:-3].split("/")
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _strings(node: ast.AST | None, consts: dict[str, set[str]]) -> set[str] | None:
    """Constant strings of a literal tuple/list/set/frozenset(...)/dict keys, or a known name."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        out: set[str] = set()
        for elt in node.elts:
            if isinstance(elt, ast.Starred):
                sub = _strings(elt.value, consts)
            else:
                sub = _strings(elt, consts)
            if sub is None:
                return None
            out |= sub
        return out
    if isinstance(node, ast.Dict):
        return _strings(ast.Tuple(elts=[k for k in node.keys if k is not None]), consts)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in (
        "frozenset", "set", "tuple", "list"
    ):
        return _strings(node.args[0], consts) if node.args else set()
    if isinstance(node, ast.Name) and node.id in consts:
        return consts[node.id]
    if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.BitOr, ast.Add)):
        a, b = _strings(node.left, consts), _strings(node.right, consts)
        return a | b if a is not None and b is not None else None
    return None


def _assigned_constants(body: Iterable[ast.stmt], consts: dict[str, set[str]] | None = None) -> dict[str, set[str]]:
    """Names bound (at this level) to literal collections of strings."""
    consts = dict(consts or {})
    for stmt in body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
            targets, value = [stmt.target], stmt.value
        for t in targets:
            if isinstance(t, ast.Name):
                s = _strings(value, consts)
                if s is not None and not (isinstance(value, ast.Constant)):
                    consts[t.id] = s
    return consts


def _message_text(node: ast.AST) -> str:
    """The constant text of a raise's message (f-string holes become ``{}``)."""
    parts: list[str] = []
    for sub in ast.walk(node):
        if isinstance(sub, ast.JoinedStr):
            for v in sub.values:
                parts.append(v.value if isinstance(v, ast.Constant) else "{}")
            return "".join(parts)
    for sub in ast.walk(node):
        if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
            return sub.value
    return ""


def _parents(tree: ast.AST) -> dict[ast.AST, ast.AST]:
    return {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}


def _functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


# --------------------------------------------------------------------------- #
# [tool.fal.apps] loader
# --------------------------------------------------------------------------- #


def _table_from_message(text: str, var: str) -> str:
    m = re.search(r"unexpected keys in (.*?):", text)
    where = (m.group(1) if m else "").strip()
    if not where or where.endswith("pyproject.toml"):
        return "app"
    word = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", where)
    return word[-1] if word else var


def _popped_keys(
    func: ast.FunctionDef | ast.AsyncFunctionDef,
    var: str,
    module_funcs: dict[str, ast.FunctionDef],
    consts: dict[str, set[str]],
    methods: tuple[str, ...] = ("pop",),
    seen: set | None = None,
) -> set[str]:
    """Keys removed from (or read from) dict ``var`` in ``func`` and the helpers it passes ``var`` to."""
    seen = set() if seen is None else seen
    if (func.name, var) in seen:
        return set()
    seen.add((func.name, var))
    local = dict(consts)
    # loop variables over constant collections
    loops: dict[str, set[str]] = {}
    for node in ast.walk(func):
        iters = []
        if isinstance(node, (ast.For, ast.AsyncFor)):
            iters.append((node.target, node.iter))
        elif isinstance(node, ast.comprehension):
            iters.append((node.target, node.iter))
        for target, it in iters:
            if isinstance(target, ast.Name):
                s = _strings(it, local)
                if s is not None:
                    loops.setdefault(target.id, set()).update(s)
    for node in ast.walk(func):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            local.update(_assigned_constants([node], local))
    keys: set[str] = set()
    for node in ast.walk(func):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            f = node.func
            if isinstance(f.value, ast.Name) and f.value.id == var and f.attr in methods and node.args:
                arg = node.args[0]
                s = _strings(arg, local)
                if s is None and isinstance(arg, ast.Name):
                    s = loops.get(arg.id)
                keys |= s or set()
        if "subscript" in methods and isinstance(node, ast.Subscript):
            if isinstance(node.value, ast.Name) and node.value.id == var:
                s = _strings(node.slice, local)
                keys |= s or set()
        if isinstance(node, ast.Delete):
            for t in node.targets:
                if isinstance(t, ast.Subscript) and isinstance(t.value, ast.Name) and t.value.id == var:
                    keys |= _strings(t.slice, local) or set()
        # helpers called with the dict itself
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in module_funcs:
            helper = module_funcs[node.func.id]
            params = [a.arg for a in helper.args.posonlyargs + helper.args.args]
            for i, a in enumerate(node.args):
                if isinstance(a, ast.Name) and a.id == var and i < len(params):
                    keys |= _popped_keys(helper, params[i], module_funcs, consts, methods, seen)
            for kw in node.keywords:
                if isinstance(kw.value, ast.Name) and kw.value.id == var and kw.arg:
                    keys |= _popped_keys(helper, kw.arg, module_funcs, consts, methods, seen)
    return keys


def extract_toml(wheel: Wheel) -> dict[str, dict]:
    """``{table: {"strict": bool, "keys": set}}`` for the app loader of one release."""
    tables: dict[str, dict] = {}
    fallback: tuple | None = None
    for module in sorted(wheel.sources):
        if not module.startswith("fal."):
            continue
        src = wheel.sources[module]
        has_check = "unexpected keys" in src
        if not has_check and '"apps"' not in src and "'apps'" not in src:
            continue
        tree = wheel.tree(module)
        if tree is None:
            continue
        consts = _assigned_constants(tree.body)
        module_funcs = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
        parents = _parents(tree)
        for func in _functions(tree):
            for node in ast.walk(func):
                if not isinstance(node, ast.Raise) or node.exc is None:
                    continue
                text = _message_text(node.exc)
                if "unexpected keys" not in text.lower():
                    continue
                # the dict checked by the enclosing ``if``
                p = parents.get(node)
                while p is not None and not isinstance(p, ast.If):
                    p = parents.get(p)
                if p is None:
                    continue
                names = [n.id for n in ast.walk(p.test) if isinstance(n, ast.Name) and n.id not in ("len", "set", "dict", "list")]
                if not names:
                    continue
                var = names[0]
                table = _table_from_message(text, var)
                keys = _popped_keys(func, var, module_funcs, consts)
                entry = tables.setdefault(table, {"strict": True, "keys": set()})
                entry["keys"] |= keys
            if "app" not in tables and fallback is None:
                # a loader without the check: the dict taken from ``apps[...]``
                for node in ast.walk(func):
                    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                        v = node.value
                        if isinstance(v, ast.Call) and v.args:  # copy.deepcopy(apps[x])
                            v = v.args[0]
                        if isinstance(v, ast.Subscript) and isinstance(v.value, ast.Name) and v.value.id == "apps":
                            fallback = (func, node.targets[0].id, module_funcs, consts)
                            break
    if "app" not in tables and fallback is not None:
        func, var, module_funcs, consts = fallback
        keys = _popped_keys(func, var, module_funcs, consts, methods=("pop", "get", "subscript"))
        tables["app"] = {"strict": False, "keys": keys}
    return tables


# --------------------------------------------------------------------------- #
# the Python API
# --------------------------------------------------------------------------- #


def all_modules(wheel: Wheel) -> list[str]:
    """Every non-private module of the ``fal`` package."""
    return sorted(
        m for m in wheel.sources
        if (m == "fal" or m.startswith("fal.")) and not any(p.startswith("_") for p in m.split("."))
    )


def public_modules(wheel: Wheel) -> list[str]:
    out = []
    for module in wheel.sources:
        if module != "fal" and not module.startswith("fal."):
            continue
        if any(part.startswith("_") for part in module.split(".")):
            continue
        if any(_under(module, p) for p in EXCLUDED_MODULE_PREFIXES):
            continue
        out.append(module)
    return sorted(out)


def _under(module: str, prefix: str) -> bool:
    """``fal.cli`` covers ``fal.cli`` and ``fal.cli.x``; ``fal.api.`` only ``fal.api.x``."""
    if prefix.endswith("."):
        return module.startswith(prefix)
    return module == prefix or module.startswith(prefix + ".")


def _is_internal_import(module: str | None, level: int) -> bool:
    return level > 0 or (module is not None and (module == "fal" or module.startswith("fal.")))


def _absolute(wheel: Wheel, module: str, target: str | None, level: int) -> str:
    """The absolute name of ``from <level dots><target> import ...`` inside ``module``."""
    if not level:
        return target or ""
    base = module.split(".") if wheel.is_package(module) else module.split(".")[:-1]
    if level > 1:
        base = base[: len(base) - (level - 1)]
    return ".".join(base + ([target] if target else []))


def module_names(wheel: Wheel, module: str, _seen: frozenset = frozenset()) -> set[str]:
    """Public module-level names of ``module`` (``from module import name`` works)."""
    tree = wheel.tree(module)
    if tree is None or module in _seen:
        return set()
    seen = _seen | {module}
    names: set[str] = set()
    exported: list[set[str]] = []

    def visit(body: list[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(stmt.name)
            elif isinstance(stmt, ast.Assign):
                for t in stmt.targets:
                    for n in ast.walk(t):
                        if isinstance(n, ast.Name):
                            names.add(n.id)
            elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) and stmt.value is not None:
                names.add(stmt.target.id)
            elif isinstance(stmt, ast.ImportFrom):
                if _is_internal_import(stmt.module, stmt.level):
                    for a in stmt.names:
                        if a.name == "*":
                            names.update(star_exports(wheel, _absolute(wheel, module, stmt.module, stmt.level), seen))
                        else:
                            names.add(a.asname or a.name)
            elif isinstance(stmt, ast.Import):
                for a in stmt.names:
                    if a.asname and _is_internal_import(a.name, 0):
                        names.add(a.asname)
            elif isinstance(stmt, ast.If):
                # ``if TYPE_CHECKING:`` blocks bind nothing at run time
                t = stmt.test
                if (isinstance(t, ast.Name) and t.id == "TYPE_CHECKING") or (
                    isinstance(t, ast.Attribute) and t.attr == "TYPE_CHECKING"
                ):
                    visit(stmt.orelse)
                    continue
                visit(stmt.body)
                visit(stmt.orelse)
            elif isinstance(stmt, ast.Try):
                visit(stmt.body)
                for h in stmt.handlers:
                    visit(h.body)
                visit(stmt.orelse)
                visit(stmt.finalbody)
            if isinstance(stmt, (ast.Assign, ast.AnnAssign)):
                target = stmt.targets[0] if isinstance(stmt, ast.Assign) else stmt.target
                if isinstance(target, ast.Name) and target.id == "__all__":
                    exported.append(_strings(stmt.value, {}) or set())
                    names.update(exported[-1])

    visit(tree.body)
    names = {n for n in names if not n.startswith("_") or n == "__version__"} - {"annotations"}
    names.discard("__all__")
    if _seen and exported:  # what ``from module import *`` gives
        return set().union(*exported)
    return names


def star_exports(wheel: Wheel, module: str, seen: frozenset = frozenset()) -> set[str]:
    """What ``from module import *`` binds (``__all__`` when the module sets it)."""
    return module_names(wheel, module, seen) if module in wheel.sources else set()


def extract_api(wheel: Wheel) -> dict[str, set[str]]:
    out = {}
    for module in public_modules(wheel):
        out[module] = module_names(wheel, module)
    return out


def _find_class(wheel: Wheel, name: str, modules: Iterable[str]) -> tuple[str, ast.ClassDef] | None:
    for module in modules:
        tree = wheel.tree(module)
        if tree is None:
            continue
        for node in tree.body:
            if isinstance(node, ast.ClassDef) and node.name == name:
                return module, node
    return None


def _resolve_import(wheel: Wheel, module: str, name: str) -> str | None:
    """The module (within the wheel) that defines the ``name`` that ``module`` binds."""
    seen: set[str] = set()
    while module not in seen:
        seen.add(module)
        tree = wheel.tree(module)
        if tree is None:
            return None
        nxt = None
        for stmt in tree.body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and stmt.name == name:
                return module
            if isinstance(stmt, ast.ImportFrom) and _is_internal_import(stmt.module, stmt.level):
                source = _absolute(wheel, module, stmt.module, stmt.level)
                for a in stmt.names:
                    if (a.asname or a.name) == name and a.name == name:
                        nxt = source
                    elif a.name == "*" and nxt is None and name in star_exports(wheel, source, frozenset({module})):
                        nxt = source
        if nxt is None or nxt not in wheel.sources:
            return None
        module = nxt
    return None


def extract_function_params(wheel: Wheel) -> set[str]:
    module = _resolve_import(wheel, "fal", "function")
    if module is None:
        return set()
    params: set[str] = set()
    for node in wheel.tree(module).body:
        if isinstance(node, ast.FunctionDef) and node.name == "function":
            a = node.args
            params.update(x.arg for x in a.posonlyargs + a.args + a.kwonlyargs)
    return params


def extract_class_kwargs(wheel: Wheel) -> tuple[set[str], bool]:
    """Keywords of ``class X(fal.App, kw=...)`` and whether unknown ones raise."""
    found = _find_class(wheel, "App", [m for m in ("fal.app",) if m in wheel.sources])
    if found is None:
        return set(), False
    _, app = found
    kwargs: set[str] = set()
    forwards = False
    for node in app.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init_subclass__":
            a = node.args
            kwargs.update(x.arg for x in a.posonlyargs[1:] + a.args[1:] + a.kwonlyargs)
            if a.kwarg is not None:
                kw = a.kwarg.arg
                for sub in ast.walk(node):
                    if (
                        isinstance(sub, ast.Call)
                        and isinstance(sub.func, ast.Attribute)
                        and isinstance(sub.func.value, ast.Name)
                        and sub.func.value.id == kw
                        and sub.func.attr in ("pop", "get")
                        and sub.args
                    ):
                        kwargs |= _strings(sub.args[0], {}) or set()
                    if isinstance(sub, ast.Dict) and any(
                        k is None and isinstance(v, ast.Name) and v.id == kw for k, v in zip(sub.keys, sub.values)
                    ):
                        forwards = True
    strict = False
    if forwards:
        # App hands its keywords to ``fal.function(kind, ..., **host_kwargs)``
        kwargs |= extract_function_params(wheel) - {"host"}
        api_modules = [m for m in ("fal.api.api", "fal.api") if m in wheel.sources]
        kwargs.add("kind")
        for cls_name in ("Host", "FalServerlessHost"):
            found = _find_class(wheel, cls_name, api_modules)
            if found is None:
                continue
            _, cls = found
            consts: dict[str, set[str]] = {}
            for stmt in cls.body:
                consts = _assigned_constants([stmt], consts)
            for name, values in consts.items():
                if name.endswith("_KEYS"):
                    kwargs |= values
            for stmt in cls.body:
                if isinstance(stmt, ast.FunctionDef) and stmt.name == "parse_options":
                    strict = strict or any(isinstance(n, ast.Raise) for n in ast.walk(stmt))
    return kwargs, strict


# --------------------------------------------------------------------------- #
# facts and the data file
# --------------------------------------------------------------------------- #


def release_facts(path: Path) -> set[tuple[str, ...]]:
    """Every fact of one wheel as a flat tuple."""
    wheel = Wheel(path)
    facts: set[tuple[str, ...]] = set()
    for table, info in extract_toml(wheel).items():
        facts.add(("toml", table, "present"))
        if info["strict"]:
            facts.add(("toml", table, "strict"))
        facts.update(("toml", table, "key", k) for k in info["keys"])
    facts.update(("module", m) for m in all_modules(wheel))
    for module, names in extract_api(wheel).items():
        facts.add(("api_module", module))
        facts.update(("api", module, n) for n in names)
    kwargs, strict = extract_class_kwargs(wheel)
    facts.update(("class_kwarg", k) for k in kwargs)
    if strict:
        facts.add(("class_kwargs_strict",))
    facts.update(("function_param", p) for p in extract_function_params(wheel))
    return facts


def build_data(per_release: dict[str, set[tuple[str, ...]]], since: str) -> dict:
    releases = sorted(per_release, key=vkey)
    all_facts = set().union(*per_release.values()) if per_release else set()

    def rng(fact: tuple[str, ...]) -> str:
        return to_ranges([fact in per_release[r] for r in releases], releases)

    data: dict = {
        "format": FORMAT,
        "package": PACKAGE,
        "command": COMMAND,
        "since": since,
        "releases": releases,
        "toml": {},
        "class_kwargs": {"strict": rng(("class_kwargs_strict",)), "names": {}},
        "function_params": {},
        "modules": {},
        "api": {},
    }
    for fact in sorted(all_facts):
        kind = fact[0]
        if kind == "toml":
            table = data["toml"].setdefault(fact[1], {"present": "", "strict": "", "keys": {}})
            if fact[2] == "key":
                table["keys"][fact[3]] = rng(fact)
            else:
                table[fact[2]] = rng(fact)
        elif kind == "module":
            data["modules"][fact[1]] = rng(fact)
        elif kind == "api":
            data["api"].setdefault(fact[1], {})[fact[2]] = rng(fact)
        elif kind == "api_module":
            data["api"].setdefault(fact[1], {})
        elif kind == "class_kwarg":
            data["class_kwargs"]["names"][fact[1]] = rng(fact)
        elif kind == "function_param":
            data["function_params"][fact[1]] = rng(fact)
    return data


def validate(data: object) -> list[str]:
    """Problems with a data dict (empty when it is well-formed)."""
    errors: list[str] = []
    if not isinstance(data, dict):
        return ["not a JSON object"]
    if data.get("format") != FORMAT:
        errors.append(f"format is {data.get('format')!r}, expected {FORMAT}")
    expected = {"format", "package", "command", "since", "releases", "toml", "class_kwargs", "function_params", "modules", "api"}
    if set(data) != expected:
        errors.append(f"top-level keys {sorted(data)} != {sorted(expected)}")
        return errors
    releases = data["releases"]
    if not isinstance(releases, list) or not releases:
        return errors + ["releases must be a non-empty list"]
    try:
        keys = [vkey(r) for r in releases]
    except (ValueError, TypeError) as exc:
        return errors + [f"releases: {exc}"]
    if keys != sorted(set(keys)):
        errors.append("releases must be sorted and unique")
    known = set(releases)

    def check_range(where: str, text: object, allow_empty: bool = False) -> None:
        if text == "" and allow_empty:
            return
        if not isinstance(text, str):
            errors.append(f"{where}: not a string")
            return
        try:
            spans = parse_ranges(text)
        except ValueError as exc:
            errors.append(f"{where}: {exc}")
            return
        for since, until in spans:
            if since not in known or (until is not None and until not in known):
                errors.append(f"{where}: {text!r} names an unknown release")

    def check_map(where: str, mapping: object) -> None:
        if not isinstance(mapping, dict):
            errors.append(f"{where}: not an object")
            return
        for k, v in mapping.items():
            check_range(f"{where}.{k}", v)

    if not isinstance(data["toml"], dict) or "app" not in data["toml"]:
        errors.append("toml.app missing")
    else:
        for table, info in data["toml"].items():
            if not isinstance(info, dict) or set(info) != {"present", "strict", "keys"}:
                errors.append(f"toml.{table}: expected present, strict, keys")
                continue
            check_range(f"toml.{table}.present", info["present"])
            check_range(f"toml.{table}.strict", info["strict"], allow_empty=True)
            check_map(f"toml.{table}.keys", info["keys"])
    ck = data["class_kwargs"]
    if not isinstance(ck, dict) or set(ck) != {"strict", "names"}:
        errors.append("class_kwargs: expected strict, names")
    else:
        check_range("class_kwargs.strict", ck["strict"], allow_empty=True)
        check_map("class_kwargs.names", ck["names"])
    check_map("function_params", data["function_params"])
    check_map("modules", data["modules"])
    if isinstance(data["api"], dict):
        for module, names in data["api"].items():
            if module not in data["modules"]:
                errors.append(f"api.{module}: not in modules")
            check_map(f"api.{module}", names)
    else:
        errors.append("api: not an object")
    return errors


def dumps(data: dict) -> str:
    """The committed serialisation: one line per leaf object, sorted keys."""
    return json.dumps(data, indent=1, sort_keys=True, separators=(",", ":")) + "\n"


def generate(since: str, cache: Path, log=print) -> dict:
    wheels = list_wheels(since)
    per_release: dict[str, set] = {}
    for version, info in wheels.items():
        path = fetch_wheel(info, cache)
        per_release[version] = release_facts(path)
        log(f"{version}: {len(per_release[version])} facts")
    return build_data(per_release, since)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog=COMMAND, description=__doc__.split("\n\n")[0])
    parser.add_argument("--since", default=None, help=f"oldest release to analyse (default: the data file's, else {DEFAULT_SINCE})")
    parser.add_argument("--cache", type=Path, default=None, help="directory for downloaded wheels (default: a temporary directory)")
    parser.add_argument("--output", type=Path, default=DATA_FILE, help="data file to write (default: the one shipped with fallint)")
    parser.add_argument("--check", action="store_true", help="do not write; exit 1 when the data file differs from what PyPI gives now")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)

    since = args.since
    if since is None:
        try:
            since = json.loads(args.output.read_text(encoding="utf-8")).get("since", DEFAULT_SINCE)
        except (OSError, ValueError):
            since = DEFAULT_SINCE
    since = ".".join((since.split(".") + ["0", "0"])[:3]) if since.count(".") < 2 else since
    log = (lambda *a: None) if args.quiet else (lambda *a: print(*a, file=sys.stderr))

    def run(cache: Path) -> dict:
        return generate(since, cache, log)

    if args.cache is not None:
        data = run(args.cache)
    else:
        with tempfile.TemporaryDirectory(prefix="fal-wheels-") as tmp:
            data = run(Path(tmp))
    problems = validate(data)
    if problems:
        print("generated data is invalid:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 2
    text = dumps(data)
    if args.check:
        try:
            current = args.output.read_text(encoding="utf-8")
        except OSError:
            current = ""
        if current != text:
            print(f"{args.output} is out of date: run {COMMAND}", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date ({len(data['releases'])} releases)", file=sys.stderr)
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output} ({len(data['releases'])} releases, {len(text)} bytes)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
