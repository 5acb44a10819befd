"""FAL206 `entry-point-module-not-packaged`: The python_entry_point module exists but the project's build would not package it."""

from __future__ import annotations

from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import PYPROJECT, SERVE_PY
from fallint.rules.registry import ERROR, Example, register
from fallint.util.text import code

_PACKAGING_FIX = {
    "setuptools": "list its package in `[tool.setuptools] packages` (or `packages.find` `where`/`include`)",
    "hatch": "add its package to `[tool.hatch.build.targets.wheel] packages`",
    "poetry": "add `{{ include = \"{top}\" }}` to `[tool.poetry] packages`",
    "pdm": "add it to `[tool.pdm.build] includes` (or set `package-dir`)",
    "flit": "flit packages one module, named after the project: point the entry point into it",
    "uv": "set `[tool.uv.build-backend] module-name` (and `module-root`) to include it",
}


@register
class EntryPointModuleNotPackaged(EntryPointRule):
    code = "FAL206"
    name = "entry-point-module-not-packaged"
    severity = ERROR
    summary = "The python_entry_point module exists but the project's build would not package it"
    what = """
        A `python_entry_point` module that exists in the project but is outside what the
        build configuration puts in the wheel: a directory not listed in setuptools
        `packages` (or excluded from `packages.find`), a file at the project root of a
        `src/` layout, a package hatch's `packages` leave out, ... (only when the layout
        can be known statically and the app uploads no `app_files`).
    """
    why = """
        The worker installs the built project, not the source tree: a module the build
        leaves out is not importable there, and the app fails with `ModuleNotFoundError`
        although it runs locally.
    """
    fix = "Move the module into a packaged package, or add its package to the build configuration."
    invalid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "serving.app:") + '\n[tool.setuptools]\npackages = ["textgen"]\n',
            files={
                "textgen/__init__.py": "",
                "serving/__init__.py": "",
                "serving/app.py": SERVE_PY,
            },
            expect=["6:23"],
        )
    ]
    valid = [
        Example(
            PYPROJECT.replace("textgen.serve:", "serving.app:")
            + '\n[tool.setuptools]\npackages = ["textgen", "serving"]\n',
            files={
                "textgen/__init__.py": "",
                "serving/__init__.py": "",
                "serving/app.py": SERVE_PY,
            },
        )
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.from_this_project or ep.origin != "module":
            return
        if not ep.layout.certain or ep.layout_broken or ep.packaged or ep.uploads_files:
            return
        where = ep.display(ep.location.path)
        installed = [n for n in ep.layout.wheel_names(ep.location.path) if ep.layout.is_packaged(n)]
        if installed:
            fix = f'the wheel has this file as `{installed[0]}`: write `python_entry_point = "{installed[0]}:{ep.symbol}"`'
        else:
            top = ep.module.split(".")[0]
            fix = _PACKAGING_FIX.get(ep.layout.backend, "add it to the build configuration").format(top=top)
        yield self.report(
            app,
            ep,
            "module",
            f"module {code(ep.module)} ({code(where)}) is not in the wheel this project builds "
            f"({ep.layout.description}): the worker cannot import it",
            help=fix,
        )
