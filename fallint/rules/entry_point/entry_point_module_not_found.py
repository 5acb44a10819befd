"""FAL205 `entry-point-module-not-found`: The python_entry_point module does not exist where the project's packaging looks."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Iterator

from fallint.loading import fs
from fallint.model.entry_point import EntryPoint
from fallint.rules._fixes import app_of, one_close, replace_string
from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import PYPROJECT, SRC
from fallint.rules.registry import ERROR, Example, register
from fallint.util.suggest import did_you_mean
from fallint.util.text import code

_STDLIB = frozenset(getattr(sys, "stdlib_module_names", ()))


#: extension-module sources and binaries: the build turns them into importable modules
_EXTENSION_SUFFIXES = (".pyx", ".pxd", ".c", ".cpp", ".so", ".pyd")


def _looked_in_entries(ep: EntryPoint) -> Iterator[tuple[Path, str]]:
    """``(directory, name)`` of everything in the directories searched for
    the first missing part of the module."""
    for directory in ep.location.looked_in:
        for name in sorted(ep.project.files.listdir(directory)):
            yield Path(directory), name


def _built_elsewhere(ep: EntryPoint, depth: int) -> bool:
    """Is the first missing part of the module (at ``depth``) possibly built
    (a Cython/C extension next to where it was looked for)?"""
    missing = ep.module.split(".")[depth] + "."
    return any(n.startswith(missing) and n.endswith(_EXTENSION_SUFFIXES) for _, n in _looked_in_entries(ep))


def _module_candidates(ep: EntryPoint) -> list[str]:
    """Dotted names next to the first missing part of the module (for "did you mean")."""
    parts = ep.module.split(".")
    found = ep.found_prefix[0].split(".") if ep.found_prefix else []
    head = ".".join(found)
    tail = parts[len(found) + 1:]
    names: set[str] = set()
    for directory, entry in _looked_in_entries(ep):
        stem = entry[:-3] if entry.endswith(".py") else entry
        if stem.isidentifier() and stem != "__init__" and (entry.endswith(".py") or fs.isdir(directory / entry)):
            names.add(stem)
    return sorted(".".join(p for p in (head, n, *tail) if p) for n in names)


@register
class EntryPointModuleNotFound(EntryPointRule):
    code = "FAL205"
    name = "entry-point-module-not-found"
    severity = ERROR
    summary = "The python_entry_point module does not exist where the project's packaging looks"
    what = """
        A `python_entry_point` module that the worker cannot import: its package is this
        project's but the module is not in it, or it is nowhere in the project and
        nothing else in `requirements` could provide it. Modules are searched the way the
        build backend lays out the wheel (setuptools `packages`/`package-dir`/
        `packages.find`, hatch `packages`/`sources`, poetry `packages`, pdm, flit, uv
        `module-root`/`module-name`, default `src/` and flat layouts, namespace
        packages). Only reported when the layout can be known statically (no `setup.py`,
        a known build backend) and the app uploads no `app_files`.
    """
    why = "The worker's `import <module>` raises `ModuleNotFoundError` and the app never starts."
    fix = "Use the module's import name as installed (`package.module`), or add the missing file."
    invalid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "textgen.server:"),
            files=SRC,
            expect=["6:23"],
            fixed=PYPROJECT,
        )
    ]
    valid = [
        Example(PYPROJECT, files=SRC),
        Example(
            PYPROJECT.replace("textgen.serve:", "vendor_serving.app:").replace('["."]', '[".", "vendor-serving>=1"]'),
            files=SRC,
            title="a module from another requirement",
        ),
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or ep.container is not None or ep.location.found:
            return
        if not ep.layout.certain or ep.layout_broken or not ep.requirements.valid or ep.elsewhere:
            return
        if ep.uploads_files:
            return
        if ep.origin == "parent":
            prefix, location = ep.found_prefix
            if _built_elsewhere(ep, len(prefix.split("."))):
                return
            if location.kind == "module":
                reason = f"{code(prefix)} is a module ({code(ep.display(location.path))}), not a package"
            else:
                reason = "looked in " + ", ".join(code(ep.display(p)) for p in ep.location.looked_in)
        else:
            top = ep.module.split(".")[0]
            if top == "fal" or top in _STDLIB or not ep.only_this_project:
                return
            reason = (
                "it is not in this project (looked in "
                + ", ".join(code(ep.display(p)) for p in ep.location.looked_in)
                + ") and no other requirement could provide it"
            )
        message = f"module {code(ep.module)} not found: {reason}"
        hint = did_you_mean(ep.module, _module_candidates(ep))
        help = f'did you mean `{hint}`?' if hint else f"check the module name against the project's packages ({ep.layout.description})"
        yield self.report(app, ep, "module", message, help=help)

    fix_availability = "sometimes"
    fix_safety = "unsafe"

    def fix_for(self, diagnostic, project):
        """Name the one close module the project packages (unsafe: a file may be missing instead)."""
        from fallint.diagnostics import Fix
        from fallint.model.entry_point import KEY

        app = app_of(project, diagnostic)
        ep = app.entry_point if app is not None else None
        if ep is None or ep.location.found:
            return None
        candidates = _module_candidates(ep)
        hint = one_close(ep.module, candidates)
        if hint is None or hint == ep.module:
            return None
        location = ep.layout.find_module(hint)
        if location.kind not in ("package", "module") or not ep.layout.is_packaged(hint):
            return None  # the suggestion would not import either
        new = f"{hint}:{ep.symbol}"
        edit = replace_string(project, app.path + (KEY,), new)
        return Fix.unsafe(f'Write `python_entry_point = "{new}"`', edit) if edit is not None else None
