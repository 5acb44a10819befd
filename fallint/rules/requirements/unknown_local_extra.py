"""FAL311 `unknown-local-extra`: An extra a local project in requirements does not declare."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import local_paths, why_fal_sees_no_project
from fallint.util.suggest import did_you_mean
from fallint.util.text import code


@register
class UnknownLocalExtra(RequirementsRule):
    code = "FAL311"
    name = "unknown-local-extra"
    severity = WARNING
    summary = "An extra a local project in requirements does not declare"
    what = """
        `./path[extra]` (or `.[extra]`) where the local project's `pyproject.toml` has no
        such key in `[project.optional-dependencies]` (names compared after PEP 685
        normalisation; projects whose optional dependencies are `dynamic` are skipped).
    """
    why = """
        uv only warns that the project has no such extra and installs it without those
        dependencies: the app then fails to import them.
    """
    fix = "Use an extra the project declares, or declare it in `[project.optional-dependencies]`."
    invalid = [
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [project.optional-dependencies]
            serve = ["uvicorn>=0.30"]

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [".[server]"]
            ''',
            expect=["10:19"],
        )
    ]
    valid = [
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [project.optional-dependencies]
            serve = ["uvicorn>=0.30"]

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [".[Serve]"]
            ''',
        )
    ]

    def check_requirements(self, reqs):
        for layer, index, local in local_paths(reqs):
            unknown = local.unknown_extras
            if not unknown or why_fal_sees_no_project(local):
                continue
            text = layer.strings[index]
            start = text.rfind(local.extras_text)
            declared = local.optional_dependencies or ()
            names = ", ".join(code(e) for e in unknown)
            hint = did_you_mean(unknown[0], declared) if declared else None
            yield self.element(
                reqs, layer, index,
                f"{code(local.project_name)} declares no extra {names} (in "
                f"{code(reqs.display(local.pyproject).rstrip('/'))}): uv installs it without them",
                start, start + len(local.extras_text),
                help=(f"did you mean {code(hint)}?" if hint else
                      "declared extras: " + (", ".join(code(e) for e in declared) if declared else "none")),
            )  # fmt: skip
