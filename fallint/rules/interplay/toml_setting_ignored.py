"""FAL601 `toml-setting-ignored`: A TOML setting that the app's class (or fal.function) sets too: fal uses the code's value."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Iterable

from fallint.diagnostics import Location, Related
from fallint.model.fal import HOST_KEYS
from fallint.model.ref_target import (
    RefTarget,
)
from fallint.model.ref_target import (
    short as _short,
)
from fallint.rules.registry import WARNING, Example, Rule, register

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App
from fallint.rules.interplay._common import (
    decorator_keywords,
    known_target,
    same_value,
    setting_related,
    toml_text,
    value_related,
)


def _setting_text(setting: Any) -> str:
    if setting.via == "keyword":
        return f"the class keyword `{setting.name}={_short(setting.source)}`"
    return f"`{setting.name} = {_short(setting.source)}`"


@register
class TomlSettingIgnored(Rule):
    code = "FAL601"
    name = "toml-setting-ignored"
    severity = WARNING
    summary = "A TOML setting that the app's class (or fal.function) sets too: fal uses the code's value"
    what = """
        A host setting in the TOML table of a `ref` app that the deployed class
        also sets -- as a class attribute (`machine_type = "GPU-A100"`), a class
        keyword (`class Web(fal.App, keep_alive=300)`), or in a base class -- or
        that the `@fal.function(...)` decorator passes. Also a TOML `health_check`
        when the class has a health-check endpoint
        (`@fal.endpoint("/health", health_check=...)`).

        Covered: `machine_type`, `num_gpus`, `regions`, `keep_alive`, the
        concurrency, scaling and timeout settings, `termination_grace_period_seconds`,
        `metrics_port`, `private_logs`, `secrets`, `data_mounts`,
        `skip_retry_conditions`, `retry_config`, `app_files` (and `app_files_ignore`),
        `requirements_context_dir`, `health_check`. A value equal to the code's is
        not reported, nor are settings that fal lets the TOML override (a base
        class's `machine_type` equal to fal's default, a `None` value).
    """
    why = """
        fal builds the app from the class first and merges the TOML afterwards,
        keeping every setting the class sets explicitly: the app deploys with the
        code's value and the TOML line has no effect (TOML `app_files` is only a
        fallback for a class without them).
    """
    fix = "Keep each setting in one place: remove it from the TOML, or from the class so the TOML applies."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"
            keep_alive = 600
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App, keep_alive=300):
                    machine_type = "GPU-A100"

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["3:1", "4:1"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            health_check = { path = "/health" }

            [tool.fal.apps.job]
            ref = "job.py::job"
            max_concurrency = 4
            ''',
            files={
                "app.py": """
                    import fal
                    from base import Base


                    class Web(Base):
                        @fal.endpoint("/health", health_check=fal.HealthCheck())
                        def health(self) -> dict:
                            return {"ok": True}
                    """,
                "base.py": "import fal\n\n\nclass Base(fal.App):\n    max_concurrency = 2\n",
                "job.py": "import fal\n\n\n@fal.function(max_concurrency=1)\ndef job() -> int:\n    return 1\n",
            },
            expect=["3:1", "7:1"],
            title="a health-check endpoint; a fal.function's keyword",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"
            keep_alive = 300
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App, keep_alive=300):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
        ),
        Example(
            '''
            [tool.fal.apps.small]
            ref = "app.py::Web"
            machine_type = "M"

            [tool.fal.apps.big]
            ref = "app.py::Web"
            machine_type = "GPU-H100"
            ''',
            files={"app.py": """
                import fal
                from base import Base


                class Web(Base):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """,
                   "base.py": "import fal\n\n\nclass Base(fal.App):\n    machine_type = 'S'\n"},
            title="a base class's default-valued machine_type lets the TOML win",
        ),
    ]

    def check_app(self, app):
        target = known_target(app)
        if target is None:
            return
        if target.is_app:
            yield from self._class_settings(app, target)
        else:
            yield from self._function_keywords(app, target)

    def _class_settings(self, app: "App", target: RefTarget) -> Iterable:
        sources = app.project.sources
        cls = target.symbol.name
        settings = sources.class_settings(target.symbol)
        files = settings.get("app_files")
        for key in HOST_KEYS:
            if key not in app.table:
                continue
            value = app.table[key]
            setting = settings.get(key)
            if setting is not None and setting.overrides_toml is True:
                if same_value(setting.literal, setting.value, value):
                    continue
                inherited = f" (inherited from `{setting.class_name}`)" if setting.inherited else ""
                yield self.at(
                    app,
                    (key,),
                    f"`{key} = {toml_text(value)}` is ignored: class `{cls}` sets "
                    f"{_setting_text(setting)}{inherited}, which fal uses instead",
                    part="key",
                    help=f"remove `{key}` here, or remove it from the class so this value applies",
                    related=[setting_related(setting)],
                )
            elif key == "app_files_ignore" and files is not None and files.overrides_toml is True:
                yield self.at(
                    app,
                    (key,),
                    f"`app_files_ignore` is ignored: class `{cls}` sets `app_files`, so fal keeps "
                    f"the class's `app_files_ignore` (fal's default when the class sets none)",
                    part="key",
                    help="set `app_files_ignore` on the class, next to its `app_files`",
                    related=[setting_related(files)],
                )
        if "health_check" in app.table:
            checks = [r for r in sources.routes(target.symbol) or [] if r.health_check and r.path is not None]
            if checks:
                route = checks[0]
                yield self.at(
                    app,
                    ("health_check",),
                    f"`health_check` is ignored: class `{cls}` declares a health-check endpoint "
                    f"(`{route.method}`), which fal uses instead",
                    part="key",
                    help="remove `health_check` here, or the `health_check=` argument of the endpoint",
                    related=[Related(Location.point(route.path, route.line, route.column, len(route.method)),
                                     f"`{route.class_name}.{route.method}` declares the health check here")],
                )

    def _function_keywords(self, app: "App", target: RefTarget) -> Iterable:
        keywords = decorator_keywords(app, target)
        for key in HOST_KEYS:
            if key not in app.table or key not in keywords:
                continue
            value = keywords[key]
            if same_value(value.literal, value.value, app.table[key]):
                continue
            yield self.at(
                app,
                (key,),
                f"`{key} = {toml_text(app.table[key])}` is ignored: `{target.symbol.name}`'s "
                f"`fal.function(...)` passes `{key}={_short(value.source)}`, which fal uses instead",
                part="key",
                help=f"remove `{key}` here, or from the `fal.function(...)` arguments",
                related=[value_related(target.symbol.path, value, f"`{key}` is passed here")],
            )
