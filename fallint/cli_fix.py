"""``fallint check --fix / --fix-only / --diff / --add-ignore`` (the CLI side of
:mod:`fallint.engine.fixes`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _problems(diags) -> str:
    from fallint.diagnostics import ERROR

    errors = sum(d.severity == ERROR for d in diags)
    parts = [_plural(n, w) for n, w in ((errors, "error"), (len(diags) - errors, "warning")) if n]
    return " and ".join(parts) or "0 errors"


def _emit(args, text: str) -> bool:
    """Write ``text`` to ``--output-file`` (False, after an error, when it cannot be
    written), else to stdout."""
    if getattr(args, "output_file", None):
        try:
            Path(args.output_file).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"fallint: error: cannot write {args.output_file}: {exc.strerror or exc}", file=sys.stderr)
            return False
        return True
    sys.stdout.write(text)
    sys.stdout.flush()
    return True


def project_policy(projects, *, fix_cli: bool | None, unsafe_cli: bool | None):
    """Which diagnostics' fixes a run applies, project by project: ``fix = true``
    and ``unsafe-fixes = true`` in a project's ``[tool.fallint]`` count for that
    project only (the CLI flags, when given, for every project).  A fix belongs
    to the project whose pyproject.toml it edits, else to the innermost project
    whose directory holds the file it edits."""
    import os

    by_path = {os.path.abspath(p.pyproject_path): p for p in projects}
    roots = sorted(((os.path.abspath(p.root), p) for p in projects), key=lambda rp: -len(rp[0]))

    def project_of(path):
        path = os.path.abspath(path)
        hit = by_path.get(path)
        if hit is not None:
            return hit
        return next((p for root, p in roots if path.startswith(root.rstrip(os.sep) + os.sep)), None)

    def accept(d) -> bool:
        from fallint.diagnostics import SAFE

        edits = d.fix.edits if d.fix is not None else ()
        if not edits:
            return False
        project = project_of(edits[0].path)
        cfg = project.config if project is not None else None
        if fix_cli is None and not (cfg is not None and cfg.fix):
            return False
        unsafe = unsafe_cli if unsafe_cli is not None else bool(cfg is not None and cfg.unsafe_fixes)
        return unsafe or d.fix.applicability == SAFE

    return accept


def fix_run(args, first, options, cwd: Path, *, unsafe: bool, accept=None) -> int:
    """``accept`` (see :func:`project_policy`): which fixes to apply; default:
    the safe ones, and the unsafe ones too when ``unsafe``."""
    from fallint.engine.fixes import render_diff, run_fixes
    from fallint.engine.run import exit_code, print_internal
    from fallint.reports import RunSummary, render, use_color

    run = run_fixes(args.paths, options, cwd, unsafe=unsafe, write=not args.diff, first=first, accept=accept)
    for problem in run.problems:
        print(f"fallint: warning: {problem}", file=sys.stderr)
    for error in run.write_errors:
        print(f"fallint: error: {error}", file=sys.stderr)
    result = run.result
    print_internal(result)
    if args.diff:
        if not _emit(args, render_diff(run, cwd)):
            return 2
        if not args.quiet:
            if run.fixed:
                print(f"Would fix {_problems(run.fixed)}.", file=sys.stderr)
            else:
                print("No fixes available.", file=sys.stderr)
        if run.write_errors or result.internal_errors:
            return 2
        return 1 if run.changes else 0
    if args.fix_only:
        summary = f"Fixed {_problems(run.fixed)}.\n" if run.fixed else "No fixes applied.\n"
        if not args.quiet and not _emit(args, summary):
            return 2
        if run.write_errors or result.internal_errors:
            return 2
        return 0
    text = render(
        result.diagnostics,
        args.output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"),
        cwd=cwd,
        color=use_color(sys.stdout) and not getattr(args, "output_file", None),
        summary=RunSummary(projects=len(result.projects), apps=result.apps_checked),
        statistics=args.statistics,
        quiet=args.quiet,
        read_lines=result.files.lines if result.files else None,
        unsafe_fixes=unsafe,
        fixed=run.fixed,
    )
    if not _emit(args, text):
        return 2
    if run.write_errors:
        return 2
    return exit_code(result, args.exit_zero)


def add_ignore(args, result, cwd: Path) -> int:
    from fallint.engine.fixes import add_ignores
    from fallint.engine.run import print_internal

    print_internal(result)
    run = add_ignores(result, cwd)
    for skipped in run.skipped:
        print(f"fallint: warning: {skipped}", file=sys.stderr)
    for error in run.write_errors:
        print(f"fallint: error: {error}", file=sys.stderr)
    if not args.quiet:
        files = len(run.changes)
        print(f"Added {_plural(run.added, 'suppression comment')} to {_plural(files, 'file')}."
              if run.added else "No suppression comments added.")
    if run.write_errors or result.internal_errors:
        return 2
    return 0
