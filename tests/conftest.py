"""Fixtures for every test package; the helpers themselves live in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from .helpers import REPO, CliResult, run_cli, write_files  # noqa: F401  (re-exported)


@pytest.fixture(scope="session", autouse=True)
def _user_cache_dir(tmp_path_factory):
    """The user cache directory (cache key, run cache, per-project fallbacks)
    of the whole session: a fresh one, never the real ~/.cache/fallint."""
    import os

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


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
