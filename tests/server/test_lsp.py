"""End to end: the real ``fallint server`` driven over stdio by pytest-lsp's client.

One server serves the whole module (starting one costs seconds on a loaded
machine); every test works on its own copy of ``examples/broken`` or puts
back what it changed.  Waits are generous (CI machines are slow), but each
ends as soon as the expected notification arrived.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

REPO = Path(__file__).resolve().parents[2]
WAIT = 60.0  # seconds: a generous bound, never reached when the server works

pytestmark = pytest.mark.asyncio(loop_scope="module")


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


@pytest.fixture(scope="module")
def project(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("lsp") / "broken"
    shutil.copytree(REPO / "examples" / "broken", root)
    return root


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fallint", "server"], server_env=_env()),
)
async def client(lsp_client: LanguageClient, project: Path):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(project)), name="broken")],
        )
    )
    yield
    await lsp_client.shutdown_session()


# -- helpers --------------------------------------------------------------------------


def uri(path: Path) -> str:
    return from_fs_path(str(path))


async def wait_for(client: LanguageClient, path: Path, predicate, what: str) -> list[types.Diagnostic]:
    """The diagnostics of ``path`` once ``predicate`` holds for them."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT
    while True:
        diags = list(client.diagnostics.get(uri(path), []))
        if predicate(diags):
            return diags
        if loop.time() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last diagnostics: {[(d.code, d.message) for d in diags]}")
        await asyncio.sleep(0.05)


def codes(diags) -> set[str]:
    return {str(d.code) for d in diags}


def open_doc(client: LanguageClient, path: Path, text: str | None = None, language: str = "toml") -> str:
    text = path.read_text() if text is None else text
    client.text_document_did_open(types.DidOpenTextDocumentParams(
        text_document=types.TextDocumentItem(uri=uri(path), language_id=language, version=1, text=text)))
    return text


_versions: dict[str, int] = {}


def change_doc(client: LanguageClient, path: Path, text: str) -> None:
    key = uri(path)
    _versions[key] = _versions.get(key, 1) + 1
    client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=key, version=_versions[key]),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
    ))


def position_of(text: str, needle: str, offset: int = 0) -> types.Position:
    index = text.index(needle) + offset
    line = text.count("\n", 0, index)
    return types.Position(line=line, character=index - (text.rfind("\n", 0, index) + 1))


# -- tests ----------------------------------------------------------------------------


async def test_open_publishes_diagnostics_with_links_and_related(client: LanguageClient, project: Path):
    pyproject = project / "pyproject.toml"
    open_doc(client, pyproject)
    diags = await wait_for(client, pyproject, lambda d: "FAL106" in codes(d), "FAL106 on open")
    assert {"FAL106", "FAL503", "FAL003", "FAL306"} <= codes(diags)
    fal106 = next(d for d in diags if d.code == "FAL106")
    assert fal106.range.start == types.Position(line=10, character=6)
    assert fal106.severity == types.DiagnosticSeverity.Error
    assert fal106.source == "fallint"
    assert fal106.code_description is not None and "fal106" in fal106.code_description.href.lower()
    fal501 = next(d for d in diags if d.code == "FAL501")
    assert fal501.severity == types.DiagnosticSeverity.Warning
    # files the apps depend on get their diagnostics too, with related locations
    dockerfile = await wait_for(client, project / "Dockerfile", lambda d: "FAL414" in codes(d), "FAL414")
    related = dockerfile[0].related_information
    assert related and related[0].location.uri == uri(pyproject)
    web = await wait_for(client, project / "apps" / "web.py", lambda d: "FAL110" in codes(d), "FAL110")
    assert web[0].range.start.line == 3


async def test_editing_python_updates_the_pyproject(client: LanguageClient, project: Path):
    pyproject = project / "pyproject.toml"
    open_doc(client, pyproject)
    await wait_for(client, pyproject, lambda d: "FAL106" in codes(d), "FAL106")
    app = project / "apps" / "image_gen.py"
    original = open_doc(client, app, language="python")
    # unsaved: the buffer, not the file on disk, is linted
    change_doc(client, app, original.replace("class ImageGen(", "class ImageGenerator("))
    await wait_for(client, pyproject, lambda d: "FAL106" not in codes(d), "FAL106 to go")
    change_doc(client, app, original)
    await wait_for(client, pyproject, lambda d: "FAL106" in codes(d), "FAL106 back")


async def test_save_and_broken_input_mid_edit(client: LanguageClient, project: Path):
    pyproject = project / "pyproject.toml"
    original = open_doc(client, pyproject)
    await wait_for(client, pyproject, lambda d: "FAL106" in codes(d), "FAL106")
    half = original.replace('machine_type = "GPU-h100"', 'machine_type = "GPU-')
    change_doc(client, pyproject, half)
    diags = await wait_for(client, pyproject, lambda d: "FAL001" in codes(d), "a TOML syntax error")
    assert any("TOML" in d.message for d in diags if d.code == "FAL001")
    change_doc(client, pyproject, original)
    await wait_for(client, pyproject, lambda d: "FAL001" not in codes(d) and "FAL106" in codes(d), "valid TOML again")
    app = project / "apps" / "image_gen.py"
    python = open_doc(client, app, language="python")
    change_doc(client, app, python + "\ndef broken(:\n")
    broken = await wait_for(client, app, lambda d: "FAL105" in codes(d), "a Python syntax error")
    assert broken[0].range.start.line == python.count("\n") + 1
    change_doc(client, app, python)
    # fixed on disk, then saved: the whole project is checked again
    fixed = original.replace('machine_type = "GPU-h100"', 'machine_type = "GPU-H100"')
    pyproject.write_text(fixed)
    change_doc(client, pyproject, fixed)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri(pyproject))))
    await wait_for(client, pyproject, lambda d: "FAL001" not in codes(d) and "FAL503" not in codes(d) and "FAL106" in codes(d), "the saved file")
    pyproject.write_text(original)
    change_doc(client, pyproject, original)
    await wait_for(client, pyproject, lambda d: "FAL503" in codes(d), "FAL503 back")


async def test_code_action_ignores_the_rule_on_this_line(client: LanguageClient, project: Path):
    pyproject = project / "pyproject.toml"
    text = open_doc(client, pyproject)
    diags = await wait_for(client, pyproject, lambda d: "FAL503" in codes(d), "FAL503")
    fal503 = next(d for d in diags if d.code == "FAL503")
    actions = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(pyproject)),
        range=fal503.range,
        context=types.CodeActionContext(diagnostics=[fal503]),
    ))
    ignore = [a for a in actions or [] if isinstance(a, types.CodeAction) and "Ignore FAL503" in a.title]
    assert len(ignore) == 1, actions
    (edit,) = ignore[0].edit.changes[uri(pyproject)]
    lines = text.split("\n")
    line = lines[edit.range.start.line]
    lines[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character:]
    assert lines[12] == 'machine_type = "GPU-h100"  # fallint: ignore[FAL503]'
    change_doc(client, pyproject, "\n".join(lines))
    after = await wait_for(client, pyproject, lambda d: "FAL503" not in codes(d), "FAL503 suppressed")
    assert "FAL106" in codes(after) and "FAL910" not in codes(after)
    # fixAll applies every safe fix: the deprecated `no_scale` (FAL501) goes
    fix_all = await client.text_document_code_action_async(types.CodeActionParams(
        text_document=types.TextDocumentIdentifier(uri=uri(pyproject)),
        range=types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)),
        context=types.CodeActionContext(diagnostics=[], only=["source.fixAll.fallint"]),
    ))
    assert [a.kind for a in fix_all] == ["source.fixAll.fallint"], fix_all
    fixed = "\n".join(lines).split("\n")
    edits = sorted(fix_all[0].edit.changes[uri(pyproject)], key=lambda e: (e.range.start.line, e.range.start.character))
    for e in reversed(edits):
        assert e.range.start.line == e.range.end.line
        row = fixed[e.range.start.line]
        fixed[e.range.start.line] = row[: e.range.start.character] + e.new_text + row[e.range.end.character:]
    assert "no_scale" not in "\n".join(fixed) and "app_scale_settings = false" in "\n".join(fixed)
    change_doc(client, pyproject, "\n".join(fixed))
    await wait_for(client, pyproject, lambda d: "FAL501" not in codes(d) and "FAL106" in codes(d), "FAL501 fixed")
    change_doc(client, pyproject, text)
    await wait_for(client, pyproject, lambda d: "FAL503" in codes(d), "FAL503 back")


async def test_hover_on_keys_and_rule_codes(client: LanguageClient, project: Path):
    pyproject = project / "pyproject.toml"
    text = open_doc(client, pyproject)
    await wait_for(client, pyproject, lambda d: "FAL503" in codes(d), "FAL503")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(pyproject)), position=position_of(text, "machine_type =", 3)))
    assert hover is not None
    assert "machine_type" in hover.contents.value and "GPU-H100" in hover.contents.value
    assert "Default: `S`" in hover.contents.value
    with_comment = text.replace("no_scale = true", "no_scale = true  # fallint: ignore[FAL501]")
    change_doc(client, pyproject, with_comment)
    await wait_for(client, pyproject, lambda d: "FAL501" not in codes(d), "FAL501 suppressed")
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(pyproject)), position=position_of(with_comment, "FAL501]", 2)))
    assert hover is not None and "no-scale-deprecated" in hover.contents.value
    change_doc(client, pyproject, text)
    await wait_for(client, pyproject, lambda d: "FAL501" in codes(d), "FAL501 back")


async def test_definition_of_ref_entry_point_and_dockerfile(client: LanguageClient, project: Path):
    pyproject = project / "pyproject.toml"
    text = open_doc(client, pyproject)
    await wait_for(client, pyproject, lambda d: "FAL106" in codes(d), "FAL106")
    doc = types.TextDocumentIdentifier(uri=uri(pyproject))
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc, position=position_of(text, '"apps/web.py"', 3)))
    assert isinstance(result, types.Location)
    assert result.uri == uri(project / "apps" / "web.py") and result.range.start.line == 3
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc, position=position_of(text, 'dockerfile = "Dockerfile"', 16)))
    assert isinstance(result, types.Location) and result.uri == uri(project / "Dockerfile")
    # python_entry_point: fix the module name in the buffer, then follow it
    fixed = text.replace("worker.mian:Worker", "worker.main:Worker")
    (project / "worker" / "main.py").write_text("import fal\n\n\nclass Worker(fal.App):\n    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n")
    change_doc(client, pyproject, fixed)
    await wait_for(client, pyproject, lambda d: "FAL205" not in codes(d), "FAL205 to go")
    result = await client.text_document_definition_async(types.DefinitionParams(
        text_document=doc, position=position_of(fixed, "worker.main:Worker", 2)))
    assert isinstance(result, types.Location)
    assert result.uri == uri(project / "worker" / "main.py") and result.range.start.line == 3
    (project / "worker" / "main.py").unlink()
    change_doc(client, pyproject, text)
    client.text_document_did_save(types.DidSaveTextDocumentParams(text_document=doc))
    await wait_for(client, pyproject, lambda d: "FAL205" in codes(d), "FAL205 back")


async def test_completion_of_keys_and_values(client: LanguageClient, project: Path):
    pyproject = project / "pyproject.toml"
    text = open_doc(client, pyproject)
    await wait_for(client, pyproject, lambda d: "FAL106" in codes(d), "FAL106")
    doc = types.TextDocumentIdentifier(uri=uri(pyproject))
    edited = text.replace("exposed_port = 8080", "exposed_port = 8080\nauth = \"\nma")
    change_doc(client, pyproject, edited)
    lines = edited.split("\n")
    auth_line = lines.index('auth = "')
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc, position=types.Position(line=auth_line, character=len('auth = "'))))
    assert result is not None and {i.label for i in result.items} == {"private", "public", "shared"}
    assert all(i.insert_text == i.label for i in result.items)  # already inside the quotes
    result = await client.text_document_completion_async(types.CompletionParams(
        text_document=doc, position=types.Position(line=auth_line + 1, character=2)))
    labels = {i.label for i in result.items}
    assert "machine_type" in labels and "image" not in labels  # `docs` already sets image
    change_doc(client, pyproject, text)
    await wait_for(client, pyproject, lambda d: "FAL106" in codes(d), "FAL106")


async def test_files_outside_fal_projects_are_ignored(client: LanguageClient, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("plain")
    (elsewhere / ".git").mkdir()
    (elsewhere / "pyproject.toml").write_text('[project]\nname = "plain"\n')
    script = elsewhere / "script.py"
    script.write_text("def broken(:\n")
    open_doc(client, script, language="python")
    open_doc(client, elsewhere / "pyproject.toml")
    # the server still answers, and published nothing for these files
    hover = await client.text_document_hover_async(types.HoverParams(
        text_document=types.TextDocumentIdentifier(uri=uri(script)), position=types.Position(line=0, character=1)))
    assert hover is None
    assert not client.diagnostics.get(uri(script)) and not client.diagnostics.get(uri(elsewhere / "pyproject.toml"))
