"""End to end, with a client that registers file watchers dynamically and has
two workspace folders: the watcher registration, projects checked when their
folder is opened or added, forgotten when it is removed, changes on disk
(outside the editor) and the other files' diagnostics after a keystroke in
the pyproject."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

pytest_lsp = pytest.importorskip("pytest_lsp")
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient

from tests.server.test_lsp import REPO, _env, change_doc, codes, open_doc, uri, wait_for

pytestmark = pytest.mark.asyncio(loop_scope="module")

REGISTRATIONS: list[types.Registration] = []


@pytest.fixture(scope="module")
def folders(tmp_path_factory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("watch")
    first, second = base / "first", base / "second"
    shutil.copytree(REPO / "examples" / "broken", first)
    shutil.copytree(REPO / "examples" / "broken", second)
    return first, second


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "fallint", "server"], server_env=_env()),
)
async def client(lsp_client: LanguageClient, folders: tuple[Path, Path]):
    @lsp_client.feature(types.CLIENT_REGISTER_CAPABILITY)
    def register(params: types.RegistrationParams) -> None:
        REGISTRATIONS.extend(params.registrations)

    first, _ = folders
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(workspace=types.WorkspaceClientCapabilities(
                did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(dynamic_registration=True),
                workspace_folders=True,
            )),
            workspace_folders=[types.WorkspaceFolder(uri=from_fs_path(str(first)), name="first")],
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_watchers_are_registered_and_folders_checked_without_opening_a_file(
        client: LanguageClient, folders: tuple[Path, Path]):
    first, _ = folders
    # the folder's project is checked at start: no file was opened
    await wait_for(client, first / "pyproject.toml", lambda d: "FAL106" in codes(d), "FAL106 at start")
    (registration,) = [r for r in REGISTRATIONS if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    options = registration.register_options  # the client receives it as JSON
    globs = {w["globPattern"] for w in options["watchers"]}
    assert {"**/pyproject.toml", "**/*.py", "**/Dockerfile*", "**/.dockerignore"} <= globs


async def test_a_file_created_on_disk_clears_ref_file_not_found(client: LanguageClient, folders: tuple[Path, Path]):
    first, _ = folders
    pyproject = first / "pyproject.toml"
    text = open_doc(client, pyproject)
    edited = text + '\n[tool.fal.apps.later]\nref = "apps/later.py::Later"\n'
    change_doc(client, pyproject, edited)
    await wait_for(client, pyproject, lambda d: "FAL103" in codes(d), "FAL103 for a missing file")
    later = first / "apps" / "later.py"
    later.write_text("import fal\n\n\nclass Later(fal.App):\n    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n")
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri(later), type=types.FileChangeType.Created)]))
    await wait_for(client, pyproject, lambda d: "FAL103" not in codes(d) and "FAL106" in codes(d), "FAL103 to go")
    later.unlink()
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams(changes=[
        types.FileEvent(uri=uri(later), type=types.FileChangeType.Deleted)]))
    await wait_for(client, pyproject, lambda d: "FAL103" in codes(d), "FAL103 back")
    change_doc(client, pyproject, text)
    await wait_for(client, pyproject, lambda d: "FAL103" not in codes(d), "FAL103 gone with the app")


async def test_a_pyproject_keystroke_updates_the_other_files_diagnostics(
        client: LanguageClient, folders: tuple[Path, Path]):
    first, _ = folders
    pyproject = first / "pyproject.toml"
    web = first / "apps" / "web.py"
    text = open_doc(client, pyproject)
    await wait_for(client, web, lambda d: "FAL110" in codes(d), "FAL110 in web.py")
    # the web app no longer uses web.py: its diagnostic there must go (not wait for a save)
    change_doc(client, pyproject, text.replace('ref = "apps/web.py"', 'ref = "apps/image_gen.py::ImageGen"'))
    await wait_for(client, web, lambda d: "FAL110" not in codes(d), "FAL110 gone from web.py")
    change_doc(client, pyproject, text)
    await wait_for(client, web, lambda d: "FAL110" in codes(d), "FAL110 back in web.py")


async def test_workspace_folders_added_and_removed(client: LanguageClient, folders: tuple[Path, Path]):
    first, second = folders
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[types.WorkspaceFolder(uri=uri(second), name="second")], removed=[])))
    await wait_for(client, second / "pyproject.toml", lambda d: "FAL106" in codes(d), "the added folder checked")
    client.workspace_did_change_workspace_folders(types.DidChangeWorkspaceFoldersParams(
        event=types.WorkspaceFoldersChangeEvent(
            added=[], removed=[types.WorkspaceFolder(uri=uri(second), name="second")])))
    await wait_for(client, second / "pyproject.toml", lambda d: not d, "the removed folder's diagnostics cleared")
    # the other folder keeps its diagnostics
    assert "FAL106" in codes(client.diagnostics.get(uri(first / "pyproject.toml"), []))
