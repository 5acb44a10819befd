"""The server's model without LSP: overlays, incremental re-checks, failures as
diagnostics, the code-action edits, hover and definition, and the CLI entry."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fallint.server import features
from fallint.server.workspace import INTERNAL_CODE, Workspace

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    root = tmp_path / "broken"
    shutil.copytree(REPO / "examples" / "broken", root)
    return root


def _ws() -> Workspace:
    ws = Workspace()
    ws.disk_cache = False
    return ws


def _codes(ws: Workspace, pyproject: Path) -> list[str]:
    return [d.code for d in ws.projects[str(pyproject)].diagnostics]


def test_unsaved_python_buffer_updates_only_the_apps_that_use_it(broken: Path):
    ws = _ws()
    pyproject = broken / "pyproject.toml"
    assert ws.refresh(str(pyproject)) == [str(pyproject)]
    before = ws.projects[str(pyproject)].diagnostics
    assert "FAL106" in [d.code for d in before]
    app = broken / "apps" / "image_gen.py"
    ws.set_overlay(str(app), app.read_text().replace("class ImageGen(", "class ImageGenerator("))
    assert ws.refresh(str(app)) == [str(pyproject)]
    after = ws.projects[str(pyproject)].diagnostics
    assert "FAL106" not in [d.code for d in after]
    # the other apps' diagnostics are kept as they were
    assert [d for d in before if d.app != "image-gen"] == [d for d in after if d.app != "image-gen"]
    # the disk is untouched; dropping the buffer brings the error back
    assert "class ImageGen(" in app.read_text()
    ws.drop_overlay(str(app))
    ws.refresh(str(app), full=True)
    assert "FAL106" in _codes(ws, pyproject)


def test_partial_and_full_checks_agree(broken: Path):
    ws = _ws()
    pyproject = broken / "pyproject.toml"
    ws.refresh(str(pyproject))
    web = broken / "apps" / "web.py"
    ws.set_overlay(str(web), web.read_text() + "\n# edited\n")
    ws.refresh(str(web))
    partial = ws.projects[str(pyproject)].diagnostics
    full = ws.check(str(pyproject)).diagnostics
    assert partial == full


def test_a_file_no_run_read_rechecks_nothing(broken: Path):
    ws = _ws()
    pyproject = broken / "pyproject.toml"
    ws.refresh(str(pyproject))
    (broken / "notes.py").write_text("x = 1\n")
    assert ws.refresh(str(broken / "notes.py")) == []


def test_files_outside_fal_projects_are_ignored(tmp_path: Path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n')
    (tmp_path / "a.py").write_text("def broken(:\n")
    ws = _ws()
    assert ws.refresh(str(tmp_path / "a.py")) == []
    assert ws.refresh(str(tmp_path / "pyproject.toml")) == []
    assert ws.projects == {}


def test_a_failing_rule_is_a_diagnostic_about_fallint(broken: Path, monkeypatch):
    from fallint.rules.registry import get_rule

    rule = get_rule("FAL503")

    def explode(self, app):
        raise RuntimeError("boom")

    monkeypatch.setattr(rule, "check_app", explode)
    ws = _ws()
    pyproject = broken / "pyproject.toml"
    ws.refresh(str(pyproject))
    diags = ws.projects[str(pyproject)].diagnostics
    internal = [d for d in diags if d.code == INTERNAL_CODE]
    assert len(internal) == 1 and "FAL503" in internal[0].message and "boom" in internal[0].message
    assert "FAL106" in [d.code for d in diags]  # the other rules still ran


def test_a_crash_outside_the_rules_is_a_diagnostic_too(broken: Path, monkeypatch):
    import fallint.model.project as project_module

    def explode(*args, **kwargs):
        raise ValueError("loader bug")

    monkeypatch.setattr(project_module, "load_project", explode)
    ws = _ws()
    state = ws.check(str(broken / "pyproject.toml"))
    assert [d.code for d in state.diagnostics] == [INTERNAL_CODE]
    assert "loader bug" in state.diagnostics[0].message


def test_ignore_edit_in_toml_and_python():
    lines = ['[tool.fal.apps.a]', 'machine_type = "GPU-X"', 'keep_alive = 1  # fallint: ignore[FAL003]']
    edit = features.ignore_edit("pyproject.toml", lines, 2, "FAL503")
    assert features.apply_edits(lines, [edit]).split("\n")[1] == 'machine_type = "GPU-X"  # fallint: ignore[FAL503]'
    edit = features.ignore_edit("pyproject.toml", lines, 3, "FAL004")
    assert features.apply_edits(lines, [edit]).split("\n")[2] == "keep_alive = 1  # fallint: ignore[FAL003, FAL004]"
    assert features.ignore_edit("pyproject.toml", lines, 3, "FAL003") is None
    # never inside a multi-line string, never in a Dockerfile
    multi = ['[tool.fal.apps.a]', 'ref = """x', 'y"""']
    assert features.ignore_edit("pyproject.toml", multi, 2, "FAL101") is None
    assert features.ignore_edit("Dockerfile", ["COPY a ."], 1, "FAL414") is None
    py = ["import fal", "class A(fal.App):", "    x = '''", "    '''"]
    assert features.ignore_edit("app.py", py, 3, "FAL110") is None
    edit = features.ignore_edit("app.py", py, 2, "FAL110")
    assert features.apply_edits(py, [edit]).split("\n")[1] == "class A(fal.App):  # fallint: ignore[FAL110]"


def test_fix_edits_of_a_real_fix(tmp_path: Path):
    from fallint.diagnostics import Edit, Fix

    path = tmp_path / "pyproject.toml"
    fix = Fix.safe("use GPU-H100", Edit(path, 2, 16, 2, 24, "GPU-H100"))
    assert features.fix_edits(fix, path) == [(2, 16, 2, 24, "GPU-H100")]
    assert features.fix_is_safe(fix) and features.fix_title(fix, None) == "use GPU-H100"
    assert not features.fix_is_safe(Fix.unsafe("maybe", Edit(path, 1, 1, 1, 1, "x")))
    assert features.fix_edits(fix, tmp_path / "other.toml") is None


def test_hover_and_definition(broken: Path):
    ws = _ws()
    pyproject = broken / "pyproject.toml"
    state = ws.check(str(pyproject))
    lines = pyproject.read_text().split("\n")
    text = features.hover(state, str(pyproject), lines, 13, 2)  # machine_type
    assert "GPU-H100" in text and "fal 1.83.0" in text
    assert features.hover(state, str(pyproject), lines, 2, 1) is None  # a comment
    loc = features.definition(state, str(pyproject), 27, 10)  # ref = "apps/web.py"
    assert loc.path == broken / "apps" / "web.py" and loc.line == 4
    summary = features.rule_summary("unknown-machine-type")
    assert "FAL503" in summary and "https://" in summary


def test_utf16_columns():
    pytest.importorskip("lsprotocol")
    from fallint.server.lsp import from_utf16, utf16_column

    text = 'name = "🙂x"'
    col = text.index("x") + 1
    assert utf16_column(text, col) == col  # one astral character: two UTF-16 units
    assert from_utf16(text, utf16_column(text, col)) == col


def test_cli_start_up_does_not_import_pygls():
    code = (
        "import sys, fallint.cli as c\n"
        "c.main(['check', '--no-cache', '-q', 'examples/clean'])\n"
        "assert not any(m.split('.')[0] in ('pygls', 'lsprotocol') for m in sys.modules), 'imported'\n"
    )
    env = dict(os.environ, PYTHONPATH=str(REPO))
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


def test_server_without_pygls_says_how_to_install_it(tmp_path: Path):
    (tmp_path / "pygls.py").write_text("raise ImportError('not installed')\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(tmp_path), str(REPO)]))
    result = subprocess.run([sys.executable, "-m", "fallint", "server"], env=env, capture_output=True,
                            text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 2
    assert result.stderr.strip() == "fallint: error: `fallint server` needs pygls: pip install 'fallint[server]'"


def test_hover_names_the_release_the_project_pins(tmp_path: Path):
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text('[project]\nname = "svc"\nversion = "0.1"\ndependencies = ["fal==1.80.0"]\n\n'
                         '[tool.fal.apps.web]\nimage = { image = "python:3.12" }\nkeep_alive = 300\n')
    state = _ws().check(str(pyproject))
    lines = pyproject.read_text().split("\n")
    assert "this project pins fal 1.80.0" in features.hover(state, str(pyproject), lines, 8, 2)
    pyproject.write_text(pyproject.read_text().replace('"fal==1.80.0"', '"fal"'))  # a bare dependency pins nothing
    state = _ws().check(str(pyproject))
    assert "pins" not in features.hover(state, str(pyproject), lines, 8, 2)
