"""FAL503 `unknown-machine-type`: machine_type is not a known fal machine type."""

from __future__ import annotations

from fallint.model.fal import MACHINE_TYPES
from fallint.rules._fixes import text_at
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.rules.runtime._common import machine_types
from fallint.util.suggest import did_you_mean


@register
class UnknownMachineType(Rule):
    code = "FAL503"
    name = "unknown-machine-type"
    severity = WARNING
    summary = "machine_type is not a known fal machine type"
    what = """
        A `machine_type` (or an entry of a `machine_type` list) that is not one of
        fal's documented types: CPU `XS`, `S`, `M`, `L`, `XL`; GPU `GPU-A6000`,
        `GPU-A100`, `GPU-H100`, `GPU-H200`, `GPU-B200`, `GPU-L40`, `GPU-RTX4090`,
        `GPU-RTX5090`. Names are case-sensitive.
    """
    why = """
        The server is the authority and rejects unknown types at deploy time. The list
        grows, so this is a warning: declare new names in `[tool.fallint]`
        `extra-machine-types`.
    """
    fix = "Use the suggested name, or add the type to `extra-machine-types`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = ["GPU-h100", "GPU-A100"]
            ''',
            expect=["3:17"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "gpu-h100"
            ''',
            expect=["3:16"],
            title="only the case is wrong (what `--fix` changes)",
            fixed='''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"
            ''',
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = ["GPU-H100", "GPU-X9000"]

            [tool.fallint]
            extra-machine-types = ["GPU-X9000"]
            ''',
        )
    ]

    def check_app(self, app):
        known = list(MACHINE_TYPES) + list(app.project.config.extra_machine_types)
        for path, mt in machine_types(app):
            if mt in known:
                continue
            hint = did_you_mean(mt, known)
            yield self.at(
                app,
                path,
                f"unknown machine type `{mt}`" + (f"; did you mean `{hint}`?" if hint else ""),
                help="if this is a new fal machine type, add it to [tool.fallint] extra-machine-types",
            )

    fix_availability = "sometimes"

    def fix_for(self, diagnostic, project):
        """A machine type that differs from a known one only in case: write the known one."""
        from fallint.diagnostics import Edit, Fix

        source = text_at(project, diagnostic.location)
        if source is None or len(source) < 2 or source[0] not in "\"'" or source[-1] != source[0]:
            return None
        value = source[1:-1]
        known = list(MACHINE_TYPES) + list(project.config.extra_machine_types)
        matches = [k for k in known if k.lower() == value.lower()]
        if len(matches) != 1 or matches[0] == value:
            return None
        quote = source[0]
        return Fix.safe(f"Write `{matches[0]}`", Edit.replace(diagnostic.location, f"{quote}{matches[0]}{quote}"))
