"""FAL310 `local-requirement-not-buildable`: A local directory in requirements without a pyproject.toml [project].name."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fallint.rules.registry import ERROR, Example, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.formats.requirements import (
        LocalPath,
    )
from fallint.model.requirement_layers import USE_LOCAL, USE_UV, AppRequirements
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import (
    TOKENIZER_FILES,
    entry_point_app_toml,
    local_paths,
    why_fal_sees_no_project,
)


def _fal203_covers(reqs: AppRequirements, local: "LocalPath") -> bool:
    """FAL203 reports this project's own missing ``[project].name`` on entry-point apps."""
    if local.directory != reqs.root or not local.has_pyproject or local.error:
        return False
    ep = reqs.app.entry_point
    return ep is not None and ep.resolvable


@register
class LocalRequirementNotBuildable(RequirementsRule):
    code = "FAL310"
    name = "local-requirement-not-buildable"
    severity = ERROR
    summary = "A local directory in requirements without a pyproject.toml [project].name"
    what = """
        A `requirements` string naming an existing directory (after stripping `[extras]`,
        relative to `requirements_context_dir` or the pyproject directory) that has no
        `pyproject.toml`, an unreadable or invalid one, or one without `[project]` `name`.
        This applies to every string, option values included: a bare `numpy` next to a
        `numpy/` directory is such a path. (This project itself, installed by an
        entry-point app, is FAL203.)
    """
    why = """
        fal builds every such directory as an sdist named after `[project].name` and
        raises (`Cannot resolve local-path requirement: no pyproject.toml at ...` or
        `[project].name is missing or empty`) before deploying.
    """
    fix = """
        Give the directory a `pyproject.toml` with `[project]` `name` and `version` (and a
        `[build-system]`), or, if the string was meant as a package from an index, rename
        the directory that shadows it.
    """
    invalid = [
        Example(
            entry_point_app_toml('["./libs/tokenizer"]'),
            files={"libs/tokenizer/setup.py": "from setuptools import setup\nsetup(name='tokenizer')\n"},
            expect=["3:17"],
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('["./libs/tokenizer"]'),
            files=TOKENIZER_FILES,
        )
    ]
    uses = frozenset({USE_UV, USE_LOCAL})

    def check_requirements(self, reqs):
        for layer, index, local in local_paths(reqs):
            why = why_fal_sees_no_project(local)
            if why is None or _fal203_covers(reqs, local):
                continue
            text = layer.strings[index].strip()
            yield self.element(
                reqs, layer, index,
                f"fal builds {code(text)} (the directory {code(reqs.display(local.directory))}) as an "
                f"sdist before deploying, but {why}: fal raises",
                help="add a `pyproject.toml` with `[project]` `name` and `version` to that directory",
            )  # fmt: skip
