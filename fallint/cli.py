"""The ``fallint`` command line.

    fallint check [PATH ...]   lint the fal projects named by PATHs (default: .)
    fallint rules              list every rule
    fallint rule CODE          a rule's full documentation
    fallint clean [PATH ...]   remove fallint's caches
    fallint schema             the JSON Schema of [tool.fal]
    fallint server             a language server (LSP over stdio; pip install 'fallint[server]')

Exit codes: 0 clean, 1 diagnostics at or above the failure threshold,
2 usage errors and unreadable input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from fallint import __version__
from fallint.reports import FORMATS

_DEPENDENCIES = {"tomli", "libcst", "packaging", "tree_sitter", "tree_sitter_toml"}


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit 2 (argparse's own convention)
        self.print_usage(sys.stderr)
        self.exit(2, f"fallint: error: {message}\n")


def _csv(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fallint",
        description="Lint the [tool.fal.apps] tables of fal.ai projects before `fal deploy`.",
    )
    parser.add_argument("--version", action="version", version=f"fallint {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    check = sub.add_parser("check", help="lint projects (default: the current directory)")
    check.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="pyproject.toml files, directories, or any file of a project (as pre-commit passes them)",
    )
    check.add_argument("--app", action="append", metavar="KEY", help="only check this app (repeatable)")
    check.add_argument(
        "--output-format",
        choices=FORMATS,
        default=os.environ.get("FALLINT_OUTPUT_FORMAT") or None,
        help="full (default; github when GITHUB_ACTIONS=true), concise, json, json-lines, github, sarif, "
        "junit, gitlab, rdjson, pylint, azure or grouped (default: $FALLINT_OUTPUT_FORMAT)",
    )
    check.add_argument("--output-file", "-o", metavar="PATH", help="write the report to PATH instead of the standard output")
    check.add_argument("--select", action="append", type=_csv, metavar="RULES",
                       help="enable only these rules (codes, prefixes such as FAL5, or names); comma-separated")
    check.add_argument("--extend-select", action="append", type=_csv, metavar="RULES",
                       help="enable these rules in addition to the selected ones")
    check.add_argument("--ignore", action="append", type=_csv, metavar="RULES",
                       help="disable these rules (added to the configuration's ignore list)")
    check.add_argument("--fail-on", choices=("error", "warning"),
                       help="lowest severity that makes the exit code 1 (default: error)")
    check.add_argument("--exit-zero", action="store_true", help="exit 0 even when problems are found")
    check.add_argument("--statistics", action="store_true", help="show counts per rule instead of each diagnostic")
    check.add_argument("-q", "--quiet", action="store_true", help="print diagnostics only, no summary")
    check.add_argument("--no-cache", action="store_true", help="do not read or write the cache")
    check.add_argument("--cache-dir", metavar="DIR", help="where to keep the cache (default: .fallint_cache/ in each project)")
    fixing = check.add_argument_group("fixes")
    fixing.add_argument("--fix", action="store_true", default=None,
                        help="apply the safe fixes, then report what remains")
    fixing.add_argument("--no-fix", dest="fix", action="store_false", help="do not fix (overrides `fix = true`)")
    fixing.add_argument("--unsafe-fixes", action="store_true", default=None,
                        help="also apply (and show) fixes that may change behaviour")
    fixing.add_argument("--no-unsafe-fixes", dest="unsafe_fixes", action="store_false",
                        help="only safe fixes (overrides `unsafe-fixes = true`)")
    fixing.add_argument("--fix-only", action="store_true",
                        help="apply the fixes and report nothing else (exit 0 unless fallint fails)")
    fixing.add_argument("--diff", action="store_true",
                        help="print a unified diff of what --fix would change; write nothing (exit 1 when there is one)")
    fixing.add_argument("--add-ignore", action="store_true",
                        help="add `# fallint: ignore[CODE]` comments that suppress every current diagnostic")
    check.add_argument("--jobs", "-j", type=int, metavar="N",
                       help="worker processes for parsing Python files (default: automatic; 1 = serial)")

    check.add_argument("--fal-version", metavar="VERSION",
                       help="judge by this fal release: a version, a series (1.75), a specifier or `latest` "
                       "(overrides [tool.fallint] fal-version and any pin)")
    check.add_argument("--show-settings", action="store_true",
                       help="print the effective settings of each project (rules, fal release and why) and exit 0")
    check.add_argument("-v", "--verbose", action="store_true",
                       help="say which fal release each project is judged by, and which directories were skipped")

    rules = sub.add_parser("rules", help="list every rule")
    rules.add_argument("--output-format", choices=("table", "json", "markdown"), default="table")

    rule = sub.add_parser("rule", help="show a rule's documentation")
    rule.add_argument("code", metavar="CODE", help="a rule code (FAL503) or name (unknown-machine-type)")

    show = sub.add_parser("show", help="an app's effective deploy configuration (values, where they come from, fal release)")
    show.add_argument("app", metavar="APP", help="the app key ([tool.fal.apps.APP])")
    show.add_argument("paths", nargs="*", metavar="PATH", help="where to look (default: .)")
    show.add_argument("--output-format", choices=("text", "json"), default="text")
    show.add_argument("--fal-version", metavar="VERSION", help="judge by this fal release")

    schema = sub.add_parser("schema", help="print the JSON Schema of [tool.fal] (for editors and validate-pyproject)")
    schema.add_argument("--fal-version", metavar="VERSION",
                        help="the schema of what this fal release accepts (a version, series, specifier or `latest`)")

    clean = sub.add_parser("clean", help="remove fallint's cache directories")
    clean.add_argument("paths", nargs="*", metavar="PATH")
    clean.add_argument("--cache-dir", metavar="DIR")

    server = sub.add_parser("server", help="run the language server (LSP over stdio; needs fallint[server])")
    server.add_argument("--stdio", action="store_true", help="accepted for editors that pass it (stdio is the only transport)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "check":
            return _check(args, parser)
        if args.command == "rules":
            return _rules(args)
        if args.command == "rule":
            return _rule(args)
        if args.command == "show":
            return _show(args, parser)
        if args.command == "clean":
            return _clean(args)
        if args.command == "schema":
            from fallint.jsonschema import render_schema

            try:
                text = render_schema(args.fal_version)
            except ValueError as exc:
                print(f"fallint: error: --fal-version: {exc}", file=sys.stderr)
                return 2
            sys.stdout.write(text)
            return 0
        if args.command == "server":
            from fallint.server import main as serve

            return serve()
        parser.print_help(sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("fallint: interrupted", file=sys.stderr)
        return 130
    except ModuleNotFoundError as exc:
        # fallint run from a source tree (python -m fallint) without its dependencies
        if (exc.name or "").split(".")[0] in _DEPENDENCIES:
            print(
                f"fallint: error: the `{exc.name}` package is missing: install fallint with its "
                "dependencies (pip install fallint)",
                file=sys.stderr,
            )
            return 2
        raise
    except BrokenPipeError:
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
    except (Exception, RecursionError) as exc:  # never a traceback: CI shows one line
        if os.environ.get("FALLINT_DEBUG"):
            raise
        print(f"fallint: internal error (a bug in fallint, please report it): {type(exc).__name__}: "
              f"{str(exc)[:200]}; set FALLINT_DEBUG=1 for the traceback", file=sys.stderr)
        return 2


def run() -> None:
    """The ``fallint`` command: :func:`main`, then a quick exit.

    A large run leaves a million small objects (indexes, positions); letting
    the interpreter free them one by one at exit took longer than some runs
    themselves (~0.15 s on a 1,000-app project).  Once the output is flushed
    there is nothing left to do -- worker processes are stopped and cache
    entries written before :func:`main` returns -- so the process ends at once.
    """
    import gc

    gc.disable()  # from the start, imports included (see _check): the process is short-lived
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # the reader went away (fallint check | head)
        code = code or 1
    except (OSError, ValueError):
        pass
    os._exit(code)


def _flatten(lists: list[list[str]] | None) -> list[str] | None:
    if lists is None:
        return None
    return [x for sub in lists for x in sub]


def _check(args, parser) -> int:
    select, extend, ignore = _flatten(args.select), _flatten(args.extend_select), _flatten(args.ignore)
    if args.output_format not in (None, *FORMATS):  # from FALLINT_OUTPUT_FORMAT: argparse checks only the command line
        parser.exit(2, f"fallint: error: FALLINT_OUTPUT_FORMAT={args.output_format!r} is not a format ({', '.join(FORMATS)})\n")
    if args.jobs is not None and args.jobs < 1:
        parser.exit(2, "fallint: error: --jobs must be at least 1\n")
    modes = [m for m, on in (("--fix-only", args.fix_only), ("--diff", args.diff),
                             ("--add-ignore", args.add_ignore)) if on]
    if len(modes) > 1:
        parser.exit(2, f"fallint: error: {' and '.join(modes)} cannot be combined\n")
    if args.add_ignore and args.fix:
        parser.exit(2, "fallint: error: --add-ignore and --fix cannot be combined\n")
    cwd = _working_directory()
    if cwd is None:
        return 2
    # A CLI run is one short-lived batch: the objects it builds live until
    # exit, so cyclic garbage collection only costs time (~0.25 s on 1,000 apps).
    import gc

    gc.disable()

    # A run whose every file-system answer is unchanged is replayed (loading/runcache.py).
    # What it replays passed the checks below when it was stored: they are pure
    # functions of the command line, which is part of the key.
    replayable = not (args.no_cache or args.show_settings or args.verbose or args.fix
                      or args.diff or args.fix_only or args.add_ignore)
    run_key = None
    if replayable:
        from fallint.loading import runcache

        command = {"paths": args.paths, "select": select, "extend_select": extend, "ignore": ignore,
                   "fail_on": args.fail_on, "apps": args.app, "fal_version": args.fal_version}
        runs = runcache.runs_directory(args.cache_dir)
        run_key = runcache.run_key(command, cwd)
        stored = runcache.lookup(run_key, runs)
        if stored is not None:
            return _replay(args, stored, cwd)

    from fallint.engine.run import (
        Options,
        UsageError,
        check_paths,
        exit_code,
        print_internal,
    )

    if select or extend or ignore:
        from fallint.rules.registry import resolve_selector

        for sel in (select or []) + (extend or []) + (ignore or []):
            if resolve_selector(sel) is None:
                parser.exit(2, f"fallint: error: `{sel}` names no rule (see `fallint rules`)\n")
    if args.fal_version:
        from fallint.model.fal_release import check_version_choice

        problem = check_version_choice(args.fal_version)
        if problem is not None:
            message, hint = problem
            extra = f"; did you mean `{hint}`?" if hint else ""
            parser.exit(2, f"fallint: error: --fal-version: {message}{extra}\n")
    project_options = {"no_cache": args.no_cache, "cache_dir": args.cache_dir, "jobs": args.jobs}
    if args.fal_version:
        project_options["fal_version"] = args.fal_version
    if args.verbose:
        project_options["verbose"] = True
    options = Options(
        select=select,
        extend_select=extend,
        ignore=ignore,
        fail_on=args.fail_on,
        apps=args.app,
        project_options=project_options,
        record=replayable,
    )
    try:
        result = check_paths(args.paths, options, cwd)
    except UsageError as exc:
        print(f"fallint: error: {exc}", file=sys.stderr)
        return 2
    if args.show_settings:
        from fallint.reports.settings import render_settings

        sys.stdout.write(render_settings(result.projects, cwd))
        return 0
    if args.verbose:
        from fallint.reports.settings import verbose_lines

        for line in verbose_lines(result.projects, cwd, result.skipped_templates):
            print(line, file=sys.stderr)
    configs = [p.config for p in result.projects]
    unsafe = args.unsafe_fixes if args.unsafe_fixes is not None else any(c.unsafe_fixes for c in configs)
    fix = args.fix if args.fix is not None else any(c.fix for c in configs)
    if args.add_ignore:
        from fallint.cli_fix import add_ignore

        return add_ignore(args, result, cwd)
    if args.diff or args.fix_only or fix:
        from fallint.cli_fix import fix_run, project_policy

        # `fix = true` / `unsafe-fixes = true` count for their own project only
        explicit = True if (args.diff or args.fix_only) else args.fix
        accept = project_policy(result.projects, fix_cli=explicit, unsafe_cli=args.unsafe_fixes)
        return fix_run(args, result, options, cwd, unsafe=unsafe, accept=accept)
    app_keys = [a.key for p in result.projects for a in p.all_apps]
    code = _report(args, result.diagnostics, cwd, len(result.projects), result.apps_checked, app_keys,
                   result.files.lines if result.files else None, unsafe)
    print_internal(result)
    if code == 2:
        return 2
    if run_key is not None and result.record is not None and not result.internal_errors:
        from fallint.diagnostics import pack
        from fallint.loading import runcache

        runcache.save(run_key, runcache.runs_directory(args.cache_dir), result.record, {
            "diagnostics": [pack(d) for d in result.diagnostics],
            "projects": len(result.projects),
            "apps": result.apps_checked,
            "app_keys": app_keys,
            "failed": result.failed,
            "unsafe": any(c.unsafe_fixes for c in configs),
        })
    return exit_code(result, args.exit_zero)


def _replay(args, stored: dict, cwd: Path) -> int:
    """Print a stored run's result (see :mod:`fallint.loading.runcache`)."""
    from fallint.diagnostics import unpack
    from fallint.loading.files import FileCache

    diagnostics = [unpack(d) for d in stored["diagnostics"]]
    unsafe = args.unsafe_fixes if args.unsafe_fixes is not None else stored["unsafe"]
    files = FileCache()
    for path, data in stored.get("seen", {}).items():
        files.offer(Path(path), data)
    code = _report(args, diagnostics, cwd, stored["projects"], stored["apps"], stored["app_keys"],
                   files.lines, unsafe)
    if code == 2:
        return 2
    return 0 if args.exit_zero else (1 if stored["failed"] else 0)


def _report(args, diagnostics: list, cwd: Path, projects: int, apps: int, app_keys: list[str],
            read_lines, unsafe: bool) -> int:
    """Print (or write to ``--output-file``) the report of a check; 2 when
    the file cannot be written, else 0."""
    if args.app:
        known = set(app_keys)
        missing = [a for a in args.app if a not in known]
        if missing and projects:
            print(f"fallint: warning: no app named {', '.join(missing)} in the checked projects", file=sys.stderr)

    from fallint.reports import RunSummary, render, use_color

    fmt = args.output_format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "full")
    text = render(
        diagnostics,
        fmt,
        cwd=cwd,
        color=use_color(sys.stdout) and not args.output_file,
        summary=RunSummary(projects=projects, apps=apps),
        statistics=args.statistics,
        quiet=args.quiet,
        read_lines=read_lines,
        unsafe_fixes=unsafe,
    )
    if args.output_file:
        try:
            Path(args.output_file).parent.mkdir(parents=True, exist_ok=True)
            Path(args.output_file).write_text(text, encoding="utf-8")
        except OSError as exc:
            print(f"fallint: error: cannot write {args.output_file}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    sys.stdout.flush()
    return 0


def _working_directory() -> Path | None:
    """The working directory, or None (after a one-line error) when it is
    gone: deleted under the running process, or not searchable."""
    try:
        return Path(os.getcwd())
    except OSError as exc:
        why = "was deleted" if isinstance(exc, FileNotFoundError) else f"cannot be read ({exc.strerror})"
        print(f"fallint: error: the current working directory {why}; run fallint from an existing directory",
              file=sys.stderr)
        return None


def _rules(args) -> int:
    from fallint.rules.registry import all_rules

    rules = all_rules()
    if args.output_format == "json":
        import json

        data = [
            {"code": r.code, "name": r.name, "severity": r.severity, "summary": r.summary}
            for r in rules
        ]
        sys.stdout.write(json.dumps(data, indent=2) + "\n")
    elif args.output_format == "markdown":
        from fallint.docs import render_rules_md

        sys.stdout.write(render_rules_md())
    else:
        width = max(len(r.name) for r in rules)
        for r in rules:
            sys.stdout.write(f"{r.code}  {r.name:<{width}}  {r.severity:<7}  {r.summary}\n")
    return 0


def _rule(args) -> int:
    from fallint.docs import render_rule
    from fallint.rules.registry import get_rule

    rule = get_rule(args.code)
    if rule is None:
        from fallint.rules.registry import all_rules
        from fallint.util.suggest import did_you_mean

        names = [r.code for r in all_rules()] + [r.name for r in all_rules()]
        hint = did_you_mean(args.code, names)
        extra = f"; did you mean `{hint}`?" if hint else ""
        print(f"fallint: error: no rule `{args.code}`{extra}", file=sys.stderr)
        return 2
    sys.stdout.write(render_rule(rule))
    return 0


def _show(args, parser) -> int:
    from fallint.engine.run import Options, UsageError, load_projects
    from fallint.reports.show import app_facts, render_show

    if args.fal_version:
        from fallint.model.fal_release import check_version_choice

        problem = check_version_choice(args.fal_version)
        if problem is not None:
            parser.exit(2, f"fallint: error: --fal-version: {problem[0]}\n")
    options = Options(apps=[args.app], project_options={"fal_version": args.fal_version} if args.fal_version else {})
    cwd = Path(os.getcwd())
    try:
        # the model of the named app only: no rule runs
        loaded = load_projects(args.paths, options, cwd)
    except UsageError as exc:
        print(f"fallint: error: {exc}", file=sys.stderr)
        return 2
    facts = [app_facts(a, cwd) for p in loaded.projects for a in p.all_apps if a.key == args.app]
    if not facts:
        print(f"fallint: error: no app named {args.app}", file=sys.stderr)
        return 2
    sys.stdout.write(render_show(facts, args.output_format))
    return 0


def _clean(args) -> int:
    try:
        from fallint.loading.cache import clean
    except ImportError:  # pragma: no cover - cache not built yet
        print("fallint: nothing to clean", file=sys.stderr)
        return 0
    if _working_directory() is None:
        return 2
    return clean(args.paths or ["."], cache_dir=args.cache_dir)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
