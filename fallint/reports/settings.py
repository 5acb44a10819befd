"""``fallint check --show-settings`` and ``--verbose``: the effective settings of each project."""

from __future__ import annotations

import os
from pathlib import Path


def _display(path: Path, cwd: Path) -> str:
    try:
        return os.path.relpath(path, cwd)
    except ValueError:
        return str(path)


def release_line(project) -> str:
    """``fal 1.72.7 (uv.lock:12: locks fal 1.72.7)``."""
    from fallint.model.fal_release import effective_pins
    from fallint.releases import summarize

    pins = effective_pins(project)
    return f"fal {summarize(pins.releases)} [{pins.kind}] ({pins.why})"


def render_settings(projects, cwd: Path) -> str:
    out: list[str] = []
    for project in projects:
        cfg = project.config
        out.append(f"{_display(project.pyproject_path, cwd)}:")
        out.append(f"  fal release: {release_line(project)}")
        for note in (project.fal_releases.notes if project.fal_releases is not None else []):
            out.append(f"    note: {note}")
        sel = project.selection
        if sel is not None:
            from fallint.rules.registry import iter_codes

            everything = list(iter_codes())
            disabled = [c for c in everything if c not in sel.enabled]
            out.append(f"  rules: {len(sel.enabled)} of {len(everything)} enabled"
                       + (f" (disabled: {', '.join(disabled)})" if disabled else ""))
            for app, codes in sorted(sel.per_app_disabled.items()):
                out.append(f"  per-app-ignores: {app}: {', '.join(sorted(codes))}")
            out.append(f"  fail-on: {sel.fail_on}")
        if cfg.extra_machine_types:
            out.append(f"  extra-machine-types: {', '.join(cfg.extra_machine_types)}")
        out.append(f"  apps: {', '.join(a.key for a in project.all_apps) or '(none)'}")
    return "\n".join(out) + ("\n" if out else "")


def verbose_lines(projects, cwd: Path, skipped_templates=()) -> list[str]:
    lines = []
    for project in projects:
        lines.append(f"fallint: {_display(project.pyproject_path, cwd)}: judged by {release_line(project)}")
    for skipped in skipped_templates:
        lines.append(f"fallint: skipped template directory {_display(Path(skipped), cwd)}")
    return lines
