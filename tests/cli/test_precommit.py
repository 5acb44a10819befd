"""The pre-commit hook shipped in ``.pre-commit-hooks.yaml``: its ``files`` filter, and the real
``pre-commit`` running it on throw-away git repositories."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from fallint.rules.registry import all_rules

from ..helpers import REPO

HOOK_ID = "fallint"


def load_hook() -> dict:
    """The ``fallint`` entry of the repository's ``.pre-commit-hooks.yaml``."""
    yaml = pytest.importorskip("yaml")  # PyYAML: a dependency of pre-commit
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    return next(h for h in hooks if h["id"] == HOOK_ID)


# --------------------------------------------------------------------------- the `files` filter

SHOULD_MATCH = [
    "pyproject.toml",
    "apps/web/pyproject.toml",
    "app.py",
    "src/pkg/mod.py",
    "stubs/x.pyi",
    "Dockerfile",
    "docker/Dockerfile",
    "gpu.Dockerfile",
    "Dockerfile.gpu",
    ".dockerignore",
    "sub/.dockerignore",
    "gpu.dockerfile",
    "docker/dockerfile",
    "Containerfile",
]
SHOULD_NOT_MATCH = [
    "pyproject.toml.bak",
    "mypyproject.toml",
    "README.md",
    "app.pyc",
    "Dockerfiles/README",
    "notes.dockerignore.txt",
    "setup.cfg",
    "requirements.txt",
    "docker-compose.yml",
    "app.py.orig",
    "Dockerfile/",
    "docs/dockerfile-guide.md",
]


@pytest.mark.parametrize(
    ("path", "expected"),
    [(p, True) for p in SHOULD_MATCH] + [(p, False) for p in SHOULD_NOT_MATCH],
)
def test_files_regex(path, expected):
    # pre-commit (commands/run.py, filter_by_include_exclude) applies `files` with
    # re.compile(files).search() to repo-relative paths that use `/`; `exclude` defaults to `^$`.
    hook = load_hook()
    included = re.search(hook["files"], path) is not None
    excluded = re.search(hook.get("exclude", "^$"), path) is not None
    assert (included and not excluded) is expected


# --------------------------------------------------------------------------- the real pre-commit

PYPROJECT = """
[tool.fal.apps.web]
ref = "app.py::Web"
"""

APP = """
import fal


class Web(fal.App):
    @fal.endpoint("/")
    def root(self) -> dict:
        return {"ok": True}
"""

# Pinned identity and dates: commits in the throw-away repositories are reproducible.
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "fallint tests",
    "GIT_AUTHOR_EMAIL": "tests@fallint.invalid",
    "GIT_AUTHOR_DATE": "2024-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "fallint tests",
    "GIT_COMMITTER_EMAIL": "tests@fallint.invalid",
    "GIT_COMMITTER_DATE": "2024-01-01T00:00:00+00:00",
}


def isolated_env(pre_commit_home: Path) -> dict[str, str]:
    """os.environ minus anything that would make the result depend on the caller.

    Drops git's and pre-commit's own variables (``GIT_DIR``/``GIT_INDEX_FILE`` are set when the
    suite itself runs inside a git hook; ``SKIP`` would skip the hook), ignores the user's and the
    system's git configuration (``commit.gpgsign``, ``core.hooksPath``, ...), and gives pre-commit
    its own home so no cached hook environment of the user is reused.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("GIT_", "PRE_COMMIT")) and k not in {"SKIP", "FORCE_COLOR"}
    }
    env.update(GIT_IDENTITY)
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        PRE_COMMIT_HOME=str(pre_commit_home),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        NO_COLOR="1",
    )
    return env


def git(cwd: Path, env: dict[str, str], *args: str) -> str:
    res = subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True)
    assert res.returncode == 0, f"git {' '.join(args)} failed:\n{res.stdout}{res.stderr}"
    return res.stdout


def snapshot_repository(dst: Path, env: dict[str, str]) -> str:
    """Commit the working tree of this checkout (tracked and untracked, not ignored) into ``dst``.

    ``pre-commit try-repo REPO`` only sees committed, staged and modified *tracked* files: a new
    module or an uncommitted ``.pre-commit-hooks.yaml`` would be missing from the hook it
    installs. A snapshot tests exactly the files on disk. Returns the commit's sha.
    """
    listing = git(REPO, env, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    for rel in filter(None, listing.split("\0")):
        src = REPO / rel
        if not os.path.lexists(src):  # tracked but deleted in the working tree
            continue
        target = dst / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(src, target, follow_symlinks=False)
    git(dst, env, "init", "-q")
    git(dst, env, "add", "-A")
    git(dst, env, "commit", "-q", "-m", "fallint working tree")
    return git(dst, env, "rev-parse", "HEAD").strip()


@dataclass
class HookRun:
    code: int
    out: str

    @property
    def status(self) -> str | None:
        """``Passed``, ``Failed`` or ``Skipped`` from pre-commit's ``fallint....Passed`` line."""
        m = re.search(rf"^{HOOK_ID}\.+(?:\(no files to check\))?(Passed|Failed|Skipped)$", self.out, re.M)
        return m.group(1) if m else None


@dataclass
class PreCommit:
    """The real ``pre-commit`` with fallint's hook installed once for the whole session."""

    exe: str
    config: Path
    env: dict[str, str]

    def git(self, repo: Path, *args: str) -> str:
        return git(repo, self.env, *args)

    def run(self, repo: Path, *files: str) -> HookRun:
        """``pre-commit run --files FILES`` in ``repo``, as a commit touching FILES would."""
        res = subprocess.run(
            [self.exe, "run", "--config", str(self.config), "--color", "never", "--files", *files],
            cwd=repo,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return HookRun(res.returncode, res.stdout + res.stderr)


@pytest.fixture(scope="session")
def pre_commit(tmp_path_factory) -> PreCommit:
    exe = shutil.which("pre-commit", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("no pre-commit executable next to sys.executable")
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    if not (REPO / ".git").exists():
        pytest.skip("fallint is not a git checkout")

    base = tmp_path_factory.mktemp("precommit")
    env = isolated_env(base / "home")
    hook_repo = base / "fallint-repo"
    hook_repo.mkdir()
    sha = snapshot_repository(hook_repo, env)

    # What `pre-commit try-repo HOOK_REPO fallint` writes and runs. try-repo itself cannot be
    # used: it installs the hook into a fresh temporary store on every call (ignoring
    # PRE_COMMIT_HOME), i.e. one full `pip install` per case; `run` with this config installs
    # once into PRE_COMMIT_HOME and reuses it. (JSON is YAML.)
    config = base / "pre-commit-config.yaml"
    config.write_text(
        json.dumps({"repos": [{"repo": str(hook_repo), "rev": sha, "hooks": [{"id": HOOK_ID}]}]}),
        encoding="utf-8",
    )

    res = subprocess.run(
        [exe, "install-hooks", "--config", str(config)],
        cwd=hook_repo,  # any git repository will do
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert res.returncode == 0, f"installing the hook failed:\n{res.stdout}{res.stderr}"
    return PreCommit(exe, config, env)


@pytest.fixture
def repo(project, pre_commit):
    """A git repository with FILES written and staged: repo({...}, commit=True) -> its directory."""

    def make(files: dict, *, commit: bool = False) -> Path:
        root = project(files)
        if not (root / ".git").exists():
            pre_commit.git(root, "init", "-q")
        pre_commit.git(root, "add", "-A")
        if commit:
            pre_commit.git(root, "commit", "-q", "-m", "fal project")
        return root

    return make


def test_clean_project_passes(repo, pre_commit):
    root = repo({"pyproject.toml": PYPROJECT, "app.py": APP})
    res = pre_commit.run(root, "pyproject.toml", "app.py")
    assert (res.code, res.status) == (0, "Passed"), res.out


def test_unknown_key_fails(repo, pre_commit):
    root = repo({"pyproject.toml": PYPROJECT, "app.py": APP}, commit=True)
    repo({"pyproject.toml": PYPROJECT + "keepalive = 1\n"})  # inside [tool.fal.apps.web]
    res = pre_commit.run(root, "pyproject.toml")
    assert (res.code, res.status) == (1, "Failed"), res.out
    assert "FAL003" in res.out
    assert "keepalive" in res.out


def _has_ref_rules() -> bool:
    return any(r.code.startswith("FAL1") for r in all_rules())


@pytest.mark.xfail(
    not _has_ref_rules(),
    reason="needs a FAL1xx ref-resolution rule (ref target not found); none is registered yet",
    strict=False,
)
def test_renamed_class_fails_when_only_app_py_is_staged(repo, pre_commit):
    root = repo({"pyproject.toml": PYPROJECT, "app.py": APP}, commit=True)
    repo({"app.py": APP.replace("class Web(", "class Website(")})
    res = pre_commit.run(root, "app.py")  # the pyproject did not change: only app.py is passed
    assert (res.code, res.status) == (1, "Failed"), res.out
    assert re.search(r"\bFAL1\d\d\b", res.out), res.out


def test_non_fal_python_file_passes(repo, pre_commit):
    root = repo(
        {
            "tool.py": 'def main() -> None:\n    print("hello")\n',
            "pyproject.toml": '[project]\nname = "tool"\nversion = "0.1.0"\n',
        }
    )
    res = pre_commit.run(root, "tool.py", "pyproject.toml")
    # "Passed" (not "Skipped"): the files matched the filter and fallint really ran.
    assert (res.code, res.status) == (0, "Passed"), res.out

