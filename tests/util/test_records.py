"""fallint.util.records: the lean dataclasses behave like the standard ones for
what fallint uses."""

from __future__ import annotations

import pickle
from typing import ClassVar

import pytest

from fallint.util.records import FrozenInstanceError, asdict, dataclass, field, fields, replace


@dataclass
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)
    note: str | None = field(default=None, compare=False)
    KIND: ClassVar[str] = "point"


@dataclass(frozen=True, order=True)
class Version:
    major: int
    minor: int = 0


@dataclass(eq=False)
class Identity:
    value: int


@dataclass
class Derived:
    total: int = 0
    doubled: int = 0

    def __post_init__(self) -> None:
        self.doubled = self.total * 2


def test_init_defaults_and_factories():
    a, b = Point(1), Point(1)
    assert (a.x, a.y, a.tags, a.note) == (1, 0, [], None)
    a.tags.append("t")
    assert b.tags == []  # a fresh list per instance
    assert Point(x=2, y=3, tags=["u"]).tags == ["u"]
    assert Point.KIND == "point" and [f.name for f in fields(Point)] == ["x", "y", "tags", "note"]
    with pytest.raises(TypeError):
        Point()  # x is required


def test_eq_repr_hash():
    assert Point(1, note="a") == Point(1, note="b")  # note is not compared
    assert Point(1) != Point(2)
    assert Point(1) != (1, 0, [], None)
    assert repr(Point(1, 2)) == "Point(x=1, y=2, tags=[], note=None)"
    with pytest.raises(TypeError):
        hash(Point(1))  # eq without frozen: unhashable, as with dataclasses
    assert hash(Version(1, 2)) == hash(Version(1, 2))
    assert len({Version(1), Version(1), Version(2)}) == 2
    one = Identity(1)
    assert one != Identity(1) and one == one and hash(one) == object.__hash__(one)  # eq=False: identity


def test_frozen_and_order():
    v = Version(1, 2)
    with pytest.raises(FrozenInstanceError):
        v.major = 3
    with pytest.raises(AttributeError):
        del v.minor
    assert sorted([Version(2), Version(1, 5), Version(1)]) == [Version(1), Version(1, 5), Version(2)]
    assert Version(1) < Version(1, 1) <= Version(1, 1) and Version(2) > Version(1) >= Version(1)


def test_post_init_replace_asdict_pickle():
    assert Derived(3).doubled == 6
    v = replace(Version(1, 2), minor=5)
    assert v == Version(1, 5)
    assert asdict(Point(1, tags=["a"])) == {"x": 1, "y": 0, "tags": ["a"], "note": None}
    nested = {"v": [Version(1)]}
    assert asdict(nested) == {"v": [{"major": 1, "minor": 0}]}
    assert pickle.loads(pickle.dumps(Version(3, 4))) == Version(3, 4)
    with pytest.raises(TypeError):
        fields(object())


def test_non_default_after_default_is_refused():
    with pytest.raises(TypeError):
        @dataclass
        class Bad:
            a: int = 0
            b: int


def test_generic_and_compiled_init_agree(monkeypatch):
    """Instances made before and after a class's __init__ is compiled are the
    same, and both refuse bad arguments alike."""
    from fallint.util import records as _records

    monkeypatch.setattr(_records, "COMPILE_AFTER", 3)

    @dataclass
    class Rec:
        a: int
        b: str = "b"
        c: list = field(default_factory=list)

    made = [Rec(1), Rec(1, "x"), Rec(a=1, c=[2]), Rec(1), Rec(1, "x"), Rec(a=1, c=[2])]
    assert made[:3] == made[3:] and made[0].c is not made[3].c
    assert "_record_placeholder" not in vars(Rec.__init__)  # compiled by now
    for bad in ((), (1, 2, 3, 4)):
        with pytest.raises(TypeError):
            Rec(*bad)
    for bad in ({"d": 1}, {"a": 1, "z": 2}):
        with pytest.raises(TypeError):
            Rec(**bad)

    @dataclass
    class Fresh:
        a: int
        b: int = 0

    with pytest.raises(TypeError):
        Fresh()  # generic __init__: a missing argument
    with pytest.raises(TypeError):
        Fresh(1, a=2)  # generic __init__: given twice
    with pytest.raises(TypeError):
        Fresh(1, 2, 3)
    assert Fresh(1, b=2) == Fresh(a=1, b=2)
