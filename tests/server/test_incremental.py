"""The server's partial re-checks give exactly what a full check gives.

Random edits of an unsaved ``pyproject.toml`` (comments, blank lines, new
and deleted lines, changed values, suppressions, duplicate names, broken
refs, syntax errors) are re-checked the way a keystroke is
(:meth:`Workspace.refresh`), and after each the result is compared with a
full check of the same buffers by a fresh :class:`Workspace`.
"""

from __future__ import annotations

import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from fallint.server.workspace import Workspace

REPO = Path(__file__).resolve().parents[2]


def _ws() -> Workspace:
    ws = Workspace()
    ws.disk_cache = False
    return ws


def _full(ws: Workspace, pyproject: Path) -> list:
    fresh = _ws()
    fresh.overlays = dict(ws.overlays)
    fresh.source_caches = ws.source_caches  # parsed Python files by content digest: no state
    state = fresh.check(str(pyproject))
    return state.diagnostics if state is not None else []


VALUES = ['1', '"x"', 'true', '"apps/missing.py::Nope"', '["us-west"]', '"GPU-H100"', '{ image = "python:3.12" }']


def _edit(rng: random.Random, lines: list[str]) -> list[str]:
    lines = list(lines)
    i = rng.randrange(len(lines) + 1)
    kind = rng.choice(["comment", "blank", "delete", "value", "ignore", "name", "ref", "key", "break", "app"])
    if kind == "comment":
        lines.insert(i, "# a comment " + "x" * rng.randrange(5))
    elif kind == "blank":
        lines.insert(i, "")
    elif kind == "delete" and lines:
        del lines[min(i, len(lines) - 1)]
    elif kind in ("value", "ignore"):
        pairs = [j for j, line in enumerate(lines) if " = " in line and not line.lstrip().startswith("#")]
        if pairs:
            j = rng.choice(pairs)
            if kind == "value":
                key = lines[j].split(" = ", 1)[0]
                lines[j] = f"{key} = {rng.choice(VALUES)}"
            else:
                code = rng.choice(["FAL003", "FAL101", "FAL106", "FAL014", "FAL3", ""])
                lines[j] += f"  # fallint: ignore[{code}]" if code else "  # fallint: ignore"
    elif kind in ("name", "ref", "key"):
        headers = [j for j, line in enumerate(lines) if line.startswith("[tool.fal.apps.")]
        if headers:
            j = rng.choice(headers)
            new = {
                "name": f'name = "{rng.choice(["dup", "web", "worker"])}"',
                "ref": f'ref = "{rng.choice(["apps/web.py", "apps/missing.py", "apps/image_gen.py::ImageGen"])}"',
                "key": f"{rng.choice(['keepalive', 'keep_alive', 'min_concurrency'])} = {rng.randrange(3)}",
            }[kind]
            body = next(k for k in range(j + 1, len(lines) + 1)
                        if k == len(lines) or lines[k].startswith("["))
            if not any(line.split(" = ")[0] == new.split(" = ")[0] for line in lines[j + 1:body]):
                lines.insert(j + 1, new)
    elif kind == "break":
        if rng.random() < 0.5:
            lines.insert(i, "broken = ")
    elif kind == "app":
        name = f"extra{rng.randrange(3)}"
        if f"[tool.fal.apps.{name}]" not in lines:
            lines[i:i] = ["", f"[tool.fal.apps.{name}]", 'ref = "apps/web.py"']
    return lines


def _random_edits(root: Path, steps: int, seed: int) -> dict[str, int]:
    pyproject = root / "pyproject.toml"
    ws = _ws()
    assert ws.refresh(str(pyproject)) == [str(pyproject)]
    rng = random.Random(seed)
    text = pyproject.read_text()
    good = text  # the last text that parsed: edits go back to it now and then
    runs = {"partial": 0, "full": 0}
    for step in range(steps):
        lines = text.split("\n")
        for _ in range(rng.randrange(1, 3)):
            lines = _edit(rng, lines)
        text = "\n".join(lines)
        ws.set_overlay(str(pyproject), text)
        assert ws.refresh(str(pyproject)) == [str(pyproject)]
        state = ws.projects[str(pyproject)]
        runs[state.last_run[0]] += 1
        expected = _full(ws, pyproject)
        assert state.diagnostics == expected, f"step {step}, seed {seed}, re-ran {state.last_run}:\n{text}"
        if state.project.load_errors:
            if rng.random() < 0.8:
                text = good
        else:
            good = text
    return runs


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_pyproject_edits_on_the_examples_equal_a_full_check(tmp_path: Path, seed: int):
    root = tmp_path / "broken"
    shutil.copytree(REPO / "examples" / "broken", root)
    runs = _random_edits(root, 30, seed)
    # the partial path is exercised (syntax errors and edits outside the apps are full checks)
    assert runs["partial"] >= 8, runs


def test_random_pyproject_edits_on_a_generated_project_equal_a_full_check(tmp_path: Path):
    root = tmp_path / "gen"
    subprocess.run([sys.executable, str(REPO / "benchmarks" / "generate.py"), "50", str(root)],
                   check=True, capture_output=True)
    runs = _random_edits(root, 30, 7)
    assert runs["partial"] >= 15, runs


def test_a_comment_above_an_app_moves_its_diagnostics_without_rechecking_it(tmp_path: Path):
    root = tmp_path / "broken"
    shutil.copytree(REPO / "examples" / "broken", root)
    pyproject = root / "pyproject.toml"
    ws = _ws()
    ws.refresh(str(pyproject))
    before = {(d.code, d.location.line) for d in ws.projects[str(pyproject)].diagnostics
              if d.location.path == pyproject}
    text = pyproject.read_text().replace("[tool.fal.apps.image-gen]", "# two\n# lines\n[tool.fal.apps.image-gen]")
    ws.set_overlay(str(pyproject), text)
    ws.refresh(str(pyproject))
    state = ws.projects[str(pyproject)]
    assert state.last_run == ("partial", frozenset())
    after = {(d.code, d.location.line) for d in state.diagnostics if d.location.path == pyproject}
    assert after == {(code, line + 2) for code, line in before}
    assert state.diagnostics == _full(ws, pyproject)


def test_a_value_edit_rechecks_that_app_only(tmp_path: Path):
    root = tmp_path / "broken"
    shutil.copytree(REPO / "examples" / "broken", root)
    pyproject = root / "pyproject.toml"
    ws = _ws()
    ws.refresh(str(pyproject))
    assert "FAL003" in [d.code for d in ws.projects[str(pyproject)].diagnostics]
    ws.set_overlay(str(pyproject), pyproject.read_text().replace("keepalive = 300", "keep_alive = 300"))
    ws.refresh(str(pyproject))
    state = ws.projects[str(pyproject)]
    assert state.last_run == ("partial", frozenset({"image-gen"}))
    assert "FAL003" not in [d.code for d in state.diagnostics]
    assert state.diagnostics == _full(ws, pyproject)


def test_a_project_setting_edit_is_a_full_check(tmp_path: Path):
    root = tmp_path / "broken"
    shutil.copytree(REPO / "examples" / "broken", root)
    pyproject = root / "pyproject.toml"
    ws = _ws()
    ws.refresh(str(pyproject))
    ws.set_overlay(str(pyproject), pyproject.read_text() + '\n[tool.fallint]\nignore = ["FAL003"]\n')
    ws.refresh(str(pyproject))
    state = ws.projects[str(pyproject)]
    assert state.last_run[0] == "full"
    assert "FAL003" not in [d.code for d in state.diagnostics]


def test_editing_a_module_another_app_imports_rechecks_that_app(tmp_path: Path):
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "imp"\nversion = "0.1.0"\n\n'
        '[tool.fal.apps.a]\nref = "a.py::A"\n\n[tool.fal.apps.b]\nref = "b.py::B"\n\n'
        '[tool.fal.apps.c]\nref = "c.py::C"\n')
    endpoint = '    @fal.endpoint("/")\n    def run(self) -> dict:\n        return {}\n'
    (tmp_path / "a.py").write_text("import fal\n\n\nclass Base(fal.App):\n    pass\n\n\nclass A(fal.App):\n" + endpoint)
    # b.py imports a.py through c.py: an edit of a.py changes b's verdict
    (tmp_path / "c.py").write_text("import fal\nfrom a import Base\n\n\nclass C(fal.App):\n" + endpoint)
    (tmp_path / "b.py").write_text("import fal\nfrom c import Base\n\n\nclass B(Base):\n" + endpoint)
    pyproject = tmp_path / "pyproject.toml"
    ws = _ws()
    ws.refresh(str(pyproject))
    assert ws.projects[str(pyproject)].diagnostics == []
    a = tmp_path / "a.py"
    ws.set_overlay(str(a), a.read_text().replace("class Base(fal.App):", "class Base:"))
    ws.refresh(str(a))
    state = ws.projects[str(pyproject)]
    assert state.last_run[0] == "partial" and "b" in state.last_run[1]
    assert [(d.code, d.app) for d in state.diagnostics] == [("FAL107", "b")]
    assert state.diagnostics == _full(ws, pyproject)
    # again, after a partial check (which loaded a.py and b.py only): who imports a.py is remembered
    ws.set_overlay(str(a), a.read_text())
    ws.refresh(str(a))
    state = ws.projects[str(pyproject)]
    assert state.last_run[0] == "partial" and "b" in state.last_run[1]
    assert state.diagnostics == []
