"""FAL419 `build-arg-not-declared`: A build arg that no ARG in the Dockerfile declares."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import WARNING, Example, register
from fallint.util.suggest import did_you_mean
from fallint.util.text import code


@register
class BuildArgNotDeclared(BuildRule):
    code = "FAL419"
    name = "build-arg-not-declared"
    severity = WARNING
    summary = "A build arg that no ARG in the Dockerfile declares"
    what = "A key of `image.build_args` that no `ARG` instruction of the Dockerfile declares."
    why = """
        Docker ignores it (`One or more build-args were not consumed`): the value never
        reaches the build, often because of a typo in the name.
    """
    fix = "Declare it with `ARG NAME` in the Dockerfile (in the stage that uses it), or fix the name."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { PYTHON_VERSON = "3.12" }
            ''',
            files={"Dockerfile": "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim\n"},
            expect=["3:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { PYTHON_VERSION = "3.12" }
            ''',
            files={"Dockerfile": "ARG PYTHON_VERSION=3.11\nFROM python:${PYTHON_VERSION}-slim\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None or not build.build_args:
            return
        declared = sorted(df.declared_arg_names)
        for name in df.unconsumed_build_args(build.build_args):
            close = did_you_mean(name, declared)
            yield self.at(
                build.app,
                ("image", "build_args", name),
                f"build arg `{name}` is not declared by any `ARG` in {code(build.value)}: the "
                "build ignores it" + (f"; did you mean `{close}`?" if close else ""),
                part="key",
                help=f"rename it to `{close}`" if close else f"add `ARG {name}` to the Dockerfile",
            )
