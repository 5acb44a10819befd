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


# -- the second round: more rules, --diff passes, --output-file, per-project config --------------

TWO_PASS = """\
[tool.fal.apps.web]
ref = "app.py::Web"
machine-type = "gpu-h100"
"""

TWO_PASS_FIXED = """\
[tool.fal.apps.web]
ref = "app.py::Web"
machine_type = "GPU-H100"
"""


def test_wrong_type_message_quotes_the_number_as_written(tmp_path):
    _proj(tmp_path, '[tool.fal.apps.web]\nref = "app.py::Web"\npython_version = 3.10\n')
    r = run_cli(["check", "--no-cache", "--output-format", "concise", "."], cwd=tmp_path)
    assert '(write `"3.10"`)' in r.out, r.out


def test_diff_runs_every_pass_like_fix(tmp_path):
    # the key is renamed in the first pass; only then is the machine type judged and fixed
    fixed_dir = tmp_path / "fixed"
    diff_dir = tmp_path / "diff"
    for d in (fixed_dir, diff_dir):
        d.mkdir()
        _proj(d, TWO_PASS)
    run_cli(["check", "--no-cache", "--fix", "."], cwd=fixed_dir)
    assert (fixed_dir / "pyproject.toml").read_text() == TWO_PASS_FIXED
    r = run_cli(["check", "--no-cache", "--diff", "."], cwd=diff_dir)
    assert r.code == 1
    assert '+machine_type = "GPU-H100"' in r.out, r.out
    assert "Would fix 2 errors" in r.err or "Would fix 1 error and 1 warning" in r.err, r.err
    assert (diff_dir / "pyproject.toml").read_text() == TWO_PASS  # nothing written
    if shutil.which("git"):
        (diff_dir / "fix.patch").write_text(r.out)
        res = subprocess.run(["git", "apply", "fix.patch"], cwd=diff_dir, capture_output=True, text=True)
        assert res.returncode == 0, res.stderr
        assert (diff_dir / "pyproject.toml").read_text() == TWO_PASS_FIXED
        again = run_cli(["check", "--no-cache", "--diff", "."], cwd=diff_dir)
        assert again.out == "" and again.code == 0


def test_fix_run_honours_output_file(tmp_path):
    _proj(tmp_path, TWO_PASS + "keepalive = 'x'\n")
    out = tmp_path / "reports" / "fallint.json"
    r = run_cli(["check", "--no-cache", "--fix", "--output-format", "json", "--output-file", str(out), "."],
                cwd=tmp_path)
    assert r.out == ""
    data = json.loads(out.read_text())
    assert [d["code"] for d in data] == ["FAL004"]  # keepalive renamed, its value still wrong
    diff_out = tmp_path / "fix.diff"
    _proj(tmp_path, TWO_PASS)
    r = run_cli(["check", "--no-cache", "--diff", "--output-file", str(diff_out), "."], cwd=tmp_path)
    assert r.code == 1 and r.out == ""
    assert '+machine_type = "GPU-H100"' in diff_out.read_text()
    r = run_cli(["check", "--no-cache", "--fix-only", "--output-file", str(diff_out), "."], cwd=tmp_path)
    assert r.out == "" and diff_out.read_text().startswith("Fixed ")


def test_fix_true_in_config_counts_for_its_project_only(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    for d in (one, two):
        d.mkdir()
        _proj(d, TWO_PASS)
    (one / "pyproject.toml").write_text(TWO_PASS + "\n[tool.fallint]\nfix = true\n")
    run_cli(["check", "--no-cache", "one", "two"], cwd=tmp_path)
    assert (one / "pyproject.toml").read_text() == TWO_PASS_FIXED + "\n[tool.fallint]\nfix = true\n"
    assert (two / "pyproject.toml").read_text() == TWO_PASS
    # --fix on the command line: every project
    run_cli(["check", "--no-cache", "--fix", "one", "two"], cwd=tmp_path)
    assert (two / "pyproject.toml").read_text() == TWO_PASS_FIXED


def test_unsafe_fixes_in_config_counts_for_its_project_only(tmp_path):
    text = '[tool.fal.apps.web]\nref = "app.py::Website"\n'
    one, two = tmp_path / "one", tmp_path / "two"
    for d in (one, two):
        d.mkdir()
        _proj(d, text)
    (one / "pyproject.toml").write_text(text + "\n[tool.fallint]\nunsafe-fixes = true\n")
    run_cli(["check", "--no-cache", "--fix", "one", "two"], cwd=tmp_path)
    assert 'ref = "app.py::Web"' in (one / "pyproject.toml").read_text()
    assert (two / "pyproject.toml").read_text() == text


def test_add_ignore_does_not_respell_unknown_codes(tmp_path):
    text = '[tool.fal.apps.web]\nref = "app.py::Web"\nmachine_type = "GPU-Z1"  # fallint: ignore[FAL5O3]\n'
    p = _proj(tmp_path, text)
    r = run_cli(["check", "--no-cache", "--add-ignore", "."], cwd=tmp_path)
    assert "FAL903 cannot be suppressed" in r.err
    assert "FAL5O3" in p.read_text()


@pytest.mark.parametrize(("requirements", "fixed"), [
    ('["numpy", "torch", "numpy"]', '["numpy", "torch"]'),
    ('["numpy", "numpy", "torch"]', '["numpy", "torch"]'),
    ('[\n  "numpy",  # first\n  "torch",\n  "numpy",\n]', '[\n  "numpy",  # first\n  "torch",\n]'),
    ('[\n  "numpy",\n  "numpy"\n]', '[\n  "numpy",\n]'),
    ('[["torch"], ["numpy", "numpy"]]', '[["torch"], ["numpy"]]'),
])
def test_duplicate_requirement_removed(tmp_path, requirements, fixed):
    head = '[project]\nname = "textgen"\n\n[tool.fal.apps.textgen]\npython_entry_point = "textgen:TextGen"\n'
    p = _proj(tmp_path, head + f"requirements = {requirements}\n")
    run_cli(["check", "--no-cache", "--fix", "--select", "FAL314", "."], cwd=tmp_path)
    assert p.read_text() == head + f"requirements = {fixed}\n"


def test_duplicate_requirement_with_a_comment_in_the_way_is_left(tmp_path):
    head = '[project]\nname = "textgen"\n\n[tool.fal.apps.textgen]\npython_entry_point = "textgen:TextGen"\n'
    text = head + 'requirements = [\n  "numpy",\n  "numpy",  # pinned later\n]\n'
    p = _proj(tmp_path, text)
    r = run_cli(["check", "--no-cache", "--select", "FAL314", "."], cwd=tmp_path)
    assert "FAL314" in r.out and "[*]" not in r.out
    run_cli(["check", "--no-cache", "--fix", "--select", "FAL314", "."], cwd=tmp_path)
    assert p.read_text() == text


def _fixes(tmp_path, pyproject, files, code):
    from fallint.engine.run import Options, check_paths

    write_files(tmp_path, {"pyproject.toml": pyproject, **files})
    result = check_paths([str(tmp_path)], Options(project_options={"no_cache": True}), cwd=tmp_path)
    return [d.fix for d in result.diagnostics if d.code == code]


TWO_APPS = APP + '\n\nclass Admin(fal.App):\n    @fal.endpoint("/")\n    def root(self) -> dict:\n        return {}\n'


def test_no_guess_between_two_apps(tmp_path):
    # FAL106: two apps, no close name
    assert _fixes(tmp_path, '[tool.fal.apps.web]\nref = "app.py::Zzz"\n', {"app.py": TWO_APPS}, "FAL106") == [None]
    # FAL109: both apps defined in the file
    assert _fixes(tmp_path, '[tool.fal.apps.web]\nref = "app.py"\n', {"app.py": TWO_APPS}, "FAL109") == [None]


def test_entry_point_symbol_fix_needs_one_app(tmp_path):
    pyproject = ('[project]\nname = "textgen"\nversion = "0.1.0"\n\n[tool.fal.apps.textgen]\n'
                 'python_entry_point = "textgen.serve:Zzz"\nrequirements = ["."]\n')
    files = {"src/textgen/__init__.py": "", "src/textgen/serve.py": TWO_APPS}
    assert _fixes(tmp_path, pyproject, files, "FAL207") == [None]
    (tmp_path / "src/textgen/serve.py").write_text(TWO_APPS)
    fixes = _fixes(tmp_path, pyproject.replace(":Zzz", ":Admn"), files, "FAL207")
    assert len(fixes) == 1 and fixes[0] is not None and fixes[0].applicability == "unsafe"
    assert fixes[0].edits[0].content == '"textgen.serve:Admin"'


def test_invalid_choice_never_picks_another_region(tmp_path):
    fixes = _fixes(tmp_path, '[tool.fal.apps.web]\nref = "app.py::Web"\nregions = ["eu-central"]\n',
                   {"app.py": APP}, "FAL011")
    assert fixes == [None]


def test_unknown_suppressed_rule_keeps_the_known_codes(tmp_path):
    text = ('[tool.fal.apps.web]\nref = "app.py::Web"\n'
            'machine_type = "GPU-Z1"  # fallint: ignore[FAL5O3, no-such-rule-at-all-xyz,FAL004]\n')
    p = _proj(tmp_path, text)
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert "ignore[FAL503, no-such-rule-at-all-xyz,FAL004]" in p.read_text()


def test_unknown_suppressed_rule_respelt_into_a_listed_code_is_dropped(tmp_path):
    text = ('[tool.fal.apps.web]\nref = "app.py::Web"\n'
            'machine_type = "GPU-Z1"  # fallint: ignore[FAL503, FAL5O3]\n')
    p = _proj(tmp_path, text)
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert p.read_text().endswith("# fallint: ignore[FAL503]\n")


def test_invalid_config_fixes(tmp_path):
    text = ('[tool.fal.apps.web]\nref = "app.py::Web"\nmachine_type = "GPU-Z1"\n\n[tool.fallint]\n'
            'Fail_On = "Warning"\nextend-select = ["FAL5O3"]\nignore = ["FAL503"]\nignores = ["FAL1"]\n')
    p = _proj(tmp_path, text)
    run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    # safe: only the case or `_` differ; `ignores` is not renamed onto the `ignore` already there
    assert 'fail-on = "warning"' in p.read_text() and 'Fail_On' not in p.read_text()
    assert '"FAL5O3"' in p.read_text() and 'ignores = ["FAL1"]' in p.read_text()
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert 'extend-select = ["FAL503"]' in p.read_text()


def test_bare_fal_function_is_called(tmp_path):
    job = "import fal\n\n\n@fal.function  # the job\ndef job() -> int:\n    return 1\n"
    write_files(tmp_path, {"job.py": job, "pyproject.toml": '[tool.fal.apps.job]\nref = "job.py::job"\n'})
    r = run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert r.code == 0, r.out
    assert (tmp_path / "job.py").read_text() == job.replace("@fal.function", "@fal.function()")


def test_fal_function_under_another_decorator_is_not_moved(tmp_path):
    job = "import fal\nimport functools\n\n\n@functools.cache\n@fal.function()\ndef job() -> int:\n    return 1\n"
    write_files(tmp_path, {"job.py": job, "pyproject.toml": '[tool.fal.apps.job]\nref = "job.py::job"\n'})
    r = run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert "FAL111" in r.out and "[*]" not in r.out
    assert (tmp_path / "job.py").read_text() == job


def test_no_scale_that_disagrees_is_removed_only_unsafely(tmp_path):
    text = '[tool.fal.apps.web]\nref = "app.py::Web"\nno_scale = false  # old\napp_scale_settings = false\n'
    p = _proj(tmp_path, text)
    run_cli(["check", "--no-cache", "--fix", "."], cwd=tmp_path)
    assert p.read_text() == text
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert p.read_text() == '[tool.fal.apps.web]\nref = "app.py::Web"\napp_scale_settings = false\n'


def test_no_scale_in_an_inline_table_is_left(tmp_path):
    text = '[tool.fal.apps]\nweb = { ref = "app.py::Web", no_scale = true, app_scale_settings = false }\n'
    p = _proj(tmp_path, text)
    run_cli(["check", "--no-cache", "--fix", "--unsafe-fixes", "."], cwd=tmp_path)
    assert p.read_text() == text
