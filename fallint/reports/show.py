"""``fallint show APP``: an app's effective deploy configuration, from the model's facts.

For each setting its final value and where it comes from (a TOML line, a class
attribute or keyword of the deployed class, which wins when fal lets it), the
resolved requirement layers, the Dockerfile and build context, and the fal
release assumed and why. Nothing is imported or executed.
"""

from __future__ import annotations

import json
import os
from pathlib import Path


_TABLE_KEY = object()
#: fal's defaults for unset keys, where the fal facts (``fal-apps-reference.md``,
#: fal 1.83.0) state them: key -> (value, why)
FAL_DEFAULTS: dict = {
    "name": (_TABLE_KEY, "fal's default: the table key"),
    "machine_type": ("S", "fal's default CPU machine type"),
    # only for a class-based (ref) app: its environment takes the class's requirements
    "requirements": ([], "a fal.App class's requirements default to empty"),
}


def _rel(path, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd)
    except ValueError:
        return str(path)


def app_facts(app, cwd: Path) -> dict:
    from fallint.model.fal_release import effective_pins

    project = app.project
    pp = _rel(project.pyproject_path, cwd)
    settings: dict[str, dict] = {}
    for key, value in app.table.items():
        loc = app.span(key, part="key")
        settings[key] = {"value": value, "source": "toml", "where": f"{pp}:{loc.line}:{loc.column}"}
    target_info = None
    try:
        target = app.ref_target if "ref" in app.table else None
    except Exception:  # the model reports its own problems as diagnostics
        target = None
    if target is not None and target.is_app:
        target_info = {"class": target.symbol.name, "file": _rel(target.symbol.path, cwd)}
        for name, s in project.sources.class_settings(target.symbol).items():
            where = f"{_rel(s.path, cwd)}:{s.line}:{s.column}"
            origin = f"class {'keyword' if s.via == 'keyword' else 'attribute'} of `{s.class_name}`"
            entry = {"value": s.value if s.literal else s.source, "source": "class", "where": where, "origin": origin}
            if name in settings:
                if s.overrides_toml:
                    entry["overrides"] = settings[name]
                    settings[name] = entry
                else:
                    settings[name].setdefault("also_set_by", entry)
            else:
                settings[name] = entry
    layers = []
    try:
        from fallint.model.requirement_layers import requirements_of

        reqs = requirements_of(app)
        if reqs is not None:
            layers = [list(layer.strings) for layer in reqs.layers]
    except Exception:
        pass
    build = None
    try:
        from fallint.model.build import build_of

        b = build_of(app)
        if b is not None:
            build = {"dockerfile": _rel(b.path, cwd), "context": _rel(b.context, cwd) or "."}
    except Exception:
        pass
    pins = effective_pins(project)
    defaults = {}
    for key, (value, why) in FAL_DEFAULTS.items():
        if key in settings or (key == "requirements" and target_info is None):
            continue
        defaults[key] = {"value": app.key if value is _TABLE_KEY else value, "why": why}
    return {
        "app": app.key,
        "name": app.deployed_name,
        "pyproject": pp,
        "target": target_info,
        "settings": settings,
        "defaults": defaults,
        "requirement_layers": layers,
        "build": build,
        "fal_release": {"releases": pins.releases, "release": pins.release, "kind": pins.kind, "why": pins.why,
                        "sources": [str(s) for s in pins.sources], "notes": pins.notes},
    }


def render_show(facts: list[dict], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(facts, indent=2, default=str) + "\n"
    out = []
    for f in facts:
        out.append(f"app `{f['app']}` (deployed as `{f['name']}`) in {f['pyproject']}")
        rel = f["fal_release"]
        out.append(f"  fal release: {rel['release']} ({rel['kind']}: {rel['why']})")
        if f["target"]:
            out.append(f"  ref target: class `{f['target']['class']}` in {f['target']['file']}")
        out.append("  settings:")
        for key, s in f["settings"].items():
            origin = s.get("origin", "TOML")
            line = f"    {key} = {json.dumps(s['value'], default=str)}  ({origin}, {s['where']})"
            if "overrides" in s:
                line += f"; overrides TOML {json.dumps(s['overrides']['value'], default=str)} at {s['overrides']['where']}"
            if "also_set_by" in s:
                line += f"; also set by {s['also_set_by']['origin']} at {s['also_set_by']['where']} (TOML wins)"
            out.append(line)
        if f["requirement_layers"]:
            out.append("  requirement layers:")
            for i, layer in enumerate(f["requirement_layers"], 1):
                out.append(f"    {i}: {', '.join(layer) or '(empty)'}")
        if f["build"]:
            out.append(f"  image: Dockerfile {f['build']['dockerfile']}, build context {f['build']['context']}")
        if f["defaults"]:
            out.append("  unset keys with a default stated by fal:")
            for key, d in f["defaults"].items():
                out.append(f"    {key} = {json.dumps(d['value'], default=str)}  ({d['why']})")
        out.append("  other unset keys: fal's (or the server's) defaults")
    return "\n".join(out) + "\n"
