"""FAL420 `build-arg-missing`: An ARG without default that the build uses and build_args does not set."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic, Related
from fallint.model.build import Build
from fallint.model.copy_analysis import reachable_stages
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import WARNING, Example, register


@register
class BuildArgMissing(BuildRule):
    code = "FAL420"
    name = "build-arg-missing"
    severity = WARNING
    summary = "An ARG without default that the build uses and build_args does not set"
    what = """
        An `ARG NAME` without a default (nor one inherited from a global `ARG`) whose
        value the build uses (`$NAME` without a `${NAME:-fallback}`), while
        `image.build_args` does not set it.
    """
    why = "fal passes only `image.build_args`, so `$NAME` expands to an empty string during the build."
    fix = "Add the value to `image.build_args`, or give the `ARG` a default (`ARG NAME=value`)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nARG FAL_VERSION\nRUN pip install fal==$FAL_VERSION\n"},
            expect=["Dockerfile:2:5"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { FAL_VERSION = "1.83.0" }
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nARG FAL_VERSION\nRUN pip install fal==$FAL_VERSION\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None:
            return
        built = reachable_stages(df)
        for decl in df.unsupplied_args(build.build_args):
            if built is not None and decl.stage is not None and decl.stage not in built:
                continue  # a stage BuildKit does not build
            uses = [r for r in df.references_to(decl) if not r.has_fallback]
            related = list(build.related())
            if uses:
                use = uses[0]
                related.insert(
                    0,
                    Related(
                        build.location(use.line, use.column, use.end_line, use.end_column),
                        f"`${decl.name}` used here",
                    ),
                )
            yield self.at_location(
                build.location(decl.line, decl.column, decl.line, decl.end_column),
                f"`ARG {decl.name}` has no default and image.build_args does not set it: "
                f"`${decl.name}` is empty during the build",
                app=build.app.key,
                key=build.app.path + ("image", "build_args"),
                help=f'add `{decl.name} = "..."` to image.build_args, or write `ARG {decl.name}=<default>`',
                related=related,
            )
