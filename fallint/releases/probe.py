"""Check the data against a real fal: run its loader on one-key probe projects.

Maintainer tool (never run by the linter, and fal is not a dependency)::

    python3 -m venv /tmp/fal1830 && /tmp/fal1830/bin/pip install fal==1.83.0
    python -m fallint.releases.probe --python /tmp/fal1830/bin/python

For every key the data knows in any release (plus a few never-valid ones),
in the app table and in the nested ``image`` / ``health_check`` tables, a
throwaway project under a temporary directory sets just that key, and the
*installed* fal's ``fal.cli._utils.get_app_data_from_toml`` loads it in a
subprocess of that interpreter. "Found unexpected keys" means rejected; any
other outcome (success, or an error about the value) means accepted. The
result is compared with :func:`fallint.releases.accepts_key` for the release
that interpreter has installed. Exit status 1 on any disagreement.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from fallint import releases

NEVER_VALID = ("bogus_key", "machine-type", "Machine_Type")

# a plausible value per key, so that "accepted" probes mostly load cleanly
VALUES = {
    "ref": '"app.py"',
    "python_entry_point": '"mod:obj"',
    "auth": '"private"',
    "deployment_strategy": '"rolling"',
    "no_scale": "false",
    "app_scale_settings": "false",
    "private_logs": "false",
    "requirements": '["requests"]',
    "regions": '["us-east"]',
    "app_files": '["a.py"]',
    "app_files_ignore": '["x"]',
    "secrets": '["S"]',
    "data_mounts": '["m"]',
    "skip_retry_conditions": '["timeout"]',
    "retry_config": "{ timeout = { retries = 1 } }",
    "_scheduler_options": "{}",
    "exposed_port": "8080",
    "metrics_port": "9090",
    "health_check": '{ path = "/health" }',
    "image": '{ image = "python:3.11" }',
    "machine_type": '"GPU-H100"',
    "call_regularly": "true",
    "registries": "{}",
    "build_args": "{}",
    "cmd": '["x"]',
    "entrypoint": '["x"]',
    "path": '"/h"',
    "dockerfile": '"Dockerfile"',
}
INTS = {
    "num_gpus", "keep_alive", "min_concurrency", "max_concurrency", "max_multiplexing",
    "concurrency_buffer", "concurrency_buffer_perc", "scaling_delay", "request_timeout",
    "request_start_timeout", "startup_timeout", "termination_grace_period_seconds",
    "start_period_seconds", "timeout_seconds", "failure_threshold",
}

RUNNER = r"""
import json, sys
from fal.cli import _utils
try:
    _utils.get_app_data_from_toml("probe")
    print(json.dumps({"ok": True, "error": ""}))
except BaseException as exc:  # the loader's own verdict
    print(json.dumps({"ok": False, "error": f"{type(exc).__name__}: {exc}"}))
"""


def value(key: str) -> str:
    return VALUES.get(key, "1" if key in INTS else '"x"')


def project_toml(table: str, key: str, release: str) -> str:
    if table == "app":
        body = "" if key == "ref" else 'ref = "app.py"\n'
        return f'[tool.fal.apps.probe]\n{body}{key} = {value(key)}\n'
    if table == "image":
        base = {"image": '"python:3.11"'}
        if key in ("dockerfile", "build_args", "secrets") or not releases.reads_key(release, "image", "image"):
            base = {"dockerfile": '"Dockerfile"'}
        base[key] = value(key)
        inner = ", ".join(f"{k} = {v}" for k, v in base.items())
        # with a ref: image-only apps (no ref) are newer than the image table
        return f'[tool.fal.apps.probe]\nref = "app.py"\nimage = {{ {inner} }}\n'
    base = {"path": '"/h"'}
    base[key] = value(key)
    inner = ", ".join(f"{k} = {v}" for k, v in base.items())
    return f'[tool.fal.apps.probe]\nref = "app.py"\n{table} = {{ {inner} }}\n'


def probe(python: str, table: str, key: str, release: str) -> dict:
    with tempfile.TemporaryDirectory(prefix="fal-probe-") as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        (root / "app.py").write_text("import fal\n", encoding="utf-8")
        (root / "Dockerfile").write_text("FROM python:3.11\n", encoding="utf-8")
        (root / "pyproject.toml").write_text(project_toml(table, key, release), encoding="utf-8")
        proc = subprocess.run(
            [python, "-c", RUNNER], cwd=root, capture_output=True, text=True, timeout=120,
            env={"PATH": "/usr/bin:/bin", "HOME": tmp, "FAL_KEY": "probe:probe"},
        )
        try:
            return json.loads(proc.stdout.strip().splitlines()[-1])
        except (ValueError, IndexError):
            return {"ok": False, "error": "runner failed: " + proc.stderr[-300:]}


def installed_version(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import importlib.metadata as m; print(m.version('fal'))"],
        capture_output=True, text=True, check=True,
    )
    return out.stdout.strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m fallint.releases.probe")
    parser.add_argument("--python", required=True, help="interpreter of a venv with fal installed")
    parser.add_argument("--json", action="store_true", help="print every probe as JSON")
    parser.add_argument("--table", action="append", help="only these tables (app, image, health_check)")
    args = parser.parse_args(argv)
    release = installed_version(args.python)
    results = []
    for table, info in releases.data()["toml"].items():
        if args.table and table not in args.table:
            continue
        for key in sorted(set(info["keys"]) | set(NEVER_VALID)):
            if table == "app" and key == "ref":
                continue
            got = probe(args.python, table, key, release)
            rejected = "unexpected keys" in got["error"]
            expected = releases.accepts_key(release, table, key)
            if table != "app" and not releases.table_checked(release, table):
                continue  # the app table rejects the nested table itself
            results.append({
                "release": release, "table": table, "key": key, "expected_accepted": expected,
                "accepted": not rejected, "error": got["error"][:200],
            })
    bad = [r for r in results if r["expected_accepted"] != r["accepted"]]
    if args.json:
        print(json.dumps(results, indent=1))
    for r in bad:
        print(f"MISMATCH fal {release} {r['table']}.{r['key']}: data says accepted={r['expected_accepted']}, fal says {r['error'] or 'ok'}", file=sys.stderr)
    print(f"fal {release}: {len(results)} probes, {len(bad)} mismatches", file=sys.stderr)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
