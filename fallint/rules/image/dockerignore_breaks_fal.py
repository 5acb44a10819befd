"""FAL417 `dockerignore-breaks-fal`: fal cannot read .dockerignore (a pattern it rejects, or not UTF-8 text)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.diagnostics import Diagnostic, Location
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import Project
from fallint.rules.image._common import dockerignore_builds


@register
class DockerignoreBreaksFal(Rule):
    code = "FAL417"
    name = "dockerignore-breaks-fal"
    severity = ERROR
    summary = "fal cannot read .dockerignore (a pattern it rejects, or not UTF-8 text)"
    what = """
        A `.dockerignore` (in the pyproject directory, the build context) that fal
        cannot turn into ignore patterns: a line that is only `!`, a pattern ending
        in an unescaped `\\`, or a file that is not UTF-8 text.
    """
    why = """
        fal converts every line with pathspec's gitwildmatch before deploying and
        raises on these (`Invalid git pattern`); an undecodable file makes the read fail.
    """
    fix = "Delete or fix the line; save the file as UTF-8."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            ''',
            files={
                "Dockerfile": "FROM python:3.12-slim\n",
                ".dockerignore": ".git\n!\n",
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
            files={"Dockerfile": "FROM python:3.12-slim\n", ".dockerignore": ".git\n*.pyc\n"},
        )
    ]

    def check_project(self, project: "Project") -> Iterator[Diagnostic]:
        builds = dockerignore_builds(project)
        if not builds:
            return
        build = builds[0]
        ignore = build.ignore
        path = project.root / ".dockerignore"
        if ignore.read_error is not None:
            tf = project.read(path)
            yield self.at_location(
                Location.point(path, tf.line, tf.column),
                f"{ignore.read_error}: fal cannot read it and stops before deploying",
                app=build.app.key,
                help="save .dockerignore as UTF-8 text" if tf.error == "not-utf8" else None,
            )
            return
        lines = ignore.text.split("\n")
        for problem in ignore.problems:
            if problem.affects != "fal":
                continue
            text = lines[problem.line - 1].strip()
            reason = problem.message.partition("stops: ")[2] or problem.message
            yield self.at_location(
                Location(path, problem.line, problem.column, problem.line, problem.end_column),
                f"fal rejects .dockerignore line {code(text)} and stops before deploying "
                f"({reason})",
                app=build.app.key,
                help="delete the line, or escape the character (`\\\\`, `\\!`)",
            )
