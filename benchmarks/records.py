"""Does ``fallint.util.records`` (the lean stand-in for ``dataclasses``) still pay?

Runs the same ``fallint check`` twice per round in fresh interpreters: once as
shipped, once with ``fallint.util.records`` replaced by a shim over the
standard library's ``dataclasses`` (installed in ``sys.modules`` before
fallint is imported). Both runs lint the same project with ``--no-cache`` off
(warm: the case pre-commit hits most) and the median wall time of each is
printed side by side, so the figure and its yardstick come from one run.

    python benchmarks/records.py [PROJECT] [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

SHIM = r'''
import dataclasses, sys, types
shim = types.ModuleType("fallint.util.records")
shim.dataclass = dataclasses.dataclass
shim.field = dataclasses.field
shim.fields = dataclasses.fields
shim.replace = dataclasses.replace
shim.asdict = dataclasses.asdict
shim.is_record = dataclasses.is_dataclass
shim.MISSING = dataclasses.MISSING
shim.Field = dataclasses.Field
shim.FrozenInstanceError = dataclasses.FrozenInstanceError
import fallint.util
sys.modules["fallint.util.records"] = shim
fallint.util.records = shim
'''

RUN = r'''
import sys
from fallint.cli import main
sys.exit(main(["check", "--quiet", {project!r}]))
'''


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def once(project: str, shim: bool) -> tuple[float, float]:
    """Wall and CPU seconds of one run (CPU is the steadier figure on a shared machine)."""
    code = (SHIM if shim else "") + RUN.format(project=project)
    start, cpu = time.perf_counter(), _cpu()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}  # bytecode cached
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, env=env)
    elapsed = (time.perf_counter() - start, _cpu() - cpu)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"fallint failed ({'shim' if shim else 'records'}): {proc.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("project", nargs="?", default=str(REPO / "examples" / "broken"))
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args(argv)
    once(args.project, False)  # warm the cache and the OS file cache
    records, stdlib = [], []
    for _ in range(args.rounds):  # interleaved, so drift hits both alike
        records.append(once(args.project, False))
        stdlib.append(once(args.project, True))
    print(f"fallint check {args.project} (warm, median of {args.rounds}):")
    for i, what in enumerate(("wall", "CPU")):
        r = statistics.median(x[i] for x in records)
        s = statistics.median(x[i] for x in stdlib)
        print(f"  {what:4}: fallint.util.records {r * 1000:6.1f} ms, stdlib dataclasses {s * 1000:6.1f} ms,"
              f" saving {(s - r) * 1000:5.1f} ms ({(s - r) / s:.0%})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
