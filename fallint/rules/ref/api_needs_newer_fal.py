"""FAL116 `api-needs-newer-fal`: The app's file uses a fal name or class keyword the deploying fal release lacks."""

from __future__ import annotations

import re
from pathlib import Path

from fallint.diagnostics import Location
from fallint.rules.ref._base import RefRule
from fallint.rules.registry import ERROR, Example, register

_IMPORT_FAL_RE = re.compile(r"\bfal(?:\.[A-Za-z_]\w*)+")


def _text_position(app, path: Path, line: int, text: str, column: int) -> tuple[int, int]:
    """Where ``text`` first stands on ``line`` from ``column`` on (else ``column``)."""
    source = app.project.files.line(path, line)
    found = source.find(text, column - 1) if source is not None else -1
    return (line, found + 1) if found >= 0 else (line, column)


def _keyword_position(app, path: Path, keyword: str, value) -> tuple[int, int]:
    """Where ``keyword=`` stands before its ``value`` (the value's position when
    the keyword is not on the value's line)."""
    line = app.project.files.line(path, value.line)
    if line is None:
        return value.line, value.column
    found = None
    for m in re.finditer(rf"\b{re.escape(keyword)}\s*=", line[: max(value.column - 1, 0)]):
        found = m
    return (value.line, found.start() + 1) if found else (value.line, value.column)


def _since_text(spans, release: str) -> str:
    from fallint import releases as rel
    from fallint.model.fal_release import first_release_with

    if not spans:
        return "no fal release has it"
    first = first_release_with(spans, release)
    if rel.parse_version(first) > rel.parse_version(release):
        return f"added in fal {first}"
    # every span starts at or before the release: it was removed
    removed = [u for _, u in spans if u and rel.parse_version(u) <= rel.parse_version(release)]
    return f"removed in fal {removed[-1]}" if removed else "not in that release"


@register
class ApiNeedsNewerFal(RefRule):
    code = "FAL116"
    name = "api-needs-newer-fal"
    severity = ERROR
    summary = "The app's file uses a fal name, or passes a keyword, the deploying fal release lacks"
    what = """
        In the file of an app's `ref`: `from fal... import NAME`, `import fal.MODULE`
        (as `import fal.x` or `import fal.x as y`), a `fal.NAME` / `fal.toolkit.NAME`
        named by a decorator or a class base, a keyword of `@fal.function(...)`, or
        a class keyword of the deployed class (`class Web(fal.App, keep_alive=300)`)
        that *every* deploying fal release lacks, naming the release that added (or
        removed) it. Only modules of fal's public API the release table covers are
        judged; the deploying release is found as for FAL016 (pins, `fal-version`,
        `--fal-version`), and with nothing pinned it is the newest release fallint
        knows. A keyword of `@fal.function` is one of its parameters or an option
        its host reads; releases before 1.69.11 pass unknown ones on unchecked.
        Attribute use elsewhere in the code (`fal.toolkit.X(...)` in a function
        body) is not judged.

        **Depends on the fal release**: `from fal.toolkit import optimize` works up
        to fal 1.71.0 and fails from 1.71.1 on (so it is an error with nothing pinned).
    """
    why = """
        Importing the file fails with `ImportError` (or `ModuleNotFoundError`), a
        missing `fal.X` with `AttributeError`, an unknown `@fal.function` option with
        `ValueError`, and an unknown class keyword raises `TypeError` when the class
        is created, so
        `fal deploy` stops before anything is deployed.
    """
    fix = "Upgrade fal to the release named (and the lock file), or stop using the name."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            fal-version = "1.75.2"
            ''',
            files={"app.py": """
                import fal
                from fal.toolkit import to_xfal

                class Web(fal.App, metrics_port=9090):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:2:25", "app.py:4:20"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            ''',
            files={"app.py": """
                import fal
                from fal.toolkit import optimize

                class Web(fal.App):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
            expect=["app.py:2:25"],
            title="nothing pinned: judged by the newest release",
        ),
        Example(
            '''
            [tool.fal.apps.job]
            ref = "job.py::job"

            [tool.fallint]
            fal-version = "1.75.2"
            ''',
            files={"job.py": """
                import fal

                @fal.function(machine_type="GPU-H100", metrics_port=9090)
                def job() -> int:
                    return 1
                """},
            expect=["job.py:3:40"],
            title="a keyword of @fal.function",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"

            [tool.fallint]
            fal-version = "1.80.0"
            ''',
            files={"app.py": """
                import fal
                from fal.toolkit import to_xfal

                class Web(fal.App, metrics_port=9090):
                    @fal.endpoint("/")
                    def run(self) -> dict:
                        return {}
                """},
        )
    ]

    def check_target(self, app, target):
        if target.path is None or target.index is None:
            return
        index = target.index
        fal_imports = [
            e for e in index.imports if not e.level and (e.module == "fal" or e.module.startswith("fal."))
        ]
        if not fal_imports:
            return  # nothing of fal is used: the release table is not even read
        from fallint import releases as rel
        from fallint.model.fal_release import describe, effective_pins

        pins = effective_pins(app.project)
        releases = pins.releases
        newest = releases[-1]
        path = Path(target.path)
        where = describe(pins)
        for entry in fal_imports:
            if entry.attr is not None:
                module, name = entry.module, entry.attr
                if rel.data()["api"].get(module) is None:
                    continue  # a private or internal module: not judged
                if any(rel.has_api_name(r, module, name) for r in releases):
                    continue
                spans = rel.api_name_ranges(module, name)
                since = _since_text(spans, newest)
                yield from self.in_python(
                    app, Location.point(path, entry.line, entry.column, len(entry.name)),
                    f"`from {module} import {name}`: {since}; {where}",
                    help="stop using it (or pin a fal release that has it)" if since.startswith("removed")
                    else "upgrade fal, or import it from where this release has it",
                )
            else:
                yield from self._module_imports(app, path, entry, releases, newest, where)
        yield from self._class_keywords(app, target, releases, newest, where)
        yield from self._attributes(app, path, index, fal_imports, releases, newest, where)

    def _attributes(self, app, path, index, fal_imports, releases, newest, where):
        """``fal.X`` / ``fal.toolkit.X`` named by a decorator or a class base
        (what the file's index records of attribute use), and the keywords of
        ``@fal.function(...)``."""
        from fallint import releases as rel

        bound: dict = {}  # local name -> the fal module it stands for
        for entry in fal_imports:
            if entry.attr is None:
                bound[entry.name] = entry.module if entry.name != "fal" else "fal"
            elif f"{entry.module}.{entry.attr}" in rel.data()["modules"]:
                bound[entry.name] = f"{entry.module}.{entry.attr}"
        uses: list = []  # (dotted name, line, column, decorator or None)
        for function in index.decorated_functions():  # (the others are not decoded)
            uses += [(d.name, d.line, d.column, d) for d in function.decorators if d.name]
        for cls in index.classes:
            for method in cls.methods:
                uses += [(d.name, d.line, d.column, None) for d in method.decorators if d.name]
            uses += [(d.name, d.line, d.column, None) for d in cls.decorators if d.name]
            for base in cls.bases:
                if base and "." in base:
                    uses.append((base, *_text_position(app, path, cls.line, base, cls.column), None))
        for dotted, line, column, decorator in uses:
            head, _, rest = dotted.partition(".")
            if head not in bound or not rest:
                continue
            full = f"{bound[head]}.{rest}"
            parts = full.split(".")
            # the deepest module of the table the name lies in, then the name in it
            for i in range(len(parts) - 1, 0, -1):
                module = ".".join(parts[:i])
                if module in rel.data()["api"]:
                    name = parts[i]
                    break
            else:
                continue
            if all(rel.has_api_name(r, module, name) is False for r in releases):
                spans = rel.api_name_ranges(module, name)
                width = len(dotted)
                yield from self.in_python(
                    app, Location.point(path, line, column, width),
                    f"`{module}.{name}`: {_since_text(spans, newest)}; {where}",
                    help="upgrade fal, or stop using the name",
                )
                continue
            if decorator is not None and f"{module}.{name}" == "fal.function":
                yield from self._function_keywords(app, path, decorator, releases, newest, where)

    def _function_keywords(self, app, path, decorator, releases, newest, where):
        """``@fal.function(keyword=...)``: the keyword is one of ``fal.function``'s
        parameters, or an option its host reads (releases whose host raises on
        unknown options only, as for class keywords)."""
        from fallint import releases as rel

        params = rel.data()["function_params"]
        for keyword, value in decorator.keywords.items():
            if any(rel.in_range(r, params.get(keyword)) or rel.accepts_class_kwarg(r, keyword) for r in releases):
                continue
            spans = rel.ranges(params.get(keyword) or rel.data()["class_kwargs"]["names"].get(keyword))
            line, column = _keyword_position(app, path, keyword, value)
            yield from self.in_python(
                app, Location.point(path, line, column, len(keyword)),
                f"`@fal.function({keyword}=...)`: {_since_text(spans, newest)}; {where}",
                help="upgrade fal, or set it another way this release supports",
            )

    def _module_imports(self, app, path, entry, releases, newest, where):
        from fallint import releases as rel

        dotted = [entry.module] if entry.module != "fal" else []
        if not dotted:  # `import fal.x` binds `fal`: the dotted name is on the line
            line = app.project.files.line(path, entry.line)
            if line is None:
                return
            dotted = _IMPORT_FAL_RE.findall(line)
        for module in dotted:
            modules = rel.data()["modules"]
            if module not in modules:
                parent = module.rpartition(".")[0]
                if parent not in modules:
                    continue  # private/unknown to the table: not judged
                spans: list = []
            else:
                if any(rel.in_range(r, modules[module]) for r in releases):
                    continue
                spans = rel.ranges(modules[module])
            yield from self.in_python(
                app, Location.point(path, entry.line, entry.column, len(entry.name)),
                f"`import {module}`: {_since_text(spans, newest)}; {where}",
                help="upgrade fal to a release that has this module",
            )

    def _class_keywords(self, app, target, releases, newest, where):
        if not target.is_app:
            return
        from fallint import releases as rel

        entry = app.project.sources.class_entry(target.symbol)
        if entry is None:
            return
        for keyword in entry.keywords:
            if keyword == "metaclass":
                continue
            if any(rel.accepts_class_kwarg(r, keyword) for r in releases):
                continue
            line, column = entry.keyword_positions.get(keyword, [entry.keywords[keyword].line, entry.keywords[keyword].column])
            spans = rel.ranges(rel.data()["class_kwargs"]["names"].get(keyword))
            yield from self.in_python(
                app, Location.point(Path(target.symbol.path), line, column, len(keyword)),
                f"class keyword `{keyword}=`: {_since_text(spans, newest)}; {where}",
                help="upgrade fal, or set it another way this release supports",
            )
