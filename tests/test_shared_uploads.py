"""The build context is listed and matched once per run (SharedUploads): what
every Dockerfile and app gets from it is what ``fal_upload`` and
``match_sources`` compute on their own, and the walk happens once whatever the
number of Dockerfiles over the context."""

from __future__ import annotations

import os

import pytest

from fallint.formats import dockerignore
from fallint.formats.dockerignore import (
    DockerIgnore,
    SharedUploads,
    fal_upload,
    match_sources,
)


def _tree(root):
    files = [
        "app.py", "apps/a.py", "apps/b.py", "apps/only/one.py", "apps/only2/x.py",
        "apps/only2/y.txt", "data/big.bin", "data/keep.txt", "docker/Dockerfile",
        "pkg/__init__.py", "pkg/sub/mod.py", "skip.pyc", "notes.md",
    ]
    for f in files:
        path = root / f
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f)
    os.symlink("apps/a.py", root / "alias.py")
    os.symlink("pkg", root / "pkglink")
    (root / ".dockerignore").write_text("*.pyc\nnotes.md\n")
    return files + ["alias.py"]


SOURCES = [(".",), ("apps",), ("apps", "pkg"), ("app.py", "."), ("pkglink", "data"), (".", "apps")]


@pytest.mark.parametrize("sources", SOURCES)
def test_shared_upload_is_fal_upload(tmp_path, sources):
    files = _tree(tmp_path)
    ignore = DockerIgnore.from_file(tmp_path)
    shared = SharedUploads()
    for exclude in [None, *files, "apps/only", "pkg/sub/mod.py", "missing.py"]:
        excl = [exclude] if exclude else []
        want = fal_upload(tmp_path, sources, ignore, exclude=excl)
        got = shared.upload(tmp_path, sources, ignore, exclude=excl)
        assert set(got.files) == set(want.files) and len(got.files) == len(want.files)
        assert got.sources == want.sources and got.errors == want.errors
        assert got.truncated == want.truncated
        tree = shared.tree(got)
        for value in ["apps", "apps/only", "apps/only/one.py", "apps/only2", "app.py", "alias.py",
                      "apps/*.py", "apps/*", "*", "*/*.py", "pkg/sub", ".", "apps/on*/*"]:
            a = match_sources(tmp_path, value, available=want.files)
            b = match_sources(tmp_path, value, tree=tree)
            assert (a.status, a.paths) == (b.status, b.paths), (exclude, value)


def test_context_walked_once(tmp_path, monkeypatch):
    _tree(tmp_path)
    calls = []
    real = dockerignore._list_tree
    monkeypatch.setattr(dockerignore, "_list_tree", lambda root: calls.append(root) or real(root))
    ignore = DockerIgnore.from_file(tmp_path)
    shared = SharedUploads()
    for k in range(50):
        shared.upload(tmp_path, (".",), ignore, exclude=[f"apps/a{k}.py"])
        shared.upload(tmp_path, (".", "apps"), ignore, exclude=["app.py"])
    assert len(calls) == 2  # the context and apps/, once each
