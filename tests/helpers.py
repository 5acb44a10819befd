"""Helpers shared by the test packages: the repository root, files on disk, the CLI in-process."""

from __future__ import annotations

import io
import os
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent  # the repository root


@dataclass
class CliResult:
    code: int
    out: str
    err: str


def write_files(root: Path, files: dict) -> Path:
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        from fallint.rules.registry import Symlink

        if isinstance(content, Symlink):
            p.symlink_to(str(content))
        elif isinstance(content, bytes):
            p.write_bytes(content)
        else:
            p.write_text(content, encoding="utf-8")
    return root


def run_cli(args: list[str], cwd: Path | None = None, env: dict | None = None) -> CliResult:
    """Run ``fallint ARGS`` in-process (fast), as a user would from ``cwd``."""
    from fallint.cli import main

    out, err = io.StringIO(), io.StringIO()
    old_cwd = os.getcwd()
    old_env = dict(os.environ)
    try:
        if cwd is not None:
            os.chdir(cwd)
        os.environ.pop("FORCE_COLOR", None)
        for name in ("GITHUB_ACTIONS", "FALLINT_OUTPUT_FORMAT"):  # they choose the default format
            os.environ.pop(name, None)
        os.environ["NO_COLOR"] = "1"
        if env:
            os.environ.update(env)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(args)
            except SystemExit as exc:  # argparse
                code = exc.code if isinstance(exc.code, int) else 2
    finally:
        os.chdir(old_cwd)
        os.environ.clear()
        os.environ.update(old_env)
    return CliResult(code, out.getvalue(), err.getvalue())
