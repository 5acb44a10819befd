"""FAL116 `api-needs-newer-fal`: The app's file uses a fal name or class keyword the deploying fal release lacks."""

from __future__ import annotations

import re
from pathlib import Path

from fallint.diagnostics import Location
from fallint.rules.ref._base import RefRule
from fallint.rules.registry import ERROR, Example, register

_IMPORT_FAL_RE = re.compile(r"\bfal(?:\.[A-Za-z_]\w*)+")


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
    summary = "The app's file imports a fal name, or passes a class keyword, the deploying fal release lacks"
    what = """
        In the file of an app's `ref`: `from fal... import NAME`, `import fal.MODULE`
        (as `import fal.x` or `import fal.x as y`), or a class keyword of the deployed
        class (`class Web(fal.App, keep_alive=300)`) that *every* deploying fal
        release lacks, naming the release that added (or removed) it. Only modules of
        fal's public API the release table covers are judged; the deploying release is
        found as for FAL016 (pins, `fal-version`, `--fal-version`), and with nothing
        pinned this rule does not run.

        **Depends on the fal release**: `from fal.toolkit import optimize` works up
        to fal 1.71.0 and fails from 1.71.1 on.
    """
    why = """
        Importing the file fails with `ImportError` (or `ModuleNotFoundError`), and an
        unknown class keyword raises `TypeError` when the class is created, so
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
        )
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
        pins = app.project.fal_releases
        if pins is None or target.path is None or target.index is None:
            return
        from fallint import releases as rel
        from fallint.model.fal_release import describe

        releases = pins.releases
        newest = releases[-1]
        path = Path(target.path)
        index = target.index
        where = describe(pins)
        for entry in index.imports:
            if entry.level or not (entry.module == "fal" or entry.module.startswith("fal.")):
                continue
            if entry.attr is not None:
                module, name = entry.module, entry.attr
                if rel.data()["api"].get(module) is None and rel.data()["modules"].get(module) is None:
                    continue
                if rel.data()["api"].get(module) is not None:
                    if any(rel.has_api_name(r, module, name) for r in releases):
                        continue
                    spans = rel.api_name_ranges(module, name)
                    what = f"`from {module} import {name}`"
                else:
                    continue
                yield from self.in_python(
                    app, Location.point(path, entry.line, entry.column, len(entry.name)),
                    f"{what}: {_since_text(spans, newest)}; {where}",
                    help="upgrade fal, or import it from where this release has it",
                )
            else:
                yield from self._module_imports(app, path, entry, releases, newest, where)
        yield from self._class_keywords(app, target, releases, newest, where)

    def _module_imports(self, app, path, entry, releases, newest, where):
        from fallint import releases as rel

        dotted = [entry.module] if entry.module != "fal" else []
        if not dotted:  # `import fal.x` binds `fal`: the dotted name is on the line
            try:
                line = app.project.read(path).text.split("\n")[entry.line - 1]
            except (AttributeError, IndexError):
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
