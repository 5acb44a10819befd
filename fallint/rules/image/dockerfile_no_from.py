"""FAL411 `dockerfile-no-from`: The Dockerfile has no FROM instruction."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.image._common import standard_syntax
from fallint.rules.registry import ERROR, Example, register


@register
class DockerfileNoFrom(BuildRule):
    code = "FAL411"
    name = "dockerfile-no-from"
    severity = ERROR
    summary = "The Dockerfile has no FROM instruction"
    what = "A Dockerfile without any `FROM` instruction (possibly only comments and `ARG`s)."
    why = "Every build stage starts with `FROM`; without one BuildKit stops (`no build stage in current context`)."
    fix = "Start the Dockerfile with `FROM <base image>` (after any global `ARG`s)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "# base image: python\nRUN pip install fal\n"},
            expect=["Dockerfile:2:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUN pip install fal\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None or df.stages or not standard_syntax(df):
            return
        if df.instructions:
            first = df.instructions[0]
            yield self.in_dockerfile(
                build,
                build.keyword_location(first),
                "the Dockerfile has no `FROM` instruction: BuildKit has no build stage and fails",
                help="start the build with `FROM <base image>`",
            )
        else:
            yield self.in_dockerfile(
                build,
                build.location(1, 1, 1, 2),
                "the Dockerfile has no instructions (only comments or parser directives): the "
                "build fails",
                help="start the build with `FROM <base image>`",
            )
