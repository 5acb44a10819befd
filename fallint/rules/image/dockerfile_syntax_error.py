"""FAL412 `dockerfile-syntax-error`: The Dockerfile has an error that stops the build."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.image._common import standard_syntax
from fallint.rules.registry import ERROR, Example, register
from fallint.util.suggest import did_you_mean


@register
class DockerfileSyntaxError(BuildRule):
    code = "FAL412"
    name = "dockerfile-syntax-error"
    severity = ERROR
    summary = "The Dockerfile has an error that stops the build"
    what = """
        A problem BuildKit's Dockerfile parser stops on: an unknown instruction, a
        wrong number of arguments, an unknown or malformed `--flag`, invalid JSON
        (exec) form, an unterminated heredoc, a bad parser directive, an invalid
        stage name, an instruction before the first `FROM`, a URL as `COPY` source.
    """
    why = "The remote build fails on the first of them, after fal has uploaded the build context."
    fix = "Fix the instruction at the position shown; the message is BuildKit's wording where it has one."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nRUNN pip install fal\nCOPY --chmod 644 app.py /app/\n"},
            expect=["Dockerfile:2:1", "Dockerfile:3:6"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nRUN pip install fal\nCOPY --chmod=644 app.py /app/\n",
                "app.py": "",
            },
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        # imported on first use: costly to import, only Dockerfile apps need it
        from fallint.formats.dockerfile import INSTRUCTIONS

        df = build.dockerfile
        if df is None or not standard_syntax(df):
            return
        for problem in df.errors:
            if problem.kind == "no-instructions" or (problem.kind == "no-stage" and not df.stages):
                continue  # FAL411
            help = None
            if problem.kind == "unknown-instruction":
                word = problem.message.rpartition(" ")[2]
                close = did_you_mean(word.upper(), sorted(INSTRUCTIONS))
                help = f"did you mean `{close}`?" if close else None
            yield self.in_dockerfile(
                build,
                build.location(problem.line, problem.column, problem.end_line, problem.end_column),
                problem.message,
                help=help,
            )
