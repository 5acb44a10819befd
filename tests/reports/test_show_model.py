"""``fallint show APP``: the named app's model only (no rule runs), class
settings of the deployed class, and fal's stated defaults for unset keys (issue #12)."""

from __future__ import annotations

import json

from fallint.engine import run as run_mod

from ..helpers import run_cli, write_files

APP_PY = '''
import fal

class Web(fal.App, keep_alive=60):
    machine_type = "GPU-A100"

    @fal.endpoint("/")
    def run(self) -> dict:
        return {}
'''


def make(tmp_path):
    return write_files(tmp_path, {
        "pyproject.toml": (
            '[tool.fal.apps.web]\nref = "app.py::Web"\nkeep_alive = 30\n\n'
            '[tool.fal.apps.other]\nref = "broken.py::X"\nbogus_key = 1\n\n'
            '[tool.fal.apps.ep]\npython_entry_point = "mod:App"\n'
        ),
        "app.py": APP_PY,
        "broken.py": "def (:\n",
    })


def show(root, app):
    r = run_cli(["show", app, str(root), "--output-format", "json"])
    assert r.code == 0, r.err
    (facts,) = json.loads(r.out)
    return facts


def test_show_runs_no_rule(tmp_path, monkeypatch):
    root = make(tmp_path)

    def no_rules(*a, **kw):
        raise AssertionError("fallint show ran the rules")

    monkeypatch.setattr(run_mod, "check_project", no_rules)
    monkeypatch.setattr(run_mod, "prefetch_sources", no_rules)
    facts = show(root, "web")
    assert facts["app"] == "web"
    # the patch is effective: a check does run them
    import pytest

    with pytest.raises(AssertionError, match="ran the rules"):
        run_mod.check_paths([str(root)])


def test_show_reads_only_the_named_apps_files(tmp_path, monkeypatch):
    from fallint.model import sources

    root = make(tmp_path)
    loaded = []
    real_file, real_bytes = sources.load_file, sources.load_bytes
    monkeypatch.setattr(sources, "load_file", lambda path: (loaded.append(path.name), real_file(path))[1])
    monkeypatch.setattr(sources, "load_bytes", lambda path, data: (loaded.append(path.name), real_bytes(path, data))[1])
    show(root, "web")
    assert "app.py" in loaded and "broken.py" not in loaded
    show(root, "other")
    assert "broken.py" in loaded


def test_class_settings_and_defaults(tmp_path):
    facts = show(make(tmp_path), "web")
    s = facts["settings"]
    assert s["machine_type"]["source"] == "class" and s["machine_type"]["value"] == "GPU-A100"
    assert s["keep_alive"]["value"] == 60 and s["keep_alive"]["overrides"]["value"] == 30
    d = facts["defaults"]
    assert d["name"]["value"] == "web"
    assert "machine_type" not in d  # the class sets it
    assert d["requirements"]["value"] == []
    # an entry-point app: machine_type defaults to S; requirements are not defaulted
    ep = show(tmp_path, "ep")["defaults"]
    assert ep["machine_type"]["value"] == "S" and "requirements" not in ep
    text = run_cli(["show", "ep", str(tmp_path)]).out
    assert 'machine_type = "S"  (fal\'s default CPU machine type)' in text
