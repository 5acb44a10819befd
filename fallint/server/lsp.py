"""``fallint server``: the Language Server Protocol glue (pygls).

Imported only by ``fallint server`` (pygls is the optional extra
``fallint[server]``).  All fallint work happens in
:class:`~fallint.server.workspace.Workspace` and :mod:`fallint.server.features`;
this module converts positions (LSP: 0-based, UTF-16 code units; fallint:
1-based characters) and schedules checks: on open and save at once, on
change after :data:`DEBOUNCE` seconds without typing.
"""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from fallint import __version__
from fallint.diagnostics import ERROR, Diagnostic, Location
from fallint.server import features
from fallint.server.workspace import INTERNAL_CODE, Workspace

DEBOUNCE = 0.15
#: seconds without a check before the cyclic garbage of past checks is
#: collected (automatic collection is off: a full collection of a large
#: project's objects took ~0.4 s, in the middle of a keystroke)
IDLE_GC = 2.0
#: collect anyway after this many checks without a pause
GC_EVERY = 50
#: the files whose change on disk (outside the editor) re-checks a project
WATCHED = ("**/pyproject.toml", "**/*.py", "**/Dockerfile*", "**/*.Dockerfile", "**/.dockerignore",
           "**/requirements*.txt", "**/*.lock", "**/pylock.*.toml")
FIX_ALL_KIND = "source.fixAll.fallint"
log = logging.getLogger("fallint.server")


class FallintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("fallint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.model = Workspace()
        #: uri -> the LSP diagnostics last published
        self.published: dict[str, list[types.Diagnostic]] = {}
        #: uri -> (LSP diagnostic key -> fallint diagnostic), for code actions
        self.by_key: dict[str, dict[tuple, Diagnostic]] = {}
        self._pending: dict[str, asyncio.Task] = {}
        self._gc_task: asyncio.Task | None = None
        self._checks_since_gc = 0

    # -- checking ---------------------------------------------------------------

    def refresh(self, path: str, *, full: bool = False) -> None:
        try:
            touched = self.model.refresh(path, full=full)
        except Exception as exc:  # Workspace already turns failures into diagnostics
            log.exception("fallint: refresh of %s failed", path)
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"fallint: {exc}"))
            return
        if touched:
            self.publish()
        self.collect_later()

    def refresh_files(self, paths: list[str]) -> None:
        try:
            touched = self.model.refresh_files(paths)
        except Exception as exc:
            log.exception("fallint: refresh of %s failed", paths)
            self.window_log_message(types.LogMessageParams(types.MessageType.Error, f"fallint: {exc}"))
            return
        if touched:
            self.publish()
        self.collect_later()

    def collect_later(self) -> None:
        """Collect cyclic garbage once the user pauses (or every :data:`GC_EVERY` checks)."""
        import gc

        self._checks_since_gc += 1
        if self._checks_since_gc >= GC_EVERY:
            self._checks_since_gc = 0
            gc.collect()
            return
        if self._gc_task is not None:
            self._gc_task.cancel()
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return

        async def later() -> None:
            await asyncio.sleep(IDLE_GC)
            self._gc_task = None
            self._checks_since_gc = 0
            gc.collect()

        self._gc_task = loop.create_task(later())

    def publish(self) -> None:
        by_file = self.model.diagnostics_by_file()
        current: dict[str, list[types.Diagnostic]] = {}
        keys: dict[str, dict[tuple, Diagnostic]] = {}
        for path, diags in by_file.items():
            uri = from_fs_path(path) or path
            lines = self.model.lines(path)
            converted = []
            mapping = {}
            for d in diags:
                lsp = self.to_lsp(d, lines)
                converted.append(lsp)
                mapping[_key(lsp)] = d
            current[uri] = converted
            keys[uri] = mapping
        for uri in set(self.published) | set(current):
            new = current.get(uri, [])
            if self.published.get(uri) != new:
                self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=new))
        self.published = current
        self.by_key = keys

    def check_folders(self, uris: list[str]) -> None:
        """Check the fal project at the root of each folder (soon: not inside
        the request that announced the folders)."""

        def run() -> None:
            found = []
            for uri in uris:
                path = _path(uri)
                if path is None:
                    continue
                try:
                    found += self.model.folder_projects(path)
                except Exception:
                    log.exception("fallint: checking folder %s failed", path)
            if found:
                self.publish()
            self.collect_later()

        try:
            asyncio.get_running_loop().call_soon(run)
        except RuntimeError:
            run()

    def schedule(self, path: str) -> None:
        task = self._pending.pop(path, None)
        if task is not None:
            task.cancel()

        async def later() -> None:
            await asyncio.sleep(DEBOUNCE)
            self._pending.pop(path, None)
            self.refresh(path)

        self._pending[path] = asyncio.ensure_future(later())

    # -- conversions ------------------------------------------------------------

    def lines_of(self, path: str) -> list[str]:
        return self.model.lines(path)

    def to_lsp(self, d: Diagnostic, lines: list[str]) -> types.Diagnostic:
        rule_href = None
        if d.code != INTERNAL_CODE:
            from fallint.reports.common import rule_url

            rule_href = rule_url(d.code)
        related = []
        for r in d.related:
            uri = from_fs_path(str(r.location.path)) or str(r.location.path)
            related.append(types.DiagnosticRelatedInformation(
                location=types.Location(uri=uri, range=to_range(r.location, self.model.lines(str(r.location.path)))),
                message=r.message,
            ))
        message = d.message + (f"\nhelp: {d.help}" if d.help else "")
        return types.Diagnostic(
            range=to_range(d.location, lines),
            message=message,
            severity=types.DiagnosticSeverity.Error if d.severity == ERROR else types.DiagnosticSeverity.Warning,
            code=d.code,
            code_description=types.CodeDescription(href=rule_href) if rule_href else None,
            source="fallint",
            related_information=related or None,
            data={"app": d.app, "name": d.name},
        )


def utf16_column(text: str, column: int) -> int:
    """1-based character ``column`` of ``text`` -> 0-based UTF-16 offset."""
    prefix = text[: max(0, column - 1)]
    extra = max(0, column - 1 - len(prefix))
    return len(prefix.encode("utf-16-le", "surrogatepass")) // 2 + extra


def from_utf16(text: str, character: int) -> int:
    """0-based UTF-16 offset in ``text`` -> 1-based character column."""
    units = 0
    for i, ch in enumerate(text):
        if units >= character:
            return i + 1
        units += 2 if ord(ch) > 0xFFFF else 1
    return len(text) + 1 + max(0, character - units)


def to_range(loc: Location, lines: list[str]) -> types.Range:
    return _span(loc.line, loc.column, loc.end_line, loc.end_column, lines)


def _key(d: types.Diagnostic) -> tuple:
    r = d.range
    return (r.start.line, r.start.character, r.end.line, r.end.character, str(d.code), d.message)


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else None


def _lsp_edit(edit: features.Edit, lines: list[str]) -> types.TextEdit:
    l1, c1, l2, c2, new = edit
    return types.TextEdit(range=_span(l1, c1, l2, c2, lines), new_text=new)


def _span(line: int, column: int, end_line: int, end_column: int, lines: list[str]) -> types.Range:
    def pos(line: int, column: int) -> types.Position:
        text = lines[line - 1] if 1 <= line <= len(lines) else ""
        return types.Position(line=max(0, line - 1), character=utf16_column(text, column))

    return types.Range(start=pos(line, column), end=pos(end_line, end_column))


def _position(lines: list[str], position: types.Position) -> tuple[int, int]:
    line = position.line + 1
    text = lines[line - 1] if 1 <= line <= len(lines) else ""
    return line, from_utf16(text, position.character)


def build_server() -> FallintServer:
    server = FallintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: FallintServer, params: types.DidOpenTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        ls.model.set_overlay(path, params.text_document.text)
        ls.refresh(path)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: FallintServer, params: types.DidChangeTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        document = ls.workspace.get_text_document(params.text_document.uri)
        ls.model.set_overlay(path, document.source)
        ls.schedule(path)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: FallintServer, params: types.DidSaveTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        if params.text is not None:
            ls.model.set_overlay(path, params.text)
        ls.refresh(path, full=True)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: FallintServer, params: types.DidCloseTextDocumentParams) -> None:
        path = _path(params.text_document.uri)
        if path is None:
            return
        if path in ls.model.overlays:
            ls.model.drop_overlay(path)
            ls.refresh(path, full=True)  # the file on disk again

    @server.feature(types.INITIALIZED)
    def initialized(ls: FallintServer, params: types.InitializedParams) -> None:
        caps = ls.client_capabilities.workspace
        watched = caps.did_change_watched_files if caps is not None else None
        if watched is not None and watched.dynamic_registration:
            ls.client_register_capability(types.RegistrationParams(registrations=[types.Registration(
                id="fallint-watched-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(
                    watchers=[types.FileSystemWatcher(glob_pattern=glob) for glob in WATCHED]),
            )]))
        ls.check_folders([folder.uri for folder in ls.workspace.folders.values()])

    @server.feature(types.WORKSPACE_DID_CHANGE_WORKSPACE_FOLDERS)
    def did_change_folders(ls: FallintServer, params: types.DidChangeWorkspaceFoldersParams) -> None:
        dropped = []
        for folder in params.event.removed or []:
            path = _path(folder.uri)
            if path is not None:
                dropped += ls.model.remove_folder(path)
        if dropped:
            ls.publish()  # clears what the removed folders' projects published
        ls.check_folders([folder.uri for folder in params.event.added or []])

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def did_change_watched(ls: FallintServer, params: types.DidChangeWatchedFilesParams) -> None:
        paths = [p for p in (_path(change.uri) for change in params.changes) if p is not None]
        ls.refresh_files(paths)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(ls: FallintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        path = _path(uri)
        if path is None:
            return []
        lines = ls.lines_of(path)
        mapping = ls.by_key.get(uri, {})
        only = params.context.only
        actions: list[types.CodeAction] = []
        want_quickfix = not only or any(str(k).startswith("quickfix") for k in only)
        want_fix_all = not only or any(FIX_ALL_KIND.startswith(str(k)) for k in only)
        if want_quickfix:
            for lsp_diag in params.context.diagnostics:
                if lsp_diag.source != "fallint":
                    continue
                d = mapping.get(_key(lsp_diag))
                fix = features.fix_of(d) if d is not None else None
                if fix is not None:
                    edits = features.fix_edits(fix, Path(path))
                    if edits:
                        safe = features.fix_is_safe(fix)
                        title = features.fix_title(fix, d)
                        actions.append(types.CodeAction(
                            title=title if safe else f"{title} (unsafe)",
                            kind=types.CodeActionKind.QuickFix,
                            diagnostics=[lsp_diag],
                            is_preferred=safe,
                            edit=types.WorkspaceEdit(changes={uri: [_lsp_edit(e, lines) for e in edits]}),
                        ))
                code = str(lsp_diag.code or "")
                if not code or code == INTERNAL_CODE:
                    continue
                edit = features.ignore_edit(path, lines, lsp_diag.range.start.line + 1, code)
                if edit is not None:
                    actions.append(types.CodeAction(
                        title=f"Ignore {code} on this line (# fallint: ignore[{code}])",
                        kind=types.CodeActionKind.QuickFix,
                        diagnostics=[lsp_diag],
                        edit=types.WorkspaceEdit(changes={uri: [_lsp_edit(edit, lines)]}),
                    ))
        if want_fix_all:
            edits: list[features.Edit] = []
            for d in mapping.values():
                fix = features.fix_of(d)
                if fix is None or not features.fix_is_safe(fix):
                    continue
                more = features.fix_edits(fix, Path(path))
                if more and not _overlaps(edits, more):
                    edits.extend(more)
            if edits:
                actions.append(types.CodeAction(
                    title="fallint: fix all safely fixable problems",
                    kind=FIX_ALL_KIND,
                    edit=types.WorkspaceEdit(changes={uri: [_lsp_edit(e, lines) for e in edits]}),
                ))
        return actions

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: FallintServer, params: types.HoverParams) -> types.Hover | None:
        path = _path(params.text_document.uri)
        text = _at_cursor(ls, path, params.position, "hover",
                          lambda lines, line, col: features.hover(ls.model.state_for(path), path, lines, line, col))
        if not text:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(ls: FallintServer, params: types.DefinitionParams) -> types.Location | None:
        path = _path(params.text_document.uri)
        target = _at_cursor(ls, path, params.position, "definition",
                            lambda lines, line, col: features.definition(ls.model.state_for(path), path, line, col))
        if target is None:
            return None
        target_lines = ls.model.lines(str(target.path))
        start = to_range(target, target_lines).start
        return types.Location(uri=from_fs_path(str(target.path)) or str(target.path),
                              range=types.Range(start=start, end=start))

    @server.feature(types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=['"', "=", " "]))
    def completion(ls: FallintServer, params: types.CompletionParams) -> types.CompletionList | None:
        path = _path(params.text_document.uri)
        if path is not None and os.path.basename(path) != "pyproject.toml":
            return None
        items = _at_cursor(ls, path, params.position, "completion",
                           lambda lines, line, col: features.completions(ls.model.projects.get(path), lines, line, col))
        if not items:
            return None
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=label, insert_text=insert, detail=detail,
                                 kind=types.CompletionItemKind.Property if detail.startswith("a") and label == insert
                                 else types.CompletionItemKind.Value)
            for label, insert, detail in items
        ])

    return server


def _at_cursor(ls: "FallintServer", path: str | None, position: types.Position, what: str, answer):
    """``answer(lines, line, col)`` at the cursor in ``path``; None when there is
    no file or the answer fails (logged: a failing request never stops the server)."""
    if path is None:
        return None
    try:
        lines = ls.lines_of(path)
        line, col = _position(lines, position)
        return answer(lines, line, col)
    except Exception:
        log.exception("fallint: %s failed", what)
        return None


def _overlaps(edits: list[features.Edit], more: list[features.Edit]) -> bool:
    for a in more:
        for b in edits:
            if (a[0], a[1]) < (b[2], b[3]) and (b[0], b[1]) < (a[2], a[3]):
                return True
    return False


def start() -> None:
    """Serve LSP over stdin/stdout until the client exits."""
    import gc

    gc.disable()  # collected when the user pauses: see FallintServer.collect_later
    build_server().start_io()
