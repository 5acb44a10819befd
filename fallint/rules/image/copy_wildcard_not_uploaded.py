"""FAL415 `copy-wildcard-not-uploaded`: A COPY/ADD wildcard matches nothing (or less) in the context fal uploads."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import WARNING, Example, register


@register
class CopyWildcardNotUploaded(BuildRule):
    code = "FAL415"
    name = "copy-wildcard-not-uploaded"
    severity = WARNING
    summary = "A COPY/ADD wildcard matches nothing (or less) in the context fal uploads"
    what = """
        A wildcard `COPY`/`ADD` source that matches no file in the build context fal
        uploads, or that matches files locally which fal does not upload.
    """
    why = """
        BuildKit accepts a wildcard that matches nothing and copies nothing. fal does
        not expand wildcards when it uploads the build context: files only a wildcard
        names are never uploaded, so the image silently lacks them. (When not even
        the wildcard's directory is uploaded, the build fails: that is FAL414.)
    """
    fix = "COPY the directory that holds the files, or name the files literally."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY *.py /app/\n",
                "serve.py": "",
            },
            expect=["Dockerfile:2:6"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY src/ /app/src/\nCOPY src/*.py /app/\n",
                "src/serve.py": "",
            },
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        for finding in build.copy_findings:
            if finding.kind == "wildcard":
                yield self.in_dockerfile(build, finding.location, finding.message, finding.help)
