"""5xx: runtime, machines and scaling."""

from __future__ import annotations

from fallint.rules.registry import ERROR, WARNING, Example, Rule, register
from fallint.model.fal import CPU_MACHINE_TYPES, MACHINE_TYPES
from fallint.util.suggest import did_you_mean


@register
class NoScaleDeprecated(Rule):
    code = "FAL501"
    name = "no-scale-deprecated"
    severity = WARNING
    summary = "no_scale is deprecated; use app_scale_settings"
    what = "An app that sets the deprecated `no_scale`."
    why = """
        fal prints a deprecation warning and translates it: `no_scale = true` means
        `app_scale_settings = false` (keep the scaling settings of the deployed app)
        and `no_scale = false` means `app_scale_settings = true`.
    """
    fix = "Replace it with the equivalent `app_scale_settings` value shown in the message."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            no_scale = true
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_scale_settings = false
            ''',
        )
    ]

    def check_app(self, app):
        v = app.table.get("no_scale")
        if "no_scale" in app.table:
            repl = f"app_scale_settings = {'false' if v else 'true'}" if isinstance(v, bool) else "app_scale_settings"
            yield self.at(
                app,
                ("no_scale",),
                f"`no_scale` is deprecated; use `{repl}`",
                part="key",
                help=f"replace the line with `{repl}`",
            )


@register
class NoScaleWithScaleSettings(Rule):
    code = "FAL502"
    name = "no-scale-with-scale-settings"
    severity = ERROR
    summary = "no_scale and app_scale_settings set together"
    what = "An app that sets both `no_scale` and `app_scale_settings`."
    why = "When `no_scale` is present fal never reads `app_scale_settings`, then raises `Found unexpected keys`."
    fix = "Remove `no_scale` and keep `app_scale_settings`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            no_scale = true
            app_scale_settings = false
            ''',
            expect=["4:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_scale_settings = false
            ''',
        )
    ]

    def check_app(self, app):
        if "no_scale" in app.table and "app_scale_settings" in app.table:
            yield self.at(
                app,
                ("app_scale_settings",),
                "`app_scale_settings` cannot be combined with the deprecated `no_scale`",
                part="key",
                help="remove `no_scale`",
            )


def _machine_types(app) -> list[tuple[tuple, str]]:
    mt = app.table.get("machine_type")
    if isinstance(mt, str):
        return [(("machine_type",), mt)]
    if isinstance(mt, list):
        return [(("machine_type", i), v) for i, v in enumerate(mt) if isinstance(v, str)]
    return []


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
        )
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
        for path, mt in _machine_types(app):
            if mt in known:
                continue
            hint = did_you_mean(mt, known)
            yield self.at(
                app,
                path,
                f"unknown machine type `{mt}`" + (f"; did you mean `{hint}`?" if hint else ""),
                help="if this is a new fal machine type, add it to [tool.fallint] extra-machine-types",
            )


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
            types = [mt for _, mt in _machine_types(app)]
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


@register
class ConcurrencyBounds(Rule):
    code = "FAL505"
    name = "min-above-max-concurrency"
    severity = WARNING
    summary = "min_concurrency is greater than max_concurrency"
    what = "`min_concurrency` larger than `max_concurrency`."
    why = "The scaler cannot keep more runners warm than it may start; the server rejects or clamps the settings."
    fix = "Make `min_concurrency` at most `max_concurrency`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            min_concurrency = 5
            max_concurrency = 2
            ''',
            expect=["3:19"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            min_concurrency = 1
            max_concurrency = 2
            ''',
        )
    ]

    def check_app(self, app):
        lo, hi = app.table.get("min_concurrency"), app.table.get("max_concurrency")
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi)) and lo > hi:
            yield self.at(
                app,
                ("min_concurrency",),
                f"min_concurrency ({lo}) is greater than max_concurrency ({hi})",
            )

