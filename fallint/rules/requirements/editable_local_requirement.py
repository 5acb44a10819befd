"""FAL313 `editable-local-requirement`: -e with a local directory: fal uploads it as an archive, which uv cannot install editable."""

from __future__ import annotations

from fallint.rules._fixes import app_of, parse_keypath, remove_element
from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import (
    TOKENIZER_FILES,
    editable_locals,
    entry_point_app_toml,
)
from fallint.util.text import code


@register
class EditableLocalRequirement(RequirementsRule):
    code = "FAL313"
    name = "editable-local-requirement"
    severity = ERROR
    summary = "-e with a local directory: fal uploads it as an archive, which uv cannot install editable"
    what = "`-e .`, `-e ./libs/x` or `--editable=...` naming an existing local directory."
    why = """
        fal rewrites the directory into `<name> @ <url of an uploaded sdist>` before uv
        sees it, and uv refuses to install a remote archive as editable: the environment
        build fails. (An editable install would not help on a worker anyway: there is
        no source tree to edit.)
    """
    fix = "Drop the `-e`: `requirements = [\".\"]`."
    invalid = [Example(entry_point_app_toml('["-e", "./libs/tokenizer", "torch==2.4.1"]'), files=TOKENIZER_FILES, expect=["3:17"],
                       fixed=entry_point_app_toml('["./libs/tokenizer", "torch==2.4.1"]'))]
    valid = [Example(entry_point_app_toml('["./libs/tokenizer", "torch==2.4.1"]'), files=TOKENIZER_FILES)]

    def check_requirements(self, reqs):
        for (_, value_index), (layer, item) in editable_locals(reqs).items():
            value = (item.value or "").strip()
            yield self.element(
                reqs, layer, item.index,
                f"`-e {value}`: fal uploads the directory as an sdist URL, and uv cannot install a "
                "remote archive as editable, so the install fails",
                help=f"drop the `-e`: {code(value)}",
            )  # fmt: skip

    fix_availability = "sometimes"

    def fix_for(self, diagnostic, project):
        """Remove the `-e` element (safe: uv cannot install the uploaded archive editable,
        and there is no source tree to edit on a worker)."""
        from fallint.diagnostics import Fix

        app = app_of(project, diagnostic)
        keypath = parse_keypath(diagnostic.key)
        reqs = app.requirements if app is not None else None
        if reqs is None or keypath is None:
            return None
        for layer, item in editable_locals(reqs).values():
            if app.path + layer.element(item.index) == keypath:
                if layer.strings[item.index].strip() not in ("-e", "--editable"):
                    return None
                edit = remove_element(project, keypath)
                return Fix.safe("Remove the `-e`", edit) if edit is not None else None
        return None
