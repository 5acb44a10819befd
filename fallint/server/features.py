"""Editor features over a :class:`~fallint.server.workspace.Workspace`, free of
LSP types: positions are 1-based (line, character column) as in
:mod:`fallint.diagnostics`; :mod:`fallint.server.lsp` converts.

* :func:`ignore_edit`: the text edit adding ``# fallint: ignore[CODE]`` to a line;
* :func:`hover`: an app key's documentation, a rule's summary in an ignore comment;
* :func:`definition`: ``ref``, ``python_entry_point``, ``image.dockerfile`` targets;
* :func:`completions`: app keys and allowed values;
* :func:`fix_edits`: the edits of a diagnostic's fix, when diagnostics carry fixes.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from fallint.diagnostics import SAFE, Diagnostic, Fix, Location
from fallint.engine.suppress import COMMENT_RE

_HEADER_RE = re.compile(r"^\s*\[\s*tool\s*\.\s*fal\s*\.\s*apps\s*\.\s*(\"[^\"]*\"|'[^']*'|[A-Za-z0-9_-]+)\s*\]\s*(#.*)?$")
_ANY_HEADER_RE = re.compile(r"^\s*\[")
_KEY_PREFIX_RE = re.compile(r"^\s*([A-Za-z_]*)$")
_VALUE_RE = re.compile(r"^\s*([A-Za-z_]+)\s*=\s*(.*)$")

#: a text edit: (start line, start column, end line, end column, new text), 1-based, end exclusive
Edit = tuple[int, int, int, int, str]


# -- ignore this rule on this line ---------------------------------------------


def ignore_edit(path: str, lines: list[str], line: int, code: str) -> Edit | None:
    """The edit that suppresses ``code`` on ``line`` with an inline comment,
    or None where a comment cannot go (Dockerfiles and ``.dockerignore``,
    where ``#`` starts a comment only at the start of a line; a line inside
    a multi-line string; a line already suppressing everything)."""
    name = os.path.basename(path)
    if not (name.endswith(".toml") or name.endswith(".py")) or not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    match = COMMENT_RE.search(text)
    if match is not None:
        if match.group(1) is None:
            return None  # `# fallint: ignore` already covers every rule
        codes = [c.strip() for c in match.group(1).split(",") if c.strip()]
        if code in codes:
            return None
        end = match.end() - 1  # the closing bracket (0-based)
        insert = (", " if codes else "") + code
        edit: Edit = (line, end + 1, line, end + 1, insert)
    else:
        stripped = text.rstrip()
        col = len(stripped) + 1
        edit = (line, col, line, len(text) + 1, f"  # fallint: ignore[{code}]")
    if not _same_meaning(name, lines, edit):
        return None
    return edit


def apply_edits(lines: list[str], edits: list[Edit]) -> str:
    """``lines`` joined with ``edits`` applied (non-overlapping; any order)."""
    text = "\n".join(lines)
    starts = [0]
    for ln in lines:
        starts.append(starts[-1] + len(ln) + 1)

    def offset(line: int, col: int) -> int:
        return starts[min(line, len(lines)) - 1] + col - 1

    for l1, c1, l2, c2, new in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        text = text[: offset(l1, c1)] + new + text[offset(l2, c2):]
    return text


def _same_meaning(name: str, lines: list[str], edit: Edit) -> bool:
    """Adding the comment changes nothing but comments (else it landed in a string)."""
    before = "\n".join(lines)
    after = apply_edits(lines, [edit])
    try:
        if name.endswith(".toml"):
            import tomli

            try:
                old = tomli.loads(before)
            except tomli.TOMLDecodeError:
                return _comment_only_line(lines, edit)
            try:
                return tomli.loads(after) == old
            except tomli.TOMLDecodeError:
                return False
        import ast

        try:
            old_tree = ast.dump(ast.parse(before))
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            return _comment_only_line(lines, edit)
        return ast.dump(ast.parse(after)) == old_tree
    except Exception:
        return False


def _comment_only_line(lines: list[str], edit: Edit) -> bool:
    """For a file that does not parse: the line holds no quote (a comment cannot be in a string)."""
    text = lines[edit[0] - 1]
    return not any(q in text for q in ('"""', "'''")) and text.count('"') % 2 == 0 and text.count("'") % 2 == 0


# -- fixes (when diagnostics carry them) ------------------------------------------


def fix_of(diagnostic: Diagnostic) -> Fix | None:
    return diagnostic.fix


def fix_edits(fix: Fix, path: Path) -> list[Edit] | None:
    """The edits of ``fix`` as (line, column, end line, end column, new text)
    in file ``path``; None when the fix also touches another file."""
    out: list[Edit] = []
    for edit in fix.edits:
        if os.path.abspath(edit.path) != os.path.abspath(path):
            return None
        out.append((edit.line, edit.column, edit.end_line, edit.end_column, edit.content))
    return out or None


def fix_title(fix: Fix, diagnostic: Diagnostic) -> str:
    return fix.message or f"Fix {diagnostic.code}: {diagnostic.message}"


def fix_is_safe(fix: Fix) -> bool:
    return fix.applicability == SAFE


# -- where the cursor is in a pyproject ---------------------------------------------


def _key_at(project: Any, line: int, col: int) -> tuple[Any, tuple, str] | None:
    """(app, key path inside the app, "key" | "value") under the cursor."""
    index = project.index
    for app in project.all_apps:
        for key, value in app.table.items():
            paths = [(key, sub) for sub in value] if isinstance(value, dict) else []
            paths.append((key,))  # the nested keys first: the table's span holds theirs
            for keypath in paths:
                full = app.path + keypath
                if not index.has(full):
                    continue
                for part in ("key", "value"):
                    loc = index.span(full, part)
                    if _inside(loc, line, col):
                        return app, keypath, part
    return None


def _inside(loc: Location, line: int, col: int) -> bool:
    if (line, col) < (loc.line, loc.column):
        return False
    return (line, col) <= (loc.end_line, loc.end_column)


def hover(state: Any, path: str, lines: list[str], line: int, col: int) -> str | None:
    """Markdown for the hover at (line, col) of ``path``, or None."""
    if 1 <= line <= len(lines):
        text = lines[line - 1]
        match = COMMENT_RE.search(text)
        if match is not None and match.group(1) is not None:
            start = match.start(1) + 1
            offset = start
            for selector in match.group(1).split(","):
                stripped = selector.strip()
                lead = len(selector) - len(selector.lstrip())
                if stripped and offset + lead <= col <= offset + lead + len(stripped):
                    return rule_summary(stripped)
                offset += len(selector) + 1
    project = getattr(state, "project", None)
    if project is None or os.path.abspath(path) != os.path.abspath(project.pyproject_path):
        return None
    found = _key_at(project, line, col)
    if found is None:
        return None
    _, keypath, part = found
    from fallint.model.key_docs import key_doc, markdown

    doc = key_doc(keypath[0])
    if doc is None:
        return None
    if len(keypath) > 1 and part == "key":
        return None
    return markdown(doc, pinned_fal_version(project))


def pinned_fal_version(project: Any) -> str | None:
    """The fal release that deploys the project when something pins or chooses
    one (:attr:`Project.fal_releases`: lock files, requirement pins,
    ``[project]`` specifiers, ``fal-version``); None when nothing does."""
    pins = project.fal_releases
    return pins.release if pins is not None and pins.kind != "default" else None


def rule_summary(selector: str) -> str | None:
    from fallint.rules.registry import get_rule

    rule = get_rule(selector)
    if rule is None:
        return f"`{selector}`: no such fallint rule"
    from fallint.reports.common import rule_url

    return f"**{rule.code}** `{rule.name}` ({rule.severity})\n\n{rule.summary}\n\n[Documentation]({rule_url(rule.code)})"


def definition(state: Any, path: str, line: int, col: int) -> Location | None:
    """Where the ``ref`` / ``python_entry_point`` / ``image.dockerfile`` value under the cursor leads."""
    project = getattr(state, "project", None)
    if project is None or os.path.abspath(path) != os.path.abspath(project.pyproject_path):
        return None
    found = _key_at(project, line, col)
    if found is None:
        return None
    app, keypath, _ = found
    value = app.get(*keypath)
    if not isinstance(value, str):
        return None
    root = project.root
    if keypath == ("ref",):
        file_part, _, name = value.partition("::")
        target = Path(os.path.normpath(root / file_part))
        if not target.is_file():
            return None
        sources = project.sources
        symbol = None
        if name:
            symbol = sources.lookup(target, name)
        else:
            found_apps = sources.apps_in(target) or sources.functions_in(target)
            symbol = found_apps[0] if len(found_apps) == 1 else None
        if symbol is not None and symbol.path is not None and symbol.line:
            return Location.point(Path(symbol.path), symbol.line, symbol.column or 1)
        return Location.point(target, 1, 1)
    if keypath == ("python_entry_point",):
        module, _, name = value.partition(":")
        module, name = module.strip(), name.strip()
        if not module or not all(p.isidentifier() for p in module.split(".")):
            return None
        location = project.sources.module_file(module)
        if location.path is None or not Path(location.path).is_file():
            return None
        target = Path(location.path)
        if name:
            symbol = project.sources.resolve_dotted(target, name) if "." in name else project.sources.lookup(target, name)
            if symbol is not None and symbol.path is not None and symbol.line:
                return Location.point(Path(symbol.path), symbol.line, symbol.column or 1)
        return Location.point(target, 1, 1)
    if keypath == ("image", "dockerfile"):
        target = Path(os.path.normpath(root / value))
        return Location.point(target, 1, 1) if target.is_file() else None
    return None


# -- completion -----------------------------------------------------------------------


def completions(state: Any, lines: list[str], line: int, col: int) -> list[tuple[str, str, str]]:
    """(label, text to insert, detail) for the cursor at (line, col) of a pyproject."""
    if not 1 <= line <= len(lines):
        return []
    before = lines[line - 1][: col - 1]
    app_header = None
    for i in range(line - 1, -1, -1):
        text = lines[i]
        if _ANY_HEADER_RE.match(text) and not text.lstrip().startswith("[["):
            m = _HEADER_RE.match(text) if i != line - 1 else None
            app_header = m.group(1).strip("\"'") if m else None
            break
        if _ANY_HEADER_RE.match(text):
            break
    if app_header is None:
        return []
    from fallint.model import key_docs

    m = _KEY_PREFIX_RE.match(before)
    if m is not None:
        present = set()
        project = getattr(state, "project", None)
        table = None
        if project is not None and isinstance(project.apps_table, dict):
            table = project.apps_table.get(app_header)
        if isinstance(table, dict):
            present = set(table)
        out = []
        for key in key_docs.all_keys():
            if key in present or key.startswith("_"):
                continue
            doc = key_docs.key_doc(key)
            out.append((key, key, doc.kind if doc else ""))
        return out
    m = _VALUE_RE.match(before)
    if m is None:
        return []
    key, value_text = m.group(1), m.group(2)
    extra: tuple[str, ...] = ()
    project = getattr(state, "project", None)
    if project is not None:
        try:
            extra = tuple(project.config.extra_machine_types)
        except Exception:
            extra = ()
    values = key_docs.allowed_values(key, extra)
    if not values:
        return []
    in_string = value_text.count('"') % 2 == 1
    return [(v, v if in_string else f'"{v}"', key) for v in values]
