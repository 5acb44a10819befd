"""FAL312 `requirements-context-dir-missing`: requirements_context_dir is not an existing directory."""

from __future__ import annotations

import os
from pathlib import Path

from fallint.loading import fs
from fallint.loading.files import FileCache, is_dir, resolved
from fallint.model.requirement_layers import (
    KEY,
    context_dir,
    shape_ok,
    toml_requirements_use,
)
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.rules.requirements._common import TOKENIZER_FILES, entry_point_app_toml
from fallint.util.suggest import did_you_mean
from fallint.util.text import code


@register
class RequirementsContextDirMissing(Rule):
    code = "FAL312"
    name = "requirements-context-dir-missing"
    severity = WARNING
    summary = "requirements_context_dir is not an existing directory"
    what = """
        A `requirements_context_dir` (relative to the pyproject directory) that does not
        exist or is not a directory, on an app whose TOML `requirements` fal uses.
    """
    why = """
        fal does not check it: it resolves local-path requirements against it, and
        strings such as `.` or `./libs/x` that it cannot find there reach uv unchanged,
        which then looks for them on the build machine (where they do not exist).
    """
    fix = """
        Point it at the directory the local paths are relative to (or remove it: the
        default is the pyproject directory).
    """
    invalid = [
        Example(
            entry_point_app_toml('["./tokenizer", "torch==2.4.1"]', 'requirements_context_dir = "lib"'),
            files=TOKENIZER_FILES,
            expect=["4:28"],
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('["./tokenizer", "torch==2.4.1"]', 'requirements_context_dir = "libs"'),
            files=TOKENIZER_FILES,
        )
    ]

    def check_app(self, app):
        value = app.table.get("requirements_context_dir")
        if not isinstance(value, str) or not app.table.get(KEY) or not shape_ok(app.table[KEY]):
            return  # without requirements it resolves nothing
        if toml_requirements_use(app) is None:
            return
        path = context_dir(app)
        if fs.isdir(path):
            return
        what = "is a file" if fs.exists(path) else "does not exist"
        hint = _similar_directory(app.project.files, path, app.project.root)
        yield self.at(
            app,
            ("requirements_context_dir",),
            f"`requirements_context_dir` {code(value)} {what}: fal resolves the local paths in "
            "`requirements` against it without checking, and passes those it cannot find to uv unchanged",
            help=(f"did you mean {code(hint)}?" if hint else "point it at an existing directory, or remove "
                  "it (local paths are then relative to the pyproject directory)"),
        )


def _similar_directory(files: FileCache, path: Path, root: Path) -> str | None:
    """A sibling directory whose name is close to ``path``'s, relative to ``root``."""
    names = [n for n in files.listdir(path.parent) if not n.startswith(".") and is_dir(path.parent / n)]
    hint = did_you_mean(path.name, names)
    if hint is None:
        return None
    try:
        return Path(os.path.relpath(path.parent / hint, resolved(root))).as_posix()
    except ValueError:
        return str(path.parent / hint)
