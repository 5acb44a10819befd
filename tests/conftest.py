"""Fixtures for every test package; the helpers themselves live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import REPO, CliResult, run_cli, write_files  # noqa: F401  (re-exported)


@pytest.fixture
def project(tmp_path):
    """Write a project: project({"pyproject.toml": "...", "app.py": "..."}) -> its directory."""

    def make(files: dict) -> Path:
        import textwrap

        return write_files(
            tmp_path,
            {k: (textwrap.dedent(v).lstrip("\n") if isinstance(v, str) else v) for k, v in files.items()},
        )

    return make


@pytest.fixture
def cli():
    return run_cli
