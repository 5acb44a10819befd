"""0xx: the TOML itself and the shape of ``[tool.fal]`` and its app tables."""

from __future__ import annotations

from fallint.diagnostics import Location
from fallint.rules.registry import ERROR, WARNING, Example, Rule, register
from fallint.model.fal import (
    APP_KEYS,
    AUTH_MODES,
    DEPLOYMENT_STRATEGIES,
    FAL_TOP_KEYS,
    HEALTH_CHECK_KEYS,
    IMAGE_KEYS,
    INT_KEYS,
    PORT_KEYS,
    REGIONS,
    REGISTRY_KEYS,
    RETRY_CONDITIONS,
    RETRY_ENTRY_KEYS,
)
from fallint.util.suggest import did_you_mean, did_you_mean_text
from fallint.util.text import type_name

APPS = ("tool", "fal", "apps")


def _fmt(value) -> str:
    import json

    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict,)):
        return "a table"
    if isinstance(value, list):
        return "an array"
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


@register
class InvalidToml(Rule):
    code = "FAL001"
    name = "invalid-toml"
    severity = ERROR
    summary = "pyproject.toml cannot be read or parsed"
    what = """
        A syntax error in `pyproject.toml` (at the parser's position), or a file
        that is not UTF-8 text, too large, or unreadable. fallint reports every
        syntax error it can find: after each one it skips the broken statement and
        keeps checking the apps that parsed.
    """
    why = """
        fal parses the whole file with tomli before it looks at any app: one syntax
        error anywhere stops every `fal run` and `fal deploy` in the project.
    """
    fix = "Correct the TOML at the reported position (an unclosed string, a missing `=` or value, a key defined twice)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web
            ''',
            expect=["2:19"],
            title="unterminated string",
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ref = "other.py::Web"
            ''',
            expect=["3:1"],
            title="a key defined twice",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": "import fal\n\nclass Web(fal.App):\n    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n"},
        )
    ]

    def check_project(self, project):
        for err in project.load_errors:
            loc = Location.point(project.pyproject_path, err.line, err.column)
            yield self.at_location(loc, err.message)


@register
class AppNotATable(Rule):
    code = "FAL002"
    name = "app-not-a-table"
    severity = ERROR
    summary = "An entry of [tool.fal.apps] is not a table"
    what = "An app under `[tool.fal.apps]` whose value is a string, number or array instead of a table."
    why = "fal's loader copies each app as a table; any other value crashes `fal run`/`fal deploy` for that app."
    fix = "Make the app a table: `[tool.fal.apps.web]` with keys below it, or `web = { ref = \"app.py::Web\" }`."
    invalid = [
        Example(
            '''
            [tool.fal.apps]
            web = "app.py::Web"
            ''',
            expect=["2:7"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps]
            web = { ref = "app.py::Web" }
            ''',
            files={"app.py": "import fal\n\nclass Web(fal.App):\n    @fal.endpoint('/')\n    def run(self) -> dict:\n        return {}\n"},
        )
    ]

    def check_project(self, project):
        table = project.apps_table
        if not isinstance(table, dict):
            return
        for key, value in table.items():
            if not isinstance(value, dict) and project.selected(key):
                yield self.at_key(
                    project,
                    APPS + (key,),
                    f"app `{key}` must be a table, not {type_name(value)} ({_fmt(value)})",
                    app=key,
                    help=f"write `[tool.fal.apps.{key}]` with `ref = ...` below it",
                )


def _sub_tables(app):
    """(path, table, known keys, what) for every table fal checks key by key."""
    yield (), app.table, APP_KEYS, f"app `{app.key}`"
    hc = app.table.get("health_check")
    if isinstance(hc, dict):
        yield ("health_check",), hc, HEALTH_CHECK_KEYS, "health_check"
    img = app.table.get("image")
    if isinstance(img, dict):
        yield ("image",), img, IMAGE_KEYS, "image"
        regs = img.get("registries")
        if isinstance(regs, dict):
            for reg, entry in regs.items():
                if isinstance(entry, dict):
                    yield ("image", "registries", reg), entry, REGISTRY_KEYS, f"registry `{reg}`"
    rc = app.table.get("retry_config")
    if isinstance(rc, dict):
        for cond, entry in rc.items():
            if isinstance(entry, dict):
                yield ("retry_config", cond), entry, RETRY_ENTRY_KEYS, f"retry_config.{cond}"


@register
class UnknownKey(Rule):
    code = "FAL003"
    name = "unknown-key"
    severity = ERROR
    summary = "A key fal does not accept in an app, health_check, image, registry or retry_config table"
    what = """
        A key that fal 1.83.0 does not know in an app table or in its `health_check`,
        `image`, `image.registries.<name>` or `retry_config.<condition>` tables, with
        a "did you mean" suggestion. Keys inside an app are *not* normalised by fal:
        `machine-type` is not `machine_type`.
    """
    why = "fal raises `Found unexpected keys` and refuses to run or deploy the app."
    fix = "Correct the spelling (see the suggestion) or remove the key."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keepalive = 300
            machine-type = "GPU-H100"
            health_check = { path = "/health", timeout = 5 }
            ''',
            expect=["3:1", "4:1", "5:36"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 300
            machine_type = "GPU-H100"
            health_check = { path = "/health", timeout_seconds = 5 }
            ''',
        )
    ]

    def check_app(self, app):
        for path, table, known, what in _sub_tables(app):
            for key in table:
                if key in known:
                    continue
                if path == () and key == "app_scale_settings" and "no_scale" in table:
                    continue  # reported as no-scale-with-scale-settings
                hint = did_you_mean(key, known)
                yield self.at(
                    app,
                    path + (key,),
                    f"unknown key `{key}` in {what}" + (f"; did you mean `{hint}`?" if hint else ""),
                    part="key",
                    help=(f"rename it to `{hint}`" if hint else f"accepted keys: {', '.join(sorted(known))}"),
                )


@register
class WrongType(Rule):
    code = "FAL004"
    name = "wrong-type"
    severity = ERROR
    summary = "A value of the wrong type (a bool is not an integer, 3.12 is not \"3.12\")"
    what = """
        A key whose value has a type fal or the fal server does not accept: a string
        where an integer is needed, a boolean where an integer is needed (`true` is
        not `1`), a float for `python_version`, a `requirements` string, a
        `health_check` or `image` that is not a table, and so on.
    """
    why = "fal raises before deploying (`must be an integer`, `must be a list of strings` ...) or the server rejects the app."
    fix = "Write the value with the type shown in the message."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = true
            python_version = 3.12
            requirements = "numpy"
            ''',
            expect=["3:14", "4:18", "5:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 300
            python_version = "3.12"
            requirements = [["numpy"], ["torch"]]
            ''',
        )
    ]

    def check_app(self, app):
        for path, table, known, _what in _sub_tables(app):
            for key, value in table.items():
                kind = known.get(key)
                if kind is None or kind.check(value) or (key == "requirements" and isinstance(value, list)):
                    # an array of the wrong shape: FAL301 points at the offending elements
                    continue
                extra = ""
                if key == "python_version" and isinstance(value, (int, float)) and not isinstance(value, bool):
                    extra = f" (write `\"{value}\"`)"
                yield self.at(
                    app,
                    path + (key,),
                    f"`{'.'.join(map(str, path + (key,)))}` must be {kind.name}, not {type_name(value)}{extra}",
                )
        img = app.table.get("image")
        if isinstance(img, dict):
            regs = img.get("registries")
            if isinstance(regs, dict):
                for reg, entry in regs.items():
                    if not isinstance(entry, dict):
                        yield self.at(
                            app,
                            ("image", "registries", reg),
                            f"registry `{reg}` must be a table with `username` and `password`, not {type_name(entry)}",
                        )
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond, entry in rc.items():
                if not isinstance(entry, dict):
                    yield self.at(
                        app,
                        ("retry_config", cond),
                        f"retry_config.{cond} must be a table `{{ retries = <int> }}`, not {type_name(entry)}",
                    )


@register
class MissingRunTarget(Rule):
    code = "FAL005"
    name = "missing-run-target"
    severity = ERROR
    summary = "An app has no ref, python_entry_point or image"
    what = "An app table with none of `ref`, `python_entry_point` or `image`: there is nothing to run."
    why = "fal raises `App ... does not have a ref key in pyproject.toml`."
    fix = "Add `ref = \"path/to/file.py::ClassName\"` (or a `python_entry_point`, or an `image` table)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            machine_type = "S"
            ''',
            expect=["1:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "S"
            ''',
        )
    ]

    def check_app(self, app):
        if not any(k in app.table for k in ("ref", "python_entry_point", "image")):
            yield self.at(
                app,
                (),
                f"app `{app.key}` has nothing to run: set `ref`, `python_entry_point` or `image`",
                part="key",
                help='add `ref = "app.py::MyApp"`',
            )


@register
class RefWithEntryPoint(Rule):
    code = "FAL006"
    name = "ref-with-entry-point"
    severity = ERROR
    summary = "An app sets both ref and python_entry_point"
    what = "An app with both `ref` and `python_entry_point`."
    why = "fal raises `cannot have both ref and python_entry_point keys`."
    fix = "Keep one of them: `ref` for a file in this repository, `python_entry_point` for an installed module."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            python_entry_point = "web.app:Web"
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
        )
    ]

    def check_app(self, app):
        if "ref" in app.table and "python_entry_point" in app.table:
            yield self.at(
                app,
                ("python_entry_point",),
                "`ref` and `python_entry_point` cannot both be set",
                part="key",
                help="remove one of them",
            )


@register
class MissingRequiredKey(Rule):
    code = "FAL007"
    name = "missing-required-key"
    severity = ERROR
    summary = "health_check without path, or a retry_config condition without retries"
    what = "A `health_check` table without `path`, or a `retry_config.<condition>` table without `retries`."
    why = "fal raises (`health_check must specify 'path'`, `retry_config[...] must be an object of the form {\"retries\": ...}`)."
    fix = "Add the missing key."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            health_check = { timeout_seconds = 5 }

            [tool.fal.apps.web.retry_config]
            timeout = {}
            ''',
            expect=["3:16", "6:11"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            health_check = { path = "/health", timeout_seconds = 5 }

            [tool.fal.apps.web.retry_config]
            timeout = { retries = 2 }
            ''',
        )
    ]

    def check_app(self, app):
        hc = app.table.get("health_check")
        if isinstance(hc, dict) and "path" not in hc:
            yield self.at(app, ("health_check",), "health_check must set `path`", help='add `path = "/health"`')
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond, entry in rc.items():
                if isinstance(entry, dict) and "retries" not in entry:
                    yield self.at(
                        app,
                        ("retry_config", cond),
                        f"retry_config.{cond} must set `retries`",
                        help=f"write `{cond} = {{ retries = 3 }}`",
                    )


@register
class NoApps(Rule):
    code = "FAL008"
    name = "no-apps"
    severity = WARNING
    summary = "[tool.fal] has no apps, or [tool.fal.apps] is empty"
    what = "A `[tool.fal]` table without an `apps` table, or an empty `[tool.fal.apps]`."
    why = "`fal run <app>` and `fal deploy <app>` find nothing: probably a misspelt or forgotten table."
    fix = "Add `[tool.fal.apps.<name>]` tables, or remove the empty `[tool.fal]` table."
    invalid = [
        Example(
            '''
            [tool.fal]
            ''',
            expect=["1:1"],
        ),
        Example(
            '''
            [tool.fal.apps]
            ''',
            expect=["1:1"],
            title="empty apps table",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
        )
    ]

    def check_project(self, project):
        fal = project.fal
        if not isinstance(fal, dict) or project.broken_apps or project.partially_broken:
            return
        apps = {k.replace("--", "").replace("-", "_"): v for k, v in fal.items()}.get("apps")
        if apps is None:
            yield self.at_key(
                project,
                ("tool", "fal"),
                "[tool.fal] defines no apps",
                part="header",
                help="add a `[tool.fal.apps.<name>]` table",
            )
        elif isinstance(apps, dict) and not apps:
            yield self.at_key(
                project,
                APPS,
                "[tool.fal.apps] is empty",
                part="header",
                help="add a `[tool.fal.apps.<name>]` table",
            )
        elif not isinstance(apps, dict):
            yield self.at_key(
                project, APPS, f"[tool.fal] `apps` must be a table, not {type_name(apps)}"
            )


@register
class UnknownFalSetting(Rule):
    code = "FAL009"
    name = "unknown-fal-setting"
    severity = WARNING
    summary = "A key directly under [tool.fal] that fal ignores (e.g. a misspelt [tool.fal.app.x])"
    what = """
        A key directly under `[tool.fal]` other than `apps`. fal normalises these keys
        (`--` removed, `-` turned into `_`) and then reads only `apps`: anything else,
        such as a misspelt `[tool.fal.app.web]`, is silently ignored.
    """
    why = "The apps under a misspelt table do not exist: `fal deploy web` says `App web not found`."
    fix = "Move the apps under `[tool.fal.apps]`, or remove the key."
    invalid = [
        Example(
            '''
            [tool.fal.app.web]
            ref = "app.py::Web"
            ''',
            expect=["1:11"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
        )
    ]

    def check_project(self, project):
        fal = project.fal
        if not isinstance(fal, dict):
            return
        for key in fal:
            norm = key.replace("--", "").replace("-", "_")
            if norm in FAL_TOP_KEYS:
                continue
            hint = did_you_mean(norm, FAL_TOP_KEYS)
            yield self.at_key(
                project,
                ("tool", "fal", key),
                f"fal ignores `[tool.fal]` key `{key}`" + (f"; did you mean `{hint}`?" if hint else "")
                + (" (the apps under it do not exist)" if hint == "apps" else ""),
                part="key",
            )


@register
class DuplicateAppName(Rule):
    code = "FAL010"
    name = "duplicate-app-name"
    severity = WARNING
    summary = "Two app keys deploy under the same name"
    what = "Two app tables whose deployed name (`name`, defaulting to the table key) is the same."
    why = "Each `fal deploy` of one silently replaces the other."
    fix = "Give each app a distinct `name`, or remove the duplicate table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.web-gpu]
            ref = "app.py::Web"
            name = "web"
            ''',
            expect=["1:16", "6:8"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fal.apps.web-gpu]
            ref = "app.py::Web"
            name = "web-gpu"
            ''',
        )
    ]

    def check_project(self, project):
        by_name: dict[str, list] = {}
        for app in project.all_apps:
            by_name.setdefault(app.deployed_name, []).append(app)
        for name, apps in by_name.items():
            if len(apps) < 2:
                continue
            for app in apps:
                if not project.selected(app.key):
                    continue
                others = ", ".join(f"`{a.key}`" for a in apps if a is not app)
                where = ("name",) if "name" in app.table else ()
                yield self.at(
                    app,
                    where,
                    f"app `{app.key}` deploys as `{name}`, like {others}: each deploy replaces the other",
                    part="value" if where else "key",
                    help="set a distinct `name`",
                )


_CHOICES = {
    "auth": AUTH_MODES,
    "deployment_strategy": DEPLOYMENT_STRATEGIES,
}
_LIST_CHOICES = {
    "regions": REGIONS,
    "skip_retry_conditions": RETRY_CONDITIONS,
}


@register
class InvalidChoice(Rule):
    code = "FAL011"
    name = "invalid-choice"
    severity = ERROR
    summary = "A value outside the allowed set (auth, deployment_strategy, regions, retry conditions)"
    what = """
        `auth` other than `private`/`public`/`shared`, `deployment_strategy` other than
        `rolling`/`recreate`, a region other than `us-west`, `us-central`, `us-east`,
        `eu-north`, `eu-west`, or a retry condition (in `skip_retry_conditions` or as a
        `retry_config` key) other than `timeout`, `server_error`, `connection_error`.
    """
    why = "fal raises for regions and retry conditions; the server rejects unknown auth modes and strategies."
    fix = "Use one of the values listed in the message."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            auth = "Public"
            regions = ["us-west", "eu-central"]
            skip_retry_conditions = ["timeouts"]
            ''',
            expect=["3:8", "4:23", "5:26"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            auth = "public"
            regions = ["us-west", "eu-west"]
            skip_retry_conditions = ["timeout"]
            ''',
        )
    ]

    def check_app(self, app):
        for key, allowed in _CHOICES.items():
            value = app.table.get(key)
            if isinstance(value, str) and value not in allowed:
                yield self._bad(app, (key,), key, value, allowed)
        for key, allowed in _LIST_CHOICES.items():
            value = app.table.get(key)
            if isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str) and item not in allowed:
                        yield self._bad(app, (key, i), key, item, allowed)
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond in rc:
                if cond not in RETRY_CONDITIONS:
                    yield self._bad(app, ("retry_config", cond), "retry_config", cond, RETRY_CONDITIONS, part="key")

    def _bad(self, app, path, key, value, allowed, part="value"):
        return self.at(
            app,
            path,
            f"`{value}` is not a valid {key} value{did_you_mean_text(value, allowed)}",
            part=part,
            help="allowed: " + ", ".join(allowed),
        )


@register
class PortOutOfRange(Rule):
    code = "FAL012"
    name = "port-out-of-range"
    severity = ERROR
    summary = "exposed_port or metrics_port outside 0-65535"
    what = "An `exposed_port` or `metrics_port` below 0 or above 65535."
    why = "fal raises `must be between 0 and 65535`."
    fix = "Use a valid TCP port number."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            exposed_port = 80800
            ''',
            expect=["3:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            exposed_port = 8080
            ''',
        )
    ]

    def check_app(self, app):
        for key in PORT_KEYS:
            v = app.table.get(key)
            if isinstance(v, int) and not isinstance(v, bool) and not 0 <= v <= 65535:
                yield self.at(app, (key,), f"{key} {v} is outside 0-65535")


@register
class NegativeValue(Rule):
    code = "FAL013"
    name = "negative-value"
    severity = WARNING
    summary = "A count, timeout or retry number below zero"
    what = """
        A negative value for a concurrency count, timeout, delay, `keep_alive`,
        `num_gpus`, a health-check number, or `retries`.
    """
    why = """
        fal passes these to the server unchecked (and clamps negative `retries` to 0):
        a negative number is never what was meant and is rejected or ignored remotely.
    """
    fix = "Use zero or a positive number."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = -1
            retry_config = { timeout = { retries = -2 } }
            ''',
            expect=["3:14", "4:40"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            keep_alive = 0
            retry_config = { timeout = { retries = 2 } }
            ''',
        )
    ]

    def check_app(self, app):
        def neg(v):
            return isinstance(v, int) and not isinstance(v, bool) and v < 0

        for key in INT_KEYS:
            if neg(app.table.get(key)):
                yield self.at(app, (key,), f"{key} is negative ({app.table[key]})")
        hc = app.table.get("health_check")
        if isinstance(hc, dict):
            for key in ("start_period_seconds", "timeout_seconds", "failure_threshold"):
                if neg(hc.get(key)):
                    yield self.at(app, ("health_check", key), f"health_check.{key} is negative ({hc[key]})")
        rc = app.table.get("retry_config")
        if isinstance(rc, dict):
            for cond, entry in rc.items():
                if isinstance(entry, dict) and neg(entry.get("retries")):
                    yield self.at(
                        app,
                        ("retry_config", cond, "retries"),
                        f"retry_config.{cond}.retries is negative ({entry['retries']}); fal treats it as 0",
                    )


@register
class EmptyValue(Rule):
    code = "FAL014"
    name = "empty-value"
    severity = ERROR
    summary = "A string fal requires to be non-empty is empty (image.image, _scheduler)"
    what = "`image.image` or `_scheduler` set to an empty or blank string."
    why = "fal raises `must be a non-empty string`."
    fix = "Give the value, or remove the key."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = " "
            ''',
            expect=["2:9"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "python:3.12-slim"
            ''',
        )
    ]

    def check_app(self, app):
        v = app.get("image", "image")
        if isinstance(v, str) and not v.strip():
            yield self.at(app, ("image", "image"), "image.image must be a non-empty image reference")
        v = app.table.get("_scheduler")
        if isinstance(v, str) and not v:
            yield self.at(app, ("_scheduler",), "_scheduler must be a non-empty string")


@register
class EmptyRetryConfig(Rule):
    code = "FAL015"
    name = "empty-retry-config"
    severity = WARNING
    summary = "retry_config has no conditions"
    what = "A `retry_config` table with no condition in it."
    why = "fal accepts it and it does nothing: probably the conditions were forgotten or misplaced."
    fix = "Add conditions (`timeout = { retries = 3 }`) or remove the table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            retry_config = {}
            ''',
            expect=["3:16"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            retry_config = { timeout = { retries = 3 } }
            ''',
        )
    ]

    def check_app(self, app):
        rc = app.table.get("retry_config")
        if isinstance(rc, dict) and not rc:
            yield self.at(app, ("retry_config",), "retry_config has no conditions")
