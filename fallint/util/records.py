"""Lean dataclasses: ``@dataclass``, ``field``, ``fields``, ``replace``, ``asdict``.

fallint's plain-data classes were standard-library dataclasses, and on a
small project that was a third of a warm run: ``dataclasses`` imports
``inspect`` (with ``ast``, ``dis`` and ``tokenize``), and processing each
class compiles its ``__init__``, ``__repr__``, ``__eq__`` (and, when frozen,
``__setattr__``, ``__delattr__`` and ``__hash__``) one ``exec`` at a time --
about 0.35 ms a class, 25 ms for fallint's 74 classes.

This module keeps the same declarations (annotated fields, defaults,
``field(default=..., default_factory=..., compare=..., repr=...)``,
``frozen``, ``eq``, ``order``, ``__post_init__``) and the same behaviour for
what fallint uses, but writes each method of a class only when it is first
called: a class never instantiated costs nothing, one compared for equality
pays for ``__eq__`` only then, and the generated ``__init__`` is as fast as
the standard one.

Not supported (fallint does not use them): ``InitVar``, ``init=False``
fields, ``kw_only``, ``slots``, ``unsafe_hash``, ``match_args``.
"""

from __future__ import annotations

from typing import Any

__all__ = ["FrozenInstanceError", "MISSING", "Field", "asdict", "dataclass", "field", "fields", "replace"]


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


MISSING: Any = _Missing()
#: the attribute holding a record class's fields (a tuple of :class:`Field`)
_FIELDS = "__record_fields__"


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class Field:
    """One field of a record class (what :func:`fields` returns)."""

    __slots__ = ("name", "default", "default_factory", "compare", "repr")

    def __init__(self, default: Any = MISSING, default_factory: Any = MISSING,
                 compare: bool = True, repr: bool = True) -> None:
        if default is not MISSING and default_factory is not MISSING:
            raise ValueError("cannot specify both default and default_factory")
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr

    def __repr__(self) -> str:
        return f"Field(name={self.name!r})"


def field(*, default: Any = MISSING, default_factory: Any = MISSING,
          compare: bool = True, repr: bool = True) -> Any:
    """A field with a default, a default factory, or left out of ``==`` / ``repr``."""
    return Field(default, default_factory, compare, repr)


def dataclass(cls: type | None = None, /, *, frozen: bool = False, eq: bool = True,
              order: bool = False) -> Any:
    """Make ``cls`` a record class (``@dataclass`` or ``@dataclass(frozen=True, ...)``)."""

    def wrap(cls: type) -> type:
        return _process(cls, frozen, eq, order)

    return wrap if cls is None else wrap(cls)


def _is_class_var(annotation: Any) -> bool:
    if isinstance(annotation, str):
        return annotation.startswith(("ClassVar", "typing.ClassVar"))
    import typing

    return annotation is typing.ClassVar or getattr(annotation, "__origin__", None) is typing.ClassVar


def _process(cls: type, frozen: bool, eq: bool, order: bool) -> type:
    found: dict[str, Field] = {}
    for base in reversed(cls.__mro__[1:]):
        for inherited in base.__dict__.get(_FIELDS, ()):
            found[inherited.name] = inherited
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        value = cls.__dict__.get(name, MISSING)
        spec = value if isinstance(value, Field) else Field(value)
        spec.name = name
        if spec.default is not MISSING:
            setattr(cls, name, spec.default)
        elif isinstance(value, Field):
            delattr(cls, name)
        found[name] = spec
    specs = tuple(found.values())
    seen_default = False
    for spec in specs:
        has_default = spec.default is not MISSING or spec.default_factory is not MISSING
        if seen_default and not has_default:
            raise TypeError(f"non-default argument {spec.name!r} follows default argument")
        seen_default = seen_default or has_default
    setattr(cls, _FIELDS, specs)

    lazy = ["__init__", "__repr__"]
    if eq:
        lazy.append("__eq__")
    if order:
        lazy += ["__lt__", "__le__", "__gt__", "__ge__"]
    explicit_hash = "__hash__" in cls.__dict__ and not (
        cls.__dict__["__hash__"] is None and "__eq__" in cls.__dict__
    )
    if eq and not explicit_hash:
        if frozen:
            lazy.append("__hash__")
        else:
            cls.__hash__ = None  # type: ignore[assignment]
    for name in lazy:
        if name not in cls.__dict__ or name == "__hash__":
            setattr(cls, name, _placeholder(cls, name))
    if frozen:
        _freeze(cls, frozenset(found))
    return cls


#: a class's ``__init__`` is compiled once it has made this many instances;
#: until then a generic one binds the arguments (slower per call, but
#: compiling costs as much as ~50 calls, and most classes make a handful)
COMPILE_AFTER = 48


def _placeholder(cls: type, name: str) -> Any:
    """A method that writes the real method of ``cls`` on first call (for
    ``__init__``: on the :data:`COMPILE_AFTER`-th)."""
    if name == "__init__":
        return _generic_init(cls)

    def method(self: Any, *args: Any, **kwargs: Any) -> Any:
        return _build(cls, name)(self, *args, **kwargs)

    method.__name__ = method.__qualname__ = name
    method._record_placeholder = True  # type: ignore[attr-defined]
    return method


def _generic_init(cls: type) -> Any:
    """An ``__init__`` for any record class: it binds its arguments the way
    the compiled one's signature would (the same TypeErrors), and hands over
    to the compiled one after :data:`COMPILE_AFTER` instances."""
    specs = getattr(cls, _FIELDS)
    names = tuple(spec.name for spec in specs)
    count = len(names)
    post_init = hasattr(cls, "__post_init__")
    made = [0]

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        made[0] += 1
        if made[0] > COMPILE_AFTER:
            return _build(cls, "__init__")(self, *args, **kwargs)
        if len(args) > count:
            raise TypeError(f"__init__() takes {count + 1} positional arguments but {len(args) + 1} were given")
        state = self.__dict__
        for name, value in zip(names, args):
            state[name] = value
        if kwargs or len(args) < count:
            for spec in specs[len(args):]:
                field_name = spec.name
                if field_name in kwargs:
                    state[field_name] = kwargs.pop(field_name)
                elif spec.default is not MISSING:
                    state[field_name] = spec.default
                elif spec.default_factory is not MISSING:
                    state[field_name] = spec.default_factory()
                else:
                    raise TypeError(f"__init__() missing required argument: {field_name!r}")
            if kwargs:
                unexpected = next(iter(kwargs))
                if unexpected in names:
                    raise TypeError(f"__init__() got multiple values for argument {unexpected!r}")
                raise TypeError(f"__init__() got an unexpected keyword argument {unexpected!r}")
        if post_init:
            self.__post_init__()

    __init__.__qualname__ = f"{cls.__qualname__}.__init__"
    __init__._record_placeholder = True  # type: ignore[attr-defined]
    return __init__


_COMPARISONS = {"__lt__": "<", "__le__": "<=", "__gt__": ">", "__ge__": ">="}


def _build(cls: type, name: str) -> Any:
    """Write method ``name`` of ``cls`` (one ``exec``), install it in place
    of its placeholder and return it."""
    specs = getattr(cls, _FIELDS)
    namespace: dict[str, Any] = {"MISSING": MISSING}
    compared = [spec.name for spec in specs if spec.compare]
    mine = "(" + "".join(f"self.{n}," for n in compared) + ")"
    theirs = "(" + "".join(f"other.{n}," for n in compared) + ")"
    if name == "__init__":
        params, body = [], []
        for index, spec in enumerate(specs):
            field_name = spec.name
            if spec.default is not MISSING:
                namespace[f"_default{index}"] = spec.default
                params.append(f"{field_name}=_default{index}")
                body.append(f"  __d[{field_name!r}] = {field_name}")
            elif spec.default_factory is not MISSING:
                namespace[f"_factory{index}"] = spec.default_factory
                params.append(f"{field_name}=MISSING")
                body.append(
                    f"  __d[{field_name!r}] = _factory{index}() if {field_name} is MISSING else {field_name}"
                )
            else:
                params.append(field_name)
                body.append(f"  __d[{field_name!r}] = {field_name}")
        if hasattr(cls, "__post_init__"):
            body.append("  self.__post_init__()")
        lines = [f"def __init__(self, {', '.join(params)}):", "  __d = self.__dict__", *body]
    elif name == "__repr__":
        shown = ", ".join(f"{spec.name}={{self.{spec.name}!r}}" for spec in specs if spec.repr)
        lines = ["def __repr__(self):", f"  return f'{{type(self).__qualname__}}({shown})'"]
    elif name == "__hash__":
        lines = ["def __hash__(self):", f"  return hash({mine})"]
    else:
        symbol = "==" if name == "__eq__" else _COMPARISONS[name]
        lines = [
            f"def {name}(self, other):",
            f"  return {mine} {symbol} {theirs} if other.__class__ is self.__class__ else NotImplemented",
        ]
    exec("\n".join(lines), namespace)  # noqa: S102 -- code written here from field names
    method = namespace[name]
    method.__qualname__ = f"{cls.__qualname__}.{name}"
    if getattr(cls.__dict__.get(name), "_record_placeholder", False):
        setattr(cls, name, method)
    return method


def _freeze(cls: type, names: frozenset) -> None:
    def __setattr__(self: Any, name: str, value: Any) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot assign to field {name!r}")
        object.__setattr__(self, name, value)

    def __delattr__(self: Any, name: str) -> None:
        if type(self) is cls or name in names:
            raise FrozenInstanceError(f"cannot delete field {name!r}")
        object.__delattr__(self, name)

    cls.__setattr__ = __setattr__  # type: ignore[method-assign]
    cls.__delattr__ = __delattr__  # type: ignore[method-assign]


def is_record(obj: Any) -> bool:
    """True for a record class or an instance of one."""
    return hasattr(obj if isinstance(obj, type) else type(obj), _FIELDS)


def fields(obj: Any) -> tuple[Field, ...]:
    """The fields of a record class or instance, in declaration order."""
    try:
        return getattr(obj if isinstance(obj, type) else type(obj), _FIELDS)
    except AttributeError:
        raise TypeError("must be called with a dataclass type or instance") from None


def replace(obj: Any, /, **changes: Any) -> Any:
    """A copy of record ``obj`` with some fields changed."""
    for spec in fields(obj):
        if spec.name not in changes:
            changes[spec.name] = getattr(obj, spec.name)
    return type(obj)(**changes)


def asdict(obj: Any) -> Any:
    """Record ``obj`` as a dict, records nested in fields, lists, tuples and
    dicts converted too."""
    if is_record(obj) and not isinstance(obj, type):
        return {spec.name: asdict(getattr(obj, spec.name)) for spec in fields(obj)}
    if isinstance(obj, (list, tuple)):
        return type(obj)(asdict(item) for item in obj)
    if isinstance(obj, dict):
        return {key: asdict(value) for key, value in obj.items()}
    return obj
