"""FAL204 `entry-point-project-build-fails`: The project an entry-point app installs cannot be built by its build backend."""

from __future__ import annotations

from fallint.loading import fs
from fallint.model.entry_point import EntryPoint
from fallint.rules.entry_point._base import EntryPointRule
from fallint.rules.entry_point._common import (
    INIT_PY,
    PYPROJECT,
    SERVE_PY,
    requirements_related,
)
from fallint.rules.registry import ERROR, Example, register


def _build_fix(ep: EntryPoint) -> str:
    """How to make the build configuration explicit, for FAL204's help."""
    top = ep.module.split(".")[0]
    backend = ep.layout.backend
    if backend == "setuptools":
        return f'list the packages to ship, e.g. `[tool.setuptools.packages.find]` `include = ["{top}*"]`'
    if backend == "hatch":
        location = ep.layout.find_module(top)
        path = location.path.parent if location.kind == "package" else location.path
        if path is None and fs.isdir(ep.project.root / "src" / top):
            path = ep.project.root / "src" / top
        target = ep.display(path).rstrip("/") if path is not None else top
        return f'list the packages to ship: `[tool.hatch.build.targets.wheel]` `packages = ["{target}"]`'
    return f"fix the build configuration ({backend}: {ep.layout.description})"


@register
class EntryPointProjectBuildFails(EntryPointRule):
    code = "FAL204"
    name = "entry-point-project-build-fails"
    severity = ERROR
    summary = "The project an entry-point app installs cannot be built by its build backend"
    what = """
        An entry-point app that needs this project installed (it is in `requirements`, or
        the module is this project's), while the project's build configuration makes
        the build fail: setuptools finding several top-level packages or modules in a
        flat layout, hatchling unable to tell which files to ship, poetry's
        `package-mode = false` or a package that matches nothing, flit or `uv_build`
        finding no module for the project name, ...
    """
    why = """
        fal builds an sdist of the project locally and the worker builds and installs it
        from there: a build that fails stops the deploy (or the app's start) before the
        module can be imported.
    """
    fix = """
        Configure the packages explicitly: for setuptools `[tool.setuptools.packages.find]`
        `include = ["textgen*"]` or a `src/` layout; for hatchling
        `[tool.hatch.build.targets.wheel] packages`; for flit/uv the module name.
    """
    invalid = [
        Example(
            PYPROJECT,
            files={
                "textgen/__init__.py": INIT_PY,
                "textgen/serve.py": SERVE_PY,
                "notebooks/__init__.py": "",
            },
            expect=["6:22"],
        )
    ]
    valid = [
        Example(
            PYPROJECT + '\n[tool.setuptools.packages.find]\ninclude = ["textgen*"]\n',
            files={
                "textgen/__init__.py": INIT_PY,
                "textgen/serve.py": SERVE_PY,
                "notebooks/__init__.py": "",
            },
        )
    ]

    def check_entry_point(self, app, ep):
        if not ep.resolvable or not ep.layout_broken:
            return
        if not (ep.installs_project or (ep.from_this_project and not ep.uploads_files)):
            return
        problems = ep.layout.problems
        message = f"the worker cannot install this project: {problems[0]}"
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more)"
        yield self.report(
            app,
            ep,
            "value",
            message,
            help=_build_fix(ep),
            related=requirements_related(app, ep.requirements.this_project, "this entry installs the project"),
        )
