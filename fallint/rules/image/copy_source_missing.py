"""FAL414 `copy-source-missing`: A COPY/ADD source is not in the build context fal uploads."""

from __future__ import annotations

from typing import Iterator

from fallint.diagnostics import Diagnostic
from fallint.model.build import Build
from fallint.rules.image._base import BuildRule
from fallint.rules.registry import ERROR, Example, register


@register
class CopySourceMissing(BuildRule):
    code = "FAL414"
    name = "copy-source-missing"
    severity = ERROR
    summary = "A COPY/ADD source is not in the build context fal uploads"
    what = """
        A `COPY` or `ADD` source (from the build context: not `--from=<stage>`, not
        an `ADD` URL or git repository) that the remote build will not find:

        - it does not exist in the pyproject directory, or `.dockerignore` excludes it;
        - it exists locally, but fal does not upload it. fal uploads only the
          *literal* COPY/ADD paths its own simple parse finds (no wildcard or `$VAR`
          expansion), applies its own reading of `.dockerignore` (a pattern without
          `/` matches at any depth; `!` exceptions become exclusions), uses default
          ignore patterns (`*.md`, `Dockerfile`, `.env`, `venv`, ...) when there is
          no `.dockerignore`, leaves out the app's own `ref` file, skips every `ADD`
          that mentions a URL, uploads symlinks under their target's path, and
          uploads files only (an empty directory does not exist remotely).

        A wildcard whose directory exists remotely but that matches nothing is
        FAL415. Sources whose `$VAR` cannot be resolved (from `ARG` defaults and
        `image.build_args`) are not checked, nor are stages the final stage does
        not depend on (BuildKit skips them).
    """
    why = """
        BuildKit fails with `"/x": not found` when a source is missing from its
        context, and the remote build's context is exactly what fal uploaded.
    """
    fix = "Fix the path, or follow the message's hint to make fal upload the file."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY requirement.txt README.md /app/\n",
                "requirements.txt": "fal\n",
                "README.md": "# web\n",
            },
            expect=["Dockerfile:2:6", "Dockerfile:2:22"],
        ),
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY assets/*.png /app/assets/\n",
                "assets/logo.png": "",
            },
            expect=["Dockerfile:2:6"],
            title="wildcard: fal uploads nothing under assets/",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY requirements.txt README.md /app/\n",
                "requirements.txt": "fal\n",
                "README.md": "# web\n",
                ".dockerignore": ".git\n",
            },
        )
    ]

    def check_build(self, build: Build) -> Iterator[Diagnostic]:
        for finding in build.copy_findings:
            if finding.kind == "missing":
                yield self.in_dockerfile(build, finding.location, finding.message, finding.help)
