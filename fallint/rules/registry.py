"""The rule registry: every rule fallint knows, as data plus a check.

A rule lives in exactly one place (a module under ``fallint.rules``) and
carries everything about itself::

    from fallint.rules.registry import ERROR, Example, Rule, register

    @register
    class UnknownAppKey(Rule):
        code = "FAL003"                 # FAL + 3 digits, stable forever
        name = "unknown-app-key"        # kebab-case, stable forever
        severity = ERROR                # default severity: ERROR or WARNING
        summary = "App table has a key fal does not accept"
        what = "..."                    # what it finds (markdown)
        why = "..."                     # why it matters (markdown)
        fix = "..."                     # how to fix (markdown)
        invalid = [Example('''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keepalive = 10
            ''', expect=["4:1"])]
        valid = [Example('''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 10
            ''')]

        def check_app(self, app):
            for key in app.table:
                if key not in KNOWN:
                    yield self.at(app, (key,), f"unknown key `{key}`", part="key")

Rules never know about each other and the engine knows no rule by name.
``check_project(project)`` is called once per project; its default calls
``check_app(app)`` for every (selected, well-formed) app.  Both yield
:class:`~fallint.diagnostics.Diagnostic` objects built with :meth:`Rule.at`
(a position in the TOML) or :meth:`Rule.at_location` (any file).

Examples are small projects: the pyproject text (dedented) plus optional
extra ``files``.  ``expect`` lists the positions where this rule must fire,
as ``"LINE:COL"`` (in ``pyproject.toml``) or ``"PATH:LINE:COL"``; valid
examples must not trigger the rule at all.  The test suite runs all of
them, and ``rules.md`` shows the first invalid and first valid example.
"""

from __future__ import annotations

import re
import textwrap
from typing import TYPE_CHECKING, ClassVar, Iterable, Iterator

from fallint.diagnostics import ERROR, WARNING, Diagnostic, Location, Related

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App, Project

__all__ = [
    "ERROR",
    "WARNING",
    "Example",
    "Rule",
    "register",
    "all_rules",
    "get_rule",
    "resolve_selector",
    "Related",
    "OncePerFile",
]

CODE_RE = re.compile(r"^FAL\d{3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class Symlink(str):
    """An :class:`Example` file that is a symbolic link to this target (the
    tests create it as one; rules.md shows it as a link)."""

    __slots__ = ()


class Example:
    """A tiny project on which a rule must (``invalid``) or must not (``valid``) fire.

    Texts are dedented lazily (on first use) so that importing the rules,
    which every run does, stays cheap.
    """

    __slots__ = ("_pyproject", "_files", "expect", "title", "_ready", "_fixed")

    def __init__(
        self,
        pyproject: str,
        expect: list[str] | None = None,
        files: dict[str, str | bytes] | None = None,  # a Symlink value: a symbolic link
        title: str = "",
        fixed: str | None = None,
    ) -> None:
        self._pyproject = pyproject
        #: the pyproject text once ``fallint check --fix --unsafe-fixes`` fixed it
        #: (an invalid example made for the fix test; see :attr:`Rule.fix_example`)
        self._fixed = fixed
        self._files = files or {}
        self.expect = list(expect or [])
        self.title = title
        self._ready = False

    def _prepare(self) -> None:
        if not self._ready:
            self._pyproject = textwrap.dedent(self._pyproject).lstrip("\n")
            if self._fixed is not None:
                self._fixed = textwrap.dedent(self._fixed).lstrip("\n")
            self._files = {
                k: (textwrap.dedent(v).lstrip("\n") if isinstance(v, str) and not isinstance(v, Symlink) else v)
                for k, v in self._files.items()
            }
            self._ready = True

    @property
    def pyproject(self) -> str:
        self._prepare()
        return self._pyproject

    @property
    def fixed(self) -> str | None:
        self._prepare()
        return self._fixed

    @property
    def files(self) -> dict[str, str | bytes]:
        self._prepare()
        return self._files

    def __repr__(self) -> str:
        return f"Example(expect={self.expect!r}, files={sorted(self._files)!r}, title={self.title!r})"


class Rule:
    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[str] = ERROR
    summary: ClassVar[str]
    what: ClassVar[str] = ""
    why: ClassVar[str] = ""
    fix: ClassVar[str] = ""
    invalid: ClassVar[list[Example]] = []
    valid: ClassVar[list[Example]] = []
    #: ``None`` (no automatic fix), ``"always"`` or ``"sometimes"`` (see :meth:`fix_for`)
    fix_availability: ClassVar[str | None] = None
    #: ``"safe"``, ``"unsafe"`` (may change behaviour) or ``"mixed"`` (depends on the case)
    fix_safety: ClassVar[str] = "safe"

    def fix_for(self, diagnostic: Diagnostic, project: "Project"):
        """The :class:`~fallint.diagnostics.Fix` for one of this rule's diagnostics, or None.

        Called by the engine after the checks, for the diagnostics it keeps.
        """
        return None

    @classmethod
    def fix_example(cls) -> tuple[Example, str] | None:
        """The invalid example whose fixed text the docs show and the tests check,
        with that text: the first invalid example with ``fixed=``, else the first
        invalid example, fixed into the first valid one."""
        if cls.fix_availability is None or not cls.invalid:
            return None
        for ex in cls.invalid:
            if ex.fixed is not None:
                return ex, ex.fixed
        if cls.valid:
            return cls.invalid[0], cls.valid[0].pyproject
        return None

    # -- checks -----------------------------------------------------------
    def check_project(self, project: "Project") -> Iterable[Diagnostic]:
        for app in project.apps:
            yield from self.check_app(app)

    def check_app(self, app: "App") -> Iterable[Diagnostic]:
        return ()

    # -- building diagnostics ---------------------------------------------
    def at(
        self,
        app: "App",
        path: tuple = (),
        message: str = "",
        *,
        part: str = "value",
        help: str | None = None,
        related: Iterable[Related] = (),
    ) -> Diagnostic:
        """A diagnostic on ``app``'s TOML at sub-path ``path`` (keys and list indices).

        ``part`` is ``"value"`` (the value, or the array element), ``"key"``
        (the key itself) or ``"header"`` (the table header / the key that
        opens the table).  Missing paths fall back to the nearest ancestor.
        """
        return self.at_key(
            app.project,
            app.path + tuple(path),
            message,
            part=part,
            app=app.key,
            help=help,
            related=related,
        )

    def at_key(
        self,
        project: "Project",
        keypath: tuple,
        message: str,
        *,
        part: str = "value",
        app: str | None = None,
        help: str | None = None,
        related: Iterable[Related] = (),
    ) -> Diagnostic:
        """A diagnostic at an absolute key path of the project's pyproject.toml."""
        loc = project.index.span(keypath, part)
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            location=loc,
            app=app,
            key=format_keypath(keypath),
            help=help,
            related=tuple(related),
        )

    def at_location(
        self,
        location: Location,
        message: str,
        *,
        app: str | None = None,
        key: tuple | str | None = None,
        help: str | None = None,
        related: Iterable[Related] = (),
    ) -> Diagnostic:
        """A diagnostic at an explicit location (a Python file, a Dockerfile, ...)."""
        if isinstance(key, tuple):
            key = format_keypath(key)
        return Diagnostic(
            code=self.code,
            name=self.name,
            severity=self.severity,
            message=message,
            location=location,
            app=app,
            key=key,
            help=help,
            related=tuple(related),
        )

    # -- docs -------------------------------------------------------------
    @classmethod
    def anchor(cls) -> str:
        return f"{cls.code.lower()}-{cls.name}"


class OncePerFile:
    """Reporting in a file several apps share (a Python file, a Dockerfile):
    each diagnostic (position and message) once, owned by the first app
    checked.  A rule makes one per :meth:`Rule.check_project` call."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: set[tuple[Location, str]] = set()

    def first(self, location: Location, message: str) -> bool:
        """True the first time ``message`` is reported at ``location``."""
        key = (location, message)
        if key in self._seen:
            return False
        self._seen.add(key)
        return True


_REGISTRY: dict[str, type[Rule]] = {}
_BY_NAME: dict[str, type[Rule]] = {}
_LOADED = False


def register(cls: type[Rule]) -> type[Rule]:
    code, name = cls.code, cls.name
    if not CODE_RE.match(code):
        raise ValueError(f"bad rule code {code!r}")
    if not NAME_RE.match(name):
        raise ValueError(f"bad rule name {name!r}")
    if code in _REGISTRY and _REGISTRY[code] is not cls:
        raise ValueError(f"duplicate rule code {code}")
    if name in _BY_NAME and _BY_NAME[name] is not cls:
        raise ValueError(f"duplicate rule name {name}")
    if cls.severity not in (ERROR, WARNING):
        raise ValueError(f"bad severity for {code}")
    _REGISTRY[code] = cls
    _BY_NAME[name] = cls
    return cls


def _load() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        from fallint.rules import load_all  # cycle: every rule module imports this one

        load_all()


def all_rules() -> list[type[Rule]]:
    _load()
    return [_REGISTRY[c] for c in sorted(_REGISTRY)]


def get_rule(code_or_name: str) -> type[Rule] | None:
    _load()
    key = code_or_name.strip()
    return _REGISTRY.get(key.upper()) or _BY_NAME.get(key.lower())


def resolve_selector(selector: str) -> list[str] | None:
    """Codes named by ``selector``: a code, a code prefix (``FAL5``, ``FAL``) or a kebab name.

    ``ALL`` selects everything.  Returns None when nothing matches.
    """
    _load()
    s = selector.strip()
    if not s:
        return None
    if s.upper() == "ALL":
        return sorted(_REGISTRY)
    up = s.upper()
    if up.startswith("FAL") and up[3:].isdigit() or up == "FAL":
        codes = [c for c in sorted(_REGISTRY) if c.startswith(up)]
        return codes or None
    rule = _BY_NAME.get(s.lower())
    return [rule.code] if rule else None


def format_keypath(path: Iterable) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            text = str(part)
            if not re.match(r"^[A-Za-z0-9_-]+$", text):
                text = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
            out += ("." if out else "") + text
    return out


def iter_codes() -> Iterator[str]:
    _load()
    return iter(sorted(_REGISTRY))
