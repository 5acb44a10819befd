"""FAL103 `ref-file-not-found`: The file named by ref does not exist."""

from __future__ import annotations

from fallint.rules.ref._base import RefRule
from fallint.rules.ref._common import WEB_APP_PY, files_defining
from fallint.rules.registry import ERROR, Example, register
from fallint.util.suggest import did_you_mean


@register
class RefFileNotFound(RefRule):
    code = "FAL103"
    name = "ref-file-not-found"
    severity = ERROR
    summary = "The file named by ref does not exist"
    what = """
        A `ref` whose file does not exist (paths are relative to the directory of
        `pyproject.toml`). fallint suggests a project file with a similar path, or
        the file that defines the named class.
    """
    why = "fal fails with `No such file or directory` and nothing is deployed."
    fix = "Correct the path (it is relative to `pyproject.toml`, not to the current directory)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/imagegen.py::ImageGen"
            ''',
            files={"apps/image_gen.py": WEB_APP_PY.replace("Web", "ImageGen")},
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "apps/image_gen.py::ImageGen"
            ''',
            files={"apps/image_gen.py": WEB_APP_PY.replace("Web", "ImageGen")},
        )
    ]

    def check_target(self, app, target):
        if target.result is None or target.result.error != "missing":
            return
        project = app.project
        hint = None
        if target.name:
            defining = files_defining(project, target.name)
            if len(defining) == 1:
                hint = f"`{target.name}` is defined in `{defining[0]}`: " \
                       f'did you mean `ref = "{defining[0]}::{target.name}"`?'
        if hint is None:
            similar = did_you_mean(target.file_part, project.python_files)
            if similar:
                suffix = f"::{target.name}" if target.name is not None else ""
                hint = f'did you mean `ref = "{similar}{suffix}"`?'
        yield self.at(
            app,
            ("ref",),
            f"`{target.file_part}` does not exist (paths are relative to the pyproject.toml directory)",
            help=hint,
        )
