"""The rule engine: projects in, diagnostics out.

load the tables (with positions) -> build a model of each app -> every
registered rule inspects the model -> selection, per-app ignores and inline
suppressions filter the result.  The engine knows no rule by name: rules
with ``phase = "post"`` run after suppression and may look at
``project.suppressions`` (to report unused ones, for instance).
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from fallint.diagnostics import SEVERITY_RANK, Diagnostic
from fallint.engine.selection import Selection, selection
from fallint.engine.suppress import Suppression, line_suppressions, parse_comment
from fallint.loading import fs
from fallint.loading.discovery import UsageError, mentions_fal, resolve_targets
from fallint.loading.files import FileCache, forget_real_paths
from fallint.model.project import Project, load_project
from fallint.rules.registry import all_rules
from fallint.util.records import dataclass, field


@dataclass
class Options:
    select: list[str] | None = None
    extend_select: list[str] | None = None
    ignore: list[str] | None = None
    fail_on: str | None = None
    apps: list[str] | None = None
    #: run-wide knobs handed to projects (cache directory, parallelism ...)
    project_options: dict = field(default_factory=dict)
    #: absolute path -> text read instead of the file on disk (``--diff``'s
    #: later passes lint the fixed text without writing it)
    overlays: dict | None = None
    #: record the file-system questions the run asks (``RunResult.record``:
    #: see :mod:`fallint.loading.runcache`)
    record: bool = False


@dataclass
class RunResult:
    diagnostics: list[Diagnostic]
    projects: list[Project]
    apps_checked: int
    failed: bool
    internal_errors: list[str] = field(default_factory=list)
    files: FileCache | None = None
    #: template directories discovery skipped (``--verbose`` lists them)
    skipped_templates: list[str] = field(default_factory=list)
    #: what the run asked the file system (with ``Options.record``)
    record: fs.Recorder | None = None


@dataclass
class Loaded:
    """The projects a run checks (discovery and loading, no rules)."""

    projects: list[Project]
    files: FileCache
    #: template directories discovery skipped (``--verbose`` lists them)
    skipped_templates: list[str] = field(default_factory=list)


def load_projects(paths: list[str], options: Options | None = None, cwd: Path | None = None) -> Loaded:
    """Find and load the projects with ``[tool.fal]`` that ``paths`` name: the
    model only (``fallint show`` needs no more; :func:`check_paths` runs the
    rules on them).  Raises :class:`~fallint.loading.discovery.UsageError`."""
    options = options or Options()
    cwd = cwd or Path(os.getcwd())
    forget_real_paths()
    files = FileCache(options.overlays)
    templates: list[str] = []
    targets = resolve_targets(paths, cwd, templates)
    app_filter = frozenset(options.apps) if options.apps else None

    projects: dict[Path, Project] = {}

    def load(pp: Path) -> Project:
        key = Path(fs.realpath(pp))
        proj = projects.get(key)
        if proj is None:
            proj = load_project(pp, files, app_filter)
            proj.options = options.project_options
            projects[key] = proj
        return proj

    # a pyproject without [tool.fal] is skipped silently: pre-commit passes them all
    chosen: list[Path] = []
    for kind, path, candidates in targets:
        for cand in candidates:
            proj = load(cand)
            if _has_fal(proj):
                key = Path(fs.realpath(cand))
                if key not in chosen:
                    chosen.append(key)
                if kind == "file":
                    break
    return Loaded([projects[key] for key in chosen], files, templates)


def check_paths(paths: list[str], options: Options | None = None, cwd: Path | None = None) -> RunResult:
    """Lint the projects named by ``paths`` (see :mod:`fallint.loading.discovery`).

    Raises :class:`~fallint.loading.discovery.UsageError` for paths that cannot be used.
    """
    options = options or Options()
    cwd = cwd or Path(os.getcwd())
    if options.record and not options.overlays:
        with fs.recording(time.time_ns()) as recorder:
            result = _check_paths(paths, options, cwd)
        result.record = recorder
        return result
    return _check_paths(paths, options, cwd)


def _check_paths(paths: list[str], options: Options, cwd: Path) -> RunResult:
    loaded = load_projects(paths, options, cwd)
    files, templates = loaded.files, loaded.skipped_templates

    prefetch_sources(loaded.projects)

    diagnostics: list[Diagnostic] = []
    internal: list[str] = []
    apps = 0
    failed = False
    linted = []
    for proj in loaded.projects:
        linted.append(proj)
        sel = selection(
            proj.config,
            cli_select=options.select,
            cli_extend_select=options.extend_select,
            cli_ignore=options.ignore,
            cli_fail_on=options.fail_on,
        )
        diags, errs = check_project(proj, sel)
        internal.extend(errs)
        apps += len(proj.apps)
        threshold = SEVERITY_RANK[sel.fail_on]
        if any(SEVERITY_RANK[d.severity] >= threshold for d in diags):
            failed = True
        diagnostics.extend(diags)
    diagnostics.sort(key=lambda d: d.sort_key(cwd))
    return RunResult(diagnostics, linted, apps, failed, internal, files, templates)


def prefetch_sources(projects: list[Project]) -> None:
    """Load the Python files the apps name -- ``ref`` files and
    ``python_entry_point`` modules -- before any rule runs, so that
    :meth:`~fallint.model.sources.SourceProject.prefetch` takes them from
    the cache or parses them in parallel.  A failure here only means the
    rules load the files themselves."""
    started = False
    try:
        for proj in projects:
            paths = proj.app_source_files
            if paths:
                started = True
                proj.sources.prefetch(paths)
    except Exception:
        if os.environ.get("FALLINT_DEBUG"):
            raise
    finally:
        if started:
            # imported on first use: libcst, only apps with Python files need it
            from fallint.model.sources import shutdown_workers

            shutdown_workers()


def _has_fal(proj: Project) -> bool:
    tool = proj.data.get("tool")
    if isinstance(tool, dict) and "fal" in tool:
        return True
    if proj.load_errors:
        # broken TOML: lint it if it looks like a fal project; an undecodable
        # file (binary, not UTF-8, unreadable) is reported whatever it holds
        return mentions_fal(proj.text) if proj.text else True
    return False


def check_project(project: Project, sel: Selection) -> tuple[list[Diagnostic], list[str]]:
    project.selection = sel
    main, post = split_rules(sel)
    internal: list[tuple[str, str]] = []
    raw = run_rules(project, main, internal)
    return finish_check(project, sel, raw, internal, post)


def split_rules(sel: Selection) -> tuple[list, list]:
    """The enabled rules (fresh instances): the main phase's, then the
    ``phase = "post"`` ones (they run after suppression)."""
    main, post = [], []
    for cls in all_rules():
        if cls.code not in sel.enabled:
            continue
        (post if getattr(cls, "phase", "main") == "post" else main).append(cls())
    return main, post


def run_rules(project: Project, rules: list, internal: list[tuple[str, str]]) -> list[Diagnostic]:
    """The raw diagnostics of ``rules`` (before selection and suppression);
    a rule that fails adds ``(code, error)`` to ``internal``."""
    raw: list[Diagnostic] = []
    for rule in rules:
        raw.extend(_run_rule(rule, project, internal))
    return raw


def finish_check(
    project: Project, sel: Selection, raw: list[Diagnostic], internal: list[tuple[str, str]], post: list
) -> tuple[list[Diagnostic], list[str]]:
    """Selection, per-app ignores and inline suppressions over ``raw``, then
    the ``post`` rules and the fixes: what :func:`check_project` returns.
    (The language server merges the raw diagnostics of several runs first.)"""
    project.selection = sel
    kept = [d for d in _dedupe(raw) if sel.active(d.code, d.app) and project.selected(d.app)]
    kept = _apply_suppressions(project, kept, sel)
    for rule in post:
        kept.extend(
            d for d in _run_rule(rule, project, internal) if sel.active(d.code, d.app)
        )
    if kept:
        from fallint.engine.fixes import attach_fixes

        kept = attach_fixes(project, kept)
    return kept, _internal_messages(project, internal)


def _internal_messages(project: Project, failures: list[tuple[str, str]]) -> list[str]:
    """One line per distinct failure, naming every rule it broke: a bad
    input that trips a shared helper is one message, not one per rule."""
    by_error: dict[str, list[str]] = {}
    for code, error in failures:
        by_error.setdefault(error, []).append(code)
    out = []
    for error, codes in by_error.items():
        rules = f"rule {codes[0]}" if len(codes) == 1 else f"rules {', '.join(codes)}"
        out.append(
            f"internal error (a bug in fallint, please report it) in {rules} on "
            f"{project.pyproject_path}: {error}; the other rules ran"
        )
    return out


def _run_rule(rule, project: Project, internal: list[tuple[str, str]]) -> list[Diagnostic]:
    try:
        return list(rule.check_project(project))
    except Exception as exc:  # a bug in a rule must not hide the others
        if os.environ.get("FALLINT_DEBUG"):
            raise
        message = str(exc)
        internal.append((rule.code, f"{type(exc).__name__}: {message[:200]}"))
        return []


def _dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    seen = set()
    out = []
    for d in diags:
        k = (d.code, d.location, d.message, d.app)
        if k not in seen:
            seen.add(k)
            out.append(d)
    return out


# -- suppressions -----------------------------------------------------------------


def toml_suppressions(project: Project) -> list[Suppression]:
    """Every ``# fallint: ignore`` comment in the project's pyproject.toml."""
    if "fallint:" not in project.text:
        return []  # cheap: no need to build the position index
    index = project.index
    header_lines = {}
    for app in project.all_apps:
        line = index.header_line(app.path)
        if line is not None:
            header_lines[line] = app.key
    out = []
    for c in index.comments:
        s = parse_comment(project.pyproject_path, c.line, c.column, c.text)
        if s is not None:
            s.app = header_lines.get(c.line)
            out.append(s)
    return out


def _apply_suppressions(project: Project, diags: list[Diagnostic], sel: Selection) -> list[Diagnostic]:
    sups = toml_suppressions(project)
    project.suppressions = sups
    by_line: dict[int, list[Suppression]] = {}
    by_app: dict[str, list[Suppression]] = {}
    for s in sups:
        by_line.setdefault(s.line, []).append(s)
        if s.app is not None:
            by_app.setdefault(s.app, []).append(s)
    pyproject = project.pyproject_path
    other: dict[tuple[Path, int], Suppression | None] = {}
    out = []
    for d in diags:
        loc = d.location
        hits: list[Suppression] = []
        if loc.path == pyproject:
            hits = [s for s in by_line.get(loc.line, ()) if s.covers(d.code)]
        else:
            k = (loc.path, loc.line)
            if k not in other:
                lines = project.files.lines(loc.path) or []
                other[k] = line_suppressions(loc.path, lines, loc.line)
            s = other[k]
            if s is not None and s.covers(d.code):
                hits = [s]
        if d.app is not None:
            hits += [s for s in by_app.get(d.app, ()) if s.covers(d.code)]
        if hits:
            for s in hits:
                s.used = True
            continue
        out.append(d)
    return out


def exit_code(result: RunResult, exit_zero: bool = False) -> int:
    if result.internal_errors:
        return 2
    if exit_zero:
        return 0
    return 1 if result.failed else 0


def print_internal(result: RunResult) -> None:
    for msg in result.internal_errors:
        print(f"fallint: {msg}", file=sys.stderr)


__all__ = ["Options", "RunResult", "check_paths", "check_project", "UsageError", "exit_code"]
