"""`fallint check --fix / --unsafe-fixes / --diff / --fix-only / --add-ignore`, through the CLI."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from fallint.diagnostics import Diagnostic, Edit, Fix, Location
from fallint.engine.fixes import plan_pass

from ..helpers import REPO, run_cli, write_files

APP = 'import fal\n\n\nclass Web(fal.App):\n    @fal.endpoint("/")\n    def root(self) -> dict:\n        return {}\n'

BAD = """\
# a comment that stays
[tool.fal.apps.web]
ref = "app.py::Web"   # keep me
keepalive = 300
machine_type = 'gpu-h100'
no_scale = true
python_version = 3.10
"""

SAFE_FIXED = """\
# a comment that stays
[tool.fal.apps.web]
ref = "app.py::Web"   # keep me
keep_alive = 300
machine_type = 'GPU-H100'
app_scale_settings = false
python_version = "3.10"
"""


def _proj(tmp_path, text=BAD, data: bytes | None = None) -> Path:
    write_files(tmp_path, {"app.py": APP})
    p = tmp_path / "pyproject.toml"
    p.write_bytes(data if data is not None else text.encode())
    return p


def test_fix_applies_safe_fixes_and_reports_the_rest(tmp_path):
    p = _proj(tmp_path, BAD + 'timeout = 5\n')
    r = run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert p.read_text() == SAFE_FIXED + "timeout = 5\n"
    assert "FAL003" in r.out and "timeout" in r.out
    assert "Found 3 errors and 2 warnings (4 fixed, 1 remaining; 1 app in 1 project checked)." in r.out, r.out
    assert "1 hidden fix can be enabled with the `--unsafe-fixes` option." in r.out
    assert r.code == 1
    r = run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert p.read_text() == SAFE_FIXED + "startup_timeout = 5\n"  # a guess: unsafe
    again = run_cli(["check", "--no-cache", "--diff", "--unsafe-fixes", "."], cwd=tmp_path)
    assert again.out == ""


def test_marker_json_and_sarif(tmp_path):
    _proj(tmp_path)
    full = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    assert "FAL501 [*] [web]" in full.out
    assert "FAL003 [*]" in full.out  # keepalive -> keep_alive differs only in `_`: safe
    data = json.loads(run_cli(["check", "--no-cache", "--output-format", "json", "."], cwd=tmp_path).out)
    fix = next(d["fix"] for d in data if d["code"] == "FAL501")
    assert fix["applicability"] == "safe"
    assert {e["content"] for e in fix["edits"]} == {"app_scale_settings", "false"}
    assert all({"path", "line", "column", "end_line", "end_column", "content"} <= set(e) for e in fix["edits"])
    sarif = json.loads(run_cli(["check", "--no-cache", "--output-format", "sarif", "."], cwd=tmp_path).out)
    results = sarif["runs"][0]["results"]
    fixed = [r for r in results if "fixes" in r]
    assert fixed
    change = fixed[0]["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"]["uri"] == "pyproject.toml"
    assert {"deletedRegion", "insertedContent"} <= set(change["replacements"][0])


def test_crlf_bom_and_comments_preserved(tmp_path):
    data = b"\xef\xbb\xbf" + BAD.replace("\n", "\r\n").encode()
    p = _proj(tmp_path, data=data)
    run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert p.read_bytes() == b"\xef\xbb\xbf" + SAFE_FIXED.replace("\n", "\r\n").encode()


def test_inline_table_app(tmp_path):
    p = _proj(tmp_path, '[tool.fal.apps]\nweb = { ref = "app.py::Web", "no_scale" = false, keepalive = "30" }\n')
    run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert p.read_text() == (
        '[tool.fal.apps]\nweb = { ref = "app.py::Web", app_scale_settings = true, keep_alive = 30 }\n')


def test_diff_writes_nothing_and_applies_with_git_apply(tmp_path):
    p = _proj(tmp_path, BAD.rstrip("\n"))  # no final newline
    before = p.read_bytes()
    r = run_cli(["check", "--no-cache", "--diff", "."], cwd=tmp_path)
    assert r.code == 1 and r.out.startswith("--- a/pyproject.toml\n+++ b/pyproject.toml\n")
    assert p.read_bytes() == before
    if shutil.which("git"):
        (tmp_path / "fix.patch").write_text(r.out)
        res = subprocess.run(["git", "apply", "fix.patch"], cwd=tmp_path, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)  # nothing left for --fix to do
        fixed_by_patch = p.read_bytes()
        assert run_cli(["check", "--no-cache", "--diff", "."], cwd=tmp_path).out == ""
        assert fixed_by_patch == p.read_bytes()


def test_fix_only_reports_nothing_else(tmp_path):
    _proj(tmp_path)
    r = run_cli(["check", "--no-cache", "--fix-only", "."], cwd=tmp_path)
    assert r.code == 0 and r.out == "Fixed 2 errors and 2 warnings.\n", r.out
    assert "FAL" not in r.out


def test_read_only_file_is_left_alone(tmp_path):
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    # (fallint refuses a file without write permission bits even when run as root)
    p = _proj(tmp_path)
    p.chmod(stat.S_IRUSR)
    try:
        r = run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
        assert r.code == 2 and "read-only" in r.err
        assert p.read_text() == BAD
        assert not [f for f in os.listdir(tmp_path) if f.startswith(".fallint-")]
    finally:
        p.chmod(stat.S_IRUSR | stat.S_IWUSR)


def test_permissions_kept(tmp_path):
    p = _proj(tmp_path)
    p.chmod(0o640)
    run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert stat.S_IMODE(p.stat().st_mode) == 0o640 and p.read_text() == SAFE_FIXED


def test_config_fixable_unfixable_and_fix(tmp_path):
    p = _proj(tmp_path, BAD + '\n[tool.fallint]\nunfixable = ["FAL5"]\nfix = true\n')
    r = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    text = p.read_text()
    assert "no_scale = true" in text and "keep_alive = 300" in text
    assert "FAL501 [web]" in r.out
    p.write_text(BAD + '\n[tool.fallint]\nfixable = ["no-scale-deprecated"]\n')
    run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    text = p.read_text()
    assert "app_scale_settings = false" in text and "keepalive = 300" in text


def test_a_fix_that_breaks_the_toml_is_discarded(tmp_path):
    p = _proj(tmp_path)
    loc = Location(p, 4, 1, 4, 10)
    bad = Diagnostic("FAL003", "unknown-key", "error", "x", loc, fix=Fix.safe("break", Edit.replace(loc, "= =")))
    good_loc = Location(p, 6, 1, 6, 9)
    good = Diagnostic("FAL501", "no-scale-deprecated", "warning", "y", good_loc,
                      fix=Fix.safe("ok", Edit.replace(good_loc, "no_scale_")))
    planned = plan_pass([bad, good], False, tmp_path)
    assert len(planned.problems) == 1 and "unparseable" in planned.problems[0]
    assert [c.fixed for c in planned.changes] == [[good]]
    assert b"no_scale_ = true" in planned.changes[0].new and b"keepalive" in planned.changes[0].new


def test_add_ignore_then_clean(tmp_path):
    text = BAD.replace('ref = "app.py::Web"   # keep me', 'ref = "app.py::Web"   # keep me # fallint: ignore[FAL110]')
    text += 'regions = ["eu-central"]  # fallint: ignore[FAL503]\nimage = { dockerfile = "Dockerfile" }\n'
    p = _proj(tmp_path, text)
    (tmp_path / "Dockerfile").write_text("FROM python:3.12\nCOPY missing.txt .\n")
    r = run_cli(["check", "--no-cache", "--add-ignore", "."], cwd=tmp_path)
    assert r.code == 0, r.err
    new = p.read_text()
    assert "# a comment that stays" in new and "# keep me" in new
    assert "keepalive = 300  # fallint: ignore[FAL003]" in new
    assert "ignore[FAL503]" not in new.split("regions")[1].split("\n")[0] or "FAL011" in new
    assert (tmp_path / "Dockerfile").read_text() == "FROM python:3.12\nCOPY missing.txt .\n"
    again = run_cli(["check", "--no-cache", "."], cwd=tmp_path)
    assert again.code == 0 and "All checks passed!" in again.out, again.out


def test_modes_cannot_be_combined(tmp_path):
    _proj(tmp_path)
    assert run_cli(["check", "--diff", "--add-ignore", "."], cwd=tmp_path).code == 2


def test_broken_example_fix_is_idempotent(tmp_path):
    root = tmp_path / "broken"
    shutil.copytree(REPO / "examples" / "broken", root)
    r = run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "."], cwd=root)
    assert "fixed" in r.out
    assert run_cli(["check", "--no-cache", "--diff", "--unsafe-fixes", "."], cwd=root).out == ""
    clean = tmp_path / "clean"
    shutil.copytree(REPO / "examples" / "clean", clean)
    assert run_cli(["check", "--no-cache", "--diff", "--unsafe-fixes", "."], cwd=clean).out == ""
