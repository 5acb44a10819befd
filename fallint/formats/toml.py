"""Source positions for a TOML document: key path -> span.

tomli stays the source of truth for *values*; this module only answers
"where in the file is ``tool.fal.apps.web.requirements[1]``?".  The backend
is tree-sitter with the TOML grammar (spans for table headers, keys, values,
array elements and comments, with error recovery), hidden behind
:class:`TomlIndex`:

* :meth:`TomlIndex.span` returns the :class:`~fallint.diagnostics.Location`
  of a key path, for a ``part`` of ``"key"``, ``"value"`` or ``"header"``,
  falling back to the nearest ancestor that has a span, so a diagnostic
  never lands at 1:1 by accident;
* :attr:`TomlIndex.comments` lists every comment with its position.

The tree is built lazily, on the first question: a clean run that reports
nothing never imports tree-sitter.
"""

from __future__ import annotations

from pathlib import Path

from fallint.util.records import dataclass
from fallint.diagnostics import Location

KeyPath = tuple  # of str (keys) and int (array indices)

# A raw span: (start_row, start_byte_col, end_row, end_byte_col), 0-based, bytes.
RawSpan = tuple[int, int, int, int]

_PARSER = None


def _parser():
    global _PARSER
    if _PARSER is None:
        import tree_sitter
        import tree_sitter_toml

        _PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_toml.language()))
    return _PARSER


@dataclass(frozen=True)
class Comment:
    line: int  # 1-based
    column: int  # 1-based, characters
    text: str  # including the leading '#'


@dataclass
class _Entry:
    key: RawSpan | None = None
    value: RawSpan | None = None
    header: RawSpan | None = None
    explicit: bool = False  # defined by its own header / pair (not implied by a longer key)


class TomlIndex:
    """Positions of every key, value, array element, table header and comment."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self._entries: dict[KeyPath, _Entry] | None = None
        self._comments: list[Comment] | None = None
        self._lines_b: list[bytes] | None = None
        self._aot_counts: dict[KeyPath, int] = {}

    # -- public API ---------------------------------------------------------
    def span(self, keypath: KeyPath, part: str = "value") -> Location:
        """Location of ``part`` of ``keypath``, else of its nearest ancestor."""
        entries = self._build()
        path = tuple(keypath)
        first = True
        while True:
            entry = entries.get(path)
            if entry is not None:
                raw = _pick(entry, part if first else "key")
                if raw is not None:
                    return self._location(raw)
            if not path:
                break
            path = path[:-1]
            first = False
        # Nothing at all (empty document?): the first non-blank line.
        return self._first_line_location()

    def has(self, keypath: KeyPath) -> bool:
        return tuple(keypath) in self._build()

    def line_of(self, keypath: KeyPath, part: str = "key") -> int | None:
        entry = self._build().get(tuple(keypath))
        if entry is None:
            return None
        raw = _pick(entry, part)
        return raw[0] + 1 if raw else None

    def header_line(self, keypath: KeyPath) -> int | None:
        """Line of the ``[table]`` header (or inline-table key) that defines ``keypath``."""
        entry = self._build().get(tuple(keypath))
        if entry is None or entry.header is None:
            return None
        return entry.header[0] + 1

    @property
    def comments(self) -> list[Comment]:
        self._build()
        assert self._comments is not None
        return self._comments

    # -- building -------------------------------------------------------------
    def _build(self) -> dict[KeyPath, _Entry]:
        if self._entries is None:
            self._entries = {}
            self._comments = []
            data = self.text.encode("utf-8", errors="surrogatepass")
            self._lines_b = data.split(b"\n")
            tree = _parser().parse(data)
            self._walk_document(tree.root_node)
        return self._entries

    def _walk_document(self, root) -> None:
        current: KeyPath = ()
        for node in root.children:
            t = node.type
            if t == "table":
                current = self._header(node, array=False)
                self._walk_body(node, current)
            elif t == "table_array_element":
                current = self._header(node, array=True)
                self._walk_body(node, current)
            elif t == "pair":
                self._pair(node, current)
            elif t == "comment":
                self._comment(node)
            elif t == "ERROR":
                self._walk_error(node, current)

    def _walk_error(self, node, base: KeyPath) -> None:
        # Recover what we can from a region tree-sitter could not parse.
        for child in node.children:
            if child.type == "pair":
                self._pair(child, base)
            elif child.type == "comment":
                self._comment(child)
            elif child.type == "ERROR":
                self._walk_error(child, base)

    def _walk_body(self, node, base: KeyPath) -> None:
        for child in node.children:
            t = child.type
            if t == "pair":
                self._pair(child, base)
            elif t == "comment":
                self._comment(child)
            elif t == "ERROR":
                self._walk_error(child, base)

    def _header(self, node, *, array: bool) -> KeyPath:
        keynode = None
        close = None
        for child in node.children:
            if child.type in ("bare_key", "quoted_key", "dotted_key"):
                keynode = child
            elif child.type in ("]", "]]"):
                close = child
                break
        if keynode is None:
            return ()
        segments = self._segments(keynode)
        path: KeyPath = ()
        for i, (name, seg) in enumerate(segments):
            path = path + (name,)
            last = i == len(segments) - 1
            if last and array:
                self._set(path, key=_raw(seg), explicit=True)
                n = self._aot_counts.get(path, 0)
                self._aot_counts[path] = n + 1
                path = path + (n,)
                header = (node.start_point[0], node.start_point[1],
                          (close or keynode).end_point[0], (close or keynode).end_point[1])
                self._set(path, key=_raw(seg), header=header, explicit=True)
            elif last:
                header = (node.start_point[0], node.start_point[1],
                          (close or keynode).end_point[0], (close or keynode).end_point[1])
                self._set(path, key=_raw(seg), header=header, explicit=True)
            else:
                self._set(path, key=_raw(seg), explicit=False)
        return path

    def _pair(self, node, base: KeyPath) -> None:
        keynode = None
        value = None
        for child in node.children:
            t = child.type
            if t in ("bare_key", "quoted_key", "dotted_key") and keynode is None:
                keynode = child
            elif t == "comment":
                self._comment(child)
            elif t not in ("=",) and keynode is not None and value is None and child.is_named:
                value = child
        if keynode is None:
            return
        path = base
        segments = self._segments(keynode)
        for i, (name, seg) in enumerate(segments):
            path = path + (name,)
            if i < len(segments) - 1:
                self._set(path, key=_raw(seg), explicit=False)
        last_seg = segments[-1][1]
        if value is None:
            self._set(path, key=_raw(last_seg), explicit=True)
            return
        is_table = value.type == "inline_table"
        self._set(
            path,
            key=_raw(last_seg),
            value=_raw(value),
            header=_raw(node) if is_table else None,
            explicit=True,
        )
        self._value(value, path)

    def _value(self, node, path: KeyPath) -> None:
        if len(path) > _MAX_DEPTH:  # positions that deep are never asked for
            return
        t = node.type
        if t == "array":
            i = 0
            for child in node.children:
                if child.type == "comment":
                    self._comment(child)
                elif child.is_named and child.type != "ERROR":
                    self._set(path + (i,), value=_raw(child), explicit=True)
                    self._value(child, path + (i,))
                    i += 1
        elif t == "inline_table":
            for child in node.children:
                if child.type == "pair":
                    self._pair(child, path)

    def _segments(self, keynode) -> list[tuple[str, object]]:
        if keynode.type == "dotted_key":
            out: list[tuple[str, object]] = []
            for child in keynode.children:
                if child.type in ("bare_key", "quoted_key", "dotted_key"):
                    out.extend(self._segments(child))
            return out
        return [(_key_text(keynode), keynode)]

    def _set(self, path: KeyPath, *, key=None, value=None, header=None, explicit: bool) -> None:
        assert self._entries is not None
        entry = self._entries.get(path)
        if entry is None:
            self._entries[path] = _Entry(key=key, value=value, header=header, explicit=explicit)
            return
        if explicit and not entry.explicit:
            # an explicit definition beats a span implied by a longer dotted key/header
            entry.key = key or entry.key
            entry.value = value or entry.value
            entry.header = header or entry.header
            entry.explicit = True
        else:
            entry.key = entry.key or key
            entry.value = entry.value or value
            entry.header = entry.header or header

    def _comment(self, node) -> None:
        assert self._comments is not None
        row, col = node.start_point
        self._comments.append(
            Comment(row + 1, self._char_col(row, col) + 1, node.text.decode("utf-8", "replace"))
        )

    # -- positions --------------------------------------------------------------
    def _char_col(self, row: int, byte_col: int) -> int:
        assert self._lines_b is not None
        if row >= len(self._lines_b):
            return byte_col
        return len(self._lines_b[row][:byte_col].decode("utf-8", errors="replace"))

    def _location(self, raw: RawSpan) -> Location:
        sr, sc, er, ec = raw
        return Location(
            self.path,
            sr + 1,
            self._char_col(sr, sc) + 1,
            er + 1,
            self._char_col(er, ec) + 1,
        )

    def _first_line_location(self) -> Location:
        lines = self.text.split("\n") or [""]
        for i, line in enumerate(lines):
            if line.strip():
                start = len(line) - len(line.lstrip())
                return Location(self.path, i + 1, start + 1, i + 1, len(line.rstrip()) + 1)
        return Location(self.path, 1, 1, 1, 2)


#: key paths longer than this are not indexed (and the walk does not recurse further)
_MAX_DEPTH = 100


def _pick(entry: _Entry, part: str) -> RawSpan | None:
    if part == "key":
        return entry.key or entry.header or entry.value
    if part == "header":
        return entry.header or entry.key or entry.value
    return entry.value or entry.key or entry.header


def _raw(node) -> RawSpan:
    return (node.start_point[0], node.start_point[1], node.end_point[0], node.end_point[1])


def _key_text(node) -> str:
    raw = node.text.decode("utf-8", errors="replace")
    if node.type == "bare_key":
        return raw
    if raw.startswith("'"):
        return raw[1:-1] if raw.endswith("'") and len(raw) >= 2 else raw[1:]
    try:
        import tomli

        return tomli.loads(f"k = {raw}")["k"]
    except Exception:
        return raw.strip('"')
