"""One Python file -> a plain-data :class:`ModuleIndex` of its module-level bindings.

The index is what every later question about the file is answered from
(which classes exist and what they inherit, which names are imported from
where, which settings a class body assigns), so a file is parsed once and the
result can be cached on disk: :meth:`ModuleIndex.to_dict` /
:meth:`ModuleIndex.from_dict` round-trip through JSON.  :func:`index_source`
builds the index from the interpreter's own ``ast`` tree when the running
interpreter parses the file, and with libcst otherwise (newer syntax, syntax
errors to diagnose): libcst is imported only then, so neither a warm run that
only loads cached indexes nor a cold run over ordinary files imports it.

Positions are 1-based lines and 1-based columns counted in characters.

What is recorded (module level, including names bound inside module-level
``if`` / ``try`` / ``with`` / ``for`` / ``while`` / ``match`` blocks):

* classes: name, bases as dotted names (``fal.App``; a subscripted base such as
  ``Generic[T]`` is recorded by what is subscripted, ``Generic``; any other
  expression as ``None``), class keywords, body attributes (``name = value``
  and ``name: T = value``), methods with their decorators, class decorators;
* functions (``def`` / ``async def``) with their decorators;
* assignments, ``type X = ...`` aliases, and ``for`` / ``with ... as``
  targets; a plain ``X = Y`` / ``X = a.b`` records the dotted target as
  :attr:`AssignmentEntry.alias`, and ``X = <callable>(...)`` records the
  callable like a decorator in :attr:`AssignmentEntry.applied`;
* imports (``import a.b``, ``import a.b as c``, ``from m import x as y``,
  relative forms), star imports, and ``__all__`` when it is a literal list or
  tuple of strings (also ``__all__ += [...]``, ``__all__.extend([...])`` and
  ``__all__.append("x")``).

When a name is bound more than once, :meth:`ModuleIndex.binding` picks the
binding that wins at import time in the ordinary case: the last one that is
not in a fallback branch (``except``, ``else``/``elif`` of an ``if``, a later
``case``), or else the last one.

Size: an index of a Python file that keeps positions for every binding,
import, class, decorator and keyword fal cares about, with the skeleton
reduction and nesting guards that keep libcst linear and bounded on hostile
input.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
import threading
from bisect import bisect_right
from functools import cached_property, lru_cache
from itertools import accumulate
from typing import Any, ClassVar, Union

from fallint.util.records import asdict, dataclass, field, fields

#: Bumped whenever the shape of the index changes, so stale caches are ignored.
INDEX_FORMAT = 3  # 3: built from the ast tree, which accepts some files libcst rejects


class PySyntaxError(Exception):
    """The source is not valid Python (or is too deeply nested to analyse)."""

    def __init__(self, message: str, line: int = 1, column: int = 1) -> None:
        super().__init__(f"{message} (line {line}, column {column})")
        self.message = message
        self.line = line
        self.column = column


# --------------------------------------------------------------------------
# The plain-data index
# --------------------------------------------------------------------------


def _load(cls: type, data: dict) -> Any:
    """Build dataclass ``cls`` from ``data``, converting the fields listed in
    ``cls._NESTED`` (``{field: (dataclass, "one" | "list" | "dict")}``)."""
    nested = getattr(cls, "_NESTED", {})
    kwargs = {}
    for f in fields(cls):
        if f.name not in data:
            continue
        value = data[f.name]
        spec = nested.get(f.name)
        if spec is not None and value is not None:
            sub, shape = spec
            if shape == "list":
                value = [_load(sub, item) for item in value]
            elif shape == "dict":
                value = {key: _load(sub, item) for key, item in value.items()}
            else:
                value = _load(sub, value)
        kwargs[f.name] = value
    return cls(**kwargs)


#: dataclass -> ((field name, nested spec or None), ...), for _pack / _unpack
_SHAPES: dict[type, tuple] = {}


def _shape(cls: type) -> tuple:
    shape = _SHAPES.get(cls)
    if shape is None:
        nested = getattr(cls, "_NESTED", {})
        shape = _SHAPES[cls] = tuple((f.name, nested.get(f.name)) for f in fields(cls))
    return shape


def _pack(obj: Any) -> list:
    """Dataclass ``obj`` as the list of its field values (nested ones packed too).

    Strings are interned: :mod:`marshal` then writes them as such, and
    whoever loads the packed form (the parent of a worker process, a run
    reading the cache) shares one string object for every ``torch``,
    ``steps`` or ``classmethod`` of ten thousand modules -- a fifth of
    what their indexes held in memory."""
    out = []
    for name, spec in _shape(type(obj)):
        value = getattr(obj, name)
        if spec is not None and value is not None:
            shape = spec[1]
            if shape == "list":
                value = [_pack(item) for item in value]
            elif shape == "dict":
                value = {_intern(key): _pack(item) for key, item in value.items()}
            else:
                value = _pack(value)
        elif type(value) is str:
            value = _intern(value)
        out.append(value)
    return out


_intern = sys.intern


def _unpack(cls: type, data: list) -> Any:
    """Inverse of :func:`_pack` (raises TypeError and friends on a wrong shape)."""
    return _unpacker(cls)(data)


#: dataclass -> its unpacking function (built once: decoding a cached index
#: builds a hundred objects, so the per-object work is kept to a minimum)
_UNPACKERS: dict[type, Any] = {}


def _unpacker(cls: type) -> Any:
    unpack = _UNPACKERS.get(cls)
    if unpack is not None:
        return unpack
    # One function written per class (a few classes: well under a millisecond
    # in all), with each nested field converted in line: generic code with a
    # converter per field cost twice as much per object.
    shape = _shape(cls)
    size = len(shape)
    namespace: dict[str, Any] = {"cls": cls, "size": size}
    arguments = []
    for position, (_, spec) in enumerate(shape):
        value = f"f{position}"
        if spec is None:
            arguments.append(value)
            continue
        sub, kind = spec
        namespace[f"u{position}"] = _unpacker(sub)
        if kind == "list":
            converted = f"[u{position}(item) for item in {value}]"
        elif kind == "dict":
            converted = f"{{key: u{position}(item) for key, item in {value}.items()}}"
        else:
            converted = f"u{position}({value})"
        arguments.append(f"None if {value} is None else {converted}")
    names = ", ".join(f"f{position}" for position in range(size))
    source = "\n".join([
        "def unpack(data):",
        "    if type(data) is not list or len(data) != size:",
        "        raise TypeError(f'{cls.__name__}: expected a list of {size} values, not {type(data).__name__}')",
        f"    {names}, = data",
        f"    return cls({', '.join(arguments)})",
    ])
    exec(source, namespace)  # noqa: S102 -- code written here from the dataclass's fields
    unpack = _UNPACKERS[cls] = namespace["unpack"]
    return unpack


@dataclass
class Value:
    """An expression: its literal value when it is a literal, and its source.

    Literals are str / int / float (finite) / bool / None and lists, tuples and
    str-keyed dicts of literals; tuples are stored as lists (JSON has no
    tuples; :attr:`source` still shows what was written).
    """

    source: str
    line: int
    column: int
    literal: bool = False
    value: Any = None


@dataclass
class Decorator:
    """A decorator (or the callable of ``X = callable(...)``).

    ``name`` is the dotted name of the decorator expression, or of the called
    function when the decorator is a call (``@fal.endpoint("/")`` ->
    ``name="fal.endpoint", called=True``); ``None`` when it is neither.
    """

    name: str | None
    called: bool
    line: int
    column: int
    args: list[Value] = field(default_factory=list)
    keywords: dict[str, Value] = field(default_factory=dict)

    _NESTED: ClassVar[dict] = {"args": (Value, "list"), "keywords": (Value, "dict")}


@dataclass
class FunctionEntry:
    name: str
    line: int
    column: int
    decorators: list[Decorator] = field(default_factory=list)
    is_async: bool = False
    order: int = 0
    fallback: bool = False

    _NESTED: ClassVar[dict] = {"decorators": (Decorator, "list")}


@dataclass
class AttributeEntry:
    """``name = value`` or ``name: annotation = value`` in a class body."""

    name: str
    line: int
    column: int
    value: Value
    annotated: bool = False
    #: set when the value is ``<callable>(...)``, e.g. ``run = fal.endpoint("/")(impl)``
    applied: Decorator | None = None
    order: int = 0
    fallback: bool = False

    _NESTED: ClassVar[dict] = {"value": (Value, "one"), "applied": (Decorator, "one")}


@dataclass
class ClassEntry:
    name: str
    line: int
    column: int
    bases: list[str | None] = field(default_factory=list)
    keywords: dict[str, Value] = field(default_factory=dict)
    attributes: list[AttributeEntry] = field(default_factory=list)
    methods: list[FunctionEntry] = field(default_factory=list)
    decorators: list[Decorator] = field(default_factory=list)
    #: positions of the class keyword *names*: {keyword: [line, column]}
    keyword_positions: dict[str, list[int]] = field(default_factory=dict)
    order: int = 0
    fallback: bool = False

    _NESTED: ClassVar[dict] = {
        "keywords": (Value, "dict"),
        "attributes": (AttributeEntry, "list"),
        "methods": (FunctionEntry, "list"),
        "decorators": (Decorator, "list"),
    }

    def attribute(self, name: str) -> AttributeEntry | None:
        """The winning body assignment of ``name`` (see the module docstring)."""
        return winner([a for a in self.attributes if a.name == name])

    def attributes_by_name(self) -> dict[str, AttributeEntry]:
        """Each attribute name the body assigns -> its winning assignment."""
        return {name: self.attribute(name) for name in dict.fromkeys(a.name for a in self.attributes)}

    def method(self, name: str) -> FunctionEntry | None:
        return winner([m for m in self.methods if m.name == name])


@dataclass
class AssignmentEntry:
    """A module-level name bound by something other than def/class/import."""

    name: str
    line: int
    column: int
    #: the assigned expression; None for unpacking, ``for`` and ``with`` targets
    value: Value | None = None
    #: dotted target of a plain alias ``X = Y`` / ``X = a.b``
    alias: str | None = None
    #: the callable when the value is ``<callable>(...)``
    applied: Decorator | None = None
    order: int = 0
    fallback: bool = False

    _NESTED: ClassVar[dict] = {"value": (Value, "one"), "applied": (Decorator, "one")}


@dataclass
class ImportEntry:
    """A name bound by an import.

    ``import a.b.c`` binds ``a`` (``module="a"``, ``attr=None``);
    ``import a.b.c as d`` binds ``d`` (``module="a.b.c"``);
    ``from .m import x as y`` binds ``y`` (``module="m"``, ``level=1``,
    ``attr="x"``); ``from . import m`` has ``module=""``, ``attr="m"``.
    """

    name: str
    line: int
    column: int
    module: str
    level: int = 0
    attr: str | None = None
    order: int = 0
    fallback: bool = False


@dataclass
class StarImportEntry:
    module: str
    line: int
    column: int
    level: int = 0
    order: int = 0
    fallback: bool = False


Binding = Union[ClassEntry, FunctionEntry, AssignmentEntry, ImportEntry]


def winner(entries: list) -> Any:
    """The binding that wins among several of the same name (module docstring)."""
    if not entries:
        return None
    primary = [e for e in entries if not e.fallback]
    return max(primary or entries, key=lambda e: e.order)


@dataclass
class ModuleIndex:
    classes: list[ClassEntry] = field(default_factory=list)
    functions: list[FunctionEntry] = field(default_factory=list)
    assignments: list[AssignmentEntry] = field(default_factory=list)
    imports: list[ImportEntry] = field(default_factory=list)
    star_imports: list[StarImportEntry] = field(default_factory=list)
    #: literal ``__all__`` (None when absent or not a literal)
    all_names: list[str] | None = None
    #: True when ``__all__`` exists but is not (entirely) a literal
    all_dynamic: bool = False

    _NESTED: ClassVar[dict] = {
        "classes": (ClassEntry, "list"),
        "functions": (FunctionEntry, "list"),
        "assignments": (AssignmentEntry, "list"),
        "imports": (ImportEntry, "list"),
        "star_imports": (StarImportEntry, "list"),
    }

    # -- serialisation ---------------------------------------------------

    def to_dict(self) -> dict:
        """JSON-able dict (``json.dumps`` works on it as is)."""
        data = asdict(self)
        data["format"] = INDEX_FORMAT
        return data

    @classmethod
    def from_dict(cls, data: dict) -> "ModuleIndex":
        """Inverse of :meth:`to_dict`; raises ``ValueError`` on another format."""
        if not isinstance(data, dict) or data.get("format") != INDEX_FORMAT:
            raise ValueError("not a ModuleIndex of the current format")
        return _load(cls, data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> "ModuleIndex":
        return cls.from_dict(json.loads(text))

    def to_list(self) -> list:
        """A compact JSON-able form: each entry as the list of its field
        values in field order (what the on-disk cache stores: smaller than
        :meth:`to_dict` and several times faster to write and read back)."""
        return _pack(self)

    @classmethod
    def from_list(cls, data: list) -> "ModuleIndex":
        """Inverse of :meth:`to_list`; raises ``ValueError`` when ``data`` does
        not have its outer shape (the format is :data:`INDEX_FORMAT` too).

        The entries are decoded lazily, each when first asked for: a warm run
        loads a thousand indexes and most questions (is ``App0001`` a fal.App?)
        need a handful of their hundred entries.  Only what fallint wrote
        itself reaches here (signed cache entries, worker results), so an
        entry cannot turn out malformed later.
        """
        if type(data) is not list or len(data) != len(_INDEX_FIELDS):
            raise ValueError("not a packed ModuleIndex")
        *groups, all_names, all_dynamic = data
        if type(all_dynamic) is not bool or not (
            all_names is None or (type(all_names) is list and all(type(n) is str for n in all_names))
        ):
            raise ValueError("not a packed ModuleIndex")
        for group in groups:
            if type(group) is not list or not all(
                type(entry) is list and entry and type(entry[0]) is str for entry in group
            ):
                raise ValueError("not a packed ModuleIndex")
        index = cls.__new__(cls)
        state = index.__dict__
        state["all_names"], state["all_dynamic"] = all_names, all_dynamic
        state["_packed"] = dict(zip(_GROUP_TYPES, groups))
        state["_entries"] = {}
        return index

    def __getattr__(self, name: str) -> Any:
        # reached only for a group of a lazily decoded index (see from_list)
        # that nobody has asked for as a whole yet
        packed = self.__dict__.get("_packed")
        if packed is None or name not in packed:
            raise AttributeError(name)
        convert, decoded = _unpacker(_GROUP_TYPES[name]), self.__dict__["_entries"]
        value = [decoded.get((name, i)) or convert(raw) for i, raw in enumerate(packed[name])]
        self.__dict__[name] = value
        # the packed form of a decoded group is never read again (every
        # reader looks for the decoded group first): not kept twice
        packed[name] = None
        return value

    def _entry(self, group: str, position: int) -> Any:
        """Entry ``position`` of ``group`` (decoded once, the same object as
        in the group's list)."""
        whole = self.__dict__.get(group)
        if whole is not None:
            return whole[position]
        decoded = self.__dict__["_entries"]
        entry = decoded.get((group, position))
        if entry is None:
            raw = self.__dict__["_packed"][group][position]
            entry = decoded[(group, position)] = _unpacker(_GROUP_TYPES[group])(raw)
        return entry

    # -- queries -----------------------------------------------------------

    @cached_property
    def _by_name(self) -> dict[str, Any]:
        """Each bound name -> where its bindings are: one code, or a tuple of
        codes when it is bound several times (:meth:`_places` decodes them).
        A code is ``group number << 20 | position``: plain ints, where a list
        of ``(group, position)`` tuples per name was a tenth of a large run's
        memory."""
        table: dict[str, Any] = {}
        packed = self.__dict__.get("_packed")
        for number, group in enumerate(_BINDING_GROUPS):
            if packed is not None and group not in self.__dict__:
                names = [raw[0] for raw in packed[group]]
            else:
                names = [entry.name for entry in getattr(self, group)]
            base = number << 20
            for position, name in enumerate(names):
                known = table.get(name)
                code = base | position
                if known is None:
                    table[name] = code
                elif type(known) is int:
                    table[name] = (known, code)
                else:
                    table[name] = (*known, code)
        return table

    def _places(self, name: str) -> list[tuple[str, int]]:
        """Where ``name``'s bindings are, as (group, position)."""
        codes = self._by_name.get(name)
        if codes is None:
            return []
        if type(codes) is int:
            return [(_BINDING_GROUPS[codes >> 20], codes & 0xFFFFF)]
        return [(_BINDING_GROUPS[c >> 20], c & 0xFFFFF) for c in codes]

    def _named(self, name: str, group: str | None = None) -> list[Binding]:
        return [self._entry(g, p) for g, p in self._places(name) if group is None or g == group]

    def binding(self, name: str) -> Binding | None:
        """The binding of module-level ``name`` that wins at import time."""
        return winner(self._named(name))

    def bindings(self, name: str) -> list[Binding]:
        """Every binding of ``name``, in source order."""
        return sorted(self._named(name), key=lambda e: e.order)

    def binding_facts(self, name: str) -> tuple | None:
        """A few facts about the only binding of ``name``, read without
        decoding it (fal's scan of a module asks this of every name):
        ``("imports", module, level, attr)``, ``("functions", decorated)``,
        ``("assignments", alias, applied)`` or ``("classes",)``; None when
        ``name`` has no binding or several."""
        code = self._by_name.get(name)
        if type(code) is not int:
            return None  # no binding, or several
        group, position = _BINDING_GROUPS[code >> 20], code & 0xFFFFF
        values = self._fields(group, position, _FACT_FIELDS[group])
        if group == "functions":
            return (group, bool(values[0]))
        if group == "assignments":
            return (group, values[0], values[1] is not None)
        return (group, *values)

    def names(self) -> list[str]:
        """Module-level names in the order they are first bound."""
        first: dict[str, int] = {}
        for name in self._by_name:
            first[name] = min(self._order(group, position) for group, position in self._places(name))
        return sorted(first, key=first.__getitem__)

    def _order(self, group: str, position: int) -> int:
        """The ``order`` of an entry (the names of a module are listed
        without decoding it)."""
        (order,) = self._fields(group, position, ("order",))
        if type(order) is not int:
            raise TypeError(f"{group}: an order that is not a number")
        return order

    def _fields(self, group: str, position: int, names: tuple[str, ...]) -> list:
        """Some fields of an entry: from the entry when it has been decoded,
        else read from its packed form (which is not decoded for this)."""
        whole = self.__dict__.get(group)
        entry = whole[position] if whole is not None else self.__dict__["_entries"].get((group, position))
        if entry is not None:
            return [getattr(entry, name) for name in names]
        raw = self.__dict__["_packed"][group][position]
        return [raw[_FIELD_POSITIONS[group][name]] for name in names]

    def class_named(self, name: str, line: int | None = None) -> ClassEntry | None:
        """The class ``name`` (the one at ``line`` when given)."""
        found = [c for c in self._named(name, "classes") if line is None or c.line == line]
        return winner(found)

    def function_named(self, name: str, line: int | None = None) -> FunctionEntry | None:
        found = [f for f in self._named(name, "functions") if line is None or f.line == line]
        return winner(found)

    def decorated_functions(self) -> list[FunctionEntry]:
        """The functions with at least one decorator (without decoding the
        others of a lazily decoded index)."""
        packed = self.__dict__.get("_packed")
        if packed is None or "functions" in self.__dict__:
            return [f for f in self.functions if f.decorators]
        position = _FIELD_POSITIONS["functions"]["decorators"]
        return [self._entry("functions", i) for i, raw in enumerate(packed["functions"]) if raw[position]]


#: the entry groups of an index and their entries' class (in field order)
_GROUP_TYPES: dict[str, type] = {
    "classes": ClassEntry,
    "functions": FunctionEntry,
    "assignments": AssignmentEntry,
    "imports": ImportEntry,
    "star_imports": StarImportEntry,
}
#: the groups whose entries bind a name (their first field)
_BINDING_GROUPS = ("classes", "functions", "assignments", "imports")
_INDEX_FIELDS = tuple(f.name for f in fields(ModuleIndex))
#: group -> field name -> its place in a packed entry
_FIELD_POSITIONS = {
    group: {f.name: i for i, f in enumerate(fields(cls))} for group, cls in _GROUP_TYPES.items()
}
#: what binding_facts reads of each group
_FACT_FIELDS = {
    "imports": ("module", "level", "attr"),
    "functions": ("decorators",),
    "assignments": ("alias", "applied"),
    "classes": (),
}
assert _INDEX_FIELDS[: len(_GROUP_TYPES)] == tuple(_GROUP_TYPES)


# --------------------------------------------------------------------------
# Building the index (the only code that needs libcst)
# --------------------------------------------------------------------------

#: Deeper nesting than this is refused before libcst sees it: libcst's native
#: parser overflows the C stack (a segfault, not an exception) on a few
#: thousand nested levels, and from about a thousand it raises RecursionError.
MAX_BRACKET_DEPTH = 200  # CPython's own limit ("too many nested parentheses")
MAX_NESTING = 1000
_PARSE_STACK_BYTES = 64 * 1024 * 1024
#: A skeleton is *shallow* when its blocks nest at most _SHALLOW_BLOCKS deep
#: and none of its logical lines has more than _SHALLOW_TOKENS tokens (so no
#: expression in it nests deeper).  libcst's native parser takes up to about
#: 22 KiB of C stack per nested block and 7 KiB per nested bracket (measured
#: with libcst 1.9 on x86-64 Linux), so a shallow skeleton needs less than
#: 2 MiB of stack; and indexing it, about 500 Python frames at most.
_SHALLOW_BLOCKS = 20
_SHALLOW_TOKENS = 200
#: A thread is roomy for shallow skeletons with this much stack and this many
#: Python frames to spare below the recursion limit (see _stack_is_roomy).
_ROOMY_STACK_BYTES = 8 * 1024 * 1024
_ROOMY_FRAMES = 700
#: Longer value expressions are stored truncated and as non-literal.
MAX_VALUE_SOURCE = 4000


def index_source(text: str) -> ModuleIndex:
    """Parse Python source ``text`` and index its module-level bindings.

    Accepts any Python 3 syntax libcst knows (PEP 695 ``type`` statements and
    generics, ``match``, ``except*``, PEP 701 f-strings...) whatever the running
    interpreter.  Raises :class:`PySyntaxError` on invalid (or absurdly deeply
    nested) source; never executes anything.

    A file the running interpreter parses is indexed from its ``ast`` tree
    (:func:`_index_with_ast`, no libcst); the others by libcst.
    """
    if not _stack_is_roomy():
        return _in_big_stack_thread(_parse_and_index, text)
    index = _index_with_ast(text)
    if index is not None:
        return index
    return _index_with_libcst_here(text)


def _index_with_libcst(text: str) -> ModuleIndex:
    """:func:`index_source` by libcst alone (the path of every file the
    interpreter cannot parse; the reference the ast walk is tested against)."""
    if not _stack_is_roomy():
        return _in_big_stack_thread(_libcst_parse_and_index, text)
    return _index_with_libcst_here(text)


def _libcst_parse_and_index(text: str) -> ModuleIndex:
    return _index_text(text, _safe_skeleton(text))


def _index_with_libcst_here(text: str) -> ModuleIndex:
    """:func:`_index_with_libcst` on a thread with a roomy stack."""
    # The interpreter's parser is at home on this thread, and so is libcst
    # when the skeleton is shallow; anything else goes to the parse thread.
    skeleton = _safe_skeleton(text)
    if skeleton is not None and skeleton.shallow:
        index = _index_skeleton(skeleton)
        if index is not None:
            return index
        skeleton = None  # libcst rejects it: the whole file decides
    return _in_big_stack_thread(_index_text, text, skeleton)


def _parse_and_index(text: str) -> ModuleIndex:
    """Index ``text``: from its ``ast`` tree when the interpreter parses it,
    else by its skeleton when there is one (see :func:`_skeleton`), else --
    and for every file the interpreter's parser rejects -- the whole file,
    with libcst's diagnosis of any syntax error."""
    index = _index_with_ast(text)
    if index is not None:
        return index
    return _libcst_parse_and_index(text)


def _index_text(text: str, skeleton: _SkeletonPlan | None) -> ModuleIndex:
    """Index ``text`` by its ``skeleton`` (from :func:`_safe_skeleton`) when
    there is one and libcst accepts it, else by the whole text."""
    import libcst as cst

    if skeleton is not None:
        index = _index_skeleton(skeleton)
        if index is not None:
            return index
    _refuse_deep_nesting(text)
    try:
        module = cst.parse_module(text)
    except cst.ParserSyntaxError as exc:
        raise _syntax_error(text, exc) from None
    except RecursionError:
        raise PySyntaxError("too deeply nested to analyse") from None
    return _index_module(module, text, None)


def _index_skeleton(skeleton: _SkeletonPlan) -> ModuleIndex | None:
    """The index of a file from its ``skeleton``; None when libcst rejects
    the skeleton (libcst and the interpreter disagree: the whole file decides)."""
    import libcst as cst

    try:
        module = cst.parse_module(skeleton.text)
    except (cst.ParserSyntaxError, RecursionError):
        return None
    return _index_module(module, skeleton.text, skeleton.line_map, skeleton.stubs)


#: From 3.11 CPython's parser refuses absurd nesting with an exception; 3.10's
#: can overflow the C stack, so there the nesting guard sees the text first.
_AST_SURVIVES_NESTING = sys.version_info >= (3, 11)


def _safe_skeleton(text: str) -> _SkeletonPlan | None:
    """The skeleton of ``text`` when the interpreter parses ``text`` and the
    skeleton is not nested too deeply for libcst; else None.  Its ``shallow``
    says whether it is shallow enough for any thread with a roomy stack."""
    if not _AST_SURVIVES_NESTING:
        _refuse_deep_nesting(text)
    skeleton = _plan_skeleton(text)
    if skeleton is None:
        return None
    problem, tokens = _scan_nesting(skeleton.text)
    if problem is not None:
        return None
    skeleton.shallow = skeleton.depth <= _SHALLOW_BLOCKS and tokens <= _SHALLOW_TOKENS
    return skeleton


def _refuse_deep_nesting(text: str) -> None:
    """Raise :class:`PySyntaxError` when ``text`` is nested too deeply for libcst."""
    deep = _nesting_problem(text)
    if deep is not None:
        message, line, column = deep
        raise PySyntaxError(message, line, column)


def _index_module(
    module: Any, text: str, line_map: list[int] | None, stubs: dict[int, tuple[str, int, bool]] | None = None,
) -> ModuleIndex:
    """Index a parsed module (of ``text``; when ``text`` is a skeleton,
    ``line_map`` maps its lines to the file's lines and ``stubs`` are its
    functions left as ``pass`` lines, see :class:`_SkeletonPlan`)."""
    try:
        try:
            positions: _Positions = _CodegenPositions(module, text, line_map)
            return _Indexer(module, positions, stubs).run()
        except _NoFastPosition:
            return _Indexer(module, _ProviderPositions(module, line_map), stubs).run()
    except RecursionError:
        raise PySyntaxError("too deeply nested to analyse") from None


def _index_with_provider(text: str) -> ModuleIndex:
    """The reference :func:`index_source` is tested against: libcst parses the
    whole file and its ``PositionProvider`` gives every position (slow)."""

    def run(source: str) -> ModuleIndex:
        import libcst as cst

        module = cst.parse_module(source)
        return _Indexer(module, _ProviderPositions(module, None)).run()

    return _in_big_stack_thread(run, text)


# -- the skeleton ------------------------------------------------------------
#
# Function bodies are most of a typical module and nothing in them is indexed,
# yet parsing them is most of libcst's work.  The interpreter's own parser
# (``compile(..., PyCF_ONLY_AST)``: parsing only, nothing runs) checks the
# whole file and says where each statement is, several times faster than
# libcst; libcst then parses a *skeleton* of the file, made of its lines:
#
# * a function whose ``def`` line holds its name and the ``(`` or ``[`` after
#   it loses all but its decorators, name, position and ``async``, which is
#   all the index records of a function: without decorators it becomes a
#   ``pass`` line, a *stub* (the name, column and ``async`` are noted by line
#   for the index), else the start of its ``def`` line completed to a one-line
#   definition, ``    async def name(): pass``;
# * another function keeps its header, and its body lines become one ``pass``
#   line (if the body starts a line of its own); a body on the ``def`` line
#   itself, ``def f(): ...``, stays as it is;
# * a class in a class body (which the index skips) becomes a ``pass`` line;
# * statements the index ignores (docstrings and other expressions but
#   ``__all__.extend(...)`` and the like, ``pass``, ``assert``, annotations
#   without a value...) are left out, unless one is all its block has;
# * the annotation of an annotated assignment is written as a name of the
#   same width, ``x: _         = 1``;
# * blank and comment-only lines between statements are left out;
# * every other line is kept verbatim, so columns are unchanged, and a line
#   map restores the file's line numbers.
#
# A file the interpreter rejects (a syntax error, or syntax newer than the
# interpreter) is parsed whole by libcst, as is a file whose skeleton libcst
# rejects: syntax errors are diagnosed as before.
#
# Two differences from parsing whole files, both about the code that only the
# interpreter now reads (what the skeleton leaves out or rewrites): code there
# that the interpreter accepts and libcst does not (libcst lags behind
# CPython's grammar, e.g. ``(x): int``) no longer makes the file a syntax
# error; and from Python 3.11, where the interpreter's parser refuses absurd
# nesting with an exception, the nesting guard checks the skeleton only, so
# such nesting there that the interpreter accepts is no longer refused either.

#: a line starting ``[async] def name`` followed by ``(`` or ``[`` (type
#: parameters); group 2 is the name.  The interpreter accepted the file, so
#: what follows ``def`` is an identifier, which ends at the first whitespace,
#: bracket or backslash
_DEF_LINE = re.compile(r"[ \t\f]*(async[ \t\f]+)?def[ \t\f]+([^\s(\[\\]+)[ \t\f]*[(\[]")
_INDENT = re.compile(r"[ \t\f]*")


def _skeleton(text: str) -> tuple[str, list[int] | None] | None:
    """``(skeleton text, line map)`` for ``text`` (see :func:`_plan_skeleton`)."""
    plan = _plan_skeleton(text)
    return None if plan is None else (plan.text, plan.line_map)


def _plan_skeleton(text: str) -> _SkeletonPlan | None:
    """The skeleton of ``text`` (its ``line_map`` is None when nothing was
    left out), or None when the interpreter cannot parse ``text`` (or it has a
    carriage return: then line counting is left to libcst alone)."""
    if "\r" in text:
        return None
    parsed = _parse_ast(text)
    if parsed is None:
        return None
    return _plan_skeleton_of(text, *parsed)


def _parse_ast(text: str) -> tuple[Any, Any] | None:
    """``(ast module, tree)`` of ``text`` by the interpreter's parser, or None
    when it rejects ``text``."""
    import ast
    import warnings

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning: invalid escape sequence...
            tree = compile(text, "<source>", "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, OverflowError):
        return None
    return ast, tree


def _plan_skeleton_of(text: str, ast: Any, tree: Any) -> _SkeletonPlan | None:
    """The skeleton of ``text``, parsed as ``tree``."""
    plan = _SkeletonPlan(text, ast)
    try:
        plan.block(tree.body, False, 0)
    except RecursionError:  # a thousand nested elifs...: the whole file decides
        return None
    plan.build()
    return plan


class _SkeletonPlan:
    """The skeleton of a file (see the section comment).  :meth:`block` walks
    the statements the index reads, in source order, noting the line ranges to
    replace (``cuts``), the lines inside the statements kept (``inside``; the
    others are blank or comment-only lines, or clause headers such as
    ``else:``), the ``stubs``, ``{line: (name, column, async)}``, and the
    ``depth`` of the deepest block (an ``elif`` nests in its ``if``);
    :meth:`build` then makes ``text`` and ``line_map``."""

    def __init__(self, text: str, ast: Any) -> None:
        self.text = text
        self.line_map: list[int] | None = None
        self.lines = text.split("\n")
        #: (first, last, replacement line or None): 0-based line ranges, in order
        self.cuts: list[tuple[int, int, str | None]] = []
        self.inside = bytearray(len(self.lines))
        self.stubs: dict[int, tuple[str, int, bool]] = {}
        self.depth = 0
        #: set by _safe_skeleton (see _SHALLOW_BLOCKS)
        self.shallow = False
        self.ast = ast
        self.function_types = (ast.FunctionDef, ast.AsyncFunctionDef)
        self.class_type = ast.ClassDef
        #: statements that bind nothing the index records
        self.idle_types = (
            ast.Pass, ast.Assert, ast.Raise, ast.Delete, ast.Global, ast.Nonlocal, ast.Break, ast.Continue,
        )
        #: statements recorded at module level only
        self.module_only_types = tuple(
            t for t in (ast.Import, ast.ImportFrom, getattr(ast, "TypeAlias", None)) if t is not None
        )

    def build(self) -> None:
        lines = self.lines
        steps = self.steps()
        if not steps:
            return
        kept: list[str] = []
        line_map: list[int] = []
        previous = 0
        for first, last, replacement in steps:
            kept.extend(lines[previous:first])
            line_map.extend(range(previous + 1, first + 1))
            if replacement is not None:
                kept.append(replacement)
                line_map.append(first + 1)
            previous = last + 1
        kept.extend(lines[previous:])
        line_map.extend(range(previous + 1, len(lines) + 1))
        self.text, self.line_map = "\n".join(kept), line_map

    def steps(self) -> list[tuple[int, int, str | None]]:
        """The cuts, and the lines to leave out as ``(line, line, None)``, in
        line order: blank and comment-only lines outside the statements,
        unless the line before ends in a backslash (or it is the last line,
        which keeps the text's final newline)."""
        lines, inside = self.lines, self.inside
        steps: list[tuple[int, int, str | None]] = []
        line = inside.find(0)
        for cut in [*self.cuts, None]:
            end = len(lines) - 1 if cut is None else cut[0]
            while 0 <= line < end:
                stripped = lines[line].lstrip(" \t\f")
                if (not stripped or stripped[0] == "#") and not (line and lines[line - 1].endswith("\\")):
                    steps.append((line, line, None))
                line = inside.find(0, line + 1)
            if cut is not None:
                steps.append(cut)
                line = inside.find(0, cut[1] + 1)
        return steps

    def mark(self, first: int, last: int) -> None:
        """Lines ``first`` to ``last`` (1-based) are inside a statement."""
        if last > first:
            self.inside[first - 1:last] = b"\x01" * (last - first + 1)
        else:
            self.inside[first - 1] = 1

    def block(self, statements: list, in_class: bool, depth: int) -> None:
        """Walk ``statements``, a block ``depth`` blocks deep (0: the module)."""
        self.depth = max(self.depth, depth)
        inner = depth + 1
        idle = [self.idle(stmt, in_class) for stmt in statements]
        some_kept = not all(idle)  # else the first statement stays
        for number, stmt in enumerate(statements):
            if idle[number] and (number or some_kept) and self.owns_lines(statements, number):
                self.cuts.append((stmt.lineno - 1, stmt.end_lineno - 1, None))
                continue
            kind = type(stmt)
            if kind in self.function_types:
                self.function(stmt)
            elif kind is self.class_type:
                if not (in_class and self.cut_whole(stmt)):  # classes in class bodies go
                    self.header(stmt, stmt.body)
                    self.block(stmt.body, True, inner)
            elif hasattr(stmt, "body"):  # if, for, while, with, try
                self.header(stmt, stmt.body)
                self.block(stmt.body, in_class, inner)
                for handler in getattr(stmt, "handlers", ()):
                    self.header(handler, handler.body)
                    self.block(handler.body, in_class, inner)
                self.block(getattr(stmt, "orelse", ()), in_class, inner)  # an ``elif`` is an If there
                self.block(getattr(stmt, "finalbody", ()), in_class, inner)
            elif hasattr(stmt, "cases"):  # match
                self.mark(stmt.lineno, max(stmt.lineno, stmt.cases[0].pattern.lineno - 1))
                for case in stmt.cases:
                    self.mark(case.pattern.lineno, max(case.pattern.lineno, _first_line(case.body[0]) - 1))
                    self.block(case.body, in_class, inner)
            else:
                if kind is self.ast.AnnAssign:
                    self.plain_annotation(stmt.annotation)
                self.mark(stmt.lineno, stmt.end_lineno)

    def idle(self, stmt: Any, in_class: bool) -> bool:
        """Is ``stmt`` a statement the index ignores (in a class body if
        ``in_class``; see _Indexer.small_statement and _class_small)?"""
        ast, kind = self.ast, type(stmt)
        if kind is ast.Expr:  # module level: calls of ``__all__.method`` count
            call = stmt.value
            return in_class or not (
                type(call) is ast.Call and type(call.func) is ast.Attribute
                and type(call.func.value) is ast.Name and call.func.value.id == "__all__"
            )
        if kind is ast.AnnAssign:
            return stmt.value is None
        if kind is ast.AugAssign:
            return in_class or not (type(stmt.target) is ast.Name and stmt.target.id == "__all__")
        return kind in self.idle_types or (in_class and kind in self.module_only_types)

    def owns_lines(self, statements: list, number: int) -> bool:
        """Does statement ``number`` of block ``statements`` have its lines to
        itself (starts its line, shares none with its neighbours)?"""
        stmt = statements[number]
        return (
            _INDENT.match(self.lines[stmt.lineno - 1]).end() == stmt.col_offset
            and (number == 0 or statements[number - 1].end_lineno < stmt.lineno)
            and (number + 1 == len(statements) or statements[number + 1].lineno > stmt.end_lineno)
        )

    def plain_annotation(self, annotation: Any) -> None:
        """Write the ``annotation`` of an annotated assignment, which the index
        ignores, as a name of the same width (``x: _         = 1``) when it
        is more than a name or a string, on one line of ASCII text (where
        byte offsets are character offsets)."""
        if type(annotation) in (self.ast.Name, self.ast.Constant) or annotation.lineno != annotation.end_lineno:
            return
        number, start, end = annotation.lineno - 1, annotation.col_offset, annotation.end_col_offset
        line = self.lines[number]
        if line.isascii():
            self.lines[number] = line[:start] + "_" + " " * (end - start - 1) + line[end:]

    def decorators(self, stmt: Any) -> None:
        """Mark the lines from the first decorator of ``stmt`` to its keyword."""
        if stmt.decorator_list:
            self.mark(_first_line(stmt), stmt.lineno - 1)

    def header(self, stmt: Any, body: list) -> None:
        """Mark the header of compound statement ``stmt``, decorators included."""
        if getattr(stmt, "decorator_list", None):
            self.decorators(stmt)
        self.mark(stmt.lineno, max(stmt.lineno, _first_line(body[0]) - 1))

    def function(self, stmt: Any) -> None:
        self.decorators(stmt)
        first = stmt.body[0]
        if first.lineno == stmt.lineno:  # def f(): ... stays
            self.mark(stmt.lineno, stmt.end_lineno)
            return
        line = self.lines[stmt.lineno - 1]
        match = _DEF_LINE.match(line)
        # the line starts with the statement (an ASCII indent, so its byte
        # offset is its character offset)
        indent = _INDENT.match(line).end()
        if match is not None and indent == stmt.col_offset:
            if stmt.decorator_list:
                replacement = line[: match.end(2)] + "(): pass"
            else:
                replacement = line[:indent] + "pass"
                self.stubs[stmt.lineno] = (match.group(2), match.start(2) + 1, match.group(1) is not None)
            self.cuts.append((stmt.lineno - 1, stmt.end_lineno - 1, replacement))
            return
        start = _first_line(first) - 1  # the body alone becomes ``pass`` if it starts a line
        indent = _INDENT.match(self.lines[start]).end()
        if getattr(first, "decorator_list", None) or indent == first.col_offset:
            self.mark(stmt.lineno, max(stmt.lineno, start))
            self.cuts.append((start, stmt.end_lineno - 1, self.lines[start][:indent] + "pass"))
        else:
            self.mark(stmt.lineno, stmt.end_lineno)

    def cut_whole(self, stmt: Any) -> bool:
        """Replace ``stmt`` (decorators included) by ``pass`` when its first
        line starts with it; say whether it did."""
        start = _first_line(stmt) - 1
        indent = _INDENT.match(self.lines[start]).end()
        if stmt.decorator_list:
            starts_line = self.lines[start].startswith("@", indent)
        else:
            starts_line = indent == stmt.col_offset
        if starts_line:
            self.cuts.append((start, stmt.end_lineno - 1, self.lines[start][:indent] + "pass"))
        return starts_line


def _first_line(stmt: Any) -> int:
    """The first line of ``stmt``, its decorators included."""
    decorators = getattr(stmt, "decorator_list", None)
    return min([stmt.lineno] + [d.lineno for d in decorators]) if decorators else stmt.lineno


# -- a thread with a big stack ------------------------------------------------


def _stack_is_roomy() -> bool:
    """Is this thread roomy enough for shallow skeletons (see _SHALLOW_BLOCKS)?

    It is the main thread (its stack is the size the ``RLIMIT_STACK`` limit
    gives, checked once; unknown, as on Windows, counts as too small) and has
    _ROOMY_FRAMES frames to spare below the recursion limit, so a shallow
    skeleton meets no limit here that it would not meet on the parse thread.
    After a ``fork`` from another thread the main thread is that thread: never
    roomy then.
    """
    global _main_stack_roomy
    if threading.current_thread() is not threading.main_thread():
        return False
    if _main_stack_roomy is None:
        _main_stack_roomy = _main_stack_size_roomy()
    if not _main_stack_roomy:
        return False
    deepest = sys.getrecursionlimit() - _ROOMY_FRAMES
    if deepest <= 0:
        return False
    try:
        sys._getframe(deepest)  # raises when the stack has fewer frames
    except ValueError:
        return True
    return False


def _main_stack_size_roomy() -> bool:
    try:
        import resource
    except ImportError:
        return False
    try:
        limit = resource.getrlimit(resource.RLIMIT_STACK)[0]
    except (OSError, ValueError):
        return False
    return limit == resource.RLIM_INFINITY or limit >= _ROOMY_STACK_BYTES


#: whether the main thread's stack is roomy (None: not known yet)
_main_stack_roomy: bool | None = None


def _in_big_stack_thread(fn: Any, *args: Any) -> Any:
    """Run ``fn(*args)`` on fallint's parse thread and return its result.

    libcst recurses on the C stack; a secondary thread's default stack can be
    small (512 KiB on macOS), so parsing always happens on a thread of our own
    with a 64 MiB stack.  The thread is started once and kept (daemon): a new
    thread per file costs more than a millisecond, its stack being too big for
    the C library's cache of thread stacks.  Calls from several threads are
    served one at a time; a call made on the parse thread itself runs inline.
    """
    if threading.current_thread().name == _PARSE_THREAD_NAME:
        return fn(*args)
    jobs = _parse_thread_jobs()
    if jobs is None:  # cannot start a thread: parse on this one
        return fn(*args)
    done = threading.Lock()
    done.acquire()
    box: list = []
    jobs.put((fn, args, box, done))
    done.acquire()
    ok, value = box[0]
    if ok:
        return value
    raise value


_PARSE_THREAD_NAME = "fallint-parse"
_STACK_LOCK = threading.Lock()
_parse_jobs: Any = None  # the parse thread's queue.SimpleQueue, once started


def _parse_thread_jobs() -> Any:
    """The job queue of the parse thread, starting the thread on first use."""
    global _parse_jobs
    with _STACK_LOCK:
        if _parse_jobs is not None:
            return _parse_jobs
        import queue

        jobs: Any = queue.SimpleQueue()
        previous = threading.stack_size()
        try:
            threading.stack_size(_PARSE_STACK_BYTES)
        except (ValueError, RuntimeError):  # platform refuses: use the default
            pass
        try:
            threading.Thread(target=_serve, args=(jobs,), name=_PARSE_THREAD_NAME, daemon=True).start()
        except RuntimeError:
            return None
        finally:
            threading.stack_size(previous)
        _parse_jobs = jobs
        return jobs


def _serve(jobs: Any) -> None:
    while True:
        fn, args, box, done = jobs.get()
        try:
            box.append((True, fn(*args)))
        except BaseException as exc:  # re-raised in the caller's thread
            box.append((False, exc))
        fn = args = box = None  # keep nothing of the job alive
        done.release()


def _forget_parse_thread() -> None:
    """In a forked child the parse thread does not exist: start a new one.
    The child's main thread is the thread that forked: roomy only if that
    was the main thread."""
    global _STACK_LOCK, _parse_jobs, _main_stack_roomy
    _STACK_LOCK = threading.Lock()
    _parse_jobs = None
    if not _forked_from_main:
        _main_stack_roomy = False


_forked_from_main = True


def _note_forking_thread() -> None:
    global _forked_from_main
    _forked_from_main = threading.current_thread() is threading.main_thread()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(before=_note_forking_thread, after_in_child=_forget_parse_thread)


_LIBCST_AT = re.compile(r"error at (\d+):(\d+)")


def _syntax_error(text: str, exc: Any) -> PySyntaxError:
    """A :class:`PySyntaxError` with the best position available.

    libcst's positions for syntax errors are coarse (tokenizer errors all
    report line 1; parser errors point past the offending token), so the
    location and wording come from CPython's parser when it rejects the source
    at a credible place (``compile(..., PyCF_ONLY_AST)`` parses only, nothing
    is executed); otherwise from libcst's message.  CPython's place is not
    credible when libcst accepts everything up to it: that is syntax newer
    than the running interpreter (a PEP 695 ``type`` line on Python 3.11).
    """
    detail = str(exc).splitlines()
    reason = detail[1].strip() if len(detail) > 1 else "invalid syntax"
    match = _LIBCST_AT.search(reason)
    if match:
        line, column = int(match.group(1)), int(match.group(2)) + 1
        reason = reason[match.end():].lstrip(": ")
    else:
        line, column = getattr(exc, "raw_line", 1) or 1, (getattr(exc, "raw_column", 0) or 0) + 1
        reason = reason.split(":", 1)[-1].strip() if ":" in reason else reason
    fallback = PySyntaxError(f"invalid syntax: {reason}" if reason else "invalid syntax", line, column)

    cpython = _cpython_syntax_error(text)
    if cpython is None or (match and cpython.line > line):
        return fallback
    if _libcst_accepts_prefix(text, cpython.line):
        return fallback
    return cpython


def _cpython_syntax_error(text: str) -> PySyntaxError | None:
    import ast

    try:
        compile(text, "<source>", "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except SyntaxError as err:
        if err.lineno:
            return PySyntaxError(err.msg or "invalid syntax", err.lineno, max(err.offset or 1, 1))
    except (ValueError, RecursionError, MemoryError, OverflowError):
        pass
    return None


def _libcst_accepts_prefix(text: str, line: int) -> bool:
    """Does libcst parse the first ``line`` lines (a trailing block header
    gets a ``pass`` body)?"""
    import libcst as cst

    lines = text.splitlines()[:line]
    if not lines:
        return False
    last = lines[-1]
    if last.split("#", 1)[0].rstrip().endswith(":"):
        indent = len(last) - len(last.lstrip())
        lines.append(" " * (indent + 4) + "pass")
    try:
        cst.parse_module("\n".join(lines) + "\n")
    except Exception:
        return False
    return True


# -- nesting guard ---------------------------------------------------------

_CLOSER = {"(": ")", "[": "]", "{": "}"}
_QUOTES = ('"' * 3, "'" * 3, '"', "'")  # longest first
_STRING_START = re.compile("([rRbBuUfFtT]{0,2})(" + "|".join(_QUOTES) + ")")
_STRING_FIRST = frozenset("rRbBuUfFtT\"'")  # what a _STRING_START match starts with
_WORD = re.compile(r"[^\W\d]\w*")
_NUMBER = re.compile(r"\.?\d[\w.]*")
_OPERATOR = re.compile(r"\*\*|//|<<|>>|:=|->|[=!<>]=|[-+*/%@&|^~<>.]")
_BLANKS = re.compile(r"[ \t\f\r]+")
_LEADING_BLANKS = re.compile(r"[ \t\f\r]*")


def _simple_line_pattern(depth: int) -> Any:
    """A line that the scanner below crosses from the root without event: no
    backslash, every bracket closed on the line (at most ``depth`` deep), and
    every quote part of a one-line string without ``{`` or ``}`` that the
    scanner takes for one (its prefix not after a word, a number or a quote),
    and optionally a comment at the end."""
    string = (
        r"""(?<![\w."'])[rRbBuUfFtT]{0,2}"""
        r"""(?:"{3}[^"\\\n{}]*"{3}|'{3}[^'\\\n{}]*'{3}|"[^"\\\n{}]*"|'[^'\\\n{}]*')"""
    )
    plain = r"""[^"'\\#\n()\[\]{}]"""
    code = f"(?:{plain}|{string})*"
    for _ in range(depth):
        bracketed = rf"(?:\({code}\)|\[{code}\]|\{{{code}\}})"
        code = f"(?:{plain}|{string}|{bracketed})*"
    return re.compile(rf"{code}(?:#[^\n]*)?(?=\n|\Z)")


@lru_cache(maxsize=None)
def _simple_line() -> Any:
    """:func:`_simple_line_pattern` 3 brackets deep (well within
    MAX_BRACKET_DEPTH), compiled on first use: ~4 ms, which a warm run,
    parsing nothing, does not pay."""
    return _simple_line_pattern(3)
#: operator -> precedence level (low to high).  An operator nests one level
#: and starts a new operand, so the counts of higher levels restart; libcst
#: keeps comparison chains flat (level 5: restart only).  The trailer level
#: covers ``.``, calls, subscripts and displays.
_LEVEL = {
    "lambda": 0, "yield": 0, ":=": 0, "if": 1, "else": 1, "or": 2, "and": 3, "not": 4,
    "in": 5, "is": 5, "==": 5, "!=": 5, "<": 5, ">": 5, "<=": 5, ">=": 5,
    "|": 6, "^": 7, "&": 8, "<<": 9, ">>": 9, "+": 10, "-": 10,
    "*": 11, "/": 11, "//": 11, "%": 11, "@": 11, "~": 12, "**": 13, "await": 14,
    ".": 15, "(": 15, "[": 15, "{": 15,
}
_FLAT_LEVEL = 5
_LEVELS = 16
#: (quote, f-string) -> pattern matching the run of string characters from
#: which nothing but the character after them can end the string, open a
#: replacement field or end a format spec (see :class:`_Frame`)
_STRING_RUNS: dict[tuple[str | None, bool], Any] = {}


def _string_run(quote: str | None, fstring: bool) -> Any:
    run = _STRING_RUNS.get((quote, fstring))
    if run is None:
        stops = "\\\\\n"  # a backslash, a newline,
        stops += re.escape(quote[0]) if quote else "}"  # the quote (the end of a format spec),
        stops += "{" if fstring else ""  # a replacement field
        run = _STRING_RUNS[(quote, fstring)] = re.compile(f"[^{stops}]*")
    return run


class _Frame:
    """One level of the nesting scanner: code (in brackets or an f-string
    replacement field), or a string (``quote`` None = an f-string format spec,
    which ends at ``}``).  ``base`` is the nesting on entry, ``count`` the
    nesting added by the operators of the current comma-separated segment,
    ``levels`` its operators per precedence level and ``high`` at least the
    highest level counted there (-1: none); ``run`` skips a string's
    uneventful characters."""

    __slots__ = ("code", "closer", "quote", "fstring", "base", "count", "brackets", "levels", "high", "run")

    def __init__(
        self, code: bool, base: int, brackets: int, closer: str = "",
        quote: str | None = None, fstring: bool = False,
    ) -> None:
        self.code, self.closer, self.quote, self.fstring = code, closer, quote, fstring
        self.base, self.count, self.brackets = base, 0, brackets
        self.levels = [0] * _LEVELS
        self.high = -1
        self.run = None if code else _string_run(quote, fstring)

    def operator(self, level: int) -> None:
        if self.high > level:
            higher = self.levels[level + 1:]
            self.count -= sum(higher)
            self.levels[level + 1:] = [0] * len(higher)
            self.high = level
        if level != _FLAT_LEVEL:
            self.levels[level] += 1
            self.count += 1
            if level > self.high:
                self.high = level

    def restart(self) -> None:
        if self.high >= 0:
            self.levels = [0] * _LEVELS
            self.high = -1
        self.count = 0


def _nesting_problem(text: str) -> tuple[str, int, int] | None:
    """Estimate how deeply libcst would have to recurse; report the first
    place past the limits as ``(message, line, column)``, else None (see
    :func:`_scan_nesting`)."""
    return _scan_nesting(text)[0]


def _scan_nesting(text: str) -> tuple[tuple[str, int, int] | None, int]:
    """``(problem, tokens)``: the first place past the nesting limits as
    ``(message, line, column)`` (or None), and at least the number of tokens
    of the longest logical line (a bound on how deeply anything in one can
    nest; strings count as one token).

    A small tokenizer: skips comments and strings (f-string replacement fields
    are scanned as code), tracks bracket depth, and follows operator chains
    within one comma-separated segment by precedence: ``a.b.c``,
    ``not not x``, ``1+1+1`` and ``x[0][0]`` nest one level per operator,
    ``a*b + c*d`` two.  ``elif`` chains nest too.  Real code stays far below
    the limits (CPython itself refuses more than 200 nested brackets).
    """
    n = len(text)
    i, line, line_start = 0, 1, 0
    stack = [_Frame(True, 0, 0)]
    elif_run: dict[int, int] = {}
    at_line_start = True
    #: at a line start, at the root, nothing counted: lines that _simple_line()
    #: matches need no scanning but the ``elif`` bookkeeping (their operators
    #: cannot count past MAX_NESTING: they are fewer than their characters)
    line_fresh = True
    tokens = most_tokens = 0  # in the current logical line, in the longest
    simple_line = _simple_line().match

    while i < n:
        if line_fresh:
            line_fresh = False
            while True:
                simple = simple_line(text, i)
                if simple is None or simple.end() - i > MAX_NESTING:
                    break
                first = _LEADING_BLANKS.match(text, i).end()
                if first < n and text[first] not in "#\n":
                    column = first - line_start + 1
                    if _elif_chain_too_long(elif_run, text, first, column):
                        return ("elif chain too long to analyse", line, column), most_tokens
                most_tokens = max(most_tokens, simple.end() - i)  # no more tokens than characters
                i = simple.end() + 1
                if i > n:
                    return None, most_tokens
                line, line_start = line + 1, i
            if i == n:
                break
        frame = stack[-1]
        if not frame.code:  # inside a string
            i = frame.run.match(text, i).end()
            if i == n:
                break
            ch = text[i]
            if ch == "\\":
                if text.startswith("\n", i + 1):
                    line, line_start = line + 1, i + 2
                i += 2
            elif ch == "\n":
                line, line_start = line + 1, i + 1
                if frame.quote is not None and len(frame.quote) == 1:
                    stack.pop()  # unterminated: the parser will say so
                i += 1
            elif frame.quote is not None and text.startswith(frame.quote, i):
                stack.pop()
                i += len(frame.quote)
            elif frame.fstring and frame.quote is not None and text.startswith("{{", i):
                i += 2
            elif frame.fstring and ch == "{":
                field = _Frame(True, frame.base + 1, frame.brackets + 1, closer="}")
                stack.append(field)
                tokens += 1
                if field.brackets > MAX_BRACKET_DEPTH:
                    return ("f-strings nested too deeply to analyse", line, i - line_start + 1), most_tokens
                i += 1
            elif frame.quote is None and ch == "}":  # end of a format spec and its field
                del stack[-2:]
                i += 1
            else:
                i += 1
            continue

        ch = text[i]
        if ch == "\n":
            line, line_start = line + 1, i + 1
            if len(stack) == 1:
                frame.restart()
                at_line_start = line_fresh = True
                most_tokens = max(most_tokens, tokens)
                tokens = 0
            i += 1
            continue
        if ch in " \t\f\r":
            i = _BLANKS.match(text, i).end()
            continue
        if ch == "\\" and text.startswith("\n", i + 1):
            line, line_start = line + 1, i + 2
            i += 2
            continue
        if ch == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        column = i - line_start + 1
        tokens += 1
        if at_line_start and len(stack) == 1:
            at_line_start = False
            if _elif_chain_too_long(elif_run, text, i, column):
                return ("elif chain too long to analyse", line, column), most_tokens
        if ch in _STRING_FIRST:
            string = _STRING_START.match(text, i)
            if string and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
                prefix = string.group(1).lower()
                fstring = "f" in prefix or "t" in prefix
                stack.append(_Frame(False, frame.base + frame.count, frame.brackets,
                                    quote=string.group(2), fstring=fstring))
                i = string.end()
                continue
        word = _WORD.match(text, i) or _NUMBER.match(text, i)
        if word:
            level = _LEVEL.get(word.group())
            if level is not None:
                frame.operator(level)
            i = word.end()
        elif ch in _CLOSER:
            frame.operator(_LEVEL[ch])  # a call, subscript or display nests one level
            inner = _Frame(True, frame.base + frame.count, frame.brackets + 1, closer=_CLOSER[ch])
            stack.append(inner)
            if inner.brackets > MAX_BRACKET_DEPTH:
                return ("too many nested parentheses", line, column), most_tokens
            i += 1
        elif ch in ")]}":
            if len(stack) > 1:
                stack.pop()
            i += 1
        elif ch in ",;":
            frame.restart()
            i += 1
        elif (ch in ":!" and frame.closer == "}" and len(stack) > 1 and not stack[-2].code
              and not text.startswith(("!=", ":="), i)):
            # conversion / format spec of an f-string field: text up to "}"
            stack.append(_Frame(False, frame.base, frame.brackets, quote=None, fstring=True))
            i += 1
        else:
            op = _OPERATOR.match(text, i)
            if op is None:
                i += 1
                continue
            level = _LEVEL.get(op.group())
            if level is not None:
                frame.operator(level)
            i = op.end()
        top = stack[-1]
        if top.base + top.count > MAX_NESTING:
            return ("expression nested too deeply to analyse", line, column), most_tokens
    return None, max(most_tokens, tokens)


def _elif_chain_too_long(elif_run: dict[int, int], text: str, i: int, column: int) -> bool:
    """Note the statement starting at ``i`` (in ``column``) in ``elif_run``,
    the length of the ``elif`` chain in each column; True past the limit."""
    word = _WORD.match(text, i)
    keyword = word.group() if word else ""
    if keyword == "elif":
        elif_run[column] = elif_run.get(column, 0) + 1
        return elif_run[column] > MAX_NESTING
    if keyword != "else" and elif_run:
        for level in [k for k in elif_run if k >= column]:
            del elif_run[level]
    return False


# -- positions --------------------------------------------------------------
#
# libcst's ``PositionProvider`` computes a range for every node of the module
# by generating its code with line/column bookkeeping on every token: most of
# the cost of indexing a file, for the few dozen positions the index keeps.
# :class:`_CodegenPositions` generates the code once with a state that only
# notes, per node, how many tokens preceded its syntactic start and end (where
# ``PositionProvider`` records them: ``record_syntactic_position``), and turns
# the token count into a line and column for the nodes actually asked about;
# the code of most values is then a slice of the text.  It relies on libcst's
# code-generation protocol (``CSTNode._codegen`` and ``CodegenState``);
# should that change, or should the generated code not be the source text,
# the index falls back to ``PositionProvider``.

#: libcst's notion of a line break (``libcst.metadata.position_provider``)
_NEWLINE = re.compile(r"\r\n?|\n")


class _NoFastPosition(Exception):
    """The fast position path cannot answer: use ``PositionProvider``."""


class _NullContext:
    """A reusable no-op context manager (cheaper than ``contextlib``'s)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> bool:
        return False


_NULL_CONTEXT = _NullContext()
_STATE_CLASSES: list = []


def _state_classes() -> tuple[type, type]:
    """``(plain, recording)`` code-generation states, built on first use
    (they subclass libcst's ``CodegenState``, so libcst is imported then)."""
    if not _STATE_CLASSES:
        from libcst._nodes.internal import CodegenState

        class _PlainState(CodegenState):
            """Generates code without any position bookkeeping."""

            __slots__ = ()

            def record_syntactic_position(self, node: Any, **_: Any) -> _NullContext:
                return _NULL_CONTEXT

        class _RecordingState(CodegenState):
            """Notes the token counts at each node's syntactic start and end
            (it is the context manager ``record_syntactic_position`` returns)."""

            __slots__ = ("starts", "ends", "open")

            def __init__(self, default_indent: str, default_newline: str) -> None:
                super().__init__(default_indent=default_indent, default_newline=default_newline)
                self.starts: dict[int, int] = {}
                self.ends: dict[int, int] = {}
                self.open: list[int] = []

            def record_syntactic_position(self, node: Any, **_: Any) -> Any:
                key = id(node)
                self.starts[key] = len(self.tokens)
                self.open.append(key)
                return self

            def __enter__(self) -> None:
                return None

            def __exit__(self, *exc: Any) -> bool:
                self.ends[self.open.pop()] = len(self.tokens)
                return False

        _STATE_CLASSES[:] = [_PlainState, _RecordingState]
    return _STATE_CLASSES[0], _STATE_CLASSES[1]


def _generate(module: Any, node: Any, state_class: type) -> Any:
    state = state_class(module.default_indent, module.default_newline)
    node._codegen(state)
    return state


class _Positions:
    """Where nodes start: ``positions(node) -> (line, column)``, 1-based; and
    ``positions.source(node)``, the node's code.  ``line_map[i]`` is the line
    of the file that line ``i + 1`` of the parsed text is (for a skeleton).
    Subclasses give ``start(node)`` (line in the parsed text, column), or
    ``__call__`` itself."""

    def __init__(self, module: Any, line_map: list[int] | None) -> None:
        self.module = module
        self.line_map = line_map

    def __call__(self, node: Any) -> tuple[int, int]:
        line, column = self.start(node)
        return (self.line_map[line - 1] if self.line_map is not None else line), column

    def start(self, node: Any) -> tuple[int, int]:
        raise NotImplementedError

    def source(self, node: Any) -> str:
        raise NotImplementedError


class _CodegenPositions(_Positions):
    """Start positions from one code generation pass (see above)."""

    def __init__(self, module: Any, text: str, line_map: list[int] | None) -> None:
        super().__init__(module, line_map)
        try:
            state = _generate(module, module, _state_classes()[1])
        except RecursionError:
            raise
        except Exception as exc:  # libcst's internals changed
            raise _NoFastPosition() from exc
        tokens: list[str] = state.tokens
        if "".join(tokens) != text:
            raise _NoFastPosition()
        self.text = text
        self.starts: dict[int, int] = state.starts
        self.ends: dict[int, int] = state.ends
        #: token index -> character offset
        self.offsets = list(accumulate(map(len, tokens), initial=0))
        self.line_ends = [m.end() for m in _NEWLINE.finditer(text)]
        self.line_starts = [0, *self.line_ends]

    def __call__(self, node: Any) -> tuple[int, int]:
        token = self.starts.get(id(node))
        if token is None:
            raise _NoFastPosition()
        offset = self.offsets[token]
        line = bisect_right(self.line_ends, offset)  # 0-based
        column = offset - self.line_starts[line] + 1
        return (self.line_map[line] if self.line_map is not None else line + 1), column

    def source(self, node: Any) -> str:
        """The code of ``node`` (an expression) as libcst generates it alone.

        That is its syntactic range in the text when it has no parentheses of
        its own (libcst generates everything else of an expression inside its
        syntactic position) and that range is one line (else the lines after
        the first lack the indentation of the enclosing blocks when generated
        alone); otherwise it is generated."""
        key = id(node)
        end = self.ends.get(key)
        parentheses = getattr(node, "lpar", None)
        if end is not None and parentheses is not None and not parentheses:
            code = self.text[self.offsets[self.starts[key]]:self.offsets[end]]
            if "\n" not in code and "\r" not in code:
                return code
        return "".join(_generate(self.module, node, _state_classes()[0]).tokens)


class _ProviderPositions(_Positions):
    """Start positions from libcst's ``PositionProvider`` (the reference)."""

    def __init__(self, module: Any, line_map: list[int] | None) -> None:
        from libcst.metadata import MetadataWrapper, PositionProvider

        super().__init__(module, line_map)
        self.positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)

    def start(self, node: Any) -> tuple[int, int]:
        start = self.positions[node].start
        return start.line, start.column + 1

    def source(self, node: Any) -> str:
        return self.module.code_for_node(node)


# -- the CST walk ----------------------------------------------------------


class _Indexer:
    def __init__(
        self, module: Any, positions: Any, stubs: dict[int, tuple[str, int, bool]] | None = None,
    ) -> None:
        import libcst as cst

        self.cst = cst
        self.module = module
        #: ``pos(node) -> (line, column)`` and ``source(node) -> code``
        self.pos = positions
        self.source = positions.source
        #: the skeleton's functions left as ``pass`` lines (see _SkeletonPlan)
        self.stubs = stubs or {}
        self.index = ModuleIndex()
        self.order = 0

    # helpers ----------------------------------------------------------------

    def next_order(self) -> int:
        self.order += 1
        return self.order

    def dotted(self, node: Any) -> str | None:
        cst = self.cst
        parts = []
        while isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        if isinstance(node, cst.Name):
            parts.append(node.value)
            return ".".join(reversed(parts))
        return None

    def value(self, node: Any) -> Value:
        line, column = self.pos(node)
        source = self.source(node)
        if len(source) > MAX_VALUE_SOURCE:  # keep the index small: big data is not a setting
            return Value(source[:MAX_VALUE_SOURCE] + "...", line, column)
        ok, literal = self.literal(node)
        return Value(source, line, column, ok, literal if ok else None)

    def literal(self, node: Any) -> tuple[bool, Any]:
        cst = self.cst
        if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
            value = node.evaluated_value
            return (isinstance(value, str), value if isinstance(value, str) else None)
        if isinstance(node, cst.Integer):
            return True, node.evaluated_value
        if isinstance(node, cst.Float):
            value = node.evaluated_value
            return (math.isfinite(value), value if math.isfinite(value) else None)
        if isinstance(node, cst.Name) and node.value in ("True", "False", "None"):
            return True, {"True": True, "False": False, "None": None}[node.value]
        if isinstance(node, cst.UnaryOperation) and isinstance(node.operator, (cst.Minus, cst.Plus)):
            ok, inner = self.literal(node.expression)
            if ok and isinstance(inner, (int, float)) and not isinstance(inner, bool):
                return True, -inner if isinstance(node.operator, cst.Minus) else inner
            return False, None
        if isinstance(node, (cst.List, cst.Tuple)):
            items = []
            for element in node.elements:
                if not isinstance(element, cst.Element):
                    return False, None
                ok, item = self.literal(element.value)
                if not ok:
                    return False, None
                items.append(item)
            return True, items
        if isinstance(node, cst.Dict):
            result = {}
            for element in node.elements:
                if not isinstance(element, cst.DictElement):
                    return False, None
                ok_key, key = self.literal(element.key)
                ok_value, item = self.literal(element.value)
                if not (ok_key and ok_value and isinstance(key, str)):
                    return False, None
                result[key] = item
            return True, result
        return False, None

    def decorator(self, expr: Any) -> Decorator:
        line, column = self.pos(expr)
        if isinstance(expr, self.cst.Call):
            args, keywords = [], {}
            for arg in expr.args:
                if arg.keyword is not None:
                    keywords[arg.keyword.value] = self.value(arg.value)
                elif not arg.star:
                    args.append(self.value(arg.value))
            return Decorator(self.dotted(expr.func), True, line, column, args, keywords)
        return Decorator(self.dotted(expr), False, line, column)

    def applied(self, value: Any) -> Decorator | None:
        """For ``<callable>(...)`` describe ``<callable>`` like a decorator."""
        if isinstance(value, self.cst.Call):
            return self.decorator(value.func)
        return None

    def target_names(self, target: Any) -> list[Any]:
        """Name nodes bound by an assignment target (unpacking included)."""
        cst = self.cst
        if isinstance(target, cst.Name):
            return [target]
        if isinstance(target, (cst.Tuple, cst.List)):
            names = []
            for element in target.elements:
                names.extend(self.target_names(element.value))
            return names
        if isinstance(target, cst.StarredElement):
            return self.target_names(target.value)
        return []

    # walk ---------------------------------------------------------------------

    def run(self) -> ModuleIndex:
        self.block(self.module.body, fallback=False)
        return self.index

    def block(self, statements: Any, fallback: bool) -> None:
        """Index module-level ``statements`` (a block's statements, or the small
        statements of a one-line suite such as ``if x: y = 1``)."""
        cst = self.cst
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self.small_statement(small, fallback)
            elif isinstance(stmt, cst.BaseSmallStatement):
                self.small_statement(stmt, fallback)
            elif isinstance(stmt, cst.ClassDef):
                self.index.classes.append(self.class_entry(stmt, fallback))
            elif isinstance(stmt, cst.FunctionDef):
                self.index.functions.append(self.function_entry(stmt, fallback))
            else:
                self.compound(stmt, fallback, self.block, module_level=True)

    def compound(self, stmt: Any, fallback: bool, walk: Any, module_level: bool) -> None:
        """Descend into the blocks of a compound statement with ``walk``;
        at module level, ``for`` and ``with ... as`` targets are bindings too."""
        cst = self.cst
        if isinstance(stmt, cst.If):
            walk(stmt.body.body, fallback)
            orelse = stmt.orelse
            while orelse is not None:
                walk(orelse.body.body, True)
                orelse = orelse.orelse if isinstance(orelse, cst.If) else None
        elif isinstance(stmt, (cst.Try, cst.TryStar)):
            walk(stmt.body.body, fallback)
            for handler in stmt.handlers:
                walk(handler.body.body, True)
            if stmt.orelse is not None:
                walk(stmt.orelse.body.body, fallback)
            if stmt.finalbody is not None:
                walk(stmt.finalbody.body.body, fallback)
        elif isinstance(stmt, cst.With):
            if module_level:
                for item in stmt.items:
                    if item.asname is not None:
                        self.bind_targets(item.asname.name, None, fallback)
            walk(stmt.body.body, fallback)
        elif isinstance(stmt, (cst.For, cst.While)):
            if module_level and isinstance(stmt, cst.For):
                self.bind_targets(stmt.target, None, fallback)
            walk(stmt.body.body, fallback)
            if stmt.orelse is not None:
                walk(stmt.orelse.body.body, fallback)
        elif isinstance(stmt, cst.Match):
            for number, case in enumerate(stmt.cases):
                walk(case.body.body, fallback or number > 0)

    def small_statement(self, small: Any, fallback: bool) -> None:
        cst = self.cst
        if type(small) is cst.Pass:
            stub = self.stub_entry(small, fallback)
            if stub is not None:
                self.index.functions.append(stub)
        elif isinstance(small, cst.Assign):
            for target in small.targets:
                self.bind_targets(target.target, small.value, fallback)
        elif isinstance(small, cst.AnnAssign):
            if small.value is not None:
                self.bind_targets(small.target, small.value, fallback)
        elif isinstance(small, cst.AugAssign):
            if isinstance(small.target, cst.Name) and small.target.value == "__all__":
                if isinstance(small.operator, cst.AddAssign):
                    self.extend_all(small.value)
                else:
                    self.index.all_dynamic = True
        elif isinstance(small, cst.Expr):
            self.all_call(small.value)
        elif isinstance(small, cst.Import):
            self.import_names(small, fallback)
        elif isinstance(small, cst.ImportFrom):
            self.import_from(small, fallback)
        elif isinstance(small, getattr(cst, "TypeAlias", ())):
            line, column = self.pos(small.name)
            self.index.assignments.append(
                AssignmentEntry(
                    small.name.value, line, column, self.value(small.value),
                    order=self.next_order(), fallback=fallback,
                )
            )

    def bind_targets(self, target: Any, value: Any, fallback: bool) -> None:
        cst = self.cst
        names = self.target_names(target)
        single = isinstance(target, cst.Name)
        for name in names:
            line, column = self.pos(name)
            entry = AssignmentEntry(name.value, line, column, order=self.next_order(), fallback=fallback)
            if single and value is not None:
                entry.value = self.value(value)
                entry.alias = self.dotted(value)
                entry.applied = self.applied(value)
                if name.value == "__all__":
                    self.set_all(value)
            self.index.assignments.append(entry)

    # __all__ ----------------------------------------------------------------

    def literal_names(self, node: Any) -> list[str] | None:
        ok, value = self.literal(node)
        if ok and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return value
        return None

    def set_all(self, value: Any) -> None:
        names = self.literal_names(value)
        self.index.all_names = names
        self.index.all_dynamic = names is None

    def extend_all(self, value: Any) -> None:
        names = self.literal_names(value)
        if names is None or self.index.all_names is None:
            self.index.all_names = None
            self.index.all_dynamic = True
        else:
            self.index.all_names = self.index.all_names + names

    def all_call(self, expr: Any) -> None:
        cst = self.cst
        if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)):
            return
        if self.dotted(expr.func.value) != "__all__":
            return
        method = expr.func.attr.value
        if method == "extend" and len(expr.args) == 1:
            self.extend_all(expr.args[0].value)
        elif method == "append" and len(expr.args) == 1:
            ok, item = self.literal(expr.args[0].value)
            if ok and isinstance(item, str) and self.index.all_names is not None:
                self.index.all_names = self.index.all_names + [item]
            else:
                self.index.all_names = None
                self.index.all_dynamic = True
        elif method in ("remove", "insert", "clear", "pop", "__iadd__"):
            self.index.all_names = None
            self.index.all_dynamic = True

    # imports ------------------------------------------------------------------

    def import_names(self, node: Any, fallback: bool) -> None:
        for alias in node.names:
            dotted = self.dotted(alias.name) or ""
            if alias.asname is not None:
                bound = alias.asname.name
                line, column = self.pos(bound)
                name, module = bound.value, dotted
            else:
                line, column = self.pos(alias.name)
                name = module = dotted.split(".")[0]
            self.index.imports.append(
                ImportEntry(name, line, column, module, order=self.next_order(), fallback=fallback)
            )

    def import_from(self, node: Any, fallback: bool) -> None:
        cst = self.cst
        module = self.dotted(node.module) if node.module is not None else ""
        level = len(node.relative)
        if isinstance(node.names, cst.ImportStar):
            line, column = self.pos(node)
            self.index.star_imports.append(
                StarImportEntry(module or "", line, column, level, order=self.next_order(), fallback=fallback)
            )
            return
        for alias in node.names:
            attr = alias.name.value if isinstance(alias.name, cst.Name) else self.dotted(alias.name)
            bound = alias.asname.name if alias.asname is not None else alias.name
            line, column = self.pos(bound)
            self.index.imports.append(
                ImportEntry(
                    bound.value if isinstance(bound, cst.Name) else attr,
                    line, column, module or "", level, attr,
                    order=self.next_order(), fallback=fallback,
                )
            )

    # definitions --------------------------------------------------------------

    def function_entry(self, node: Any, fallback: bool) -> FunctionEntry:
        line, column = self.pos(node.name)
        return FunctionEntry(
            node.name.value, line, column,
            [self.decorator(d.decorator) for d in node.decorators],
            node.asynchronous is not None,
            order=self.next_order(), fallback=fallback,
        )

    def stub_entry(self, node: Any, fallback: bool) -> FunctionEntry | None:
        """The function a ``pass`` statement stands for in a skeleton, if any."""
        if not self.stubs:
            return None
        line, _ = self.pos(node)
        stub = self.stubs.get(line)
        if stub is None:
            return None
        name, column, is_async = stub
        return FunctionEntry(name, line, column, [], is_async, order=self.next_order(), fallback=fallback)

    def class_entry(self, node: Any, fallback: bool) -> ClassEntry:
        cst = self.cst
        line, column = self.pos(node.name)
        entry = ClassEntry(node.name.value, line, column, order=self.next_order(), fallback=fallback)
        for arg in node.bases:
            if arg.star:
                entry.bases.append(None)
                continue
            base = arg.value
            if isinstance(base, cst.Subscript):
                base = base.value
            entry.bases.append(self.dotted(base))
        for arg in node.keywords:
            if arg.keyword is None:  # **kwargs
                continue
            entry.keywords[arg.keyword.value] = self.value(arg.value)
            entry.keyword_positions[arg.keyword.value] = list(self.pos(arg.keyword))
        entry.decorators = [self.decorator(d.decorator) for d in node.decorators]
        self._class_body(entry, node.body.body, False)
        return entry

    def _class_body(self, entry: ClassEntry, statements: Any, fallback: bool) -> None:
        cst = self.cst
        for stmt in statements:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    self._class_small(entry, small, fallback)
            elif isinstance(stmt, cst.BaseSmallStatement):
                self._class_small(entry, stmt, fallback)
            elif isinstance(stmt, cst.FunctionDef):
                entry.methods.append(self.function_entry(stmt, fallback))
            elif not isinstance(stmt, cst.ClassDef):  # nested classes: neither settings nor routes
                self.compound(stmt, fallback, lambda body, fb: self._class_body(entry, body, fb), False)

    def _class_small(self, entry: ClassEntry, small: Any, fallback: bool) -> None:
        cst = self.cst
        if type(small) is cst.Pass:
            stub = self.stub_entry(small, fallback)
            if stub is not None:
                entry.methods.append(stub)
            return
        if isinstance(small, cst.Assign):
            targets = [t.target for t in small.targets if isinstance(t.target, cst.Name)]
            value, annotated = small.value, False
        elif isinstance(small, cst.AnnAssign) and small.value is not None and isinstance(small.target, cst.Name):
            targets, value, annotated = [small.target], small.value, True
        else:
            return
        for target in targets:
            line, column = self.pos(target)
            entry.attributes.append(
                AttributeEntry(
                    target.value, line, column, self.value(value), annotated, self.applied(value),
                    order=self.next_order(), fallback=fallback,
                )
            )


# -- the ast walk ------------------------------------------------------------
#
# The interpreter's parser (``compile(..., PyCF_ONLY_AST)``: parsing only,
# nothing runs) gives every node a line and a UTF-8 byte column, which is all
# the index needs: :class:`_AstIndexer` builds the same index as
# :class:`_Indexer` does from libcst's tree, from the ``ast`` tree alone, so a
# file the running interpreter parses is parsed once and libcst is not
# imported.  libcst stays the parser of every other file (syntax newer than
# the interpreter, syntax errors, carriage returns, identifiers that NFKC
# normalisation changes, and the few constructs below that the ast walk
# leaves to it).  tests/formats/test_python_index_ast.py checks that both
# walks give identical indexes on the repository, its fixtures, the rule
# examples and the standard library.
#
# Where ``ast`` and libcst see positions differently:
#
# * libcst's position of an expression is its *syntactic* start: inside its
#   own parentheses.  ``ast`` agrees for every node but a parenthesized tuple
#   (and a generator expression, which the ast walk leaves to libcst), whose
#   range covers its innermost parentheses.
# * a value's code is what libcst generates for the node alone: its own
#   parentheses included, and on the lines after the first the indentation of
#   the enclosing block left out where a line inside brackets starts with it
#   (outside strings, not after a backslash).
# * the name of a ``def`` / ``class`` and the ``as`` name of an import have no
#   node of their own: they are found in the text from the node's start (or
#   end).


class _AstBail(Exception):
    """The ast walk leaves this file to libcst."""


#: what may separate two tokens: blanks, comments, line breaks (inside
#: brackets), backslash continuations
_GAP = re.compile(r"(?:[ \t\f\r\n]+|#[^\r\n]*|\\\r?\n)*")
#: before PEP 701 (Python 3.12) an f-string cannot contain its own quote
_FSTRINGS_LEX_AS_STRINGS = sys.version_info < (3, 12)
_STRING_PREFIX = re.compile(r"[rRbBuUfF]{0,2}('''|\"\"\"|'|\")")
_LINE_BREAK = re.compile(r"\r\n?|\n")


def _index_with_ast(text: str) -> ModuleIndex | None:
    """The index of ``text`` built from the interpreter's ``ast`` tree, or
    None when the file is left to libcst (see the section comment).  Checks
    the nesting guard first, on the skeleton libcst would have parsed, so
    that every file libcst's path refuses as too deeply nested still goes
    there (and is refused the same way)."""
    if "\r" in text or "\x00" in text:
        return None
    if not _AST_SURVIVES_NESTING and _nesting_problem(text) is not None:
        return None
    parsed = _parse_ast(text)
    if parsed is None:
        return None
    ast, tree = parsed
    # The nesting guard looks at what libcst would parse, the skeleton: a
    # file it refuses is refused as before (the ast walk itself has no use
    # for it).
    skeleton = _plan_skeleton_of(text, ast, tree)
    if skeleton is None or _scan_nesting(skeleton.text)[0] is not None:
        return None
    if not text.isascii() and _changed_identifiers(text, tree, ast):
        return None
    try:
        return _AstIndexer(text, ast).run(tree)
    except (_AstBail, RecursionError):
        return None


def _changed_identifiers(text: str, tree: Any, ast: Any) -> bool:
    """May an identifier in ``tree`` differ from its spelling in ``text``?
    The interpreter NFKC-normalises identifiers (``ﬁle`` is ``file``); libcst
    keeps them as written.  True when a character that normalisation changes
    appears outside the strings and comments of ``text``."""
    import unicodedata

    # (only characters that normalise to identifier characters can be in
    # one: not ``…``, which is ``...``)
    changed = "".join(
        c for c in set(text)
        if c > "\x7f" and (normal := unicodedata.normalize("NFKC", c)) != c and ("a" + normal).isidentifier()
    )
    if not changed:
        return False
    line_starts = [0, *(m.end() for m in _LINE_BREAK.finditer(text))]

    def offset(line: int, column: int) -> int:
        start = line_starts[line - 1]
        return start + len(text[start:].encode()[:column].decode(errors="replace"))

    strings = sorted(
        (offset(node.lineno, node.col_offset), offset(node.end_lineno, node.end_col_offset))
        for node in ast.walk(tree)
        if (type(node) is ast.Constant and isinstance(node.value, (str, bytes))) or type(node) is ast.JoinedStr
        or type(node).__name__ == "TemplateStr"
    )
    starts = [first for first, _ in strings]
    reach = list(accumulate((last for _, last in strings), max))  # the furthest end so far

    def in_string(at: int) -> bool:
        k = bisect_right(starts, at) - 1
        return k >= 0 and at < reach[k]

    for match in re.finditer("[" + re.escape(changed) + "]", text):
        at = match.start()
        if in_string(at):
            continue
        line_start = text.rfind("\n", 0, at) + 1
        hash_at = text.find("#", line_start, at)
        while hash_at >= 0:
            if not in_string(hash_at):
                break  # a comment
            hash_at = text.find("#", hash_at + 1, at)
        if hash_at < 0:
            return True
    return False


class _AstIndexer:
    """:class:`_Indexer`'s walk over an ``ast`` tree (same order, same
    entries); each method mirrors the one of the same name there."""

    def __init__(self, text: str, ast: Any) -> None:
        self.ast = ast
        self.text = text
        # no carriage returns here (see _index_with_ast): lines end at "\n"
        self.line_starts = list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))
        self.index = ModuleIndex()
        self.order = 0
        #: the indentation of the block being walked (see source())
        self.indent = ""
        self.string_types = tuple(
            t for t in (ast.JoinedStr, getattr(ast, "TemplateStr", None)) if t is not None
        )

    # positions ------------------------------------------------------------

    def column(self, line: int, byte_column: int) -> int:
        """The 0-based character column of a UTF-8 ``byte_column`` on ``line``."""
        start = self.line_starts[line - 1]
        prefix = self.text[start:start + byte_column]
        if prefix.isascii():
            return byte_column
        return len(self.text[start:].encode()[:byte_column].decode())

    def offset(self, line: int, byte_column: int) -> int:
        return self.line_starts[line - 1] + self.column(line, byte_column)

    def start(self, node: Any) -> int:
        return self.offset(node.lineno, node.col_offset)

    def end(self, node: Any) -> int:
        return self.offset(node.end_lineno, node.end_col_offset)

    def place(self, offset: int) -> tuple[int, int]:
        """``(line, column)``, 1-based, of a character ``offset``."""
        line = bisect_right(self.line_starts, offset)
        return line, offset - self.line_starts[line - 1] + 1

    def pos(self, node: Any) -> tuple[int, int]:
        return node.lineno, self.column(node.lineno, node.col_offset) + 1

    def skip(self, offset: int) -> int:
        return _GAP.match(self.text, offset).end()

    def next_order(self) -> int:
        self.order += 1
        return self.order

    # values -----------------------------------------------------------------

    def parenthesized_tuple(self, node: Any) -> bool:
        """Are the brackets at the start and end of tuple ``node`` its own?"""
        text = self.text
        start, end = self.start(node), self.end(node)
        if text[start] != "(":
            return False
        if not node.elts:
            return True
        if self.start(node.elts[0]) == start:  # ``(1, 2), 3``: the first element's
            return False
        bounds = [start + 1]
        for element in node.elts:
            bounds += [self.start(element), self.end(element)]
        bounds.append(end - 1)
        depth = 1
        for first, last in zip(bounds[::2], bounds[1::2]):
            i = self.skip(first)
            while i < last:
                ch = text[i]
                if ch == "(":
                    depth += 1
                elif ch == ")":
                    depth -= 1
                    if depth == 0:
                        return False
                i = self.skip(i + 1)
        return depth == 1 and text[end - 1] == ")"

    def value(self, node: Any, gap: int, extra: int = 0) -> Value:
        """The :class:`Value` of expression ``node``; ``gap`` is where the
        code between the previous token that is not an opening parenthesis
        and ``node`` starts, and ``extra`` how many of the opening parentheses
        there belong to something else (the call's own)."""
        ast, text = self.ast, self.text
        kind = type(node)
        if kind is ast.GeneratorExp:
            raise _AstBail()
        start, end = self.start(node), self.end(node)
        # the opening parentheses right before the node are its own
        opening = []
        i = self.skip(gap)
        while i < start:
            if text[i] == "(":
                opening.append(i)
            else:
                opening.clear()
            i = self.skip(i + 1)
        own = len(opening) - extra
        if own < 0:
            raise _AstBail()
        outer = opening[extra] if own else start
        syntactic = start
        if kind is ast.Tuple and self.parenthesized_tuple(node):
            syntactic = self.skip(start + 1)
            if not own:
                outer = start
        outer_end = end
        for _ in range(own):
            outer_end = self.skip(outer_end)
            if text[outer_end:outer_end + 1] != ")":
                raise _AstBail()
            outer_end += 1
        line, column = self.place(syntactic)
        source = text[outer:outer_end]
        if self.indent and "\n" in source:
            source = self.unindent(node, outer, source)
        if len(source) > MAX_VALUE_SOURCE:
            return Value(source[:MAX_VALUE_SOURCE] + "...", line, column)
        ok, literal = self.literal(node)
        return Value(source, line, column, ok, literal if ok else None)

    def unindent(self, node: Any, outer: int, source: str) -> str:
        """``source`` (the code of ``node`` from ``outer``) as libcst generates
        the node alone: the block's indentation left out at the start of
        each line that follows a line break between tokens."""
        strings = self.string_ranges(node)
        indent, width = self.indent, len(self.indent)
        parts, previous = [], 0
        for match in _LINE_BREAK.finditer(source):
            at = outer + match.start()
            if any(first <= at < last for first, last in strings):
                continue
            if match.start() and source[match.start() - 1] == "\\" and not self.in_comment(source, match.start()):
                continue
            after = match.end()
            if source.startswith(indent, after):
                parts.append(source[previous:after])
                previous = after + width
        parts.append(source[previous:])
        return "".join(parts)

    @staticmethod
    def in_comment(source: str, newline: int) -> bool:
        """Does the line ending at ``newline`` end in a comment?  (Strings
        are excluded by the caller; a ``#`` outside them starts one.)"""
        line_start = source.rfind("\n", 0, newline) + 1
        return "#" in source[line_start:newline]

    def string_ranges(self, node: Any) -> list[tuple[int, int]]:
        """The character ranges of the string tokens in ``node`` that span
        lines (other line breaks are between tokens)."""
        ast, text = self.ast, self.text
        ranges = []
        stack = [node]
        while stack:
            item = stack.pop()
            kind = type(item)
            if kind is ast.Constant:
                if isinstance(item.value, (str, bytes)) and item.lineno != item.end_lineno:
                    ranges.extend(self.string_tokens(item))
                continue
            if isinstance(item, self.string_types):
                if item.lineno != item.end_lineno:
                    # an f-string over several lines: before 3.12 its tokens
                    # cannot hold their own quote, so they read like strings
                    if not (_FSTRINGS_LEX_AS_STRINGS and type(item) is ast.JoinedStr):
                        raise _AstBail()
                    ranges.extend(self.string_tokens(item))
                continue
            stack.extend(ast.iter_child_nodes(item))
        return ranges

    def string_tokens(self, node: Any) -> list[tuple[int, int]]:
        """The ranges of the string tokens making up string constant ``node``."""
        text = self.text
        i, end = self.start(node), self.end(node)
        ranges = []
        while i < end:
            match = _STRING_PREFIX.match(text, i)
            if match is None:
                raise _AstBail()
            quote = match.group(1)
            j = match.end()
            while True:
                k = text.find(quote, j)
                if k < 0:
                    raise _AstBail()
                # a quote after an odd number of backslashes is escaped
                backslashes = k - len(text[j:k].rstrip("\\")) - j if text[j:k].endswith("\\") else 0
                if backslashes % 2:
                    j = k + 1
                    continue
                break
            ranges.append((i, k + len(quote)))
            i = self.skip(k + len(quote))
        return ranges

    def literal(self, node: Any) -> tuple[bool, Any]:
        ast = self.ast
        kind = type(node)
        if kind is ast.Constant:
            value = node.value
            if value is None or value is True or value is False or type(value) in (str, int):
                return True, value
            if type(value) is float:
                return (math.isfinite(value), value if math.isfinite(value) else None)
            return False, None
        if kind is ast.UnaryOp and type(node.op) in (ast.USub, ast.UAdd):
            ok, inner = self.literal(node.operand)
            if ok and isinstance(inner, (int, float)) and not isinstance(inner, bool):
                return True, -inner if type(node.op) is ast.USub else inner
            return False, None
        if kind is ast.List or kind is ast.Tuple:
            items = []
            for element in node.elts:
                if type(element) is ast.Starred:
                    return False, None
                ok, item = self.literal(element)
                if not ok:
                    return False, None
                items.append(item)
            return True, items
        if kind is ast.Dict:
            result = {}
            for key_node, value_node in zip(node.keys, node.values):
                if key_node is None:
                    return False, None
                ok_key, key = self.literal(key_node)
                ok_value, item = self.literal(value_node)
                if not (ok_key and ok_value and isinstance(key, str)):
                    return False, None
                result[key] = item
            return True, result
        return False, None

    def dotted(self, node: Any) -> str | None:
        ast = self.ast
        parts = []
        while type(node) is ast.Attribute:
            parts.append(node.attr)
            node = node.value
        if type(node) is ast.Name:
            parts.append(node.id)
            return ".".join(reversed(parts))
        if type(node) is ast.Constant and (node.value is None or node.value is True or node.value is False):
            parts.append(str(node.value))  # names in libcst's tree
            return ".".join(reversed(parts))
        return None

    def decorator(self, expr: Any) -> Decorator:
        ast = self.ast
        line, column = self.pos(expr)
        if type(expr) is ast.Call:
            args, keywords = [], {}
            items = sorted([*expr.args, *expr.keywords], key=lambda n: (n.lineno, n.col_offset))
            gap, extra = self.end(expr.func), 1
            for item in items:
                if type(item) is ast.keyword:
                    if item.arg is not None:
                        name_end = self.start(item) + len(item.arg)
                        keywords[item.arg] = self.value(item.value, name_end)
                elif type(item) is not ast.Starred:
                    args.append(self.value(item, gap, extra))
                gap, extra = self.end(item), 0
            return Decorator(self.dotted(expr.func), True, line, column, args, keywords)
        return Decorator(self.dotted(expr), False, line, column)

    def applied(self, value: Any) -> Decorator | None:
        if type(value) is self.ast.Call:
            return self.decorator(value.func)
        return None

    def target_names(self, target: Any) -> list[Any]:
        ast = self.ast
        kind = type(target)
        if kind is ast.Name:
            return [target]
        if kind is ast.Tuple or kind is ast.List:
            names = []
            for element in target.elts:
                names.extend(self.target_names(element))
            return names
        if kind is ast.Starred:
            return self.target_names(target.value)
        return []

    # walk ---------------------------------------------------------------------

    def run(self, tree: Any) -> ModuleIndex:
        self.block(tree.body, False)
        return self.index

    def body_indent(self, statements: list) -> str:
        """The indentation of block ``statements`` (the enclosing block's
        when they follow their header on its line)."""
        first = statements[0]
        line_start = self.line_starts[first.lineno - 1]
        lead = self.text[line_start:line_start + first.col_offset]
        if lead.strip(" \t\f") == "":  # an indented block (ASCII indent: bytes = characters)
            return lead
        return self.indent

    def walk_body(self, walk: Any, statements: list, fallback: bool) -> None:
        if not statements:
            return
        saved = self.indent
        self.indent = self.body_indent(statements)
        try:
            walk(statements, fallback)
        finally:
            self.indent = saved

    def block(self, statements: list, fallback: bool) -> None:
        ast = self.ast
        for stmt in statements:
            kind = type(stmt)
            if kind is ast.ClassDef:
                self.index.classes.append(self.class_entry(stmt, fallback))
            elif kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                self.index.functions.append(self.function_entry(stmt, fallback))
            elif not self.compound(stmt, fallback, self.block, module_level=True):
                self.small_statement(stmt, fallback)

    def compound(self, stmt: Any, fallback: bool, walk: Any, module_level: bool) -> bool:
        """Walk the blocks of compound statement ``stmt``; False when it is not one."""
        ast = self.ast
        kind = type(stmt)
        body = self.walk_body
        if kind is ast.If:
            body(walk, stmt.body, fallback)
            body(walk, stmt.orelse, True)
        elif kind is ast.Try or kind is getattr(ast, "TryStar", None):
            body(walk, stmt.body, fallback)
            for handler in stmt.handlers:
                body(walk, handler.body, True)
            body(walk, stmt.orelse, fallback)
            body(walk, stmt.finalbody, fallback)
        elif kind is ast.With or kind is ast.AsyncWith:
            if module_level:
                for item in stmt.items:
                    if item.optional_vars is not None:
                        self.bind_targets(item.optional_vars, None, fallback)
            body(walk, stmt.body, fallback)
        elif kind in (ast.For, ast.AsyncFor, ast.While):
            if module_level and kind is not ast.While:
                self.bind_targets(stmt.target, None, fallback)
            body(walk, stmt.body, fallback)
            body(walk, stmt.orelse, fallback)
        elif kind is getattr(ast, "Match", None):
            for number, case in enumerate(stmt.cases):
                body(walk, case.body, fallback or number > 0)
        else:
            return False
        return True

    def small_statement(self, stmt: Any, fallback: bool) -> None:
        ast = self.ast
        kind = type(stmt)
        if kind is ast.Assign:
            gap = self.end(stmt.targets[-1])
            for target in stmt.targets:
                self.bind_targets(target, stmt.value, fallback, gap)
        elif kind is ast.AnnAssign:
            if stmt.value is not None:
                self.bind_targets(stmt.target, stmt.value, fallback, self.end(stmt.annotation))
        elif kind is ast.AugAssign:
            if type(stmt.target) is ast.Name and stmt.target.id == "__all__":
                if type(stmt.op) is ast.Add:
                    self.extend_all(stmt.value)
                else:
                    self.index.all_dynamic = True
        elif kind is ast.Expr:
            self.all_call(stmt.value)
        elif kind is ast.Import:
            self.import_names(stmt, fallback)
        elif kind is ast.ImportFrom:
            self.import_from(stmt, fallback)
        elif kind is getattr(ast, "TypeAlias", None):
            line, column = self.pos(stmt.name)
            gap = self.end(stmt.type_params[-1]) if stmt.type_params else self.end(stmt.name)
            self.index.assignments.append(
                AssignmentEntry(
                    stmt.name.id, line, column, self.value(stmt.value, gap),
                    order=self.next_order(), fallback=fallback,
                )
            )

    def bind_targets(self, target: Any, value: Any, fallback: bool, gap: int = 0) -> None:
        names = self.target_names(target)
        single = type(target) is self.ast.Name
        for name in names:
            line, column = self.pos(name)
            entry = AssignmentEntry(name.id, line, column, order=self.next_order(), fallback=fallback)
            if single and value is not None:
                entry.value = self.value(value, gap)
                entry.alias = self.dotted(value)
                entry.applied = self.applied(value)
                if name.id == "__all__":
                    self.set_all(value)
            self.index.assignments.append(entry)

    # __all__ ----------------------------------------------------------------

    literal_names = _Indexer.literal_names
    set_all = _Indexer.set_all
    extend_all = _Indexer.extend_all

    def all_call(self, expr: Any) -> None:
        ast = self.ast
        if not (type(expr) is ast.Call and type(expr.func) is ast.Attribute):
            return
        if self.dotted(expr.func.value) != "__all__":
            return
        method = expr.func.attr
        arguments = [*expr.args, *expr.keywords]
        single = None
        if len(arguments) == 1:
            single = arguments[0] if type(arguments[0]) not in (ast.Starred, ast.keyword) else arguments[0].value
        if method == "extend" and single is not None:
            self.extend_all(single)
        elif method == "append" and single is not None:
            ok, item = self.literal(single)
            if ok and isinstance(item, str) and self.index.all_names is not None:
                self.index.all_names = self.index.all_names + [item]
            else:
                self.index.all_names = None
                self.index.all_dynamic = True
        elif method in ("remove", "insert", "clear", "pop", "__iadd__"):
            self.index.all_names = None
            self.index.all_dynamic = True

    # imports ------------------------------------------------------------------

    def bound_name(self, alias: Any) -> tuple[int, int]:
        """Where the name an import ``alias`` binds starts: its ``as`` name
        (the alias's last token) or else the alias's start."""
        if alias.asname is None:
            return self.pos(alias)
        return self.place(self.end(alias) - len(alias.asname))

    def import_names(self, node: Any, fallback: bool) -> None:
        for alias in node.names:
            dotted = alias.name
            line, column = self.bound_name(alias)
            if alias.asname is not None:
                name, module = alias.asname, dotted
            else:
                name = module = dotted.split(".")[0]
            self.index.imports.append(
                ImportEntry(name, line, column, module, order=self.next_order(), fallback=fallback)
            )

    def import_from(self, node: Any, fallback: bool) -> None:
        module = node.module or ""
        level = node.level or 0
        if len(node.names) == 1 and node.names[0].name == "*":
            line, column = self.pos(node)
            self.index.star_imports.append(
                StarImportEntry(module, line, column, level, order=self.next_order(), fallback=fallback)
            )
            return
        for alias in node.names:
            attr = alias.name
            line, column = self.bound_name(alias)
            self.index.imports.append(
                ImportEntry(
                    alias.asname or attr, line, column, module, level, attr,
                    order=self.next_order(), fallback=fallback,
                )
            )

    # definitions --------------------------------------------------------------

    def name_position(self, node: Any, keyword: str) -> tuple[int, int]:
        """Where the name of ``def`` / ``class`` statement ``node`` starts."""
        text = self.text
        i = self.start(node)
        if keyword == "def" and text.startswith("async", i):
            i = self.skip(i + 5)
        if not text.startswith(keyword, i):
            raise _AstBail()
        return self.place(self.skip(i + len(keyword)))

    def function_entry(self, node: Any, fallback: bool) -> FunctionEntry:
        line, column = self.name_position(node, "def")
        return FunctionEntry(
            node.name, line, column,
            [self.decorator(d) for d in node.decorator_list],
            type(node) is self.ast.AsyncFunctionDef,
            order=self.next_order(), fallback=fallback,
        )

    def class_entry(self, node: Any, fallback: bool) -> ClassEntry:
        ast = self.ast
        line, column = self.name_position(node, "class")
        entry = ClassEntry(node.name, line, column, order=self.next_order(), fallback=fallback)
        for base in node.bases:
            if type(base) is ast.Starred:
                entry.bases.append(None)
                continue
            if type(base) is ast.Subscript:
                base = base.value
            entry.bases.append(self.dotted(base))
        for keyword in node.keywords:
            if keyword.arg is None:  # **kwargs
                continue
            name_end = self.start(keyword) + len(keyword.arg)
            entry.keywords[keyword.arg] = self.value(keyword.value, name_end)
            entry.keyword_positions[keyword.arg] = list(self.pos(keyword))
        entry.decorators = [self.decorator(d) for d in node.decorator_list]
        self.walk_body(lambda body, fb: self._class_body(entry, body, fb), node.body, False)
        return entry

    def _class_body(self, entry: ClassEntry, statements: list, fallback: bool) -> None:
        ast = self.ast
        for stmt in statements:
            kind = type(stmt)
            if kind is ast.FunctionDef or kind is ast.AsyncFunctionDef:
                entry.methods.append(self.function_entry(stmt, fallback))
            elif kind is ast.ClassDef:
                continue  # nested classes: neither settings nor routes
            elif not self.compound(stmt, fallback, lambda body, fb: self._class_body(entry, body, fb), False):
                self._class_small(entry, stmt, fallback)

    def _class_small(self, entry: ClassEntry, stmt: Any, fallback: bool) -> None:
        ast = self.ast
        kind = type(stmt)
        if kind is ast.Assign:
            targets = [t for t in stmt.targets if type(t) is ast.Name]
            value, annotated, gap = stmt.value, False, self.end(stmt.targets[-1])
        elif kind is ast.AnnAssign and stmt.value is not None and type(stmt.target) is ast.Name:
            targets, value, annotated, gap = [stmt.target], stmt.value, True, self.end(stmt.annotation)
        else:
            return
        for target in targets:
            line, column = self.pos(target)
            entry.attributes.append(
                AttributeEntry(
                    target.id, line, column, self.value(value, gap), annotated, self.applied(value),
                    order=self.next_order(), fallback=fallback,
                )
            )
