"""Is this checkout slower than another revision? Both measured in one run.

Runs ``fallint check`` of two source trees (this checkout and ``--base``, a
directory holding another revision's checkout, e.g. made with ``git worktree
add /tmp/base REV``) alternately on the same projects: the bundled examples
and generated projects (``generate.py``) of 10 apps without Python
(schema only), 10 apps and 1,000 apps, cold (``--no-cache``) and warm (cache
filled by a first run). Every figure is paired with its yardstick, the base,
from the same rounds; the machine may be shared, so CPU time (user + system of
the child) is reported beside wall time, medians of ``--rounds`` runs.

    python benchmarks/compare.py --base /tmp/base [--rounds 7] [--sizes 10,1000]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(tree: Path, project: Path, *extra: str) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``fallint check`` from source tree ``tree``."""
    env = dict(os.environ, PYTHONPATH=str(tree), NO_COLOR="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # time fallint, not compiling it on every run
    cmd = [sys.executable, "-m", "fallint", "check", "-q", *extra, str(project)]
    start, cpu = time.perf_counter(), _cpu()
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, cwd=project)
    wall, cpu = time.perf_counter() - start, _cpu() - cpu
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{tree}: fallint failed on {project}: {proc.stderr[-1500:]}")
    return wall, cpu


def projects(tmp: Path, sizes: list[int]) -> list[tuple[str, Path]]:
    out = [("examples/clean", REPO / "examples" / "clean"), ("examples/broken", REPO / "examples" / "broken")]
    gen = [sys.executable, str(HERE / "generate.py")]
    subprocess.run([*gen, "--schema-only", "10", str(tmp / "schema10")], check=True, capture_output=True)
    out.append(("10 apps, schema only", tmp / "schema10"))
    for n in sizes:
        subprocess.run([*gen, str(n), str(tmp / f"apps{n}")], check=True, capture_output=True)
        out.append((f"{n:,} apps / modules", tmp / f"apps{n}"))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, type=Path, help="a checkout of the revision to compare with")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--sizes", default="10,1000")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    trees = {"this": REPO, "base": args.base.resolve()}
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for label, project in projects(Path(tmp), sizes):
            rounds = args.rounds if "1,000" not in label else max(3, args.rounds // 2)
            for scenario, extra in (("cold", ("--no-cache",)), ("warm", ())):
                if scenario == "warm":
                    for tree in trees.values():
                        run(tree, project, "--cache-dir", str(Path(tmp) / f"cache-{tree.name}"))
                    extra_of = {name: ("--cache-dir", str(Path(tmp) / f"cache-{tree.name}"))
                                for name, tree in trees.items()}
                else:
                    extra_of = {name: extra for name in trees}
                samples: dict[str, list[tuple[float, float]]] = {name: [] for name in trees}
                for _ in range(rounds):  # interleaved: drift hits both alike
                    for name, tree in trees.items():
                        samples[name].append(run(tree, project, *extra_of[name]))
                med = {name: (statistics.median(s[0] for s in v), statistics.median(s[1] for s in v))
                       for name, v in samples.items()}
                rows.append((label, scenario, med["this"], med["base"]))
                print(f"{label:24} {scenario:5} this {med['this'][1] * 1000:7.0f} ms CPU  "
                      f"base {med['base'][1] * 1000:7.0f} ms CPU", file=sys.stderr)
    print("| project | scenario | this: wall ms | this: CPU ms | base: wall ms | base: CPU ms | CPU this/base |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for label, scenario, this, base in rows:
        ratio = this[1] / base[1] if base[1] else float("nan")
        print(f"| {label} | {scenario} | {this[0] * 1000:.0f} | {this[1] * 1000:.0f} | "
              f"{base[0] * 1000:.0f} | {base[1] * 1000:.0f} | {ratio:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
