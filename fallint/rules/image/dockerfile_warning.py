"""FAL413 `dockerfile-warning`: The Dockerfile has a construct BuildKit warns about."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.image._common import standard_syntax
from fallint.rules.registry import WARNING, Example, register


@register
class DockerfileWarning(BuildRule):
    code = "FAL413"
    name = "dockerfile-warning"
    severity = WARNING
    summary = "The Dockerfile has a construct BuildKit warns about"
    what = "An empty continuation line inside an instruction, or two stages with the same name."
    why = """
        BuildKit builds it but warns: empty continuation lines are scheduled to become
        an error, and with a duplicate stage name `--from=<name>` and `FROM <name>`
        refer to the first stage only.
    """
    fix = "Remove the empty line inside the instruction (or end the previous line without `\\`); rename the stage."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUN pip install \\\n\n    fal\n"},
            expect=["Dockerfile:2:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUN pip install \\\n    fal\n"},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        df = build.dockerfile
        if df is None or not standard_syntax(df):
            return
        for problem in df.warnings:
            yield self.in_dockerfile(
                build,
                build.location(problem.line, problem.column, problem.end_line, problem.end_column),
                problem.message,
            )
