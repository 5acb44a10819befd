"""FAL309 `requirement-file-not-uploaded`: A local file in requirements (-r, -c, a wheel, a missing path) that fal never uploads."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

from fallint.loading import fs
from fallint.loading.files import resolved
from fallint.rules.registry import ERROR, Example, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.requirements import (
        ReqItem,
    )
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import FILE_OPTIONS, entry_point_app_toml

#: ... and those whose value may also be a directory (or a URL)
_PATH_OPTIONS = FILE_OPTIONS | {"--find-links"}


def _is_url(text: str | None) -> bool:
    return text is not None and ("://" in text or text.startswith("file:"))


def _remote_or_unknown(path: str) -> bool:
    """A value uv does not read from the local file system, or whose place we cannot know."""
    return (
        "://" in path
        or path.strip() in ("", "-")
        or "$" in path
        or path.startswith("~")
        or os.path.isabs(path)
        or re.match(r"^[A-Za-z]:[\\/]", path) is not None
    )


@register
class RequirementFileNotUploaded(RequirementsRule):
    code = "FAL309"
    name = "requirement-file-not-uploaded"
    severity = ERROR
    summary = "A local file in requirements (-r, -c, a wheel, a missing path) that fal never uploads"
    what = """
        In an app that installs into a plain virtualenv (no `image`, no `app_files`): a
        relative path uv would read from disk that fal does not upload: the file of
        `-r`/`-c`/`--overrides`/`--excludes`/`-b`/`--cert`/`--config-file` (or the
        directory of `--find-links`), a local wheel or archive
        (`dist/pkg-1.0-py3-none-any.whl`), a path to a directory that does not exist
        (`./libs/missing`), or an existing directory written inside a longer string
        (`-e.`, `--find-links=wheels`, `pkg @ ./libs/pkg`, `./libs/pkg; sys_platform ==
        "linux"`). URLs, absolute paths and `${VARIABLES}` are left alone.
    """
    why = """
        fal uploads only one thing from `requirements`: each string that names an
        existing local directory by itself (`./libs/pkg`, `./libs/pkg[extra]`), built as
        an sdist. Every other string reaches `uv pip install` as written, on a build
        machine that has none of the project's files, so uv fails (`File not found`,
        `Distribution not found`).
    """
    fix = """
        Write the requirements themselves into the list (or use an `image` whose
        Dockerfile copies the file), install local projects by their directory (`./libs/x`,
        it needs a `pyproject.toml`), and publish wheels to an index or a URL.
    """
    invalid = [
        Example(
            entry_point_app_toml('["-r", "requirements-gpu.txt"]'),
            files={"requirements-gpu.txt": "torch==2.4.1\n"},
            expect=["3:23"],
        ),
        Example(
            entry_point_app_toml('["dist/vendor_kernels-0.3-py3-none-any.whl", "./libs/tokenizer"]'),
            files={"dist/vendor_kernels-0.3-py3-none-any.whl": b"PK\x05\x06" + bytes(18)},
            expect=["3:17", "3:61"],
            title="a local wheel; a directory that does not exist",
        ),
    ]
    valid = [
        Example(
            entry_point_app_toml('["torch==2.4.1", "-r", "https://example.com/requirements-gpu.txt"]'),
        ),
        Example(
            entry_point_app_toml('["-r", "requirements-gpu.txt"]', 'image = { dockerfile = "Dockerfile" }'),
            files={"requirements-gpu.txt": "torch==2.4.1\n",
                   "Dockerfile": "FROM python:3.11\nCOPY requirements-gpu.txt .\n"},
            title="an image can hold the file",
        ),
    ]

    def check_requirements(self, reqs):
        if not reqs.virtualenv or reqs.app.table.get("app_files"):
            return
        for layer, item in reqs.items():
            if item.kind == "option" and item.value_index is not None:
                if item.option in _PATH_OPTIONS:
                    yield from self._option(reqs, layer, item)
                elif item.option == "--editable" and item.value_index == item.index:
                    yield from self._attached_editable(reqs, layer, item)
            elif item.kind == "path" and item.local is None and item.path and not _is_url(item.url):
                yield from self._path(reqs, layer, item)

    def _option(self, reqs, layer, item):
        value = item.value or ""
        if _remote_or_unknown(value) or layer.analysis.items[item.value_index].local is not None:
            return
        if item.value_index == item.index:
            written = layer.strings[item.index].strip()
        else:
            written = f"{layer.strings[item.index].strip()} {value}"
        if _exists(reqs.base_dir, value) == "a directory":  # attached: `--find-links=wheels`
            why = "fal uploads a local directory only when a string names it by itself"
        else:
            why = "fal does not upload files"
        yield self.element(
            reqs, layer, item.value_index,
            f"{code(written)}: {why}, so uv cannot read {code(value)} on the build machine and the "
            "environment build fails",
            item.value_start, item.value_start + len(value),
            help="list the requirements themselves in `requirements`, or use a URL",
        )  # fmt: skip

    def _attached_editable(self, reqs, layer, item):
        value = (item.value or "").strip()
        if _remote_or_unknown(value) or any(p.index == item.index for p in layer.analysis.problems):
            return
        text = layer.strings[item.index]
        yield self.element(
            reqs, layer, item.index,
            f"{code(text)} reaches uv as written (fal uploads a local directory only when a string "
            f"names it by itself), so uv looks for {code(value)} on the build machine, which has none of "
            "this project's files: the install fails",
            help=f"write the directory as a string of its own, without `-e`: {code(value)}",
        )  # fmt: skip

    def _path(self, reqs, layer, item):
        path = item.path.strip()
        if _remote_or_unknown(path):
            return
        where = _exists(reqs.base_dir, path)
        text = layer.strings[item.index]
        start = text.find(path) if path in text else 0
        if where == "a directory":  # but not the whole string: `name @ ./dir`, `./dir; marker`
            message = (f"fal uploads a local directory only when a string names it by itself (with "
                       f"`[extras]` at most): {code(text.strip())} reaches uv as written, and the build "
                       f"machine has no {code(path)}")
            help = f"write the directory as a string of its own: {code(path + _extras_text(item))}"
        elif where:
            message = (f"{code(path)} is a local file: fal uploads only directories (as sdists), so uv "
                       "cannot find it on the build machine and the install fails")
            help = "publish it to an index or a URL (`name @ https://...`), or install its project directory"
        else:
            base = code(reqs.display(reqs.base_dir))
            if not fs.isdir(reqs.base_dir):
                base = f"`requirements_context_dir` {base}, which does not exist"
            message = (f"{code(path)} does not exist (relative to {base}): fal passes it to uv "
                       "unchanged, and uv fails to find it on the build machine")
            help = "fix the path: fal builds and uploads an existing directory that has a `pyproject.toml`"
        yield self.element(reqs, layer, item.index, message, start, start + len(path), help=help)


def _extras_text(item: "ReqItem") -> str:
    return f"[{','.join(item.extras)}]" if item.extras else ""


def _exists(base: Path, path: str) -> str | None:
    """``"a file"``/``"a directory"`` when ``path`` exists relative to ``base``."""
    try:
        target = resolved(base / path)  # like fal: `..` is resolved first
        if fs.isdir(target):
            return "a directory"
        if fs.exists(target):
            return "a file"
    except (OSError, ValueError):
        pass
    return None
