"""FAL416 `copy-source-upload-fails`: fal cannot upload a COPY/ADD source (outside the context, symlink loop, file over 1 GiB)."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import ERROR, Example, register


@register
class CopySourceUploadFails(BuildRule):
    code = "FAL416"
    name = "copy-source-upload-fails"
    severity = ERROR
    summary = "fal cannot upload a COPY/ADD source (outside the context, symlink loop, file over 1 GiB)"
    what = """
        A `COPY`/`ADD` path (as fal's own parse reads it) that makes fal raise while
        collecting the build context: it leaves the pyproject directory (`../x`, or a
        symlink, possibly inside a copied directory, that resolves outside it), is a
        symlink loop, or is a file larger than 1 GiB.
    """
    why = """
        fal raises (`Parent directory reference is not allowed`, `FileTooLargeError`)
        before the build starts, so nothing is deployed.
    """
    fix = "Keep what the image needs inside the pyproject directory, as real files under 1 GiB."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nCOPY ../shared/ /app/shared/\n"},
            expect=["Dockerfile:2:6"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={"Dockerfile": "FROM python:3.12-slim\nCOPY shared/ /app/shared/\n", "shared/util.py": ""},
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        for finding in build.copy_findings:
            if finding.kind == "upload-error":
                yield self.in_dockerfile(build, finding.location, finding.message, finding.help)
