"""FAL307 `requirement-install-fails`: A requirement uv accepts but cannot install."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, register
from fallint.rules.requirements._base import RequirementsRule
from fallint.rules.requirements._common import entry_point_app_toml


@register
class RequirementInstallFails(RequirementsRule):
    code = "FAL307"
    name = "requirement-install-fails"
    severity = ERROR
    summary = "A requirement uv accepts but cannot install"
    what = """
        A requirement that parses but fails when uv fetches or installs it: a wheel URL or
        path whose file name is not a valid wheel name, a `name @ URL` whose wheel is
        another project, a `#sha256=` of the wrong length, or `--require-hashes` with
        requirements that carry no hash (on a command line only a direct URL can).
    """
    why = "uv stops at the first of these while building the environment, so the deploy fails."
    fix = """
        Point at the real file (a wheel is named `name-version-pythontag-abitag-platform.whl`),
        fix the hash, or use `-r` with a hashed requirements file inside an image.
    """
    invalid = [
        Example(
            entry_point_app_toml('["torchvision @ https://download.pytorch.org/whl/cu124/torch-2.4.1-cp311-cp311-linux_x86_64.whl"]'),
            expect=["3:32"],
        )
    ]
    valid = [
        Example(
            entry_point_app_toml('["torch @ https://download.pytorch.org/whl/cu124/torch-2.4.1-cp311-cp311-linux_x86_64.whl"]'),
        )
    ]

    def check_requirements(self, reqs):
        kinds = ("invalid-wheel-filename", "name-mismatch", "invalid-hash", "missing-hash")
        for layer, p in reqs.problems(kinds):
            yield self.problem(reqs, layer, p, f"{p.message}: the install fails")
