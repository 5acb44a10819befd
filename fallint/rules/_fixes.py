"""Helpers the rules' ``fix_for`` methods share: find the app and key path of a
diagnostic, read the source text at a span, write TOML literals."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

from fallint.diagnostics import Diagnostic, Edit, Fix, Location

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App, Project

_SEGMENT_RE = re.compile(r'\.?(?:([A-Za-z0-9_-]+)|"((?:[^"\\]|\\.)*)"|\[(\d+)\])')


def parse_keypath(text: str | None) -> tuple | None:
    """The key path a diagnostic's ``key`` names (the inverse of ``format_keypath``)."""
    if not text:
        return None
    out: list = []
    pos = 0
    while pos < len(text):
        m = _SEGMENT_RE.match(text, pos)
        if m is None or m.end() == pos:
            return None
        bare, quoted, index = m.groups()
        if bare is not None:
            out.append(bare)
        elif quoted is not None:
            out.append(json.loads(f'"{quoted}"'))
        else:
            out.append(int(index))
        pos = m.end()
    return tuple(out)


def app_of(project: "Project", d: Diagnostic) -> "App | None":
    if d.app is None:
        return None
    return next((a for a in project.apps if a.key == d.app), None)


def text_at(project: "Project", loc: Location) -> str | None:
    """The pyproject text of a one-line span (None for other files or multi-line spans)."""
    if loc.path != project.pyproject_path or loc.line != loc.end_line:
        return None
    lines = project.text.split("\n")
    if not 1 <= loc.line <= len(lines):
        return None
    return lines[loc.line - 1][loc.column - 1 : loc.end_column - 1]


def toml_string(value: str, like: str = '"') -> str:
    """``value`` as a TOML string, a literal string when ``like`` is one and it can be."""
    if like.startswith("'") and not like.startswith("'''") and "'" not in value and "\n" not in value:
        return f"'{value}'"
    out = json.dumps(value, ensure_ascii=False)
    return out.replace("\x7f", "\\u007f")


def replace_value(project: "Project", keypath: tuple, new_text: str) -> Edit | None:
    """An edit replacing the value at ``keypath`` (a one-line span) by ``new_text``."""
    loc = project.index.span(keypath, "value")
    if not project.index.has(keypath) or text_at(project, loc) is None:
        return None
    return Edit.replace(loc, new_text)


def normalised(key: str) -> str:
    return key.lower().replace("-", "").replace("_", "")


def rename_key(project: "Project", d: Diagnostic, old: str, new: str) -> Fix | None:
    """Rename the key a diagnostic points at (``part="key"``); safe when only the
    case or ``-``/``_`` differ, unsafe when the new name is a guess."""
    current = text_at(project, d.location)
    if current not in (old, json.dumps(old), f"'{old}'"):
        return None
    edit = Edit.replace(d.location, new)
    message = f"Rename `{old}` to `{new}`"
    return Fix.safe(message, edit) if normalised(old) == normalised(new) else Fix.unsafe(message, edit)


def replace_string(project: "Project", keypath: tuple, new: str) -> Edit | None:
    """An edit rewriting the one-line TOML string at ``keypath`` as ``new``
    (in the same quoting style when it can be)."""
    if not project.index.has(keypath):
        return None
    loc = project.index.span(keypath, "value")
    source = text_at(project, loc)
    if source is None or source[:1] not in ("'", '"') or source.startswith(("'''", '"""')):
        return None
    return Edit.replace(loc, toml_string(new, source))


def one_close(word: str, candidates) -> str | None:
    """The "did you mean" candidate for ``word``, unless another candidate is as close
    (a fix must not pick between two equally likely names)."""
    import difflib

    from fallint.util.suggest import _norm, did_you_mean

    cands = list(dict.fromkeys(candidates))
    hint = did_you_mean(word, cands)
    if hint is None:
        return None
    nw = _norm(word)
    same = [c for c in cands if _norm(c) == nw]
    if same:
        return hint if len(same) == 1 else None
    best = difflib.SequenceMatcher(None, nw, _norm(hint)).ratio()
    rivals = [c for c in cands if c != hint and difflib.SequenceMatcher(None, nw, _norm(c)).ratio() >= best]
    return None if rivals else hint


def remove_element(project: "Project", keypath: tuple) -> Edit | None:
    """An edit removing the array element at ``keypath`` (its last part an index)
    with its comma: its whole line when it stands alone there, else the ``, "x"``
    beside it.  None when a comment sits in the way or the spans are not plain."""
    index = keypath[-1]
    if not isinstance(index, int) or not project.index.has(keypath):
        return None
    lines = project.text.split("\n")
    here = project.index.span(keypath, "value")
    if here.line != here.end_line or not 1 <= here.line <= len(lines):
        return None
    text = lines[here.line - 1]
    before, after = text[: here.column - 1], text[here.end_column - 1:]
    if not before.strip() and re.fullmatch(r"\s*,?\s*", after):
        if here.line >= len(lines):
            return None
        return Edit(here.path, here.line, 1, here.line + 1, 1, "")
    for other, forward in ((keypath[:-1] + (index - 1,), False), (keypath[:-1] + (index + 1,), True)):
        if other[-1] < 0 or not project.index.has(other):
            continue
        loc = project.index.span(other, "value")
        if loc.line != here.line or loc.end_line != here.line:
            continue
        if forward:
            between = text[here.end_column - 1: loc.column - 1]
            start, end = here.column, loc.column
        else:
            between = text[loc.end_column - 1: here.column - 1]
            start, end = loc.end_column, here.end_column
        if re.fullmatch(r"\s*,\s*", between):
            return Edit(here.path, here.line, start, here.line, end, "")
    return None


def remove_pair(project: "Project", keypath: tuple) -> Edit | None:
    """An edit removing the line of the ``key = value`` pair at ``keypath``, when the
    pair is alone on its line (a comment after it goes too); None otherwise
    (an inline table, a multi-line value, another pair on the line)."""
    if not project.index.has(keypath):
        return None
    key = project.index.span(keypath, "key")
    value = project.index.span(keypath, "value")
    lines = project.text.split("\n")
    if not (key.line == key.end_line == value.line == value.end_line) or not 1 <= key.line < len(lines):
        return None
    text = lines[key.line - 1]
    if text[: key.column - 1].strip() or not re.fullmatch(r"\s*(#.*)?", text[value.end_column - 1:]):
        return None
    return Edit(key.path, key.line, 1, key.line + 1, 1, "")
