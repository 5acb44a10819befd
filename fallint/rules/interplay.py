"""6xx: code/config interplay -- TOML settings fal accepts and then silently ignores.

For a ``ref`` app, fal 1.83.0 builds the deployment from the class
(``wrap_app``) and merges the TOML options into it afterwards
(``fal/utils.py`` ``load_function_from`` / ``_merge_host_config``): a host
setting the class sets explicitly keeps the class's value
(:attr:`~fallint.model.sources.Setting.overrides_toml`), the environment's
``requirements`` always come from the class, and a ``@fal.function(...)``
target keeps every option its decorator passes.  All of these are warnings:
the deploy works, just not with what the TOML says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from fallint.diagnostics import Location, Related
from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.rules.ref import (
    RefRule,
    RefTarget,
    class_ancestry,
    environment_owner,
    ref_target,
    short as _short,
    symbol_location,
)

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App

#: TOML keys that fal 1.83.0 puts into the host options (``cli/_utils.py``),
#: under the same name as the class attribute / class keyword / decorator keyword
HOST_KEYS = (
    "machine_type",
    "num_gpus",
    "regions",
    "keep_alive",
    "min_concurrency",
    "max_concurrency",
    "max_multiplexing",
    "concurrency_buffer",
    "concurrency_buffer_perc",
    "scaling_delay",
    "request_timeout",
    "request_start_timeout",
    "startup_timeout",
    "termination_grace_period_seconds",
    "metrics_port",
    "private_logs",
    "secrets",
    "data_mounts",
    "skip_retry_conditions",
    "retry_config",
    "app_files",
    "app_files_ignore",
    "app_files_context_dir",
    "requirements_context_dir",
    "_scheduler",
    "_scheduler_options",
)


def _toml(value: Any) -> str:
    """A TOML value as the user wrote it (near enough), for messages."""
    if isinstance(value, bool):
        return "true" if value else "false"
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        text = str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _same(literal: bool, value: Any, toml_value: Any) -> bool:
    """Does the code's literal value equal the TOML value (nothing is lost)?"""
    return literal and value == toml_value and type(value) is type(toml_value)


def _decorator_keywords(app: "App", target: RefTarget) -> dict:
    """The keywords of the ``@fal.function(...)`` (or ``fal.function(...)(f)``) a
    function target is built with; empty for anything else (``fal.wrap_app``)."""
    if target.kind != "function" or target.symbol is None:
        return {}
    sources = app.project.sources
    decorator = sources.fal_function_decorator(target.symbol)
    if decorator is None or not decorator.called:
        return {}
    return decorator.keywords


def _value_related(path: Path, value: Any, message: str) -> Related:
    return Related(Location.point(Path(path), value.line, value.column, len(value.source.split("\n")[0])), message)


def _setting_related(setting: Any) -> Related:
    where = f"`{setting.class_name}` sets `{setting.name}` here"
    return Related(Location.point(setting.path, setting.line, setting.column, len(setting.name)), where)


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
        target = _target(app)
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
                if _same(setting.literal, setting.value, value):
                    continue
                inherited = f" (inherited from `{setting.class_name}`)" if setting.inherited else ""
                yield self.at(
                    app,
                    (key,),
                    f"`{key} = {_toml(value)}` is ignored: class `{cls}` sets "
                    f"{_setting_text(setting)}{inherited}, which fal uses instead",
                    part="key",
                    help=f"remove `{key}` here, or remove it from the class so this value applies",
                    related=[_setting_related(setting)],
                )
            elif key == "app_files_ignore" and files is not None and files.overrides_toml is True:
                yield self.at(
                    app,
                    (key,),
                    f"`app_files_ignore` is ignored: class `{cls}` sets `app_files`, so fal keeps "
                    f"the class's `app_files_ignore` (fal's default when the class sets none)",
                    part="key",
                    help="set `app_files_ignore` on the class, next to its `app_files`",
                    related=[_setting_related(files)],
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
        keywords = _decorator_keywords(app, target)
        for key in HOST_KEYS:
            if key not in app.table or key not in keywords:
                continue
            value = keywords[key]
            if _same(value.literal, value.value, app.table[key]):
                continue
            yield self.at(
                app,
                (key,),
                f"`{key} = {_toml(app.table[key])}` is ignored: `{target.symbol.name}`'s "
                f"`fal.function(...)` passes `{key}={_short(value.source)}`, which fal uses instead",
                part="key",
                help=f"remove `{key}` here, or from the `fal.function(...)` arguments",
                related=[_value_related(target.symbol.path, value, f"`{key}` is passed here")],
            )


def _target(app: "App") -> RefTarget | None:
    """The app's resolved ``ref`` target, when fal's choice of it is known."""
    target = ref_target(app)
    if target is None or target.symbol is None or target.symbol.path is None:
        return None
    return target


@register
class TomlRequirementsIgnored(Rule):
    code = "FAL602"
    name = "toml-requirements-ignored"
    severity = WARNING
    summary = "TOML requirements on a ref app: fal installs the class's requirements instead"
    what = """
        `requirements` in the TOML table of an app whose `ref` names a `fal.App`
        class (or a `@fal.function(requirements=...)`).
    """
    why = """
        fal builds a class-based app's environment from the class's `requirements`
        attribute (empty when it sets none) and never reads the TOML list: the
        packages listed here are not installed and the app fails on import.
    """
    fix = "Move the requirements into the class: `requirements = [...]` in its body."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            requirements = ["numpy==2.1.0"]
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        import numpy

                        return {"version": numpy.__version__}
                """},
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.job]
            ref = "job.py::job"
            requirements = ["numpy==2.1.0"]
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    requirements = ["numpy==2.1.0"]

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """,
                   "job.py": "import fal\n\n\n@fal.function()\ndef job() -> int:\n    return 1\n"},
            title="requirements on the class; a fal.function that passes none",
        )
    ]

    def check_app(self, app):
        if "requirements" not in app.table:
            return
        target = _target(app)
        if target is None:
            return
        value = app.table["requirements"]
        name = target.symbol.name
        if target.is_app:
            setting = app.project.sources.class_settings(target.symbol).get("requirements")
            if setting is not None and _same(setting.literal, setting.value, value):
                return
            if setting is None:
                what = f"class `{name}` sets none, so none of these are installed"
                related = [Related(symbol_location(target.symbol), f"`{name}` has no `requirements`")]
            else:
                what = f"fal installs class `{name}`'s `requirements = {_short(setting.source)}`"
                related = [_setting_related(setting)]
            help = f"move these requirements into the class: `requirements = {_toml(value)}` in `{name}`"
        else:
            keyword = _decorator_keywords(app, target).get("requirements")
            if keyword is None or _same(keyword.literal, keyword.value, value):
                return
            what = f"`{name}`'s `fal.function(...)` passes `requirements={_short(keyword.source)}`, which fal uses"
            related = [_value_related(target.symbol.path, keyword, "`requirements` is passed here")]
            help = "keep the requirements in one place: the `fal.function(...)` arguments"
        yield self.at(
            app,
            ("requirements",),
            f"`requirements` is ignored for this `ref` app: {what}",
            part="key",
            help=help,
            related=related,
        )


@register
class PrivateLogsAttributeIgnored(RefRule):
    code = "FAL603"
    name = "private-logs-attribute-ignored"
    severity = WARNING
    summary = "private_logs set as a class attribute: fal ignores it"
    what = """
        `private_logs = ...` in the body of the `fal.App` class an app deploys (or
        of a base class).
    """
    why = """
        fal reads `private_logs` only as a class keyword
        (`class Web(fal.App, private_logs=True)`) or from the TOML: the attribute
        has no effect and the logs stay as they were.
    """
    fix = "Pass it as a class keyword, or set `private_logs` in the app's TOML table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App):
                    private_logs = True

                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:5:5"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal


                class Web(fal.App, private_logs=True):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
        )
    ]

    def check_target(self, app, target):
        if not target.is_app:
            return
        sources = app.project.sources
        read = sources.class_settings(target.symbol).get("private_logs")
        for symbol, entry in class_ancestry(sources, target.symbol):
            attribute = entry.attribute("private_logs")
            if attribute is None:
                continue
            if (read is not None and read.via == "attribute" and read.line == attribute.line
                    and Path(read.path) == Path(symbol.path)):
                continue  # a base passes private_logs= as a keyword: fal reads the attribute
            yield from self.in_python(
                app,
                Location.point(Path(symbol.path), attribute.line, attribute.column, len("private_logs")),
                f"`private_logs = {_short(attribute.value.source)}` in the class body is ignored by fal; "
                f"only the class keyword (or the TOML) sets it",
                help=f"write `class {entry.name}(..., private_logs={_short(attribute.value.source)})`, "
                     f"or `private_logs = ...` in the app's TOML table",
                related=[Related(app.span("ref"), f"app `{app.key}` deploys `{target.symbol.name}`")],
            )


@register
class TomlImageIgnored(Rule):
    code = "FAL604"
    name = "toml-image-ignored"
    severity = WARNING
    summary = "TOML image on a ref app: fal builds the class's environment instead"
    what = """
        An `image` table on an app whose `ref` names a `fal.App` class or a
        `@fal.function`.
    """
    why = """
        fal merges the TOML environment into the one the class (or decorator)
        already defines without overwriting it, and that one always has a `kind`
        (`virtualenv` unless the code says otherwise). So the container `kind`
        from the TOML `image` never takes effect: the Dockerfile is read and
        checked, but the app is not built from it. (A TOML `image` does take
        effect for `python_entry_point` apps and for image-only apps.)
    """
    fix = """
        Set the image in code (`image = ContainerImage.from_dockerfile("Dockerfile")`
        in the class body, or `kind="container", image=...` in `@fal.function`), or
        deploy the module with `python_entry_point` so the TOML `image` applies.
    """
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "Dockerfile" }
            ''',
            files={
                "app.py": """
                import fal


                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """,
                "Dockerfile": "FROM python:3.12-slim\n",
            },
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            image = { dockerfile = "Dockerfile" }
            exposed_port = 8080
            ''',
            files={"Dockerfile": 'FROM python:3.12-slim\nCMD ["python", "-m", "http.server", "8080"]\n'},
            title="an image-only app",
        )
    ]

    def check_app(self, app):
        if "image" not in app.table:
            return
        target = environment_owner(app)
        if target is None:
            return
        name = target.symbol.name
        what = f"class `{name}`" if target.is_app else f"`{name}`'s `fal.function(...)`"
        yield self.at(
            app,
            ("image",),
            f"`image` is ignored for this `ref` app: fal keeps the environment {what} defines "
            "and does not build this image",
            part="key",
            help="set the image in code (ContainerImage in the class), or use python_entry_point",
            related=[Related(symbol_location(target.symbol), f"`{name}` defines the environment")],
        )
