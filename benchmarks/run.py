"""Benchmark ``fallint check`` on synthetic projects of 1 to 1,000 apps.

Usage (from the repository root, with the interpreter fallint is installed in)::

    python benchmarks/run.py [--sizes 1,10,100,1000] [--runs 5] [--write]
                             [--workdir DIR] [--fallint-args "--jobs 1"]

For each size N the script generates (``benchmarks/generate.py``) an N-app
project with N Python modules under ``--workdir`` (default
``$TMPDIR/fallint-bench``; reused while the generator is unchanged) and times
``fallint check -q PROJECT`` as a subprocess (the ``fallint`` console script
next to ``sys.executable``, else ``python -m fallint``):

* **cold**: after ``fallint clean PROJECT``, so there is no cache (the run
  itself writes one);
* **warm**: the cache is present and nothing changed;
* **one-file-changed**: before each run one app module's string literal is
  rewritten (the module is restored afterwards);

and, where it is installed (``pip install 'validate-pyproject[all]'``),
``validate-pyproject PROJECT/pyproject.toml`` on the same file.  A
**schema-only** project of 10 container apps (``image = { image =
"python:3.12" }``, nothing to parse) is timed cold and warm, and ``python -X
importtime -m fallint check`` tells whether such a run imports libcst (it must
not).  Each timing is the median wall time of ``--runs`` runs; memory is the
largest peak RSS of the child over those runs (GNU ``/usr/bin/time``'s ``%M``
when present, else ``os.wait4``'s ``ru_maxrss``), or, when larger, the peak of
the memory of its whole process tree sampled from ``/proc`` every 10 ms, so
worker processes count.  Every fallint run must exit 0: the generated projects
are clean.

The table is printed; with ``--write`` it also goes to
``benchmarks/RESULTS.md`` with the machine, the date, fallint's version and a
"Targets" section that says, for each target, met or not met and by how much,
followed by ``benchmarks/NOTES.md`` (the hand-written analysis) when it exists.
Where fallint has no cache yet, "warm" simply equals "cold".
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import functools
import hashlib
import importlib.util
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "RESULTS.md"
#: appended to RESULTS.md as it is (the analysis of the results, by hand)
NOTES = HERE / "NOTES.md"
DEFAULT_SIZES = (1, 10, 100, 1000)
SCHEMA_ONLY_APPS = 10
CACHE_DIR_NAME = ".fallint_cache"


def _load_generator():
    """Import ``benchmarks/generate.py`` by path (``benchmarks`` is no package)."""
    spec = importlib.util.spec_from_file_location("fallint_bench_generate", HERE / "generate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


gen = _load_generator()


# --------------------------------------------------------------------------
# Running and measuring one command
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Sample:
    """One timed run of a command."""

    seconds: float
    peak_kb: int
    returncode: int
    output: str


def _tree_pids(root: int) -> list[int]:
    """``root`` and its live descendants (from ``/proc/PID/task/TID/children``)."""
    found: list[int] = []
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in found:
            continue
        found.append(pid)
        try:
            for tid in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{tid}/children") as f:
                    stack.extend(int(c) for c in f.read().split())
        except (OSError, ValueError):
            continue
    return found


def _proc_kb(pid: int, field: str) -> int:
    """``field`` (``VmRSS`` from status, ``Pss`` from smaps_rollup) in KiB; 0 if gone."""
    name = "status" if field == "VmRSS" else "smaps_rollup"
    try:
        with open(f"/proc/{pid}/{name}") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree_memory_kb(root: int, skip_root: bool = False) -> int:
    """Memory of ``root``'s process tree now, in KiB (``root`` left out if ``skip_root``).

    One process: its RSS.  Several (worker processes): the sum of their PSS,
    so pages they share (forked copy-on-write memory, libraries) count once.
    """
    pids = _tree_pids(root)
    if skip_root:
        pids = pids[1:]
    if len(pids) <= 1:
        return sum(_proc_kb(pid, "VmRSS") for pid in pids)
    return sum(_proc_kb(pid, "Pss") for pid in pids)


class _TreeSampler(threading.Thread):
    """Polls the RSS of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int, interval: float = 0.01, skip_root: bool = False) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.skip_root = skip_root
        self.interval = interval
        self.peak_kb = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak_kb = max(self.peak_kb, _tree_memory_kb(self.pid, self.skip_root))
            self._stop_event.wait(self.interval)

    def stop(self) -> int:
        self._stop_event.set()
        self.join()
        return self.peak_kb


_HAVE_PROC = os.path.isdir("/proc/self/task")
_GNU_TIME = "/usr/bin/time"


@functools.lru_cache(maxsize=None)
def _gnu_time() -> str | None:
    """``/usr/bin/time`` if it is GNU time (it understands ``-f %M -o FILE``)."""
    if not os.access(_GNU_TIME, os.X_OK):
        return None
    probe = quiet([_GNU_TIME, "-f", "%M", "true"])
    return _GNU_TIME if probe.returncode == 0 and probe.stderr.strip().isdigit() else None


def measure(cmd: list[str], cwd: Path | None = None) -> Sample:
    """Run ``cmd``; return its wall time, peak memory, exit code and output.

    Peak memory is the child's maximum RSS (from GNU time when available, a
    tiny launcher whose own size does not leak into the figure, else from
    ``os.wait4``, whose ``ru_maxrss`` on Linux is floored at this script's
    own RSS) or, when larger, the peak memory of the child's process tree
    sampled every 10 ms (:func:`_tree_memory_kb`: worker processes run at
    the same time as their parent).
    """
    wrapper = _gnu_time()
    with tempfile.TemporaryFile() as out, tempfile.NamedTemporaryFile("r") as mem:
        full = [wrapper, "-f", "%M", "-o", mem.name, *cmd] if wrapper else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(full, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
        sampler = _TreeSampler(proc.pid, skip_root=bool(wrapper)) if _HAVE_PROC else None
        if sampler:
            sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        sampled = sampler.stop() if sampler else 0
        if wrapper:
            lines = mem.read().split()
            maxrss = int(lines[-1]) if lines and lines[-1].isdigit() else 0
        else:
            maxrss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Sample(elapsed, max(maxrss, sampled), proc.returncode, text)


def quiet(cmd: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run an untimed helper command, capturing its output."""
    return subprocess.run(cmd, cwd=cwd, stdin=subprocess.DEVNULL, capture_output=True, text=True)


# --------------------------------------------------------------------------
# The tools under test
# --------------------------------------------------------------------------

def _script(name: str, search_path: bool = False) -> str | None:
    """The console script ``name`` next to this interpreter (else, if
    ``search_path``, on ``PATH``), or None."""
    bindir = Path(sys.executable).parent
    for candidate in (bindir / name, bindir / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name) if search_path else None


def fallint_command() -> list[str]:
    """This environment's ``fallint`` script, else ``python -m fallint`` (never another install's)."""
    script = _script("fallint")
    return [script] if script else [sys.executable, "-m", "fallint"]


def validate_pyproject_command() -> list[str] | None:
    script = _script("validate-pyproject", search_path=True)
    return [script] if script else None


def _version(cmd: list[str]) -> str:
    try:
        result = quiet(cmd + ["--version"])
    except OSError as exc:
        return f"unavailable ({exc})"
    lines = (result.stdout.strip() or result.stderr.strip()).splitlines()
    return lines[0] if lines else "?"


def libcst_modules(project: Path, extra: list[str]) -> list[str]:
    """The libcst modules a ``fallint check`` of ``project`` imports (``-X importtime``)."""
    result = quiet([sys.executable, "-X", "importtime", "-m", "fallint", "check", "-q", *extra, str(project)],
                   cwd=project)
    found = []
    for line in result.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name == "libcst" or name.startswith("libcst."):
                found.append(name)
    return found


# --------------------------------------------------------------------------
# Projects
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Project:
    label: str
    path: Path
    apps: int
    modules: int
    schema_only: bool


def _generator_digest() -> str:
    return hashlib.sha256((HERE / "generate.py").read_bytes()).hexdigest()


def ensure_project(workdir: Path, apps: int, schema_only: bool) -> Project:
    """Generate the project unless an identical one (same generator) is already there."""
    name = f"schema-{apps}" if schema_only else f"apps-{apps}"
    path = workdir / name
    stamp = workdir / f"{name}.stamp"
    want = json.dumps({"apps": apps, "schema_only": schema_only, "generator": _generator_digest()})
    if not (stamp.is_file() and stamp.read_text() == want and (path / "pyproject.toml").is_file()):
        print(f"generating {name} ...", file=sys.stderr, flush=True)
        gen.generate(apps, path, schema_only=schema_only)
        stamp.write_text(want)
    modules = 0 if schema_only else apps
    label = (f"{apps} apps, schema only" if schema_only
             else f"{apps} app{'s' if apps != 1 else ''} / {modules} module{'s' if modules != 1 else ''}")
    return Project(label, path, apps, modules, schema_only)


# --------------------------------------------------------------------------
# Scenarios
# --------------------------------------------------------------------------

@dataclasses.dataclass
class Row:
    project: Project
    scenario: str
    samples: list[Sample]
    note: str = ""

    @property
    def median(self) -> float:
        return statistics.median(s.seconds for s in self.samples)

    @property
    def fastest(self) -> float:
        return min(s.seconds for s in self.samples)

    @property
    def slowest(self) -> float:
        return max(s.seconds for s in self.samples)

    @property
    def peak_mb(self) -> float:
        return max(s.peak_kb for s in self.samples) / 1024

    @property
    def failures(self) -> list[Sample]:
        return [s for s in self.samples if s.returncode != 0]


class Bench:
    """Runs the scenarios and collects rows, problems and facts."""

    def __init__(self, runs: int, fallint_args: list[str], use_validate_pyproject: bool = True) -> None:
        self.runs = runs
        self.fallint = fallint_command()
        self.fallint_args = fallint_args
        self.vp = validate_pyproject_command() if use_validate_pyproject else None
        self.rows: list[Row] = []
        self.problems: list[str] = []
        self.facts: dict[str, object] = {}

    # -- helpers -----------------------------------------------------------
    def check_cmd(self, project: Project) -> list[str]:
        return [*self.fallint, "check", "-q", *self.fallint_args, str(project.path)]

    def clean(self, project: Project) -> None:
        result = quiet([*self.fallint, "clean", str(project.path)], cwd=project.path)
        if result.returncode != 0:
            self._problem(f"`fallint clean` exited {result.returncode}: {result.stderr.strip()[:200]}")
        if (project.path / CACHE_DIR_NAME).exists():
            self._problem(f"`fallint clean` left {CACHE_DIR_NAME}/ in {project.path}")

    def _problem(self, text: str, output: str = "") -> None:
        """Record a problem once; ``output`` (a command's) is shown as a code block under it."""
        lines = output.strip().splitlines()[:15]
        if lines:
            text += "\n\n  ```text\n" + "".join(f"  {line}\n" for line in lines) + "  ```"
        if text not in self.problems:
            self.problems.append(text)

    def _record(self, project: Project, scenario: str, samples: list[Sample], note: str = "") -> Row:
        row = Row(project, scenario, samples, note)
        for s in row.failures[:1]:
            self._problem(f"{project.label}, {scenario}: exit {s.returncode}", s.output)
        self.rows.append(row)
        print(f"  {project.label:28} {scenario:22} {_ms(row.median):>9} ms  {row.peak_mb:6.1f} MB",
              file=sys.stderr, flush=True)
        return row

    def verify_clean(self, project: Project) -> None:
        """The generated project must have no diagnostic at all, warnings included."""
        result = quiet([*self.fallint, "check", "--fail-on", "warning", "--output-format", "concise",
                        *self.fallint_args, str(project.path)], cwd=project.path)
        if result.returncode != 0:
            self._problem(f"{project.label} is not clean under `fallint check --fail-on warning` "
                          f"(exit {result.returncode}):", result.stdout + result.stderr)

    def _cache_note(self, project: Project) -> str:
        return "" if (project.path / CACHE_DIR_NAME).is_dir() else f"no {CACHE_DIR_NAME}/ after the run"

    # -- scenarios ---------------------------------------------------------
    def cold(self, project: Project) -> Row:
        samples = []
        for _ in range(self.runs):
            self.clean(project)
            samples.append(measure(self.check_cmd(project), cwd=project.path))
        return self._record(project, "cold", samples, self._cache_note(project))

    def warm(self, project: Project) -> Row:
        quiet(self.check_cmd(project), cwd=project.path)  # make sure the cache is up to date
        samples = [measure(self.check_cmd(project), cwd=project.path) for _ in range(self.runs)]
        return self._record(project, "warm", samples, self._cache_note(project))

    def one_file_changed(self, project: Project) -> Row:
        module = gen.module_path(project.path, 1)
        original = module.read_bytes()
        samples = []
        try:
            quiet(self.check_cmd(project), cwd=project.path)  # warm, with the original file
            for run in range(self.runs):
                gen.touch_module(module, f"bench-{run}-{time.time_ns()}")
                samples.append(measure(self.check_cmd(project), cwd=project.path))
        finally:
            module.write_bytes(original)
        return self._record(project, "one-file-changed", samples,
                            f"{module.relative_to(project.path)} edited before each run")

    def validate_pyproject(self, project: Project) -> Row | None:
        if not self.vp:
            return None
        cmd = [*self.vp, str(project.path / "pyproject.toml")]
        samples = [measure(cmd, cwd=project.path) for _ in range(self.runs)]
        return self._record(project, "validate-pyproject", samples)

    def baseline(self, label: str, cmd: list[str]) -> None:
        samples = [measure(cmd) for _ in range(self.runs)]
        self._record(Project(label, REPO, 0, 0, False), "start-up", samples)

    def libcst_check(self, project: Project) -> None:
        """Whether a cold and a warm run import libcst."""
        self.clean(project)
        cold = libcst_modules(project.path, self.fallint_args)
        warm = libcst_modules(project.path, self.fallint_args)
        self.facts[f"libcst:{project.label}"] = {"cold": cold, "warm": warm}

    # -- the whole suite ---------------------------------------------------
    def run(self, workdir: Path, sizes: list[int]) -> None:
        self.baseline("python -c pass", [sys.executable, "-c", "pass"])
        self.baseline("fallint --version", [*self.fallint, "--version"])
        schema = ensure_project(workdir, SCHEMA_ONLY_APPS, schema_only=True)
        self.verify_clean(schema)
        self.cold(schema)
        self.warm(schema)
        self.validate_pyproject(schema)
        self.libcst_check(schema)
        for n in sizes:
            project = ensure_project(workdir, n, schema_only=False)
            self.verify_clean(project)
            self.cold(project)
            self.warm(project)
            self.one_file_changed(project)
            self.validate_pyproject(project)
            if n == 10:
                self.libcst_check(project)

    def find(self, apps: int, scenario: str, schema_only: bool = False) -> Row | None:
        for row in self.rows:
            p = row.project
            if p.apps == apps and p.schema_only == schema_only and row.scenario == scenario:
                return row
        return None


# --------------------------------------------------------------------------
# Report
# --------------------------------------------------------------------------

def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f}" if seconds >= 0.1 else f"{seconds * 1000:.1f}"


def _duration(seconds: float) -> str:
    return f"{seconds:.2f} s" if seconds >= 1 else f"{seconds * 1000:.0f} ms"


def table(bench: Bench) -> str:
    header = ["project", "scenario", "median ms", "min ms", "max ms", "peak RSS MB", "runs", "note"]
    body = []
    for row in bench.rows:
        note = row.note
        if row.failures:
            note = f"FAILED: {len(row.failures)} run(s) exited non-zero" + (f"; {note}" if note else "")
        body.append([row.project.label, row.scenario, _ms(row.median), _ms(row.fastest), _ms(row.slowest),
                     f"{row.peak_mb:.1f}", str(len(row.samples)), note])
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]
    right = {2, 3, 4, 5, 6}

    def fmt(cells: list[str]) -> str:
        return "| " + " | ".join(c.rjust(w) if i in right else c.ljust(w)
                                 for i, (c, w) in enumerate(zip(cells, widths))) + " |"

    rule = "|" + "|".join(("-" * (w + 1) + ":") if i in right else ("-" * (w + 2))
                          for i, w in enumerate(widths)) + "|"
    return "\n".join([fmt(header), rule, *(fmt(r) for r in body)])


@dataclasses.dataclass
class Verdict:
    target: str
    met: bool | None  # None: not measured
    detail: str

    @property
    def word(self) -> str:
        return {True: "met", False: "NOT MET", None: "not measured"}[self.met]


def _against(value: float, limit: float, show) -> tuple[bool, str]:
    """``value <= limit``, with the margin in absolute and relative terms."""
    met = value <= limit
    diff = abs(limit - value)
    pct = diff / limit * 100 if limit else float("inf")
    where = "under" if met else "over"
    return met, f"{show(value)} vs limit {show(limit)}: {show(diff)} ({pct:.0f}%) {where}"


def _unusable(*rows: Row | None) -> str | None:
    if any(r is None for r in rows):
        return "size not run (see --sizes) or tool missing"
    failed = [f"{r.project.label} {r.scenario}" for r in rows if r.failures]
    return f"runs exited non-zero: {', '.join(failed)}" if failed else None


def targets(bench: Bench) -> list[Verdict]:
    out: list[Verdict] = []

    def limit_check(name: str, rows: list[Row | None], value, limit: float, show) -> None:
        reason = _unusable(*rows)
        if reason:
            out.append(Verdict(name, None, reason))
            return
        met, detail = _against(value(), limit, show)
        out.append(Verdict(name, met, detail))

    # 10 apps / 10 modules against validate-pyproject on the same file
    cold10, warm10, vp10 = bench.find(10, "cold"), bench.find(10, "warm"), bench.find(10, "validate-pyproject")
    if vp10 is None and bench.vp is None:
        for name in ("10 apps: cold within 2x of validate-pyproject", "10 apps: warm at most 0.5x validate-pyproject"):
            out.append(Verdict(name, None, "validate-pyproject not timed (not installed: pip install "
                                           "'validate-pyproject[all]'; or --no-validate-pyproject)"))
    else:
        for name, row, factor in (("10 apps: cold within 2x of validate-pyproject", cold10, 2.0),
                                  ("10 apps: warm at most 0.5x validate-pyproject", warm10, 0.5)):
            reason = _unusable(row, vp10)
            if reason:
                out.append(Verdict(name, None, reason))
                continue
            met, detail = _against(row.median, factor * vp10.median, _duration)
            ratio = row.median / vp10.median
            out.append(Verdict(name, met, f"{ratio:.2f}x validate-pyproject ({_duration(vp10.median)}); {detail}"))

    # 1,000 apps / 1,000 modules
    cold1k, warm1k, changed1k = bench.find(1000, "cold"), bench.find(1000, "warm"), bench.find(1000, "one-file-changed")
    limit_check("1,000 apps: cold under 5 s", [cold1k], lambda: cold1k.median, 5.0, _duration)
    limit_check("1,000 apps: warm under 0.5 s", [warm1k], lambda: warm1k.median, 0.5, _duration)
    limit_check("1,000 apps: peak memory under 300 MB", [cold1k, warm1k, changed1k],
                lambda: max(r.peak_mb for r in (cold1k, warm1k, changed1k)), 300.0, lambda mb: f"{mb:.0f} MB")
    cold100 = bench.find(100, "cold")
    reason = _unusable(cold100, cold1k)
    name = "cold time grows no faster than linearly from 100 to 1,000 apps (ratio <= 10)"
    if reason:
        out.append(Verdict(name, None, reason))
    else:
        ratio = cold1k.median / cold100.median
        per_app = (cold1k.median - cold100.median) / 900 * 1000
        met, detail = _against(ratio, 10.0, lambda x: f"{x:.2f}")
        out.append(Verdict(name, met, f"cold(1000)/cold(100) = {_duration(cold1k.median)} / "
                                      f"{_duration(cold100.median)}; ratio {detail}; "
                                      f"marginal cost {per_app:.2f} ms per app"))

    # schema only
    facts = bench.facts.get(f"libcst:{SCHEMA_ONLY_APPS} apps, schema only")
    name = "schema-only run never imports libcst"
    if facts is None:
        out.append(Verdict(name, None, "not run"))
    else:
        bad = {k: v for k, v in facts.items() if v}
        detail = ("neither the cold nor the warm run imports libcst" if not bad else
                  "; ".join(f"{k} run imports {', '.join(v[:3])}{' ...' if len(v) > 3 else ''}"
                            for k, v in bad.items()))
        out.append(Verdict(name, not bad, detail))
    for scenario in ("cold", "warm"):
        row = bench.find(SCHEMA_ONLY_APPS, scenario, schema_only=True)
        limit_check(f"10-app schema-only {scenario} run well under 100 ms", [row],
                    lambda row=row: row.median, 0.1, _duration)
    return out


def machine() -> list[tuple[str, str]]:
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor() or "?"
    cpus = str(os.cpu_count())
    if hasattr(os, "sched_getaffinity"):
        cpus += f" ({len(os.sched_getaffinity(0))} usable)"
    mem = "?"
    try:
        kb = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1))
        mem = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, AttributeError):
        pass
    return [("CPU", f"{model}, {cpus} CPUs"), ("memory", mem), ("OS", platform.platform()),
            ("Python", f"{platform.python_version()} ({sys.executable})")]


def _git_revision() -> str:
    try:
        head = quiet(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]).stdout.strip()
        dirty = quiet(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"]).stdout.strip()
    except OSError:
        return "?"
    return (head or "?") + (" (with uncommitted changes)" if dirty else "")


def _dist_version(name: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def report(bench: Bench, argv: list[str]) -> str:
    verdicts = targets(bench)
    libcst_lines = []
    for key, value in bench.facts.items():
        if key.startswith("libcst:"):
            for scenario, mods in value.items():
                libcst_lines.append(f"- {key[7:]}, {scenario}: "
                                    + (f"imports libcst ({len(mods)} modules)" if mods else "does not import libcst"))
    info = machine() + [
        ("date", _dt.datetime.now(_dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")),
        ("fallint", f"{_version(bench.fallint)}, git {_git_revision()}"),
        ("fallint command", shlex.join(bench.check_cmd(Project("", Path("PROJECT"), 0, 0, False)))),
        ("validate-pyproject", _version(bench.vp) if bench.vp else "not installed"),
        ("libcst", _dist_version("libcst")),
        ("runs per timing", str(bench.runs)),
        ("peak memory from", "GNU time %M" if _gnu_time() else "os.wait4 ru_maxrss (floored at the benchmark's own RSS)"),
        ("command", shlex.join(["python", "benchmarks/run.py", *argv])),
    ]
    lines = ["# fallint benchmark results", "",
             "Written by `python benchmarks/run.py --write` (see its docstring); do not edit by hand.", "",
             "## Machine", ""]
    lines += [f"- {k}: {v}" for k, v in info]
    lines += ["", "## Timings", "",
              "Wall time of the whole subprocess (interpreter start-up included); median, fastest and slowest of "
              "the runs. Peak RSS is the largest over the runs, worker processes included "
              "(summed PSS of the process tree, sampled every 10 ms, when larger than the main process's peak). "
              "cold = after "
              "`fallint clean`; warm = cache present, nothing changed; one-file-changed = one app module's "
              "string literal edited before each run.", "",
              table(bench), "", "libcst imports (`python -X importtime -m fallint check`):", "", *libcst_lines]
    if bench.problems:
        lines += ["", "## Problems", ""] + [f"- {p}" for p in bench.problems]
    lines += ["", "## Targets", ""]
    met = sum(v.met is True for v in verdicts)
    lines += [f"{met} of {len(verdicts)} targets met.", ""]
    full = bench.facts.get("libcst:10 apps / 10 modules")
    if full is not None and not full["cold"]:
        lines += ["Caveat: a cold run on the 10-app project did not import libcst, so this fallint does not "
                  "parse the app modules yet: these timings do not include source analysis.", ""]
    lines += [f"- **{v.word}**: {v.target}. {v.detail}." for v in verdicts]
    if NOTES.is_file():  # the hand-written analysis of the latest results
        lines += ["", NOTES.read_text(encoding="utf-8").strip()]
    old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
    start, end = "<!-- server-benchmark:start -->", "<!-- server-benchmark:end -->"
    if start in old and end in old:  # benchmarks/server.py's section stays
        lines += ["", old[old.index(start): old.index(end) + len(end)]]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a comma-separated list of integers: {text!r}") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description="Benchmark `fallint check` on synthetic projects.")
    parser.add_argument("--sizes", type=_sizes, default=list(DEFAULT_SIZES),
                        help="comma-separated app counts (default 1,10,100,1000)")
    parser.add_argument("--runs", type=_positive, default=5, help="runs per timing (default 5)")
    parser.add_argument("--write", action="store_true", help=f"write {RESULTS.relative_to(REPO)}")
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fallint-bench",
                        help="where the generated projects are kept between runs")
    parser.add_argument("--fallint-args", default="", metavar="ARGS",
                        help='extra arguments for every `fallint check`, e.g. "--jobs 1"')
    parser.add_argument("--no-validate-pyproject", action="store_true",
                        help="do not time validate-pyproject even if it is installed")
    args = parser.parse_args(argv)

    args.workdir.mkdir(parents=True, exist_ok=True)
    bench = Bench(args.runs, shlex.split(args.fallint_args), not args.no_validate_pyproject)
    print(f"fallint: {shlex.join(bench.fallint)}; validate-pyproject: "
          f"{shlex.join(bench.vp) if bench.vp else 'not installed'}; projects in {args.workdir}",
          file=sys.stderr, flush=True)
    bench.run(args.workdir.resolve(), args.sizes)

    text = report(bench, argv)
    print()
    print(text)
    if args.write:
        RESULTS.write_text(text, encoding="utf-8")
        print(f"wrote {RESULTS}", file=sys.stderr)
    return 1 if bench.problems else 0


if __name__ == "__main__":
    sys.exit(main())
