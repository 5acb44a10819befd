"""The fal release wired into the rules (issue #12), through the public CLI."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from fallint import releases as rel
from fallint.cli import main

APP = textwrap.dedent('''
    import fal

    class Web(fal.App):
        @fal.endpoint("/")
        def run(self) -> dict:
            return {}
''')


def project(tmp: Path, pyproject: str, files: dict | None = None) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "pyproject.toml").write_text(textwrap.dedent(pyproject).lstrip())
    (tmp / "app.py").write_text(APP)
    for name, text in (files or {}).items():
        (tmp / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp / name).write_text(textwrap.dedent(text).lstrip())
    return tmp


def check(capsys, *args) -> tuple[int, list[dict]]:
    capsys.readouterr()
    code = main(["check", "--no-cache", "--output-format", "json", *map(str, args)])
    out = capsys.readouterr().out
    return code, json.loads(out)


def of(diags, *codes):
    return [d for d in diags if d["code"] in codes]


def test_json_shape(tmp_path, capsys):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        machine_type = "GPU-H100"

        [tool.fallint]
        fal-version = "1.72.7"
    ''')
    code, diags = check(capsys, p)
    d = of(diags, "FAL016")
    assert code == 1 and len(d) == 1, diags
    assert "needs fal >= 1.75.2" in d[0]["message"] and "1.72.7" in d[0]["message"]
    assert (d[0]["line"], d[0]["column"], d[0]["end_column"]) == (3, 1, 13)


def _line(d):
    return d["line"]


@pytest.mark.parametrize("pin_files,where", [
    ({"uv.lock": 'version = 1\n\n[[package]]\nname = "fal"\nversion = "1.72.7"\n'}, "uv.lock:4"),
    ({"requirements.txt": "fal==1.72.7\n"}, "requirements.txt:1"),
])
def test_pin_sources(tmp_path, capsys, pin_files, where):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        machine_type = "GPU-H100"
    ''', pin_files)
    code, diags = check(capsys, p)
    d = of(diags, "FAL016")
    assert len(d) == 1 and where in d[0]["message"], diags
    assert not of(diags, "FAL003")
    assert code == 1


def test_pin_in_project_dependencies(tmp_path, capsys):
    p = project(tmp_path, '''
        [project]
        name = "x"
        dependencies = ["fal==1.72.7"]

        [tool.fal.apps.web]
        ref = "app.py::Web"
        machine_type = "GPU-H100"
        keep_alive = 30
    ''')
    _, diags = check(capsys, p)
    assert sorted(_line(d) for d in of(diags, "FAL016")) == [7, 8]
    assert "[project].dependencies" in of(diags, "FAL016")[0]["message"]


def test_range_some_and_all_failing(tmp_path, capsys):
    p = project(tmp_path, '''
        [project]
        name = "x"
        dependencies = ["fal>=1.74,<1.76"]

        [tool.fal.apps.web]
        ref = "app.py::Web"
        machine_type = "GPU-H100"
        request_start_timeout = 10
    ''')
    code, diags = check(capsys, p)
    warn, err = of(diags, "FAL017"), of(diags, "FAL016")
    assert [_line(d) for d in warn] == [7] and "1.74.0" in warn[0]["message"]
    assert [_line(d) for d in err] == [8] and "needs fal >= 1.82.1" in err[0]["message"]
    assert code == 1


def test_cli_overrides_config_and_latest_is_clean(tmp_path, capsys):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        machine_type = "GPU-H100"

        [tool.fallint]
        fal-version = "1.72.7"
    ''')
    code, diags = check(capsys, p, "--fal-version", "latest")
    assert code == 0 and not of(diags, "FAL016", "FAL017", "FAL905"), diags


def test_non_strict_release_warns(tmp_path, capsys):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        machine_type = "GPU-H100"
    ''')
    code, diags = check(capsys, p, "--fal-version", "1.10.0")
    assert [d["code"] for d in of(diags, "FAL016", "FAL017")] == ["FAL017"]
    assert "ignored by fal 1.10.0" in of(diags, "FAL017")[0]["message"]


def test_unknown_fal_version(tmp_path, capsys):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"

        [tool.fallint]
        fal-version = "1.75.99"
    ''')
    code, diags = check(capsys, p)
    d = of(diags, "FAL905")
    assert code == 1 and len(d) == 1 and "did you mean `1.75.9`" in d[0]["message"]
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["check", str(p), "--fal-version", "9.9.9"])
    assert exc.value.code == 2
    assert "not a known fal release" in capsys.readouterr().err


def test_show_settings(tmp_path, capsys):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
    ''', {"requirements.txt": "fal==1.75.2\n"})
    capsys.readouterr()
    assert main(["check", str(p), "--show-settings"]) == 0
    out = capsys.readouterr().out
    assert "fal release: fal 1.75.2 [requirements] (requirements.txt:1" in out


def test_api_names(tmp_path, capsys):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"

        [tool.fallint]
        fal-version = "1.60.0"
    ''', {"app.py": '''
        import fal
        import fal.realtime
        from fal.toolkit import File, to_xfal

        class Web(fal.App, metrics_port=9090):
            @fal.endpoint("/")
            def run(self) -> dict:
                return {}
    '''})
    code, diags = check(capsys, p)
    d = sorted(of(diags, "FAL116"), key=_line)
    # 1.60.0 passes unknown class keywords through (strict from 1.69.11)
    assert [_line(x) for x in d] == [2, 3], diags
    assert "added in fal 1.69.1" in d[0]["message"]
    assert "to_xfal" in d[1]["message"] and "added in fal 1.76.0" in d[1]["message"]
    code, diags = check(capsys, p, "--fal-version", "1.70.0")
    d = sorted(of(diags, "FAL116"), key=_line)
    assert [_line(x) for x in d] == [3, 5], diags
    assert "metrics_port" in d[1]["message"] and "added in fal 1.78.0" in d[1]["message"]
    code, diags = check(capsys, p, "--fal-version", "1.80.0")
    assert not of(diags, "FAL116")


def test_guarded_import_is_an_app(tmp_path, capsys):
    p = project(tmp_path, '''
        [tool.fal.apps.agent]
        ref = "app.py::Agent"
        requirements = ["numpy"]
    ''', {"app.py": '''
        try:
            import fal
        except ImportError:
            fal = None

        _Base = fal.App if fal is not None else object

        class Agent(_Base):
            requirements = []

            @fal.endpoint("/")
            def run(self) -> dict:
                return {}
    '''})
    _, diags = check(capsys, p)
    assert [d["code"] for d in diags] == ["FAL602"], diags


def test_template_directory(tmp_path, capsys):
    tpl = tmp_path / "{{cookiecutter.project_slug}}"
    project(tpl, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        keepalive = 3
    ''')
    capsys.readouterr()
    assert main(["check", "--no-cache", "-v", str(tmp_path)]) == 0
    assert "skipped template directory" in capsys.readouterr().err
    code, diags = check(capsys, tpl)
    assert code == 1 and of(diags, "FAL003")


def test_show(tmp_path, capsys, monkeypatch):
    p = project(tmp_path, '''
        [tool.fal.apps.web]
        ref = "app.py::Web"
        keep_alive = 30
    ''', {"uv.lock": '[[package]]\nname = "fal"\nversion = "1.80.0"\n'})
    monkeypatch.chdir(p)
    capsys.readouterr()
    assert main(["show", "web", "--output-format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data[0]["fal_release"]["release"] == "1.80.0" and data[0]["fal_release"]["kind"] == "lock"
    assert data[0]["settings"]["keep_alive"] == {"value": 30, "source": "toml", "where": "pyproject.toml:3:1"}
    assert main(["show", "nope"]) == 2


def _sample():
    rs = [r for r in rel.known_releases() if rel.table_strict(r, "app")]
    step = max(1, len(rs) // 14)
    return sorted(set(rs[::step] + [rs[-1]]), key=rel.parse_version)


@pytest.mark.parametrize("release", _sample())
def test_every_release_accepts_exactly_its_keys(tmp_path, capsys, release):
    values = {"ref": '"app.py::Web"'}
    keys = [k for k in rel.known_keys(release, "app") if not k.startswith("_")
            and k not in ("image", "health_check", "retry_config", "python_entry_point", "app_scale_settings")]
    lines = ["[tool.fal.apps.web]", 'ref = "app.py::Web"']
    lines += [f"{k} = 1" for k in keys if k != "ref"]
    missing = [k for k in rel.data()["toml"]["app"]["keys"] if not rel.reads_key(release, "app", k)
               and not k.startswith("_")]
    base = "\n".join(lines) + f'\n\n[tool.fallint]\nfal-version = "{release}"\n'
    p = project(tmp_path / "ok", base)
    _, diags = check(capsys, p)
    assert not of(diags, "FAL016", "FAL017", "FAL003"), diags
    if missing:
        extra = missing[-1]
        p2 = project(tmp_path / "bad", base.replace('ref = "app.py::Web"\n', f'ref = "app.py::Web"\n{extra} = 1\n'))
        _, diags = check(capsys, p2)
        d = of(diags, "FAL016", "FAL017", "FAL003")
        assert [(x["code"], _line(x)) for x in d] == [("FAL016", 3)], diags
