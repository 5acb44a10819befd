"""fallint.loading.files.real_path agrees with os.path.realpath."""

from __future__ import annotations

import os

import pytest

from fallint.loading.files import forget_real_paths, real_path


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_real_path_agrees_with_realpath(tmp_path, monkeypatch):
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "f.py").write_text("", encoding="utf-8")
    os.symlink(tmp_path / "real", tmp_path / "dirlink")
    os.symlink(tmp_path / "real" / "sub" / "f.py", tmp_path / "real" / "filelink.py")
    os.symlink("loop", tmp_path / "loop")
    monkeypatch.chdir(tmp_path)
    cases = [
        tmp_path / "dirlink" / "sub" / "f.py", tmp_path / "real" / "filelink.py", tmp_path / "dirlink" / "filelink.py",
        tmp_path / "dirlink" / "sub" / ".." / "sub" / "f.py", tmp_path / "missing" / "x.py", tmp_path / "loop",
        "dirlink/sub/f.py", "real/sub/", tmp_path / "real" / "sub", "/", ".",
    ]
    for case in cases:
        assert real_path(case) == os.path.realpath(case), case
    # the directories are remembered until forgotten: a link changed meanwhile
    os.unlink(tmp_path / "dirlink")
    os.symlink(tmp_path / "real" / "sub", tmp_path / "dirlink")
    forget_real_paths()
    assert real_path(tmp_path / "dirlink" / "f.py") == os.path.realpath(tmp_path / "dirlink" / "f.py")


def test_read_bounded(tmp_path):
    import io

    from fallint.loading.files import read_bounded

    path = tmp_path / "f"
    for size, limit, expected in ((0, 10, b""), (10, 10, b"x" * 10), (11, 10, None), (5000, 1 << 20, b"x" * 5000)):
        path.write_bytes(b"x" * size)
        with open(path, "rb") as handle:
            assert read_bounded(handle, limit) == expected, (size, limit)
    # a stream without a size (a pipe, a file that grew): read on to the limit
    assert read_bounded(io.BytesIO(b"y" * 70000), 100000) == b"y" * 70000
    assert read_bounded(io.BytesIO(b"y" * 70000), 69999) is None
