"""Scale and build-context benchmark: wall *and* CPU, paired in the same run
with validate-pyproject and with a floor.

Usage (repository root)::

    python benchmarks/scale.py [--sizes 100,1000] [--runs 3] [--workdir DIR] [--write]
                               [--shape own-dockerfiles|real]

For each size N it generates (``generate.py --own-dockerfiles``) an N-app
project in which every container app (one in seven) has its own Dockerfile
that copies the whole build context (``COPY . /app/``), and times
``fallint check -q`` cold (``--no-cache``, the CI scenario: a fresh clone),
the first run with an empty cache (it writes the cache: what that costs),
warm (nothing changed: the stored run is replayed), and with the changed file passed (the pre-commit scenario: the hook
passes ``pyproject.toml`` and the changed app file after one was rewritten).
Each figure is paired with ``validate-pyproject PROJECT/pyproject.toml`` and
with the floor (start Python, ``tomllib`` the pyproject, ``ast.parse`` every
module), timed in the same run.  CPU is user + system time of the process
and its workers (``os.wait4``); medians of ``--runs`` runs.  ``--write``
replaces the "Scale" section of ``benchmarks/RESULTS.md``.

``--shape real`` times the real-shaped projects of ``realistic.py`` instead
(app packages of 100-1,500-line modules with heavy imports, helpers and
nested packages; own Dockerfiles copying the whole context; entry points);
its floor parses every ``.py`` file of the project, and ``--write`` replaces
the "Real-shaped projects" table section.  The peak RSS column is the
largest single process (``ru_maxrss`` of the run, workers included as their
own processes), the maximum over the runs.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import generate as gen
import realistic

SHAPES = {"own-dockerfiles": gen, "real": realistic}

RESULTS = HERE / "RESULTS.md"
SECTION = "## Scale: many Dockerfiles over one build context (benchmarks/scale.py)"
REAL_SECTION = "## Real-shaped projects: measured table (benchmarks/scale.py --shape real)"

FLOOR = (
    "import ast, sys, tomllib, pathlib\n"
    "root = pathlib.Path(sys.argv[1])\n"
    "tomllib.loads((root / 'pyproject.toml').read_text())\n"
    "for p in sorted(root.glob('apps/**/*.py')) + sorted(root.glob('src/**/*.py')):\n"
    "    ast.parse(p.read_bytes())\n"
)


#: the largest ``ru_maxrss`` (KiB) seen by :func:`run_once` since it was reset
PEAK = {"kib": 0}


#: The children's environment: byte-code caching on, as in normal use (this
#: machine sets PYTHONDONTWRITEBYTECODE, which made every run compile
#: fallint's modules from source: ~0.2 s of CPU per run).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def prime_bytecode() -> None:
    """Compile fallint's modules once so that every timed run imports from ``__pycache__``."""
    import importlib.util
    spec = importlib.util.find_spec("fallint")
    if spec and spec.submodule_search_locations:
        for location in spec.submodule_search_locations:
            subprocess.run([sys.executable, "-m", "compileall", "-q", location], env=ENV,
                           stdout=subprocess.DEVNULL, check=False)


def run_once(cmd: list[str]) -> tuple[float, float, int]:
    """(wall s, CPU s, exit code) of one run of ``cmd``; records its peak RSS in PEAK."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    PEAK["kib"] = max(PEAK["kib"], usage.ru_maxrss)
    return wall, usage.ru_utime + usage.ru_stime, os.waitstatus_to_exitcode(status)


def timed(cmd: list[str], runs: int, before=None) -> tuple[float, float, float]:
    """Medians of wall and CPU seconds, and the peak RSS in MiB over the runs."""
    walls, cpus = [], []
    PEAK["kib"] = 0
    for _ in range(runs):
        if before is not None:
            before()
        wall, cpu, code = run_once(cmd)
        if code != 0:
            raise SystemExit(f"{' '.join(cmd)} exited {code}")
        walls.append(wall)
        cpus.append(cpu)
    return statistics.median(walls), statistics.median(cpus), PEAK["kib"] / 1024


def fallint() -> list[str]:
    return [sys.executable, "-m", "fallint"]


def validate_pyproject() -> list[str] | None:
    script = Path(sys.executable).with_name("validate-pyproject")
    found = str(script) if script.exists() else shutil.which("validate-pyproject")
    return [found] if found else None


def measure(n: int, workdir: Path, runs: int, shape: str = "own-dockerfiles") -> list[dict]:
    project = workdir / f"{shape}-{n}"
    mod = SHAPES[shape]
    if shape == "real":
        mod.generate(n, project)
    else:
        mod.generate(n, project, own_dockerfiles=True)
    check = [*fallint(), "check", "-q", str(project)]
    pyproject = str(project / "pyproject.toml")
    vp = validate_pyproject()
    rows = []
    pairs = {
        "validate-pyproject": timed([*vp, pyproject], runs) if vp else None,
        "floor": timed([sys.executable, "-c", FLOOR, str(project)], runs),
    }
    cache = project / ".fallint_cache"
    runs_dirs = workdir / "xdg" / "fallint"

    def empty_caches() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        for runs_dir in runs_dirs.glob("runs-*"):
            shutil.rmtree(runs_dir, ignore_errors=True)

    rows.append(("cold (CI: fresh clone, --no-cache)", timed([*check, "--no-cache"], runs)))
    rows.append(("first run (empty cache: writes it)", timed(check, runs, before=empty_caches)))
    subprocess.run(check, stdout=subprocess.DEVNULL, check=True, env=ENV)  # fill the cache
    rows.append(("warm (nothing changed: the run is replayed)", timed(check, runs)))
    module = mod.module_path(project, 1)
    counter = iter(range(10**6))
    changed = [*fallint(), "check", "-q", pyproject, str(module)]
    rows.append(("pre-commit: one app file changed, files passed",
                 timed(changed, runs, before=lambda: gen.touch_module(module, f"t{next(counter)}"))))
    out = []
    for scenario, (wall, cpu, peak) in rows:
        row = {"apps": n, "scenario": scenario, "wall": wall, "cpu": cpu, "peak": peak}
        for name, pair in pairs.items():
            row[name] = pair
        out.append(row)
    shutil.rmtree(cache, ignore_errors=True)
    return out


def table(rows: list[dict]) -> str:
    lines = [
        ("| apps | scenario | wall ms | CPU ms | validate-pyproject wall / CPU ms | × vp (wall, CPU) "
         "| floor wall / CPU ms | × floor (wall, CPU) | peak RSS MiB |"),
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        vp, fl = r.get("validate-pyproject"), r["floor"]
        def ratio(p, r=r):
            return f"{r['wall'] / p[0]:.2f}×, {r['cpu'] / p[1]:.2f}×" if p else "–"

        lines.append(
            f"| {r['apps']:,} | {r['scenario']} | {r['wall'] * 1000:.0f} | {r['cpu'] * 1000:.0f} | "
            + (f"{vp[0] * 1000:.0f} / {vp[1] * 1000:.0f}" if vp else "–")
            + f" | {ratio(vp)} | {fl[0] * 1000:.0f} / {fl[1] * 1000:.0f} | {ratio(fl)} | {r['peak']:.0f} |"
        )
    return "\n".join(lines)


def write(text: str, section: str = SECTION) -> None:
    body = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    start = body.find(section)
    if start >= 0:
        end = body.find("\n## ", start + len(section))
        body = body[:start] + (body[end + 1:] if end >= 0 else "")
    RESULTS.write_text(body.rstrip("\n") + "\n\n" + section + "\n\n" + text + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100,1000")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "fallint-scale")
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--shape", choices=sorted(SHAPES), default="own-dockerfiles")
    args = parser.parse_args(argv)
    # the user cache directory (signing key, stored runs) of the benchmark's own
    ENV["XDG_CACHE_HOME"] = str(args.workdir / "xdg")
    prime_bytecode()
    rows = []
    for n in [int(s) for s in args.sizes.split(",") if s]:
        rows += measure(n, args.workdir, args.runs, args.shape)
        print(table(rows[-4:]), file=sys.stderr, flush=True)
    text = table(rows)
    print(text)
    if args.write:
        write(text, REAL_SECTION if args.shape == "real" else SECTION)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
