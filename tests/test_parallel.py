"""Parsing in worker processes: same results and output as a serial run."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from fallint.model import sources as resolve
from fallint.model.sources import (
    MIN_PARALLEL_FILES,
    FileResult,
    SourceProject,
    load_file,
    shutdown_workers,
    worker_count,
)

from .conftest import REPO, run_cli, write_files

APPS = 20


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("PRE_COMMIT", raising=False)
    yield
    shutdown_workers()


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> Path:
    """A clean 20-app project from the benchmark generator."""
    spec = importlib.util.spec_from_file_location("fallint_bench_generate", REPO / "benchmarks" / "generate.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module.generate(APPS, tmp_path_factory.mktemp("generated"))


# -- how many workers ------------------------------------------------------------


def test_a_handful_of_files_gets_no_workers():
    assert worker_count(MIN_PARALLEL_FILES - 1) == 1
    assert worker_count(MIN_PARALLEL_FILES - 1, jobs=4) == 1


def test_workers_follow_the_usable_cpus(monkeypatch):
    monkeypatch.setattr(resolve, "available_cpus", lambda: 4)
    assert worker_count(1000) == 4
    assert worker_count(8) == 2  # at least MIN_FILES_PER_WORKER files each
    assert worker_count(1000, jobs=1) == 1
    assert worker_count(1000, jobs=6) == 6  # --jobs overrides
    assert worker_count(9, jobs=64) == 9


def test_pre_commit_halves_the_workers(monkeypatch):
    monkeypatch.setattr(resolve, "available_cpus", lambda: 8)
    monkeypatch.setenv("PRE_COMMIT", "1")
    assert worker_count(1000) == 4
    monkeypatch.setattr(resolve, "available_cpus", lambda: 1)
    assert worker_count(1000) == 1
    assert worker_count(1000, jobs=3) == 3


def test_available_cpus_is_the_affinity_mask():
    assert resolve.available_cpus() == len(os.sched_getaffinity(0))


# -- prefetch ---------------------------------------------------------------------


def pid_loader(path: Path) -> FileResult:
    """Says which process loaded the file (module level: workers import it)."""
    return FileResult(error="unreadable", message=f"{Path(path).name} {os.getpid()}")


def crashing_loader(path: Path) -> FileResult:
    """Kills any process but the one whose pid is written next to the files."""
    if os.getpid() != int((Path(path).parent / "parent.pid").read_text()):
        os._exit(3)
    return pid_loader(path)


def _files(tmp_path: Path, count: int) -> list[Path]:
    paths = []
    for i in range(count):
        path = tmp_path / f"m{i}.py"
        path.write_text(f"class M{i}:\n    x = {i}\n")
        paths.append(path)
    (tmp_path / "parent.pid").write_text(str(os.getpid()))
    return paths


def _loaded_by(sources: SourceProject, paths: list[Path]) -> list[tuple[str, int]]:
    out = []
    for path in paths:
        name, pid = sources.file(path).message.split()
        out.append((name, int(pid)))
    return out


def test_prefetch_parses_in_worker_processes(tmp_path):
    paths = _files(tmp_path, 12)
    sources = SourceProject(tmp_path, loader=pid_loader, jobs=2)
    sources.prefetch(paths)
    loaded = _loaded_by(sources, paths)
    assert [name for name, _ in loaded] == [p.name for p in paths]
    assert os.getpid() not in {pid for _, pid in loaded}
    assert sources.parse_count == 12


def test_a_few_files_are_parsed_here(tmp_path):
    paths = _files(tmp_path, 3)
    sources = SourceProject(tmp_path, loader=pid_loader, jobs=2)
    sources.prefetch(paths)
    assert {pid for _, pid in _loaded_by(sources, paths)} == {os.getpid()}


def test_jobs_1_is_serial(tmp_path):
    paths = _files(tmp_path, 12)
    sources = SourceProject(tmp_path, loader=pid_loader, jobs=1)
    sources.prefetch(paths)
    assert {pid for _, pid in _loaded_by(sources, paths)} == {os.getpid()}


def test_crashed_workers_fall_back_to_serial(tmp_path):
    paths = _files(tmp_path, 12)
    sources = SourceProject(tmp_path, loader=crashing_loader, jobs=2)
    sources.prefetch(paths)
    assert _loaded_by(sources, paths) == [(p.name, os.getpid()) for p in paths]
    assert sources.parse_count == 12


def test_an_unpicklable_loader_falls_back_to_serial(tmp_path):
    paths = _files(tmp_path, 12)
    sources = SourceProject(tmp_path, loader=lambda path: pid_loader(path), jobs=2)
    sources.prefetch(paths)
    assert {pid for _, pid in _loaded_by(sources, paths)} == {os.getpid()}


def test_parallel_results_equal_serial_results(tmp_path):
    paths = _files(tmp_path, 10) + [tmp_path / "missing.py", tmp_path]
    (tmp_path / "broken.py").write_text("def f(:\n")
    paths.append(tmp_path / "broken.py")
    serial = SourceProject(tmp_path, jobs=1)
    parallel = SourceProject(tmp_path, jobs=2)
    for sources in (serial, parallel):
        sources.prefetch(paths)
    assert [parallel.file(p) for p in paths] == [serial.file(p) for p in paths]
    assert [serial.file(p) for p in paths] == [load_file(p) for p in paths]


# -- whole runs -----------------------------------------------------------------------


def _json(project: Path, *options: str) -> str:
    result = run_cli(["check", "--output-format", "json", *options, str(project)])
    assert result.code in (0, 1), result.err
    return result.out


def test_cold_warm_serial_and_parallel_runs_agree(generated):
    assert run_cli(["clean", str(generated)]).code == 0
    cold = _json(generated)
    assert (generated / ".fallint_cache").is_dir()
    runs = {
        "warm": _json(generated),
        "serial": _json(generated, "--no-cache", "--jobs", "1"),
        "parallel": _json(generated, "--no-cache", "--jobs", "2"),
    }
    assert run_cli(["clean", str(generated)]).code == 0
    runs["cold parallel"] = _json(generated, "--jobs", "2")
    for name, output in runs.items():
        assert output == cold, name


def test_parallel_cold_run_does_not_import_libcst_here(generated):
    """Workers parse; the main process needs no libcst (its import alone is ~0.1 s)."""
    script = textwrap.dedent(f"""
        import io, sys, contextlib
        from fallint.cli import main
        with contextlib.redirect_stdout(io.StringIO()):
            code = main(["check", "--no-cache", "--jobs", "2", {str(generated)!r}])
        print(code, "libcst" in sys.modules)
    """)
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=REPO, timeout=60)
    assert run.stdout.split() == ["0", "False"], run.stderr


def test_engine_prefetches_what_the_apps_name(tmp_path, monkeypatch):
    """Before any rule runs, the engine hands every ref'd file and
    python_entry_point module of the checked apps to prefetch, once."""
    root = write_files(tmp_path / "proj", {
        "pyproject.toml": textwrap.dedent("""\
            [project]
            name = "svc"
            version = "0.1"

            [tool.setuptools.packages.find]
            where = ["src"]

            [tool.fal.apps.one]
            ref = "apps/one.py::One"
            [tool.fal.apps.again]
            ref = "apps/one.py"
            [tool.fal.apps.gone]
            ref = "apps/missing.py::X"
            [tool.fal.apps.entry]
            python_entry_point = "svc.serve:Svc"
            requirements = ["."]
            """),
        "apps/one.py": "import fal\n",
        "src/svc/__init__.py": "",
        "src/svc/serve.py": "import fal\n",
    })
    calls = []
    real = SourceProject.prefetch

    def record(self, paths):
        paths = list(paths)
        calls.append(paths)
        real(self, paths)

    monkeypatch.setattr(SourceProject, "prefetch", record)
    from fallint.engine.run import Options, check_paths

    check_paths([str(root)], Options(project_options={"no_cache": True}))
    assert calls[0] == [root / "apps" / "one.py", root / "src" / "svc" / "serve.py"]


def test_small_parse_work_stays_serial():
    """Workers only when there is enough source to parse: a real project's
    handful of app files (tens of KiB) is parsed here, whatever their count;
    ``--jobs`` still forces a choice."""
    from fallint.model.sources import MIN_BYTES_PER_WORKER, MIN_PARALLEL_BYTES

    assert worker_count(9, size=80_000) == 1
    assert worker_count(500, size=MIN_PARALLEL_BYTES - 1) == 1
    assert worker_count(9, jobs=2, size=80_000) == 2
    assert worker_count(1000, jobs=1, size=10**8) == 1
    big = worker_count(1000, size=10**8)
    assert big == worker_count(1000) and big >= 1
    assert worker_count(1000, size=MIN_PARALLEL_BYTES) <= max(1, MIN_PARALLEL_BYTES // MIN_BYTES_PER_WORKER)
