"""Fixes: attach them to diagnostics, apply them, write the files.

A rule that knows the edit for one of its diagnostics says so in
:meth:`~fallint.rules.registry.Rule.fix_for`; :func:`attach_fixes` asks it
for every diagnostic the engine keeps.  :func:`run_fixes` is ``fallint
check --fix`` (and ``--diff``): lint, apply every applicable fix that does
not overlap another, re-parse the result (a fix that breaks the TOML,
Python or Dockerfile is discarded and reported), write the file atomically,
lint again -- until no fix applies, at most :data:`MAX_PASSES` times.
:func:`add_ignores` is ``--add-ignore``.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from fallint.diagnostics import SAFE, Diagnostic, Edit
from fallint.model.edits import EditError, SourceText, edit_span, overlaps, unified_diff
from fallint.util.records import dataclass, field, replace

MAX_PASSES = 10
MAX_FILE_BYTES = 16 * 1024 * 1024


class WriteError(Exception):
    """A file that cannot be written (read-only, a directory that refuses the temporary file)."""


# -- attaching ----------------------------------------------------------------------


def attach_fixes(project, diags: list[Diagnostic]) -> list[Diagnostic]:
    """``diags`` with the fixes their rules know (for the codes the project lets fix)."""
    from fallint.rules.registry import get_rule

    fixable = None
    rules: dict = {}
    out = []
    for d in diags:
        cls = get_rule(d.code)
        if cls is None or cls.fix_availability is None or d.fix is not None:
            out.append(d)
            continue
        if fixable is None:
            fixable = fixable_codes(project.config)
        if d.code not in fixable:
            out.append(d)
            continue
        rule = rules.get(d.code)
        if rule is None:
            rule = rules[d.code] = cls()
        try:
            fix = rule.fix_for(d, project)
        except Exception:
            if os.environ.get("FALLINT_DEBUG"):
                raise
            fix = None
        out.append(replace(d, fix=fix) if fix is not None and fix.edits else d)
    return out


def fixable_codes(cfg) -> set[str]:
    """The codes whose fixes may be applied: ``fixable`` (default: all) minus ``unfixable``."""
    from fallint.engine.selection import expand
    from fallint.rules.registry import iter_codes

    codes = expand(cfg.fixable) if cfg.fixable is not None else set(iter_codes())
    return codes - expand(cfg.unfixable)


def applicable(d: Diagnostic, unsafe: bool) -> bool:
    return d.fix is not None and (unsafe or d.fix.applicability == SAFE)


# -- planning and verifying ------------------------------------------------------------


@dataclass
class FileChange:
    path: Path
    old: bytes
    new: bytes
    fixed: list[Diagnostic] = field(default_factory=list)


@dataclass
class PassResult:
    changes: list[FileChange] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def read_source(path: Path) -> SourceText | None:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
        if len(data) > MAX_FILE_BYTES:
            return None
        return SourceText(path, data)
    except (OSError, UnicodeDecodeError):
        return None


def _kind(path: Path) -> str:
    name = path.name.lower()
    if name.endswith(".toml"):
        return "toml"
    if name.endswith((".py", ".pyi")):
        return "python"
    if "dockerfile" in name or "containerfile" in name:
        return "dockerfile"
    return "other"


def _parse(kind: str, data: bytes):
    """A comparable parse of ``data`` (None when it does not parse)."""
    text = data.decode("utf-8-sig", errors="surrogateescape")
    try:
        if kind == "toml":
            import tomli

            return tomli.loads(text.replace("\r\n", "\n"))
        if kind == "python":
            import ast

            return ast.dump(ast.parse(text))
        if kind == "dockerfile":
            from fallint.formats.dockerfile import parse_dockerfile

            return len(parse_dockerfile(text.replace("\r\n", "\n")).errors)
    except Exception:
        return None
    return True


def still_parses(path: Path, old: bytes, new: bytes, *, same_meaning: bool = False) -> bool:
    """Whether ``new`` parses as well as ``old`` did (as the same data when ``same_meaning``)."""
    kind = _kind(path)
    before = _parse(kind, old)
    if before is None:
        return not same_meaning  # it did not parse before: nothing to compare (a fix may repair it)
    after = _parse(kind, new)
    if after is None:
        return False
    if kind == "dockerfile":
        return after <= before
    return after == before if same_meaning else True


def _fix_spans(d: Diagnostic, sources: dict[Path, SourceText]):
    spans = []
    for e in d.fix.edits:
        src = sources.get(e.path)
        if src is None:
            return None
        spans.append((e.path, edit_span(src, e)))
    return spans


def plan_pass(diags: list[Diagnostic], unsafe: bool, cwd: Path,
              overlay: dict[Path, bytes] | None = None, accept=None) -> PassResult:
    """Apply, in memory, every applicable fix that overlaps no earlier one
    (to the bytes in ``overlay`` for the files it holds, else to the files).
    ``accept``, when given, decides which fixes apply instead of ``unsafe``."""
    from fallint.diagnostics import display_path

    result = PassResult()
    if accept is not None:
        candidates = [d for d in diags if d.fix is not None and accept(d)]
    else:
        candidates = [d for d in diags if applicable(d, unsafe)]
    sources: dict[Path, SourceText | None] = {}
    for d in candidates:
        for e in d.fix.edits:
            if e.path not in sources:
                if overlay and e.path in overlay:
                    sources[e.path] = SourceText(e.path, overlay[e.path])
                else:
                    sources[e.path] = read_source(e.path)
    good = {p: s for p, s in sources.items() if s is not None}
    taken: dict[Path, list[tuple[int, int]]] = {}
    chosen: dict[Path, list[Diagnostic]] = {}
    for d in candidates:
        try:
            spans = _fix_spans(d, good)
        except EditError:
            spans = None
        if spans is None:
            continue
        if any(overlaps(s, t) for p, s in spans for t in taken.get(p, ())):
            continue  # the next pass, once this file is re-linted
        if len({p for p, _ in spans}) != 1:
            continue  # fixes edit one file (none spans two today)
        for p, s in spans:
            taken.setdefault(p, []).append(s)
        chosen.setdefault(spans[0][0], []).append(d)
    for path, fixes in chosen.items():
        src = good[path]
        new = _apply(src, fixes)
        if new is not None and still_parses(path, src.data, new):
            result.changes.append(FileChange(path, src.data, new, list(fixes)))
            continue
        # find the fixes that break it: add them one at a time
        kept: list[Diagnostic] = []
        for d in fixes:
            trial = _apply(src, kept + [d])
            if trial is not None and still_parses(path, src.data, trial):
                kept.append(d)
            else:
                loc = d.location
                result.problems.append(
                    f"{display_path(loc.path, cwd)}:{loc.line}:{loc.column}: the fix for {d.code} "
                    f"({d.fix.message}) would leave {display_path(path, cwd)} unparseable; not applied"
                )
        if kept:
            new = _apply(src, kept)
            if new is not None and new != src.data:
                result.changes.append(FileChange(path, src.data, new, kept))
    return result


def _apply(src: SourceText, fixes: list[Diagnostic]) -> bytes | None:
    try:
        return src.apply(e for d in fixes for e in d.fix.edits)
    except EditError:
        return None


# -- writing -----------------------------------------------------------------------------


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path``'s content by ``data``: a temporary file beside it, then a rename,
    the file's permission bits kept.  Raises :class:`WriteError` (nothing written)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    if not os.access(path, os.W_OK) or not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteError(f"cannot write {path}: the file is read-only")
    directory = os.path.dirname(os.path.abspath(path))
    tmp = None
    try:
        fd, tmp = tempfile.mkstemp(prefix=".fallint-", suffix=".tmp", dir=directory)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, stat.S_IMODE(st.st_mode))
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise WriteError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


# -- the --fix loop --------------------------------------------------------------------------


@dataclass
class FixRun:
    result: object  # the RunResult of the last lint (what remains)
    fixed: list[Diagnostic] = field(default_factory=list)
    changes: dict = field(default_factory=dict)  # path -> (original bytes, final bytes)
    problems: list[str] = field(default_factory=list)
    write_errors: list[str] = field(default_factory=list)


def run_fixes(paths: list[str], options, cwd: Path, *, unsafe: bool, write: bool = True,
              first=None, accept=None) -> FixRun:
    """Lint and fix until nothing applies.  ``write=False`` (``--diff``) writes
    nothing: each later pass lints the fixed text in memory (as overlays), so
    the changes are exactly what ``--fix`` would write.  ``first`` is the
    result of a lint already run."""
    from fallint.engine.run import check_paths

    def check(overlay: dict[Path, bytes]):
        if not overlay:
            return check_paths(paths, options, cwd)
        texts = {os.path.abspath(p): data.decode("utf-8") for p, data in overlay.items()}
        return check_paths(paths, replace(options, overlays=texts), cwd)

    overlay: dict[Path, bytes] = {}
    result = first if first is not None else check(overlay)
    run = FixRun(result)
    seen: dict[Path, set[bytes]] = {}
    for attempt in range(MAX_PASSES + 1):
        planned = plan_pass(result.diagnostics, unsafe, cwd, overlay, accept)
        run.problems.extend(p for p in planned.problems if p not in run.problems)
        if not planned.changes:
            break
        if attempt == MAX_PASSES:
            run.problems.append(
                f"fixes did not settle after {MAX_PASSES} passes (a bug in a fix; please report it): "
                + ", ".join(sorted({str(c.path) for c in planned.changes}))
            )
            break
        cycled = False
        for change in planned.changes:
            history = seen.setdefault(change.path, {change.old})
            if change.new in history:
                cycled = True
            history.add(change.new)
        if cycled:
            run.problems.append(
                "a fix keeps undoing another (a bug; please report it): "
                + ", ".join(sorted({str(c.path) for c in planned.changes}))
            )
            break
        wrote_any = False
        for change in planned.changes:
            if write:
                try:
                    write_atomic(change.path, change.new)
                except WriteError as exc:
                    run.write_errors.append(str(exc))
                    continue
            else:
                overlay[change.path] = change.new
            wrote_any = True
            first_bytes = run.changes.get(change.path, (change.old, None))[0]
            run.changes[change.path] = (first_bytes, change.new)
            run.fixed.extend(change.fixed)
        if not wrote_any:
            break
        result = check(overlay)
        run.result = result
    return run


def render_diff(run: FixRun, cwd: Path) -> str:
    from fallint.diagnostics import display_path

    return "".join(
        unified_diff(old, new, display_path(path, cwd))
        for path, (old, new) in sorted(run.changes.items(), key=lambda kv: display_path(kv[0], cwd))
    )


# -- --add-ignore ------------------------------------------------------------------------------


@dataclass
class IgnoreRun:
    changes: dict = field(default_factory=dict)  # path -> (old, new)
    added: int = 0
    skipped: list[str] = field(default_factory=list)
    write_errors: list[str] = field(default_factory=list)


def add_ignores(result, cwd: Path, *, write: bool = True) -> IgnoreRun:
    """Write ``# fallint: ignore[CODE]`` on the line of every diagnostic of ``result``
    (merged into a fallint comment already there); unused suppressions
    (FAL902) are removed instead, since a comment cannot suppress them.
    A diagnostic in a Dockerfile (where a trailing ``#`` is not a comment) is
    suppressed on its app's table header."""
    from fallint.diagnostics import display_path
    from fallint.engine.suppress import COMMENT_RE

    run = IgnoreRun()
    wanted: dict[Path, dict[int, set[str]]] = {}
    removals: dict[Path, list[Diagnostic]] = {}
    for d in result.diagnostics:
        if d.code in ("FAL902", "FAL903"):
            if d.code == "FAL902" and d.fix is not None:  # FAL903's fix respells a code: not an ignore
                removals.setdefault(d.location.path, []).append(d)
            else:
                run.skipped.append(_where(d, cwd) + f": {d.code} cannot be suppressed by a comment")
            continue
        path, line = d.location.path, d.location.line
        kind = _kind(path)
        if kind not in ("toml", "python"):
            target = _app_header(result, d)
            if target is None:
                run.skipped.append(_where(d, cwd) + f": {d.code} has no line a comment can suppress")
                continue
            path, line = target
        wanted.setdefault(path, {}).setdefault(line, set()).add(d.code)
    for path in sorted(set(wanted) | set(removals)):
        src = read_source(path)
        if src is None:
            run.skipped.append(f"{display_path(path, cwd)}: cannot be read")
            continue
        edits: list[list[Edit]] = []
        for line, codes in sorted(wanted.get(path, {}).items()):
            if not 1 <= line <= src.line_count:
                continue
            text = src.line_text(line)
            m = None
            for m in COMMENT_RE.finditer(text):
                pass
            if m is not None and m.group(1) is None:
                continue  # `# fallint: ignore` already covers everything
            if m is not None:
                have = [s.strip() for s in m.group(1).split(",") if s.strip()]
                merged = have + sorted(c for c in codes if c not in have)
                start = m.start(1)
                edits.append([Edit(path, line, start + 1, line, m.end(1) + 1, ", ".join(merged))])
            else:
                end = len(text)
                stripped = text.rstrip()
                edits.append([Edit(path, line, len(stripped) + 1, line, end + 1,
                                   f"  # fallint: ignore[{', '.join(sorted(codes))}]")])
        for d in removals.get(path, ()):
            edits.append(list(d.fix.edits))
        kept: list[list[Edit]] = []
        new = _try(src, [e for group in edits for e in group])
        if new is None or not still_parses(path, src.data, new, same_meaning=True):
            for group in edits:  # one at a time: skip the lines a comment would change
                trial = _try(src, [e for g in kept + [group] for e in g])
                if trial is not None and still_parses(path, src.data, trial, same_meaning=True):
                    kept.append(group)
                else:
                    run.skipped.append(f"{display_path(path, cwd)}:{group[0].line}: a comment there "
                                       "would change the file's meaning; not added")
            new = _try(src, [e for g in kept for e in g])
        else:
            kept = edits
        if new is None or new == src.data:
            continue
        if write:
            try:
                write_atomic(path, new)
            except WriteError as exc:
                run.write_errors.append(str(exc))
                continue
        run.changes[path] = (src.data, new)
        run.added += len(kept)
    return run


def _try(src: SourceText, edits: list[Edit]) -> bytes | None:
    try:
        return src.apply(edits)
    except EditError:
        return None


def _where(d: Diagnostic, cwd: Path) -> str:
    from fallint.diagnostics import display_path

    return f"{display_path(d.location.path, cwd)}:{d.location.line}:{d.location.column}"


def _app_header(result, d: Diagnostic) -> tuple[Path, int] | None:
    """(pyproject, line) of the table header of ``d``'s app."""
    if d.app is None:
        return None
    best = None
    for proj in result.projects:
        root = str(proj.root)
        if not str(d.location.path).startswith(root.rstrip(os.sep) + os.sep):
            continue
        if not any(a.key == d.app for a in proj.all_apps):
            continue
        if best is None or len(root) > len(str(best.root)):
            best = proj
    if best is None:
        return None
    from fallint.model.project import APPS_PATH

    line = best.index.header_line(APPS_PATH + (d.app,))
    return (best.pyproject_path, line) if line is not None else None
