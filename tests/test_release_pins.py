"""Which fal release deploys a project: fallint.releases.pins on tiny projects (no network)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fallint import releases as R
from fallint.releases.pins import MAX_BYTES, deploying_releases

from .conftest import write_files

FAL_TOML = '[tool.fal.apps.web]\nref = "app.py::Web"\n'


def project(tmp_path: Path, files: dict) -> Path:
    files = {"pyproject.toml": FAL_TOML, **files}
    write_files(tmp_path, files)
    return tmp_path / "pyproject.toml"


def test_nothing_pinned_uses_latest(tmp_path):
    p = deploying_releases(project(tmp_path, {}))
    assert p.releases == [R.latest()] and p.kind == "default"
    assert "newest known release" in p.why


def test_override(tmp_path):
    pp = project(tmp_path, {"uv.lock": '[[package]]\nname = "fal"\nversion = "1.60.0"\n'})
    assert deploying_releases(pp, override="1.75.2").releases == ["1.75.2"]
    assert deploying_releases(pp, override="latest").releases == [R.latest()]
    assert deploying_releases(pp, override=">=1.70,<1.71").releases == ["1.70.0", "1.70.1"]
    assert deploying_releases(pp, override="1.74").releases == ["1.74.0", "1.74.1"]  # the series
    # a bad override falls through to the next source, with a note
    p = deploying_releases(pp, override="banana")
    assert p.releases == ["1.60.0"] and any("banana" in n for n in p.notes)


def test_uv_lock(tmp_path):
    lock = (
        'version = 1\n\n[[package]]\nname = "anyio"\nversion = "4.0.0"\n\n'
        '[[package]]\nname = "fal"\nversion = "1.75.1"\nsource = { registry = "https://pypi.org/simple" }\n'
    )
    pp = project(tmp_path, {"uv.lock": lock, "requirements.txt": "fal==1.60.0\n"})
    p = deploying_releases(pp)
    assert p.releases == ["1.75.1"] and p.kind == "lock"
    assert p.sources[0].path == "uv.lock" and p.sources[0].line == 8
    assert "uv.lock:8" in p.why


def test_pylock(tmp_path):
    lock = 'lock-version = "1.0"\ncreated-by = "x"\n\n[[packages]]\nname = "Fal"\nversion = "1.70.1"\n'
    p = deploying_releases(project(tmp_path, {"pylock.toml": lock}))
    assert p.releases == ["1.70.1"] and p.sources[0].line == 5


def test_named_pylock(tmp_path):
    lock = '[[packages]]\nname = "fal"\nversion = "1.69.6"\n'
    p = deploying_releases(project(tmp_path, {"pylock.prod.toml": lock}))
    assert p.releases == ["1.69.6"] and p.sources[0].path == "pylock.prod.toml"


def test_poetry_lock(tmp_path):
    lock = '[[package]]\nname = "fal"\nversion = "1.51.0"\ndescription = "x"\n\n[metadata]\nlock-version = "2.0"\n'
    p = deploying_releases(project(tmp_path, {"poetry.lock": lock}))
    assert p.releases == ["1.51.0"] and p.kind == "lock"


def test_pdm_lock(tmp_path):
    lock = '[metadata]\ngroups = ["default"]\n\n[[package]]\nname = "fal"\nversion = "1.73.0"\n'
    p = deploying_releases(project(tmp_path, {"pdm.lock": lock}))
    assert p.releases == ["1.73.0"] and p.sources[0].line == 5


def test_lock_without_fal_falls_through(tmp_path):
    pp = project(tmp_path, {
        "uv.lock": '[[package]]\nname = "requests"\nversion = "2.0"\n',
        "requirements.txt": "fal==1.60.0\n",
    })
    p = deploying_releases(pp)
    assert p.releases == ["1.60.0"] and p.kind == "requirements"


def test_yanked_or_unknown_locked_version(tmp_path):
    p = deploying_releases(project(tmp_path, {"uv.lock": '[[package]]\nname = "fal"\nversion = "1.79.0"\n'}))
    assert p.releases == ["1.78.3"] and any("1.79.0" in n for n in p.notes)


def test_requirements_files(tmp_path):
    pp = project(tmp_path, {
        "requirements.txt": "# deps\nrequests\nfal[extra]==1.75.2 ; python_version >= '3.8'  # pinned\n",
    })
    p = deploying_releases(pp)
    assert p.releases == ["1.75.2"] and p.kind == "requirements"
    assert str(p.sources[0]).startswith("requirements.txt:3:")


def test_constraints_and_hashes(tmp_path):
    pp = project(tmp_path, {
        "constraints-prod.txt": "fal==1.72.7 \\\n    --hash=sha256:abc\n",
    })
    p = deploying_releases(pp)
    assert p.releases == ["1.72.7"] and p.sources[0].line == 1


def test_requirements_specifier_admits_several(tmp_path):
    p = deploying_releases(project(tmp_path, {"requirements-dev.txt": "FAL~=1.74.0\n"}))
    assert p.releases == ["1.74.0", "1.74.1"]


def test_project_dependencies(tmp_path):
    toml = (
        '[project]\nname = "x"\nversion = "0"\n'
        'dependencies = [\n  "requests",\n  "Fal[foo]>=1.70,<1.71; python_version >= \'3.8\'",\n]\n\n' + FAL_TOML
    )
    p = deploying_releases(project(tmp_path, {"pyproject.toml": toml}))
    assert p.releases == ["1.70.0", "1.70.1"] and p.kind == "pyproject"
    assert p.sources[0].line == 6


def test_optional_dependencies_and_groups(tmp_path):
    toml = (
        '[project]\nname = "x"\nversion = "0"\n'
        '[project.optional-dependencies]\nserve = ["fal==1.75.3"]\n'
        '[dependency-groups]\ndev = [{include-group = "Deploy"}]\ndeploy = ["fal==1.76.0"]\n' + FAL_TOML
    )
    p = deploying_releases(project(tmp_path, {"pyproject.toml": toml}))
    assert p.releases == ["1.75.3", "1.76.0"]
    assert {s.line for s in p.sources} == {5, 8}


def test_project_dependencies_win_over_groups(tmp_path):
    toml = (
        '[project]\nname = "x"\nversion = "0"\ndependencies = ["fal==1.80.0"]\n'
        '[dependency-groups]\ndev = ["fal==1.60.0"]\n' + FAL_TOML
    )
    assert deploying_releases(project(tmp_path, {"pyproject.toml": toml})).releases == ["1.80.0"]


def test_include_group_cycle_is_a_note(tmp_path):
    toml = '[dependency-groups]\na = [{include-group = "b"}]\nb = [{include-group = "a"}, "fal==1.80.0"]\n' + FAL_TOML
    p = deploying_releases(project(tmp_path, {"pyproject.toml": toml}))
    assert p.releases == ["1.80.0"] and any("cycle" in n for n in p.notes)


def test_unpinned_requirement_is_no_pin(tmp_path):
    p = deploying_releases(project(tmp_path, {"requirements.txt": "fal\n"}))
    assert p.releases == [R.latest()] and p.kind == "default"


@pytest.mark.parametrize(
    "files",
    [
        {"uv.lock": "this is [ not toml"},
        {"uv.lock": '[[package]]\nname = "fal"\nversion = 3\n'},
        {"poetry.lock": "package = 5\n"},
        {"requirements.txt": b"\xff\xfe fal=== ??\n"},
        {"requirements.txt": "fal>=99\n"},
        {"pyproject.toml": "[project\nbroken"},
        {"pyproject.toml": '[project]\ndependencies = "fal==1.60.0"\n'},
        {"pyproject.toml": '[project]\ndependencies = ["fal @ https://example.com/fal.whl"]\n'},
    ],
)
def test_garbage_never_crashes(tmp_path, files):
    p = deploying_releases(project(tmp_path, files))
    assert p.releases == [R.latest()] and p.kind == "default"


def test_garbage_reason_is_given(tmp_path):
    p = deploying_releases(project(tmp_path, {"uv.lock": "this is [ not toml"}))
    assert p.why.startswith("unknown, using latest") and "uv.lock" in p.why


def test_big_files_are_ignored(tmp_path):
    big = "# x\n" * (MAX_BYTES // 4 + 10) + "fal==1.60.0\n"
    p = deploying_releases(project(tmp_path, {"requirements.txt": big}))
    assert p.releases == [R.latest()] and any("ignored" in n for n in p.notes)


def test_missing_project(tmp_path):
    p = deploying_releases(tmp_path / "nope" / "pyproject.toml")
    assert p.releases == [R.latest()]
