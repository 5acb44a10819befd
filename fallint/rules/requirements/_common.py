"""What several requirements rules share: helpers and example projects."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Iterator

from fallint.util.records import dataclass
from fallint.util.suggest import did_you_mean
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.requirements import (
        LocalPath,
        ReqItem,
        ReqProblem,
    )
from fallint.model.requirement_layers import (
    AppRequirements,
    Layer,
    toml_requirements_use,
)

__all__ = ["AppRequirements", "Layer", "toml_requirements_use", "explain_syntax_error"]


#: what follows every uv parse-time error in a message
UV_REFUSES = "uv refuses the whole layer, so the environment build fails"


def suggestion_help(suggestion: str | None) -> str | None:
    """A library suggestion (replacement text or a hint) as a help text."""
    if not suggestion:
        return None
    if suggestion.startswith("did you mean"):
        return suggestion
    if suggestion.startswith("-"):
        return f"write {code(suggestion)}"
    if " " not in suggestion:  # one of the option's choices
        return f"did you mean {code(suggestion)}?"
    return suggestion


_VERSION_OPERATORS = ("===", "==", "!=", "<=", ">=", "~=", "<", ">")


_OPERATOR_FIXES = {"=": "==", "=>": ">=", "=<": "<=", "~": "~=", "!": "!=", "<>": "!=", "=!": "!=", "=~": "~="}


_MARKER_VARIABLES = (
    "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
    "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
    "implementation_name", "implementation_version", "extra",
)  # fmt: skip


_MARKER_OPERATORS = ("==", "!=", "<=", ">=", "~=", "===", "<", ">", "in")


_SPLIT = "each requirement is a string of its own in the array"


@dataclass(frozen=True)
class Explanation:
    message: str
    start: int
    end: int
    help: str | None = None


def _token_end(text: str, i: int, stop: str = ",;) ") -> int:
    while i < len(text) and not text[i].isspace() and text[i] not in stop:
        i += 1
    return i


def _word_at(text: str, i: int) -> tuple[int, int]:
    """The run of non-space, non-separator characters starting at ``i``."""
    return i, max(i + 1, _token_end(text, i, ",;()[]"))


def _prev_nonspace(text: str, i: int) -> int:
    j = i - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j


def _name_of(text: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return m.group(1) if m else text.strip()


def explain_syntax_error(text: str, p: "ReqProblem") -> Explanation:
    """packaging's message for requirement ``text`` reworded where it is cryptic.

    ``p`` is an ``invalid-requirement`` or ``invalid-marker`` problem; its
    ``end - 1`` is where packaging's caret points (kept as the column).
    """
    message, start, end = p.message, p.start, p.end
    caret = min(max(end - 1, 0), max(len(text) - 1, 0))
    handler = _EXPLAINERS.get(message)
    if handler is not None and text.strip():
        found = handler(text, caret, p)
        if found is not None:
            return found
    if message.startswith("Expected package name at the start"):
        if not text.strip():
            return Explanation("an empty string is not a requirement", 0, len(text), "remove the element")
        first = len(text) - len(text.lstrip())
        odd = next((i for i, c in enumerate(text) if not c.isascii()), None)
        if text[first].isascii() and text[first].isalnum() and odd is not None:
            return Explanation(f"{code(text[odd])} cannot be part of a project name (ASCII letters, digits, "
                               "`-`, `_` and `.`)", odd, odd + 1)
        return Explanation(f"a requirement starts with a project name, not {code(text[first])}", first,
                           first + 1)
    return Explanation(message[:1].lower() + message[1:] if message[:2].istitle() else message, start, end)


def _after_name(text: str, caret: int, p) -> Explanation | None:
    """packaging: ``Expected semicolon (after name with no version specifier) or end``."""
    name = _name_of(text)
    c = text[caret]
    if c in "=<>!~":
        j = caret
        while j < len(text) and text[j] in "=<>!~":
            j += 1
        op = text[caret:j]
        vstart = j
        while vstart < len(text) and text[vstart] == " ":
            vstart += 1
        vend = _token_end(text, vstart)
        version = text[vstart:vend]
        if op not in _VERSION_OPERATORS:
            fixed = _OPERATOR_FIXES.get(op)
            hint = (f"write {code(name + fixed + version)}" if fixed else
                    "version operators are " + ", ".join(code(o) for o in _VERSION_OPERATORS))
            return Explanation(f"{code(op)} is not a version operator", caret, j, hint)
        if not version:
            return Explanation(f"{code(op)} needs a version after it", caret, j,
                               f"write a version ({code(name + op + '1.0')}) or remove {code(op)}")
        if version[0] in "'\"":
            bare = version.strip("'\"")
            return Explanation("versions are not quoted in a requirement", vstart, vend,
                               f"write {code(name + op + bare)}")
        if op == "~=" and re.fullmatch(r"v?\d+", version):
            return Explanation(f"{code('~=')} needs a version with at least two parts", vstart, vend,
                               f"write {code(name + '~=' + version + '.0')}")
        return Explanation(f"{code(version)} is not a valid version (PEP 440)", vstart, vend)
    before = _prev_nonspace(text, caret)
    if c == ",":
        return Explanation(f"a {code(',')} after the project name: {_SPLIT}", caret, caret + 1,
                           f"write {code(name)} and the next requirement as separate strings")
    if c == "-" and before < caret - 1:
        return _option_inside(text, caret)
    if c.isalnum() and before < caret - 1:
        s, e = _word_at(text, caret)
        word = text[s:e]
        if word[0].isdigit():
            return Explanation(f"the version {code(word)} has no operator", s, e, f"write {code(name + '==' + word)}")
        return Explanation(f"unexpected {code(word)} after {code(name)}: {_SPLIT}", s, e,
                           f"write {code(word)} as a separate string, or join it with an operator")
    return Explanation(
        f"unexpected {code(c)} after the project name {code(name)} (expected a version such as "
        f"`==1.0`, `[extras]`, `@ URL`, `;` and a marker, or the end)",
        caret,
        caret + 1,
    )


def _option_inside(text: str, at: int) -> Explanation:
    s, e = _word_at(text, at)
    return Explanation(
        f"the option {code(text[s:e])} is inside a requirement string: uv reads the whole string "
        "as one requirement",
        s,
        len(text.rstrip()),
        "put the option, its value and the requirement into separate strings",
    )


def _after_specifier(text: str, caret: int, p) -> Explanation | None:
    """packaging: ``Expected comma (within version specifier), semicolon (after version specifier) or end``."""
    c = text[caret]
    before = _prev_nonspace(text, caret)
    if c == "," and before >= 0 and text[before] == ",":
        return Explanation("an empty version specifier between two commas", caret, caret + 1,
                           f"write {code(text[:caret] + text[caret + 1:].lstrip(','))}")
    if c in "<>=!~":
        fixed = text[: before + 1] + "," + text[caret:]
        return Explanation("a comma is missing between two version specifiers", caret, caret + 1,
                           f"write {code(fixed.strip())}")
    if c == "-" and before < caret - 1:
        return _option_inside(text, caret)
    if c.isalnum() and before < caret - 1:
        s, e = _word_at(text, caret)
        word = text[s:e]
        if word[0].isdigit():
            return None
        return Explanation(f"unexpected {code(word)} after the version specifier: {_SPLIT}", s, e,
                           f"write {code(word)} as a separate string, or start a marker with `;`")
    if c in ".*" or c.isalnum():
        s = p.start
        e = _token_end(text, s)
        return Explanation(f"{code(text[s:e].strip())} is not a valid version specifier", s, e)
    return Explanation(
        f"unexpected {code(c)} after the version specifier (expected `,` and another "
        "specifier, `;` and a marker, or the end)",
        caret,
        caret + 1,
    )


def _in_marker(text: str, caret: int, p) -> Explanation | None:
    """packaging: ``Expected a marker variable or quoted string``."""
    semicolon = text.find(";")
    if semicolon < 0 or semicolon > caret:
        return None
    marker = text[semicolon + 1:]
    if not marker.strip():
        return Explanation("nothing follows the `;`: a marker is missing", semicolon, semicolon + 1,
                           "write a marker (`; python_version >= \"3.10\"`) or remove the `;`")
    last = re.search(r"\b(and|or)\s*$", text)
    if last and last.start() > semicolon:
        return Explanation(f"the marker ends with {code(last.group(1))}: another condition must follow",
                           last.start(), last.end())
    s, e = _word_at(text, caret)
    word = text[s:e]
    before = text[semicolon + 1:caret].rstrip()
    if any(before.endswith(op) for op in _MARKER_OPERATORS) and word:
        bare = word.strip("'\"")
        return Explanation("marker values are quoted strings", s, e, f"write {code(_quoted(bare))}")
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", word):
        hint = did_you_mean(word, _MARKER_VARIABLES)
        return Explanation(
            f"{code(word)} is not a marker variable",
            s,
            e,
            f"did you mean {code(hint)}?" if hint else "marker variables: " + ", ".join(_MARKER_VARIABLES),
        )
    return Explanation("expected a marker variable (such as `python_version`) or a quoted string", caret,
                       caret + 1)


def _marker_operator(text: str, caret: int, p) -> Explanation | None:
    s = e = caret
    while e < len(text) and text[e] in "=<>!~":
        e += 1
    op = text[s:e]
    known = "marker operators are ==, !=, <, <=, >, >=, ~=, in, not in"
    if op:
        fixed = _OPERATOR_FIXES.get(op)
        return Explanation(f"{code(op)} is not a marker operator", s, e,
                           f"write {code(fixed)}" if fixed else known)
    return Explanation("expected a marker operator", caret, caret + 1, known)


def _quoted(value: str) -> str:
    return '"' + value + '"' if '"' not in value else "'" + value + "'"


_EXPLAINERS = {
    "Expected semicolon (after name with no version specifier) or end": _after_name,
    "Expected comma (within version specifier), semicolon (after version specifier) or end":
        _after_specifier,
    "Expected a marker variable or quoted string": _in_marker,
    "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras":
        lambda t, c, p: Explanation("the `[` of the extras is never closed", p.start, p.start + 1,
                                    "close the extras with `]`"),
    "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier":
        lambda t, c, p: Explanation("the `(` is never closed", p.start, p.start + 1, "add the `)`"),
    "Expected extra name after comma":
        lambda t, c, p: Explanation("an extra name is missing after `,`", c, c + 1),
    "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in": _marker_operator,
    "Expected URL after @":
        lambda t, c, p: Explanation("`@` must be followed by a URL", p.start, p.end),
}


def entry_point_app_toml(requirements: str, extra: str = "") -> str:
    """An entry-point app (line 3 holds `requirements` when it is one line, line 4 `extra`)."""
    return f'''
        [tool.fal.apps.textgen]
        python_entry_point = "textgen.serve:TextGen"
        requirements = {requirements}
        {extra}'''


TOKENIZER_FILES = {"libs/tokenizer/pyproject.toml": '[project]\nname = "tokenizer"\nversion = "0.1"\n'}


#: options whose value names a file uv reads where it runs
FILE_OPTIONS = frozenset({"--requirements", "--constraints", "--overrides", "--excludes",
                           "--build-constraints", "--cert", "--config-file"})


def why_fal_sees_no_project(local: "LocalPath") -> str | None:
    """Why fal refuses to build this directory (``_read_package_name``), or None."""
    if not local.has_pyproject:
        return "it has no `pyproject.toml`"
    if local.error:
        return local.error.replace("pyproject.toml", "its `pyproject.toml`", 1)
    if local.project_name is None:
        return "its `pyproject.toml` has no `[project]` `name`"
    return None


def local_paths(reqs: AppRequirements) -> Iterator[tuple[Layer, int, "LocalPath"]]:
    """Every element fal builds as an sdist: any whole string naming a directory
    (option values included; never a value attached to its option, ``-e.``)."""
    for layer, item in reqs.items():
        if item.local is not None:
            yield layer, item.index, item.local


def editable_locals(reqs: AppRequirements) -> dict[tuple[int, int], tuple[Layer, "ReqItem"]]:
    """``(id(layer), element index) -> (layer, -e option)`` for ``-e <local directory>``."""
    out = {}
    for layer, item in reqs.items():
        if item.kind != "option" or item.option != "--editable" or item.value_index in (None, item.index):
            continue
        if layer.analysis.items[item.value_index].local is not None:
            out[(id(layer), item.value_index)] = (layer, item)
    return out
