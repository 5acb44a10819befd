"""FAL116 with nothing pinned, attribute use, @fal.function keywords; pins read
once per run; releases before 1.3.2 once per app; --verbose templates (issue #12)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from fallint import releases as rel
from fallint.engine.run import check_paths

from ..helpers import REPO, run_cli, write_files

WEB = '[tool.fal.apps.web]\nref = "app.py::Web"\n'


def dedent(files: dict) -> dict:
    return {k: textwrap.dedent(v).lstrip() for k, v in files.items()}


def diags(root: Path, *args: str) -> tuple[int, list[dict]]:
    r = run_cli(["check", "--no-cache", "--output-format", "json", *args, str(root)])
    return r.code, json.loads(r.out)


def fal116(root: Path, *args: str) -> list[tuple[str, int, int, str]]:
    _, ds = diags(root, *args)
    return [(Path(d["path"]).name, d["line"], d["column"], d["message"]) for d in ds if d["code"] == "FAL116"]


def test_unpinned_removed_import_is_an_error_by_the_newest_release(tmp_path):
    write_files(tmp_path, dedent({"pyproject.toml": WEB, "app.py": """
        import fal
        from fal.toolkit import optimize

        class Web(fal.App):
            @fal.endpoint("/")
            def run(self) -> dict:
                return {}
    """}))
    code, ds = diags(tmp_path)
    found = [d for d in ds if d["code"] == "FAL116"]
    assert code == 1 and len(found) == 1, ds
    d = found[0]
    assert (d["line"], d["column"], d["severity"]) == (2, 25, "error")
    assert "removed in fal 1.71.1" in d["message"] and rel.latest() in d["message"]
    # an explicit older release that still has it: clean
    assert fal116(tmp_path, "--fal-version", "1.71.0") == []


def test_unpinned_file_without_fal_imports_does_not_read_the_table(tmp_path):
    write_files(tmp_path, dedent({"pyproject.toml": WEB, "app.py": """
        from fastapi import FastAPI

        class Web:
            pass
    """}))
    rel.data.cache_clear()
    check_paths([str(tmp_path)])
    assert rel.data.cache_info().misses == 0
    # a file importing fal does read it
    (tmp_path / "app.py").write_text("import fal\n\nclass Web(fal.App):\n    pass\n")
    check_paths([str(tmp_path)])
    assert rel.data.cache_info().misses == 1


def test_examples_stay_clean_of_fal116():
    for example in ("clean", "broken"):
        assert fal116(REPO / "examples" / example) == []


def test_attribute_names_in_decorators_and_bases(tmp_path):
    write_files(tmp_path, dedent({"pyproject.toml": WEB + '\n[tool.fallint]\nfal-version = "1.58.0"\n', "app.py": """
        import fal
        import fal.toolkit as tk

        class Web(fal.App, fal.HealthCheck):
            @fal.endpoint("/")
            def run(self) -> dict:
                return {}

            @tk.no_such_decorator
            def other(self) -> None:
                pass
    """}))
    found = fal116(tmp_path)
    assert [(f, line, col) for f, line, col, _ in found] == [("app.py", 4, 20), ("app.py", 9, 6)], found
    assert "`fal.HealthCheck`: added in fal 1.59.0" in found[0][3]
    assert "`fal.toolkit.no_such_decorator`: no fal release has it" in found[1][3]
    # from 1.59.0 on fal.HealthCheck exists
    assert [line for _, line, _, _ in fal116(tmp_path, "--fal-version", "1.59.0")] == [9]


def test_fal_function_keywords(tmp_path):
    write_files(tmp_path, dedent({
        "pyproject.toml": '[tool.fal.apps.job]\nref = "job.py::job"\n',
        "job.py": """
            import fal

            @fal.function(
                machine_type="GPU-H100",
                keep_alive=30,
                metrics_port=9090,
                bogus_option=1,
            )
            def job() -> int:
                return 1
        """,
    }))
    # the newest release: metrics_port exists, bogus_option does not
    found = fal116(tmp_path)
    assert [(line, col) for _, line, col, _ in found] == [(7, 5)], found
    assert "`@fal.function(bogus_option=...)`: no fal release has it" in found[0][3]
    # 1.75.2 lacks metrics_port too (added in 1.78.0)
    found = fal116(tmp_path, "--fal-version", "1.75.2")
    assert [(line, col) for _, line, col, _ in found] == [(6, 5), (7, 5)], found
    assert "added in fal 1.78.0" in found[0][3]
    # before 1.69.11 the host passed unknown options on unchecked: no error
    assert fal116(tmp_path, "--fal-version", "1.60.0") == []


def test_pins_read_each_file_once(tmp_path, monkeypatch):
    from fallint.loading import files as files_mod

    write_files(tmp_path, dedent({
        "pyproject.toml": """
            [project]
            name = "x"
            dependencies = ["fal>=1.70"]

            [tool.fal.apps.web]
            ref = "app.py::Web"
        """,
        "uv.lock": '[[package]]\nname = "fal"\nversion = "1.72.7"\n',
        "requirements.txt": "fal==1.60.0\n",
        "app.py": "import fal\n\nclass Web(fal.App):\n    pass\n",
    }))
    reads: list[str] = []
    real = files_mod.read_text

    def counting(path, *a, **kw):
        reads.append(Path(path).name)
        return real(path, *a, **kw)

    monkeypatch.setattr(files_mod, "read_text", counting)
    result = check_paths([str(tmp_path)], None)
    assert result.projects[0].fal_releases.releases == ["1.72.7"]
    assert reads.count("pyproject.toml") == 1 and reads.count("uv.lock") == 1, reads


def test_release_without_app_tables_reported_once_per_app(tmp_path):
    write_files(tmp_path, {"pyproject.toml": WEB + 'machine_type = "GPU-H100"\nkeep_alive = 3\n'
                           '[tool.fal.apps.two]\nref = "app.py::Web"\nauth = "public"\n'})
    _, ds = diags(tmp_path, "--fal-version", "1.3.0")
    found = [(d["code"], d["line"], d["column"]) for d in ds if d["code"] in ("FAL016", "FAL017")]
    assert found == [("FAL016", 1, 1), ("FAL016", 5, 1)], ds
    assert all("does not read [tool.fal.apps] (needs fal >= 1.3.2)" in d["message"]
               for d in ds if d["code"] == "FAL016")
    # some releases read it: one warning per app for those that do not, keys judged by the others
    _, ds = diags(tmp_path, "--fal-version", ">=1.3.0,<1.4")
    found = [(d["code"], d["line"]) for d in ds if d["code"] in ("FAL016", "FAL017")]
    assert found == [("FAL017", 1), ("FAL017", 3), ("FAL017", 4), ("FAL017", 5)], ds
    assert "is not read by fal 1.3.0, 1.3.1" in ds[0]["message"]


def test_verbose_template_list_is_per_run(tmp_path):
    tpl = tmp_path / "a" / "{{cookiecutter.slug}}"
    write_files(tpl, {"pyproject.toml": WEB})
    write_files(tmp_path / "b", {"pyproject.toml": WEB, "app.py": "import fal\n\nclass Web(fal.App):\n    pass\n"})
    first = check_paths([str(tmp_path / "a")])
    second = check_paths([str(tmp_path / "b")])
    assert first.skipped_templates == [str(tpl)]
    assert second.skipped_templates == []
    r = run_cli(["check", "--no-cache", "-v", str(tmp_path / "b")])
    assert "skipped template directory" not in r.err


def test_nothing_pinned_loads_neither_the_pin_reader_nor_packaging(tmp_path):
    """A bare `fal` dependency and a requirements file without fal pin nothing:
    the run must not pay for reading pins (packaging costs ~30 ms to import)."""
    import subprocess
    import sys

    from ..helpers import REPO

    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "svc"\nversion = "0.1"\ndependencies = ["fal", "pydantic>=2"]\n\n'
        '[tool.fal.apps.web]\nimage = { image = "python:3.12" }\n'
    )
    (tmp_path / "requirements.txt").write_text("numpy==2.1.0\n")
    script = (
        "import sys; from fallint.cli import main; code = main(['check', '-q', '--no-cache', sys.argv[1]]); "
        "print(code, 'packaging' in sys.modules, 'fallint.releases.pins' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=True).stdout.split()
    assert out == ["0", "False", "False"]
    # and a real pin does load them
    (tmp_path / "requirements.txt").write_text("numpy==2.1.0\nfal==1.80.0\n")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path)], cwd=REPO, capture_output=True, text=True,
                         env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}, check=True).stdout.split()
    assert out[1:] == ["True", "True"]
