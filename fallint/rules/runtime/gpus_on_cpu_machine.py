"""FAL504 `gpus-on-cpu-machine`: num_gpus on a CPU machine type."""

from __future__ import annotations

from fallint.model.fal import CPU_MACHINE_TYPES
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.rules.runtime._common import machine_types


@register
class GpusOnCpuMachine(Rule):
    code = "FAL504"
    name = "gpus-on-cpu-machine"
    severity = WARNING
    summary = "num_gpus on a CPU machine type"
    what = "`num_gpus` set on an app whose `machine_type` names only CPU machine types (or none: the default is `S`)."
    why = "`num_gpus` only applies to GPU machine types: the app will not get a GPU."
    fix = "Choose a GPU machine type, or remove `num_gpus`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "M"
            num_gpus = 2
            ''',
            expect=["4:12"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"
            num_gpus = 2
            ''',
        )
    ]

    def check_app(self, app):
        n = app.table.get("num_gpus")
        if n is None or n == 0:
            return
        if "machine_type" in app.table:
            types = [mt for _, mt in machine_types(app)]
            if not types or not all(mt in CPU_MACHINE_TYPES for mt in types):
                return
            what = ", ".join(f"`{t}`" for t in types)
        else:
            what = "the default `S`"
        yield self.at(
            app,
            ("num_gpus",),
            f"num_gpus = {n} has no effect on CPU machine type {what}",
            help="set a GPU machine_type such as `GPU-H100`",
        )
