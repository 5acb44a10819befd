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


def fix_run(args, first, options, cwd: Path, *, unsafe: bool) -> int:
    from fallint.engine.fixes import render_diff, run_fixes
    from fallint.engine.run import check_paths, exit_code, print_internal
    from fallint.reports import RunSummary, render, use_color

    results = iter([first])

    def check():
        return next(results, None) or check_paths(args.paths, options, cwd)

    run = run_fixes(args.paths, options, cwd, unsafe=unsafe, write=not args.diff, check=check)
    for problem in run.problems:
        print(f"fallint: warning: {problem}", file=sys.stderr)
    for error in run.write_errors:
        print(f"fallint: error: {error}", file=sys.stderr)
    result = run.result
    print_internal(result)
    if args.diff:
        sys.stdout.write(render_diff(run, cwd))
        sys.stdout.flush()
        if not args.quiet:
            if run.fixed:
                print(f"Would fix {_problems(run.fixed)}.", file=sys.stderr)
            else:
                print("No fixes available.", file=sys.stderr)
        if run.write_errors or result.internal_errors:
            return 2
        return 1 if run.changes else 0
    if args.fix_only:
        if not args.quiet:
            print(f"Fixed {_problems(run.fixed)}." if run.fixed else "No fixes applied.")
        if run.write_errors or result.internal_errors:
            return 2
        return 0
    text = render(
        result.diagnostics,
        args.output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full"),
        cwd=cwd,
        color=use_color(sys.stdout),
        summary=RunSummary(projects=len(result.projects), apps=result.apps_checked),
        statistics=args.statistics,
        quiet=args.quiet,
        read_lines=result.files.lines if result.files else None,
        unsafe_fixes=unsafe,
        fixed=run.fixed,
    )
    sys.stdout.write(text)
    sys.stdout.flush()
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
