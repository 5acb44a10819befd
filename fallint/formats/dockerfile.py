"""Parse Dockerfiles the way BuildKit's Dockerfile frontend does.

Nothing here raises on bad input: every problem BuildKit would stop the
build for is recorded in :attr:`Dockerfile.errors` (with a position) and
parsing goes on, so a caller can report all of them at once.

What is modelled (BuildKit ``frontend/dockerfile/parser`` and
``instructions``, Dockerfile syntax 1.x):

* parser directives (``# syntax=``, ``# escape=``, ``# check=``) before the
  first instruction, blank line or other comment; a repeated directive or an
  escape token other than ``\\`` or a backtick is an error;
* comment lines (``#`` after optional whitespace) anywhere, including inside
  a continued instruction; blank lines inside a continued instruction are
  skipped with a warning, as BuildKit does; continuation lines keep their
  leading whitespace, the first line of an instruction does not;
* case-insensitive keywords, ``--flag[=value]`` builder flags (checked
  against the flags each instruction accepts), JSON (exec) form vs shell
  form, heredocs (``<<EOF``, ``<<-EOF``, quoted delimiters, several per
  instruction, only for ``RUN``/``COPY``/``ADD`` in shell form);
* stages (``FROM image [AS name]``), global ``ARG`` (before the first
  ``FROM``, visible to ``FROM`` lines only) and stage ``ARG``/``ENV`` scope,
  and variable expansion (``$X``, ``${X}``, ``${X:-w}``, ``${X-w}``,
  ``${X:+w}``, ``${X+w}``, ``${X:?w}``, ``${X#p}``, ``${X%p}`` ...) with
  quote and escape processing as BuildKit's shell lexer does it.

Lines are split on ``\\n`` only (a trailing ``\\r`` is dropped), as
BuildKit's scanner does. Positions are 1-based lines and 1-based character
columns; end columns are exclusive.

:func:`fal_copy_sources` mirrors fal 1.83.0's own, much simpler, regex
parse of ``COPY``/``ADD`` (``fal/container.py``): it decides which files
fal uploads for the remote build, and differs from BuildKit's parse in
several ways (documented there).

Size: a parser of the whole Dockerfile language as BuildKit reads it
(directives, escapes, continuations, heredocs, JSON and shell forms, flags,
variable expansion with every modifier, stages) plus fal's own simpler line-
based reading of COPY/ADD, which differs from it and must be modelled exactly.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Iterable, Mapping
from fallint.util.records import dataclass, field
from fnmatch import fnmatchcase

__all__ = [
    "INSTRUCTIONS",
    "PREDEFINED_ARGS",
    "ArgDecl",
    "CopyInstruction",
    "CopySource",
    "Directive",
    "Dockerfile",
    "DockerfileProblem",
    "Expansion",
    "FalCopySource",
    "FalSources",
    "Flag",
    "Heredoc",
    "Instruction",
    "Stage",
    "VarReference",
    "Word",
    "expand_word",
    "fal_copy_sources",
    "parse_dockerfile",
]

INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM",
        "HEALTHCHECK", "LABEL", "MAINTAINER", "ONBUILD", "RUN", "SHELL",
        "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    }
)  # fmt: skip

#: ARGs that Docker/BuildKit define or accept without an ``ARG`` having a
#: value: the proxy variables (consumed even when undeclared), the platform
#: variables (set automatically; available to ``FROM`` without a
#: declaration, and in a stage after ``ARG NAME``) and BuildKit's own.
PROXY_ARGS = frozenset(
    {
        "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY",
        "ftp_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy",
    }
)  # fmt: skip
PLATFORM_ARGS = frozenset(
    {
        "TARGETPLATFORM", "TARGETOS", "TARGETARCH", "TARGETVARIANT",
        "BUILDPLATFORM", "BUILDOS", "BUILDARCH", "BUILDVARIANT",
    }
)  # fmt: skip
BUILDKIT_ARGS = frozenset(
    {
        "BUILDKIT_CACHE_MOUNT_NS", "BUILDKIT_CONTEXT_KEEP_GIT_DIR",
        "BUILDKIT_HISTORY_PROVENANCE_V1", "BUILDKIT_INLINE_CACHE", "BUILDKIT_MULTI_PLATFORM",
        "BUILDKIT_SANDBOX_HOSTNAME", "BUILDKIT_SYNTAX", "BUILDKIT_DOCKERFILE_CHECK",
        "SOURCE_DATE_EPOCH",
    }
)  # fmt: skip
PREDEFINED_ARGS = PROXY_ARGS | PLATFORM_ARGS | BUILDKIT_ARGS

#: flags each instruction accepts: name -> "str" | "bool" | "multi"
_FLAGS: dict[str, dict[str, str]] = {
    "ADD": {"chown": "str", "chmod": "str", "link": "bool", "keep-git-dir": "bool",
            "checksum": "str", "exclude": "multi", "unpack": "bool"},
    "COPY": {"from": "str", "chown": "str", "chmod": "str", "link": "bool",
             "parents": "bool", "exclude": "multi"},
    "FROM": {"platform": "str"},
    "RUN": {"mount": "multi", "network": "str", "security": "str", "device": "multi"},
    "HEALTHCHECK": {"interval": "str", "timeout": "str", "start-period": "str",
                    "start-interval": "str", "retries": "str"},
}  # fmt: skip

#: instructions whose arguments Docker expands ($VAR) at build time, plus RUN
#: (its shell sees ARGs as environment variables)
_EXPANDING = frozenset(
    {"ADD", "ARG", "COPY", "ENV", "EXPOSE", "FROM", "LABEL", "RUN", "STOPSIGNAL",
     "USER", "VOLUME", "WORKDIR"}
)  # fmt: skip
_HEREDOC_INSTRUCTIONS = frozenset({"RUN", "COPY", "ADD"})
_DIRECTIVE_RE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*\Z")
_DIRECTIVES = ("syntax", "escape", "check")
_HEREDOC_RE = re.compile(r"(\d*)<<(-?)([^<]*)\Z")
_STAGE_NAME_RE = re.compile(r"[a-z][a-z0-9\-_.]*\Z")
_WS_RUN = re.compile(r"[^\t\v\f\r ]+")  # BuildKit's reWhitespace complement
_NAME_CHARS = re.compile(r"\w+")
_SPECIAL_PARAMS = "@*#?-$!0"
_MAX_NESTING = 100


# --------------------------------------------------------------------------
# result types


@dataclass(frozen=True)
class Word:
    """One argument as written, with its position (end exclusive)."""

    text: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Flag:
    """A ``--name[=value]`` builder flag; the position spans the whole token."""

    name: str
    value: str | None
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Heredoc:
    """A here-document attached to an instruction.

    ``word`` is the ``<<NAME`` token in the instruction; ``body_line`` is the
    first line of the content and ``end_line`` the terminator's line (the
    last line of the file when ``terminated`` is false).
    """

    name: str
    expand: bool
    chomp: bool
    fd: int | None
    content: str
    word: Word
    body_line: int
    end_line: int
    terminated: bool


@dataclass(frozen=True)
class Directive:
    name: str
    value: str
    line: int


@dataclass(frozen=True)
class DockerfileProblem:
    """A problem at a position. ``kind`` is a stable slug for callers:

    ``directive``, ``unknown-instruction``, ``no-instructions``, ``no-stage``,
    ``arguments``, ``json``, ``flag``, ``heredoc``, ``stage-name``,
    ``copy-url``, ``empty-continuation`` and ``duplicate-stage``
    (the last two are warnings).
    """

    message: str
    kind: str
    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(eq=False)
class Instruction:
    """One instruction. ``raw`` is its physical text (continuation and
    heredoc lines included); ``logical`` the joined line BuildKit parses."""

    keyword: str
    line: int
    column: int
    end_line: int
    raw: str
    logical: str
    flags: dict[str, str | None] = field(default_factory=dict)
    flag_list: tuple[Flag, ...] = ()
    args: tuple[Word, ...] = ()
    json_form: bool = False
    stage: int = -1
    heredocs: tuple[Heredoc, ...] = ()
    # position map of ``logical`` and the logical offsets of keyword end and args
    _map: _Logical | None = field(default=None, repr=False)
    _kw_end: int = field(default=0, repr=False)
    _offsets: tuple[tuple[int, int], ...] = field(default=(), repr=False)

    @property
    def end_column(self) -> int:
        """End (exclusive) of the keyword on :attr:`line`."""
        return self.column + len(self.keyword)

    @property
    def arguments(self) -> list[str]:
        """The arguments as strings (exec form decoded, shell form as written)."""
        return [w.text for w in self.args]

    def flag_values(self, name: str) -> list[str]:
        """All values of a repeatable flag such as ``--mount`` or ``--exclude``."""
        return [f.value or "" for f in self.flag_list if f.name == name]


@dataclass(frozen=True)
class Stage:
    index: int
    name: str | None
    base: str
    line: int
    instruction: Instruction
    base_word: Word | None = None
    name_word: Word | None = None
    #: index of the earlier stage ``base`` names, if it names one
    base_stage: int | None = None

    @property
    def is_scratch(self) -> bool:
        return self.base.lower() == "scratch"


@dataclass(frozen=True)
class ArgDecl:
    """One ``NAME[=default]`` of an ``ARG`` instruction.

    ``stage`` is ``None`` for a global ARG (before the first ``FROM``).
    ``default`` is the default after quote removal and expansion (``None``
    when it has none, or when it depends on a value not known statically);
    ``raw_default`` is the text after ``=``. A stage ARG without a default
    inherits the default of a global ARG of the same name
    (``inherited_default``).
    """

    name: str
    has_default: bool
    default: str | None
    raw_default: str | None
    line: int
    column: int
    end_column: int
    stage: int | None
    instruction: Instruction
    inherited_default: bool = False

    @property
    def is_global(self) -> bool:
        return self.stage is None

    @property
    def predefined(self) -> bool:
        return self.name in PREDEFINED_ARGS

    @property
    def needs_value(self) -> bool:
        """No default of its own or inherited, and not one Docker provides."""
        return not (self.has_default or self.inherited_default or self.predefined)


@dataclass(frozen=True)
class VarReference:
    """A ``$NAME`` use in an instruction that Docker expands at build time.

    ``source`` says what the name resolves to at that point: ``"arg"`` (an
    ARG in scope, ``arg`` is its declaration), ``"env"`` (an ENV set earlier
    in the stage or its base stage) or ``"none"`` (neither: an environment
    variable of the base image, a typo, or an ARG not in scope).
    ``has_fallback`` is true for ``${X:-w}``, ``${X-w}``, ``${X:+w}`` and
    ``${X+w}``, which work whether or not the variable is set.
    """

    name: str
    line: int
    column: int
    end_line: int
    end_column: int
    instruction: Instruction
    has_fallback: bool
    arg: ArgDecl | None
    source: str = "none"


@dataclass(frozen=True)
class CopySource:
    """A COPY/ADD source path.

    ``value`` is the path after BuildKit's quote removal and ``$VAR``
    expansion (``None`` when a variable's value is unknown or the word is
    malformed, see ``error``). ``kind`` is ``local``, ``url`` or ``git``.
    """

    word: Word
    value: str | None
    kind: str
    error: str | None = None


@dataclass(frozen=True)
class CopyInstruction:
    instruction: Instruction
    sources: tuple[CopySource, ...]
    dest: Word | None
    heredoc_sources: tuple[Word, ...]
    #: the ``--from`` value: sources then come from a stage or image
    from_: str | None

    @property
    def from_context(self) -> bool:
        return self.from_ is None

    @property
    def context_sources(self) -> tuple[CopySource, ...]:
        """Sources read from the build context (no ``--from``, no URL/git)."""
        if self.from_ is not None:
            return ()
        return tuple(s for s in self.sources if s.kind == "local")


@dataclass(frozen=True)
class Expansion:
    """Result of :func:`expand_word`.

    ``value`` is ``None`` when the result depends on a variable whose value
    is unknown, or when the word is malformed (``error``).
    """

    value: str | None
    uses: tuple[tuple[str, int, int, bool], ...] = ()  # (name, start, end, has_fallback)
    error: str | None = None


# --------------------------------------------------------------------------
# variable expansion (BuildKit shell lexer)


def expand_word(
    word: str,
    env: Mapping[str, str | None] | None = None,
    escape: str = "\\",
    *,
    quotes: bool = True,
) -> Expansion:
    """Process one word as BuildKit's shell lexer does.

    ``env`` maps names to values; a name mapped to ``None`` is known to be
    unset (expands to ``""``); a name not in ``env`` has an unknown value.
    With ``quotes=False`` only ``$`` expansions are processed.
    """
    lex = _Lexer(word, escape, env, quotes)
    value, _ = lex.process(0, None)
    if lex.error is not None:
        value = None
    return Expansion(value, tuple(lex.uses), lex.error)


class _Lexer:
    def __init__(
        self, s: str, esc: str, env: Mapping[str, str | None] | None, quotes: bool
    ) -> None:
        self.s = s
        self.esc = esc
        self.env = env or {}
        self.quotes = quotes
        self.uses: list[tuple[str, int, int, bool]] = []
        self.error: str | None = None
        self.depth = 0  # ${...} nesting, capped so garbage cannot exhaust the stack

    def _fail(self, message: str) -> None:
        if self.error is None:
            self.error = message

    def process(self, i: int, stop: str | None) -> tuple[str | None, int]:
        """Process from ``i`` up to ``stop`` (not consumed) or the end."""
        s, n, esc = self.s, len(self.s), self.esc
        buf: list[str] = []
        known = True
        while i < n:
            c = s[i]
            if stop is not None and c == stop:
                break
            if c == "'" and self.quotes:
                j = s.find("'", i + 1)
                if j < 0:
                    self._fail("unterminated single quote")
                    buf.append(s[i + 1 :])
                    i = n
                    break
                buf.append(s[i + 1 : j])
                i = j + 1
            elif c == '"' and self.quotes:
                i, ok = self._double_quoted(i + 1, buf)
                known = known and ok
            elif c == esc and self.quotes:
                if i + 1 < n:
                    buf.append(s[i + 1])
                i += 2
            elif c == "$":
                i, ok = self._append_dollar(i, buf)
                known = known and ok
            else:
                buf.append(c)
                i += 1
        return ("".join(buf) if known else None), i

    def _append_dollar(self, i: int, buf: list[str]) -> tuple[int, bool]:
        """Expand the variable reference at ``i`` into ``buf``; False when its value is unknown."""
        value, i = self._dollar(i)
        if value is None:
            return i, False
        buf.append(value)
        return i, True

    def _double_quoted(self, i: int, buf: list[str]) -> tuple[int, bool]:
        s, n, esc = self.s, len(self.s), self.esc
        known = True
        while i < n:
            c = s[i]
            if c == '"':
                return i + 1, known
            if c == esc:
                if i + 1 >= n:
                    i += 1
                    continue
                if s[i + 1] in ('"', "$", esc):
                    buf.append(s[i + 1])
                    i += 2
                    continue
                buf.append(c)
                i += 1
            elif c == "$":
                i, ok = self._append_dollar(i, buf)
                known = known and ok
            else:
                buf.append(c)
                i += 1
        self._fail("unterminated double quote")
        return i, known

    def _lookup(self, name: str) -> tuple[bool | None, str]:
        """(is_set or None when unknown, value)."""
        if name not in self.env:
            return None, ""
        value = self.env[name]
        return (value is not None), (value or "")

    def _name_at(self, j: int) -> str:
        s = self.s
        if j >= len(s):
            return ""
        if s[j].isdigit():
            k = j
            while k < len(s) and s[k].isdigit():
                k += 1
            return s[j:k]
        if s[j] in _SPECIAL_PARAMS:
            return s[j]
        m = _NAME_CHARS.match(s, j)
        return m.group() if m else ""

    def _dollar(self, i: int) -> tuple[str | None, int]:
        s, n = self.s, len(self.s)
        j = i + 1
        if j < n and s[j] == "{":
            return self._braced(i, j + 1)
        name = self._name_at(j)
        if not name:
            return "$", j
        end = j + len(name)
        self.uses.append((name, i, end, False))
        is_set, value = self._lookup(name)
        return (None if is_set is None else value), end

    def _braced(self, start: int, k: int) -> tuple[str | None, int]:
        s, n = self.s, len(self.s)
        name = self._name_at(k)
        k += len(name)
        if not name or k >= n:
            self._fail("bad substitution" if name else "missing variable name in ${}")
            close = s.find("}", k)
            return None, (n if close < 0 else close + 1)
        if s[k] == "}":
            self.uses.append((name, start, k + 1, False))
            is_set, value = self._lookup(name)
            return (None if is_set is None else value), k + 1
        op = s[k]
        if op == ":" and k + 1 < n and s[k + 1] in "-+?":
            op = s[k : k + 2]
        elif op in "#%/" and k + 1 < n and s[k + 1] == op:
            op = op * 2
        elif op not in "-+?#%/":
            self._fail(f"unsupported modifier {s[k]!r} in ${{{name}...}}")
            close = s.find("}", k)
            return None, (n if close < 0 else close + 1)
        if self.depth >= _MAX_NESTING:
            self._fail("${...} nested too deeply")
            return None, n
        self.depth += 1
        word, k = self.process(k + len(op), "}")
        self.depth -= 1
        if k >= n:
            self._fail(f"missing '}}' in ${{{name}...")
            return None, n
        end = k + 1
        self.uses.append((name, start, end, op in (":-", "-", ":+", "+")))
        is_set, value = self._lookup(name)
        if is_set is None:
            return None, end
        return self._apply(op, name, is_set, value, word), end

    def _apply(self, op: str, name: str, is_set: bool, value: str, word: str | None) -> str | None:
        present = is_set and (value != "" or not op.startswith(":"))
        if op in (":-", "-"):
            return value if present else word
        if op in (":+", "+"):
            return word if present else ""
        if op in (":?", "?"):
            if not present:
                self._fail(f"{name}: {word or 'parameter not set'}")
            return value
        if word is None:
            return None
        if op in ("#", "##"):
            cuts = range(len(value) + 1) if op == "#" else range(len(value), -1, -1)
            return next((value[k:] for k in cuts if fnmatchcase(value[:k], word)), value)
        if op in ("%", "%%"):
            cuts = range(len(value), -1, -1) if op == "%" else range(len(value) + 1)
            return next((value[:k] for k in cuts if fnmatchcase(value[k:], word)), value)
        return None  # ${X/pattern/replacement}: not evaluated


# --------------------------------------------------------------------------
# logical lines with a position map


class _Logical:
    """An instruction's joined text and where each character came from."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.starts: list[int] = []  # logical offset where each piece starts
        self.where: list[tuple[int, int]] = []  # (line, 0-based column) of each piece
        self.length = 0

    def add(self, text: str, line: int, col0: int) -> None:
        if not text:
            return
        self.parts.append(text)
        self.starts.append(self.length)
        self.where.append((line, col0))
        self.length += len(text)

    @property
    def text(self) -> str:
        return "".join(self.parts)

    def pos(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of the character at ``offset``."""
        if not self.starts:
            return 1, 1
        k = max(bisect.bisect_right(self.starts, offset) - 1, 0)
        line, col0 = self.where[k]
        return line, col0 + (offset - self.starts[k]) + 1

    def span(self, start: int, end: int) -> tuple[int, int, int, int]:
        line, col = self.pos(start)
        if end <= start:
            return line, col, line, col
        end_line, end_col = self.pos(end - 1)
        return line, col, end_line, end_col + 1

    def word(self, text: str, start: int, end: int) -> Word:
        return Word(text, *self.span(start, end))


# --------------------------------------------------------------------------
# tokenizers (BuildKit line parsers), all returning (text, start, end)


def _is_space(ch: str) -> bool:
    return ch.isspace()


def _trim_space(s: str, start: int, end: int) -> tuple[int, int]:
    while start < end and _is_space(s[start]):
        start += 1
    while end > start and _is_space(s[end - 1]):
        end -= 1
    return start, end


def _extract_flags(s: str, i: int, end: int) -> tuple[list[tuple[str, int, int]], int]:
    """Leading ``--flag`` words of ``s[i:end]``; returns (flags, args start)."""
    flags: list[tuple[str, int, int]] = []
    while True:
        while i < end and _is_space(s[i]):
            i += 1
        if i >= end or not s.startswith("--", i):
            return flags, i
        start = i
        word: list[str] = []
        quote = ""
        while i < end:
            ch = s[i]
            if quote:
                if ch == quote:
                    quote = ""
                    i += 1
                    continue
                if ch == "\\":
                    if i + 1 == end:
                        quote = ""
                        i += 1
                        continue
                    i += 1
                    ch = s[i]
                word.append(ch)
                i += 1
                continue
            if _is_space(ch):
                break
            if ch in "'\"":
                quote = ch
                i += 1
                continue
            if ch == "\\":
                if i + 1 == end:
                    i += 1
                    continue
                i += 1
                ch = s[i]
            word.append(ch)
            i += 1
        text = "".join(word)
        if text == "--":
            return flags, i
        flags.append((text, start, i))


def _whitespace_words(s: str, start: int, end: int) -> list[tuple[str, int, int]]:
    return [(m.group(), m.start(), m.end()) for m in _WS_RUN.finditer(s, start, end)]


def _parse_words(s: str, start: int, end: int, esc: str) -> list[tuple[str, int, int]]:
    """BuildKit's ``parseWords``: quote-aware split, quotes kept in the words."""
    words: list[tuple[str, int, int]] = []
    i = start
    while i < end:
        while i < end and _is_space(s[i]):
            i += 1
        if i >= end:
            break
        w_start = i
        buf: list[str] = []
        quote = ""
        while i < end:
            ch = s[i]
            if not quote:
                if _is_space(ch):
                    break
                if ch in "'\"":
                    quote = ch
                if ch == esc:
                    if i + 1 == end:
                        i += 1
                        continue
                    buf.append(ch)
                    i += 1
                    ch = s[i]
                buf.append(ch)
                i += 1
            else:
                if ch == quote:
                    quote = ""
                if ch == esc and quote != "'" and quote:
                    if i + 1 == end:
                        i += 1
                        continue
                    buf.append(ch)
                    i += 1
                    ch = s[i]
                buf.append(ch)
                i += 1
        words.append(("".join(buf), w_start, i))
    return words


class _NotStringArray(Exception):
    pass


def _reject_constant(name: str) -> None:
    raise ValueError(name)


_JSON = json.JSONDecoder(parse_constant=_reject_constant)


def _json_words(s: str, start: int, end: int) -> list[tuple[str, int, int]] | None:
    """A JSON array of strings at ``s[start:end]`` (trailing text ignored, as
    Go's ``json.Decoder`` does); ``None`` when it is not JSON (shell form)."""
    if start >= end or s[start] != "[":
        return None
    text = s[start:end]
    try:
        value, _ = _JSON.raw_decode(text)
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(v, str) for v in value):
        raise _NotStringArray
    words: list[tuple[str, int, int]] = []
    i = 1
    for item in value:
        while text[i] in " \t\r\n,":
            i += 1
        j = i + 1
        while text[j] != '"':
            j += 2 if text[j] == "\\" else 1
        words.append((item, start + i, start + j + 1))
        i = j + 1
    return words


# --------------------------------------------------------------------------
# the parsed file


@dataclass
class Dockerfile:
    instructions: list[Instruction] = field(default_factory=list)
    directives: dict[str, Directive] = field(default_factory=dict)
    escape: str = "\\"
    stages: list[Stage] = field(default_factory=list)
    args: list[ArgDecl] = field(default_factory=list)
    #: every ``$NAME`` use in instructions Docker expands at build time
    references: list[VarReference] = field(default_factory=list)
    errors: list[DockerfileProblem] = field(default_factory=list)
    warnings: list[DockerfileProblem] = field(default_factory=list)

    @property
    def froms(self) -> list[Instruction]:
        return [s.instruction for s in self.stages]

    @property
    def global_args(self) -> list[ArgDecl]:
        return [a for a in self.args if a.is_global]

    @property
    def declared_arg_names(self) -> set[str]:
        return {a.name for a in self.args}

    def arg_references(self, name: str) -> list[VarReference]:
        """Uses of ``$name`` that resolve to an ``ARG name`` in scope."""
        return [r for r in self.references if r.name == name and r.source == "arg"]

    def references_to(self, decl: ArgDecl) -> list[VarReference]:
        return [r for r in self.references if r.arg is decl]

    def out_of_scope_references(self) -> list[VarReference]:
        """Uses of a name some ARG declares, where no ARG or ENV of that name is
        in scope: typically a global ARG used inside a stage that does not
        re-declare it (``ARG NAME``), where its value is empty."""
        names = self.declared_arg_names
        return [
            r
            for r in self.references
            if r.source == "none"
            and r.name in names
            and not (r.instruction.keyword == "FROM" and r.name in PLATFORM_ARGS)
        ]

    def required_args(self) -> list[ArgDecl]:
        """ARGs with no default (own or inherited from a global ARG), not
        predefined, and used without a ``${X:-fallback}``: the build needs a
        value for them."""
        bare_uses = {id(r.arg) for r in self.references if r.arg is not None and not r.has_fallback}
        return [decl for decl in self.args if decl.needs_value and id(decl) in bare_uses]

    def unsupplied_args(self, build_args: Iterable[str]) -> list[ArgDecl]:
        """:meth:`required_args` whose name is not among ``build_args``."""
        supplied = set(build_args)
        return [a for a in self.required_args() if a.name not in supplied]

    def unconsumed_build_args(self, build_args: Iterable[str]) -> list[str]:
        """Build args no ARG declares (Docker warns they "were not consumed")."""
        declared = self.declared_arg_names | PREDEFINED_ARGS
        return [name for name in build_args if name not in declared]

    # -- expansion ----------------------------------------------------------

    def environment(
        self, instruction: Instruction, build_args: Mapping[str, str] | None = None
    ) -> dict[str, str | None]:
        """Variables visible to ``instruction``, for :func:`expand_word`.

        With ``build_args=None`` an ARG without default has an unknown value;
        with a mapping (even an empty one) exactly those build args are
        supplied, as fal does, so an ARG without default and without build
        arg is known to be unset.
        """
        index = next(i for i, x in enumerate(self.instructions) if x is instruction)
        return _Scope(self, build_args).env_before(index)

    def expand(
        self,
        text: str,
        instruction: Instruction,
        build_args: Mapping[str, str] | None = None,
    ) -> Expansion:
        return expand_word(text, self.environment(instruction, build_args), self.escape)

    def copies(self, build_args: Mapping[str, str] | None = None) -> list[CopyInstruction]:
        """Every COPY/ADD inside a stage (not ONBUILD triggers), sources split
        out and expanded (see :meth:`environment` for ``build_args``)."""
        scope = _Scope(self, build_args)
        out: list[CopyInstruction] = []
        for index, ins in enumerate(self.instructions):
            if ins.keyword not in ("COPY", "ADD") or ins.stage < 0:
                continue
            env = scope.env_before(index)
            sources: list[CopySource] = []
            heredoc_sources: list[Word] = []
            for word in ins.args[:-1]:
                if _heredoc_word(word.text) is not None:
                    heredoc_sources.append(word)
                    continue
                exp = expand_word(word.text, env, self.escape)
                kind = _source_kind(word.text) if ins.keyword == "ADD" else "local"
                sources.append(CopySource(word, exp.value, kind, exp.error))
            dest = ins.args[-1] if len(ins.args) >= 2 else None
            from_ = ins.flags.get("from") if ins.keyword == "COPY" else None
            out.append(CopyInstruction(ins, tuple(sources), dest, tuple(heredoc_sources), from_))
        return out


class _Scope:
    """Replays FROM/ARG/ENV in order to know the variables at each instruction.

    Environments map a name to its value, or to ``None`` when it is known to
    be unset; a name whose value cannot be known statically is absent.
    """

    def __init__(self, df: Dockerfile, build_args: Mapping[str, str] | None) -> None:
        self.df = df
        self.build_args = build_args
        self._envs: list[dict[str, str | None]] | None = None

    def env_before(self, index: int) -> dict[str, str | None]:
        if self._envs is None:
            self._envs = self._replay()
        return self._envs[index]

    def _arg_value(self, decl: ArgDecl, env: Mapping[str, str | None], global_env):
        """The value an ARG declaration gives its name; Ellipsis when unknown."""
        if self.build_args is not None and decl.name in self.build_args:
            return self.build_args[decl.name]
        if decl.name in PLATFORM_ARGS or decl.name in BUILDKIT_ARGS:
            return ...
        if decl.has_default:
            value = expand_word(decl.raw_default or "", env, self.df.escape).value
            return ... if value is None else value
        if decl.stage is not None and any(g.name == decl.name for g in self.df.global_args):
            return global_env.get(decl.name, ...)
        return None if self.build_args is not None else ...

    def _replay(self) -> list[dict[str, str | None]]:
        df = self.df
        decls: dict[int, list[ArgDecl]] = {}
        for decl in df.args:
            decls.setdefault(id(decl.instruction), []).append(decl)
        global_env: dict[str, str | None] = {}
        stage_envs: dict[int, dict[str, str | None]] = {}  # ENV only, for FROM <stage>
        stage_only: dict[str, str | None] = {}
        env = global_env
        envs: list[dict[str, str | None]] = []
        for ins in df.instructions:
            envs.append(dict(global_env if ins.keyword == "FROM" else env))
            if ins.keyword == "FROM" and 0 <= ins.stage < len(df.stages):
                base = df.stages[ins.stage].base_stage
                stage_only = dict(stage_envs.get(base, {})) if base is not None else {}
                stage_envs[ins.stage] = stage_only
                env = dict(stage_only)
            elif ins.keyword == "ARG":
                for decl in decls.get(id(ins), []):
                    value = self._arg_value(decl, env, global_env)
                    if value is ...:
                        env.pop(decl.name, None)
                    else:
                        env[decl.name] = value
            elif ins.keyword == "ENV" and ins.stage >= 0:
                before = dict(env)
                for key, raw in _env_pairs(ins):
                    value = expand_word(raw, before, df.escape).value
                    for target in (env, stage_only):
                        if value is None:
                            target.pop(key, None)
                        else:
                            target[key] = value
        return envs


def _env_pairs(ins: Instruction) -> list[tuple[str, str]]:
    """(key, raw value) pairs of an ENV instruction (either syntax)."""
    args = ins.args
    if args and "=" not in args[0].text:  # old form: ENV KEY value with spaces
        return [(args[0].text, args[1].text if len(args) > 1 else "")]
    return [(key, value) for key, _, value in (w.text.partition("=") for w in args)]


def _heredoc_word(text: str) -> tuple[int | None, bool, str] | None:
    """(fd, chomp, rest) when ``text`` is a ``<<NAME`` heredoc word."""
    m = _HEREDOC_RE.match(text)
    if not m or not m.group(3):
        return None
    fd = int(m.group(1)) if m.group(1) else None
    return fd, m.group(2) == "-", m.group(3)


_SCP_LIKE = re.compile(r"[\w.\-]+@[\w.\-]+:")


def _source_kind(src: str) -> str:
    """ADD source kind as BuildKit decides it (``gitutil.ParseGitRef``): an
    http(s) URL whose path ends in ``.git``, ``git://``, ``ssh://`` or
    ``user@host:path`` is a git repository; other http(s) URLs are
    downloads; anything else is a path in the build context."""
    lower = src.lower()
    if lower.startswith(("http://", "https://")):
        path = lower.split("#", 1)[0].split("?", 1)[0]
        return "git" if path.endswith(".git") else "url"
    if lower.startswith(("git://", "ssh://")) or _SCP_LIKE.match(src):
        return "git"
    return "local"


def _span_of(w: Word | Flag) -> tuple[int, int, int, int]:
    return w.line, w.column, w.end_line, w.end_column


# --------------------------------------------------------------------------
# the parser


def parse_dockerfile(text: str) -> Dockerfile:
    """Parse ``text``; never raises (problems are in ``errors``/``warnings``)."""
    return _Parser(text).parse()


class _Parser:
    def __init__(self, text: str) -> None:
        if text.startswith("\ufeff"):
            text = text[1:]
        self.lines = text.split("\n")
        if self.lines and self.lines[-1] == "":
            self.lines.pop()
        self.df = Dockerfile()
        self.i = 0  # index of the next physical line to read
        self.directives_done = False
        self.bad_json = False  # the current instruction's JSON array is invalid

    # -- helpers ------------------------------------------------------------

    def _problem(self, message: str, kind: str, span, *, warning: bool = False) -> None:
        target = self.df.warnings if warning else self.df.errors
        target.append(DockerfileProblem(message, kind, *span))

    def _line(self, k: int) -> str:
        """Physical line ``k`` (0-based) without its line ending."""
        return self.lines[k].rstrip("\r")

    def _continuation(self, line: str) -> tuple[str, bool]:
        """Strip a trailing escape token: (text, is_end_of_line). An escape
        preceded by another escape is not a continuation."""
        esc = self.df.escape
        t = line.rstrip(" \t")
        if t.endswith(esc) and (len(t) == 1 or t[-2] != esc):
            return t[:-1], False
        return line, True

    def _directive(self, token: str, lineno: int, col0: int) -> None:
        if self.directives_done:
            return
        m = _DIRECTIVE_RE.match(token)
        name = m.group(1).lower() if m else ""
        if name not in _DIRECTIVES:
            self.directives_done = True
            return
        value = m.group(2)
        span = (lineno, col0 + 1, lineno, col0 + len(token) + 1)
        if name in self.df.directives:
            self._problem(f"only one {name} parser directive can be used", "directive", span)
            return
        self.df.directives[name] = Directive(name, value, lineno)
        if name == "escape":
            if value in ("\\", "`"):
                self.df.escape = value
            else:
                self._problem(f"invalid escape token {value!r}: must be ` or \\", "directive", span)

    # -- pass 1: instructions -------------------------------------------------

    def parse(self) -> Dockerfile:
        lines = self.lines
        while self.i < len(lines):
            lineno = self.i + 1
            token = self._line(self.i)
            self.i += 1
            stripped = token.lstrip()
            col0 = len(token) - len(stripped)
            self._directive(stripped, lineno, col0)
            if stripped.startswith("#"):
                continue
            first, end_of_line = self._continuation(stripped)
            if end_of_line and not first:
                continue
            logical = _Logical()
            logical.add(first, lineno, col0)
            empty_continuation = False
            while not end_of_line and self.i < len(lines):
                token = self._line(self.i)
                self.i += 1
                if token.lstrip().startswith("#"):
                    continue  # comment lines inside a continued instruction
                if not token.strip():
                    empty_continuation = True
                    continue
                piece, end_of_line = self._continuation(token)
                logical.add(piece, self.i, 0)
            self._instruction(logical, lineno, empty_continuation)
        self._second_pass()
        for problems in (self.df.errors, self.df.warnings):
            problems.sort(key=lambda p: (p.line, p.column))
        return self.df

    def _instruction(self, logical: _Logical, first_line: int, empty_cont: bool) -> None:
        text = logical.text
        start, end = _trim_space(text, 0, len(text))
        if start >= end:
            return
        kw_end = start
        while kw_end < end and text[kw_end] not in "\t\v\f\r ":
            kw_end += 1
        keyword = text[start:kw_end].upper()
        line, column = logical.pos(start)
        ins = Instruction(keyword, line, column, first_line, "", text, _map=logical, _kw_end=kw_end)
        kw_span = logical.span(start, kw_end)
        if empty_cont:
            self._problem(
                "empty continuation line inside the instruction (BuildKit warns; "
                "it will become an error)",
                "empty-continuation",
                kw_span,
                warning=True,
            )
        if keyword not in INSTRUCTIONS:
            self._problem(
                f"unknown instruction: {text[start:kw_end]}", "unknown-instruction", kw_span
            )
        flags, args_start = _extract_flags(text, kw_end, end)
        self._flags(ins, flags, logical)
        a_start, a_end = _trim_space(text, args_start, end)
        self.bad_json = False
        words = self._words(ins, text, a_start, a_end, logical)
        ins.args = tuple(logical.word(t, s, e) for t, s, e in words)
        ins._offsets = tuple((s, e) for _, s, e in words)
        if not self.bad_json:
            self._check_arguments(ins, kw_span)
        if keyword in _HEREDOC_INSTRUCTIONS and not ins.json_form:
            self._heredocs(ins, text, start, end, logical)
        ins.end_line = max(self.i, first_line)
        ins.raw = "\n".join(self._line(k) for k in range(first_line - 1, ins.end_line))
        self.df.instructions.append(ins)

    def _flags(self, ins: Instruction, flags, logical: _Logical) -> None:
        """Record ``--flags`` and check them like BuildKit's ``BFlags.Parse``."""
        known = _FLAGS.get(ins.keyword, {})
        seen: set[str] = set()
        out: list[Flag] = []
        for text, start, end in flags:
            name, eq, value = text[2:].partition("=")
            flag = Flag(name, value if eq else None, *logical.span(start, end))
            out.append(flag)
            ftype = known.get(name)
            if ins.keyword not in INSTRUCTIONS:
                continue
            if ftype is None:
                self._problem(f"unknown flag for {ins.keyword}: --{name}", "flag", _span_of(flag))
                continue
            if name in seen and ftype != "multi":
                self._problem(f"duplicate flag specified: --{name}", "flag", _span_of(flag))
            seen.add(name)
            if ftype in ("str", "multi") and not eq:
                self._problem(f"missing a value on flag: --{name}", "flag", _span_of(flag))
            elif ftype == "bool" and eq and value.lower() not in ("true", "false"):
                self._problem(
                    f"expecting boolean value for flag --{name}, not: {value!r}",
                    "flag",
                    _span_of(flag),
                )
        ins.flag_list = tuple(out)
        ins.flags = {f.name: f.value for f in out}

    def _words(self, ins: Instruction, text: str, start: int, end: int, logical: _Logical):
        """Split the arguments the way the instruction's BuildKit line parser does."""
        kw = ins.keyword
        if kw == "HEALTHCHECK" and start < end:
            first = _whitespace_words(text, start, end)[0]
            rest_start, _ = _trim_space(text, first[2], end)
            return [
                first,
                *self._words_maybe_json(ins, text, rest_start, end, logical, split=False),
            ]
        if kw in ("ADD", "COPY", "VOLUME"):
            return self._words_maybe_json(ins, text, start, end, logical, split=True)
        if kw in ("RUN", "CMD", "ENTRYPOINT", "SHELL"):
            return self._words_maybe_json(ins, text, start, end, logical, split=False)
        if start >= end:
            return []
        if kw in ("FROM", "EXPOSE", "ONBUILD"):
            return _whitespace_words(text, start, end)
        if kw == "ARG":
            return _parse_words(text, start, end, self.df.escape)
        if kw in ("ENV", "LABEL"):
            words = _parse_words(text, start, end, self.df.escape)
            if "=" in words[0][0]:
                return words
            key = _whitespace_words(text, start, end)[0]  # old form: KEY value...
            v_start, v_end = _trim_space(text, key[2], end)
            return [key] + ([(text[v_start:v_end], v_start, v_end)] if v_start < v_end else [])
        return [(text[start:end], start, end)]

    def _words_maybe_json(self, ins, text, start, end, logical, *, split: bool):
        """JSON array of strings, or else whitespace words (``split``) or the
        whole text as one word."""
        try:
            words = _json_words(text, start, end)
        except _NotStringArray:
            self._problem(
                "when using JSON array syntax, arrays must be comprised of strings only",
                "json",
                logical.span(start, end),
            )
            ins.json_form = self.bad_json = True
            return []
        if words is not None:
            ins.json_form = True
            return words
        if start >= end:
            return []
        return _whitespace_words(text, start, end) if split else [(text[start:end], start, end)]

    def _check_arguments(self, ins: Instruction, kw_span) -> None:
        kw, args, n = ins.keyword, ins.args, len(ins.args)
        message = None
        if kw in ("COPY", "ADD") and n < 2:
            message = (
                f"{kw} requires at least two arguments (sources and a destination)"
                if n == 0
                else f"{kw} requires at least two arguments, but only one was provided: "
                "the destination could not be determined"
            )
        elif kw == "FROM" and not (n == 1 or (n == 3 and args[1].text.lower() == "as")):
            message = "FROM requires either one or three arguments (image [AS name])"
        elif kw in ("ARG", "ENV", "LABEL", "EXPOSE", "VOLUME", "ONBUILD", "HEALTHCHECK", "SHELL"):
            if n == 0:
                message = f"{kw} requires at least one argument"
        elif kw in ("WORKDIR", "USER", "MAINTAINER", "STOPSIGNAL") and n != 1:
            message = f"{kw} requires exactly one argument"
        elif kw == "RUN" and n == 0:
            message = "RUN requires a command"
        if message:
            self._problem(message, "arguments", kw_span)
        if kw == "SHELL" and n and not ins.json_form:
            self._problem("SHELL requires the arguments to be in JSON form", "arguments", kw_span)
        if kw in ("ENV", "LABEL") and n:
            if "=" not in args[0].text:
                if n < 2:
                    self._problem(f"{kw} must have two arguments", "arguments", kw_span)
            else:
                for w in args:
                    if "=" not in w.text:
                        self._problem(
                            f"{kw} syntax error: can't find = in {w.text!r}; must be name=value",
                            "arguments",
                            _span_of(w),
                        )
        if kw == "COPY":
            for w in args[:-1]:
                if w.text.lower().startswith(("http://", "https://")):
                    self._problem(
                        "COPY does not accept URLs as source (use ADD)", "copy-url", _span_of(w)
                    )
        if kw in ("COPY", "ADD") and n >= 2 and _heredoc_word(args[-1].text):
            self._problem(
                f"{kw} cannot accept a heredoc as a destination", "heredoc", _span_of(args[-1])
            )

    def _heredocs(self, ins: Instruction, text: str, start: int, end: int, logical: _Logical):
        """Read the bodies of the instruction's heredocs from the next lines."""
        docs: list[Heredoc] = []
        for wtext, ws, we in _parse_words(text, start, end, "\\"):
            parsed = _heredoc_word(wtext)
            if parsed is None:
                continue
            fd, chomp, rest = parsed
            name = expand_word(rest, None, "\\").value
            name = rest if name is None else name
            if not name:
                continue
            word = logical.word(wtext, ws, we)
            body_line = self.i + 1
            content: list[str] = []
            terminated = False
            while self.i < len(self.lines):
                line = self._line(self.i)
                self.i += 1
                if (line.lstrip("\t") if chomp else line) == name:
                    terminated = True
                    break
                content.append(self.lines[self.i - 1] + "\n")
            if not terminated:
                self._problem(
                    f"unterminated heredoc: no line {name!r} closes {wtext}",
                    "heredoc",
                    _span_of(word),
                )
            expand = "'" not in rest and '"' not in rest
            docs.append(
                Heredoc(
                    name, expand, chomp, fd, "".join(content), word, body_line, self.i, terminated
                )
            )
        ins.heredocs = tuple(docs)

    # -- pass 2: stages, ARG scope, variable references -----------------------

    def _second_pass(self) -> None:
        df = self.df
        if not df.instructions:
            self._problem("file with no instructions", "no-instructions", (1, 1, 1, 1))
            return
        stage = -1
        stage_names: dict[str, int] = {}
        global_args: dict[str, ArgDecl] = {}
        stage_args: dict[str, ArgDecl] = {}
        env_names: set[str] = set()
        stage_env_names: dict[int, set[str]] = {}
        for ins in df.instructions:
            if ins.keyword == "FROM":
                stage += 1
                ins.stage = stage
                self._scan(ins, global_args, set())
                df.stages.append(self._stage(ins, stage, stage_names))
                base = df.stages[-1].base_stage
                stage_args = {}
                env_names = set(stage_env_names.get(base, ())) if base is not None else set()
                stage_env_names[stage] = env_names
                continue
            ins.stage = stage
            if stage < 0 and ins.keyword != "ARG":
                self._problem(
                    f"{ins.keyword} before the first FROM: no build stage in current context",
                    "no-stage",
                    (ins.line, ins.column, ins.line, ins.end_column),
                )
                continue
            scope = global_args if stage < 0 else stage_args
            if ins.keyword == "ARG":
                self._declare_args(ins, stage, scope, global_args, env_names)
            elif ins.keyword in _EXPANDING:
                self._scan(ins, scope, env_names)
            if ins.keyword == "ENV":
                env_names.update(key for key, _ in _env_pairs(ins))

    def _stage(self, ins: Instruction, index: int, names: dict[str, int]) -> Stage:
        args = ins.args
        base_word = args[0] if args else None
        name_word = args[2] if len(args) == 3 and args[1].text.lower() == "as" else None
        name = name_word.text.lower() if name_word else None
        if name_word is not None and name is not None:
            if not _STAGE_NAME_RE.match(name):
                self._problem(
                    f"invalid name for build stage: {name_word.text!r}, name can't start "
                    "with a number or contain symbols",
                    "stage-name",
                    _span_of(name_word),
                )
            elif name in names:
                self._problem(
                    f"duplicate stage name {name!r} (first used by stage {names[name]})",
                    "duplicate-stage",
                    _span_of(name_word),
                    warning=True,
                )
            else:
                names[name] = index
        base = base_word.text if base_word else ""
        base_stage = names.get(base.lower()) if base else None
        if base_stage == index:
            base_stage = None
        return Stage(index, name, base, ins.line, ins, base_word, name_word, base_stage)

    def _declare_args(self, ins, stage, scope, global_args, env_names) -> None:
        for word, (w_start, w_end) in zip(ins.args, ins._offsets, strict=True):
            name, eq, raw_value = word.text.partition("=")
            if eq and not name:
                self._problem("ARG names can not be blank", "arguments", _span_of(word))
                continue
            if eq:  # the default may use ARGs declared before (also earlier in this line)
                self._scan(ins, scope, env_names, (w_start + len(name) + 1, w_end))
            default = expand_word(raw_value, {}, self.df.escape).value if eq else None
            inherited = False
            if not eq and stage >= 0 and name in global_args:
                g = global_args[name]
                inherited = g.has_default or g.inherited_default
            decl = ArgDecl(
                name=name,
                has_default=bool(eq),
                default=default,
                raw_default=raw_value if eq else None,
                line=word.line,
                column=word.column,
                end_column=word.column + len(name),
                stage=None if stage < 0 else stage,
                instruction=ins,
                inherited_default=inherited,
            )
            self.df.args.append(decl)
            scope[name] = decl

    def _scan(self, ins, scope: Mapping[str, ArgDecl], env_names: set[str], part=None) -> None:
        """Record the ``$NAME`` uses of ``ins`` (or of the logical range
        ``part``) and what each resolves to."""
        logical = ins._map
        start, end = part or (ins._kw_end, len(ins.logical))
        targets = [(ins.logical[start:end], lambda s, e: logical.span(start + s, start + e))]
        if part is None:
            for doc in ins.heredocs:
                # an unquoted heredoc is expanded; a quoted one only matters
                # when it is the script RUN executes (``RUN <<'EOF'``)
                is_script = ins.keyword == "RUN" and ins.arguments[0].startswith(doc.word.text)
                if doc.expand or is_script:
                    targets.append((doc.content, _content_locator(doc)))
        for text, locate in targets:
            lex = _Lexer(text, self.df.escape, None, True)
            lex.process(0, None)
            for name, s, e, fallback in lex.uses:
                if name in env_names:
                    arg, source = None, "env"
                else:
                    arg = scope.get(name)
                    source = "arg" if arg is not None else "none"
                self.df.references.append(
                    VarReference(name, *locate(s, e), ins, fallback, arg, source)
                )


def _content_locator(doc: Heredoc):
    """Map offsets in a heredoc's content to (line, col, end_line, end_col)."""
    starts = [0]
    for line in doc.content.split("\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def locate(s: int, e: int) -> tuple[int, int, int, int]:
        k = bisect.bisect_right(starts, s) - 1
        col = s - starts[k] + 1
        return doc.body_line + k, col, doc.body_line + k, col + (e - s)

    return locate


# --------------------------------------------------------------------------
# fal's own parse


@dataclass(frozen=True)
class FalCopySource:
    source: str
    line: int


@dataclass(frozen=True)
class FalSources:
    """What fal 1.83.0 extracts from a Dockerfile to upload.

    ``failures`` are COPY/ADD lines fal could not parse (it prints a warning
    and uploads nothing for them): (line, argument text).
    """

    sources: tuple[FalCopySource, ...]
    failures: tuple[tuple[int, str], ...]

    @property
    def paths(self) -> list[str]:
        return [s.source for s in self.sources]


_FAL_CONTINUATION = re.compile(r"\\\n\s*")
_FAL_INSTRUCTION = re.compile(
    r"^(?P<instruction>COPY|ADD)\s+(?P<rest>.+?)(?:\s*\\)?$", re.MULTILINE | re.IGNORECASE
)
_FAL_FLAGS = re.compile(r'--\w+(?:=[^\s\]]+|="[^"]*")?')


def fal_copy_sources(text: str) -> FalSources:
    """Mirror ``DockerfileParser.parse_copy_add_sources`` of fal 1.83.0.

    fal reads the Dockerfile with universal newlines, joins ``\\``-continued
    lines, and then, for every line that *starts* with COPY or ADD
    (case-insensitive):

    * skips ``COPY --from=...`` only when ``--from`` is the first flag;
    * skips an ``ADD`` entirely when ``http://`` or ``https://`` appears
      anywhere in it (local sources of the same ADD are not uploaded);
    * drops ``--word[=value]`` flags with a regex (``--keep-git-dir=1``
      leaves ``-git-dir=1`` behind as a "source");
    * decodes JSON form when the arguments end with ``]``, else splits
      with :func:`shlex.split` (POSIX quotes; an unbalanced quote makes fal
      skip the line);
    * takes all but the last word as sources and strips leading ``/``.

    It ignores the ``# escape=`` directive, ``$VAR`` expansion, comment lines
    inside continued instructions (they end the continuation), indented
    instructions and heredocs (``<<EOF`` becomes a "source").
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    normalized, to_original = _fal_normalize(text)
    sources: list[FalCopySource] = []
    failures: list[tuple[int, str]] = []
    line, counted = 1, 0  # lines counted incrementally: linear however many COPY lines
    for match in _FAL_INSTRUCTION.finditer(normalized):
        offset = to_original(match.start())
        line += text.count("\n", counted, offset)
        counted = offset
        instruction = match.group("instruction").upper()
        rest = match.group("rest").strip()
        if instruction == "COPY" and re.match(r"--from=", rest, re.IGNORECASE):
            continue
        if instruction == "ADD" and re.search(r"https?://", rest, re.IGNORECASE):
            continue
        cleaned = _FAL_FLAGS.sub("", rest).strip()
        if not cleaned:
            continue
        try:
            args = json.loads(cleaned) if cleaned.endswith("]") else shlex_split(cleaned)
            found = (
                [FalCopySource(a.lstrip("/"), line) for a in args[:-1]] if len(args) >= 2 else []
            )
        except (AttributeError, TypeError, ValueError, RecursionError):
            # fal prints a warning and skips the line (a RecursionError, from
            # absurdly nested JSON, would even crash it)
            failures.append((line, rest))
            continue
        sources.extend(found)
    return FalSources(tuple(sources), tuple(failures))


_SHLEX_TOKEN = re.compile(
    r"""(?P<space>[ \t\r\n]+)|(?P<word>[^ \t\r\n'"\\]+)|'(?P<single>[^']*)'"""
    r"""|"(?P<double>(?:[^"\\]|\\.)*)"|\\(?P<escaped>.)""",
    re.DOTALL,
)
_SHLEX_DOUBLE_ESCAPE = re.compile(r'\\(.)', re.DOTALL)


def shlex_split(text: str) -> list[str]:
    """:func:`shlex.split` (POSIX mode, no comments), in time linear in
    ``text`` (shlex itself builds each word a character at a time by string
    concatenation: quadratic, 13 s for a 1 MB word).  Raises ValueError
    where shlex does (an unclosed quote, a trailing backslash)."""
    words: list[str] = []
    current: list[str] = []
    started = False  # a word is open (possibly an empty quoted one)
    pos, end = 0, len(text)
    match = _SHLEX_TOKEN.match
    while pos < end:
        m = match(text, pos)
        if m is None:  # an unclosed quote or a trailing backslash
            if text[pos] == "\\":
                raise ValueError("No escaped character")
            raise ValueError("No closing quotation")
        kind = m.lastgroup
        if kind == "space":
            if started:
                words.append("".join(current))
                current, started = [], False
        elif kind == "double":
            current.append(_SHLEX_DOUBLE_ESCAPE.sub(
                lambda e: e.group(1) if e.group(1) in '"\\' else e.group(0), m.group(kind)))
            started = True
        else:
            current.append(m.group(kind))
            started = True
        pos = m.end()
    if started:
        words.append("".join(current))
    return words


def _fal_normalize(text: str):
    """fal's ``re.sub(r"\\\\\\n\\s*", " ", ...)`` plus an offset map back."""
    pieces: list[str] = []
    anchors: list[tuple[int, int]] = [(0, 0)]  # (normalized offset, original offset)
    last = 0
    length = 0
    for m in _FAL_CONTINUATION.finditer(text):
        pieces.append(text[last : m.start()])
        length += m.start() - last
        pieces.append(" ")
        length += 1
        last = m.end()
        anchors.append((length, last))
    pieces.append(text[last:])
    norm_starts = [a for a, _ in anchors]

    def to_original(offset: int) -> int:
        k = bisect.bisect_right(norm_starts, offset) - 1
        norm, orig = anchors[k]
        return orig + (offset - norm)

    return "".join(pieces), to_original
