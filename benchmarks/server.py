"""Benchmark ``fallint server``'s re-check after a keystroke.

Usage (from the repository root)::

    python benchmarks/server.py [--sizes 1000] [--runs 21] [--write] [--workdir DIR]

For the bundled ``examples/broken`` project (4 apps) and synthetic projects of
``--sizes`` apps (``benchmarks/generate.py``), the script drives the
server's model (:class:`fallint.server.workspace.Workspace`, what the LSP
handlers call; no JSON-RPC) in-process:

* **open**: the first check of the project (``.fallint_cache/`` removed first);
* **keystroke in a module**: one app's Python file is changed in an unsaved
  buffer (a string literal gets one more character each run) and the apps
  using it are re-checked -- what ``textDocument/didChange`` does after its
  debounce;
* **keystroke in pyproject.toml**, three kinds: a value typed in one app in
  the middle of the file (``keep_alive`` of the middle app, or ``keepalive``
  of ``image-gen``), a comment typed on a line inserted above that app (every
  app below moves one line), and a comment typed at the end of the file;
* **full re-check**: what every pyproject keystroke cost before partial
  re-checks (``Workspace.check`` of the whole project, warm);
* **yardstick**: ``fallint check -q PROJECT`` in a subprocess, warm cache,
  in the same run.

As in the server, automatic garbage collection is off while checking and
the collector runs between keystrokes (the server collects when the user
pauses).  Each timing is the median of ``--runs`` warm runs (after one run
not counted).  With ``--write`` the table replaces the "Language server"
section of ``benchmarks/RESULTS.md`` (kept there by ``benchmarks/run.py --write``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
RESULTS = HERE / "RESULTS.md"
START, END = "<!-- server-benchmark:start -->", "<!-- server-benchmark:end -->"
TARGETS = {"examples/broken": 50.0, 1000: 200.0}

sys.path.insert(0, str(REPO))
sys.path.insert(0, str(HERE))


def _time(fn, runs: int) -> list[float]:
    import gc

    gc.disable()  # the server's policy: collect between keystrokes, not during one
    fn()  # warm-up, not counted
    out = []
    for _ in range(runs):
        gc.collect()
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    gc.collect()
    return out


def _cli(root: Path, runs: int) -> list[float]:
    import subprocess

    cmd = [sys.executable, "-m", "fallint", "check", "-q", str(root)]
    env = dict(os.environ, PYTHONPATH=str(REPO))
    subprocess.run(cmd, env=env, capture_output=True)  # warm the cache
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, env=env, capture_output=True)
        out.append((time.perf_counter() - start) * 1000)
    return out


def bench(name, root: Path, module: Path, runs: int) -> list[tuple]:
    from fallint.server.workspace import Workspace

    shutil.rmtree(root / ".fallint_cache", ignore_errors=True)
    ws = Workspace()
    pyproject = str(root / "pyproject.toml")
    start = time.perf_counter()
    ws.refresh(pyproject)
    opened = (time.perf_counter() - start) * 1000
    state = ws.projects[pyproject]
    assert state.apps_using(str(module)), f"no app uses {module}"
    source = module.read_text()
    counter = [0]

    def keystroke() -> None:
        counter[0] += 1
        ws.set_overlay(str(module), source + f"\n_TYPED = {'x' * counter[0]!r}\n")
        assert ws.refresh(str(module)) == [pyproject]

    toml = Path(pyproject).read_text()
    lines = toml.split("\n")
    headers = [i for i, line in enumerate(lines) if line.startswith("[tool.fal.apps.")]
    middle = headers[len(headers) // 2]
    values = [i for i, line in enumerate(lines) if line.split(" = ")[0] in ("keep_alive", "keepalive")]
    value_line = next((i for i in values if i > middle), values[0])
    middle = max(h for h in headers if h < value_line)  # the header of the app typed in
    key, _, number = lines[value_line].partition(" = ")
    partial_runs = []

    def toml_keystroke(edit) -> None:
        counter[0] += 1
        ws.set_overlay(pyproject, edit(counter[0]))
        assert ws.refresh(pyproject) == [pyproject]
        partial_runs.append(state.last_run[0] == "partial")

    def value(n: int) -> str:
        return "\n".join(lines[:value_line] + [f"{key} = {int(number) + n}"] + lines[value_line + 1:])

    def line_above(n: int) -> str:
        return "\n".join(lines[:middle] + ["# " + "x" * n] + lines[middle:])

    def at_end(n: int) -> str:
        return toml + "\n# " + "x" * n + "\n"

    def full() -> None:
        ws.set_overlay(pyproject, toml)
        ws.check(pyproject)

    apps = len(state.project.all_apps)
    rows = [(name, apps, "open (cold, first check)", [opened])]
    rows.append((name, apps, f"keystroke in {module.relative_to(root)}", _time(keystroke, runs)))
    rows.append((name, apps, f"keystroke in pyproject.toml: `{key}` of the middle app",
                 _time(lambda: toml_keystroke(value), runs)))
    rows.append((name, apps, "keystroke in pyproject.toml: a comment above the middle app",
                 _time(lambda: toml_keystroke(line_above), runs)))
    rows.append((name, apps, "keystroke in pyproject.toml: a comment at the end",
                 _time(lambda: toml_keystroke(at_end), runs)))
    assert all(partial_runs), "a pyproject keystroke was a full re-check"
    rows.append((name, apps, "full re-check in the server (before: every pyproject keystroke)",
                 _time(full, max(3, runs // 5))))
    rows.append((name, apps, "yardstick: `fallint check -q` (subprocess, warm cache)", _cli(root, max(3, runs // 5))))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--workdir", default=os.path.join(tempfile.gettempdir(), "fallint-server-bench"))
    args = parser.parse_args(argv)
    from generate import generate, module_path

    work = Path(args.workdir)
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    example = work / "broken"
    shutil.copytree(REPO / "examples" / "broken", example)
    rows = bench("examples/broken", example, example / "apps" / "image_gen.py", args.runs)
    for size in [int(s) for s in args.sizes.split(",") if s.strip()]:
        root = work / f"apps-{size}"
        generate(size, root)
        rows += bench(size, root, module_path(root, 1), args.runs)

    lines = [
        START,
        "## Language server (`fallint server`)",
        "",
        f"Written by `python benchmarks/server.py --write` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())},"
        f" {os.cpu_count()} CPUs, Python {sys.version.split()[0]}): in-process re-checks through the server's "
        "model, median of the warm runs.",
        "",
        "| project | apps | what | median ms | min ms | max ms | runs | target |",
        "|---|---:|---|---:|---:|---:|---:|---|",
    ]
    verdicts = []
    for name, apps, what, times in rows:
        target = TARGETS.get(name) if what.startswith("keystroke in ") else None
        median = statistics.median(times)
        verdict = ""
        if target is not None:
            verdict = f"< {target:.0f} ms: {'met' if median < target else 'NOT met'}"
            verdicts.append(median < target)
        label = name if isinstance(name, str) else f"synthetic, {name} apps"
        lines.append(f"| {label} | {apps} | {what} | {median:.1f} | {min(times):.1f} | {max(times):.1f} | {len(times)} | {verdict} |")
    lines += [
        "",
        "Before partial re-checks of the pyproject (same script, 2026-12-04 16:05 UTC): a keystroke in",
        "`pyproject.toml` re-checked the whole project, 16.9 ms on examples/broken and 3,063 ms",
        "(2,466-4,335) at 1,000 apps; a keystroke in an app module was 15.7 ms / 59.1 ms.",
        "",
        "How (see `fallint/server/workspace.py`): the per-app rules' raw diagnostics are kept by app;",
        "a pyproject keystroke parses the TOML again and, when only app tables changed, re-runs the",
        "per-app rules for the apps whose value changed or whose lines the edit touched (and the apps",
        "sharing a file with them), moves the others' pyproject positions by the lines inserted or",
        "deleted above them, then runs the project rules, suppressions, post rules and fixes over the",
        "whole merged result, so that it equals a full check (tests/server/test_incremental.py",
        "compares them after random edits).  The release pins and package layout are taken over",
        "(they depend on the pyproject outside the apps, unchanged, and on files whose change is a",
        "full check).  What is left at 1,000 apps: parsing the TOML (~50 ms), the project rules",
        "(the shared `.dockerignore` rules look at every app's build, ~30 ms), and the diff.",
        "Wall times on this shared 2-core machine vary 2-3x with the other engineers' load: compare",
        "rows of one run (the yardstick) rather than runs.",
        "",
        END,
    ]
    text = "\n".join(lines)
    print(text)
    if args.write:
        old = RESULTS.read_text(encoding="utf-8") if RESULTS.is_file() else ""
        if START in old and END in old:
            old = old[: old.index(START)].rstrip() + old[old.index(END) + len(END):]
        RESULTS.write_text(old.rstrip() + "\n\n" + text + "\n", encoding="utf-8")
        print(f"wrote {RESULTS}", file=sys.stderr)
    return 0 if all(verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
