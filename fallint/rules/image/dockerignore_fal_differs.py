"""FAL418 `dockerignore-fal-differs`: A .dockerignore pattern fal reads differently from Docker."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.diagnostics import Diagnostic, Location
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import Project
from fallint.model.build import image_is_built
from fallint.rules.image._common import dockerignore_builds


@register
class DockerignoreFalDiffers(Rule):
    code = "FAL418"
    name = "dockerignore-fal-differs"
    severity = WARNING
    summary = "A .dockerignore pattern fal reads differently from Docker"
    what = """
        A `.dockerignore` line whose effect with fal differs from Docker's: a `!`
        exception (fal drops the `!` and *excludes* the path), or a pattern Docker
        rejects but fal accepts (a local `docker build` fails, fal does not).
    """
    why = """
        fal applies `.dockerignore` itself, as .gitignore-style patterns where any
        matching line excludes a path: re-including files with `!` does not work, and
        the files stay out of the remote build.
    """
    fix = "Exclude only what the image does not need, without `!` exceptions (e.g. exclude `docs/*.md` rather than `docs` + `!docs/README.md`)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY . /app/\n",
                ".dockerignore": "*.md\n!README.md\n",
                "README.md": "",
            },
            expect=[".dockerignore:2:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\nCOPY . /app/\n",
                ".dockerignore": "docs/\nCHANGELOG.md\n",
            },
        )
    ]

    def check_project(self, project: "Project") -> Iterator[Diagnostic]:
        # how fal reads the patterns matters only where it uploads a build context
        builds = [b for b in dockerignore_builds(project) if image_is_built(b.app)]
        if not builds:
            return
        build = builds[0]
        ignore = build.ignore
        if not ignore.exists or ignore.read_error is not None:
            return
        path = project.root / ".dockerignore"
        fal_lines = {p.line for p in ignore.problems if p.affects == "fal"}
        lines = ignore.text.split("\n")
        for problem in ignore.problems:
            if problem.affects == "docker" and problem.line not in fal_lines:
                text = lines[problem.line - 1].strip()
                yield self.at_location(
                    Location(path, problem.line, problem.column, problem.line, problem.end_column),
                    f"a local `docker build` rejects .dockerignore line {code(text)} "
                    f"({problem.message}), while fal accepts it",
                    app=build.app.key,
                    help="escape the special character (`\\[`) or fix the pattern",
                )
        for pattern in ignore.patterns:
            if not pattern.negated:
                continue
            raw = lines[pattern.line - 1].rstrip("\r")
            column = len(raw) - len(raw.lstrip()) + 1
            yield self.at_location(
                Location(path, pattern.line, column, pattern.line, column + len(pattern.text)),
                f"fal does not support `!` exceptions: it reads {code(pattern.text)} as one more "
                f"exclusion, so {code(pattern.pattern)} is left out of the uploaded build context",
                app=build.app.key,
                help="remove the exception and narrow the pattern it was meant to undo",
            )
