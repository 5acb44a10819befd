"""Which fal release(s) will deploy a project, found statically.

:func:`deploying_releases` looks, most specific first, at:

1. an explicit override (``[tool.fallint] fal-version`` / ``--fal-version``,
   passed in by the caller): a version, a PEP 440 specifier, or ``latest``;
2. a lock file next to the ``pyproject.toml``: ``uv.lock``, ``pylock.toml``
   (PEP 751, also ``pylock.*.toml``), ``poetry.lock``, ``pdm.lock``;
3. pins in ``requirements*.txt`` / ``constraints*.txt`` in the project root;
4. specifiers for ``fal`` in ``[project].dependencies`` (always installed, so
   they win), else in ``[project.optional-dependencies]`` and
   ``[dependency-groups]`` (PEP 735, ``include-group`` followed) of the
   ``pyproject.toml``;
5. otherwise the newest known release.

A source that pins an exact version gives that release; a specifier gives
every known release it admits (``fal>=1.70,<1.76``); several specifiers found
at the same level (two extras, two requirement files) are all kept (union).
Files are read with a size bound, through the run's
:class:`~fallint.loading.files.FileCache` when the caller passes one (so each
file is read once per run; the pyproject's already parsed data can be passed
too); anything unreadable or unparsable is skipped with a note, never an
exception: the worst outcome is "unknown, using latest" with the reasons.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fallint import releases as _rel
from fallint.util.records import dataclass, field

MAX_BYTES = 4 * 1024 * 1024
LOCK_FILES = ("uv.lock", "pylock.toml", "poetry.lock", "pdm.lock")


@dataclass(frozen=True)
class Source:
    """Where a pin was found: ``path:line`` and what it says."""

    path: str
    line: int | None
    text: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{where}: {self.text}"


@dataclass
class Pins:
    """The releases that deploy a project, and why."""

    releases: list[str]
    why: str
    kind: str  # override | lock | requirements | pyproject | default
    sources: list[Source] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def release(self) -> str:
        """The newest of :attr:`releases` (the one a fresh install would pick)."""
        return self.releases[-1]


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


class _Files:
    """The files :func:`deploying_releases` reads, each once: through the run's
    file cache when there is one (bounded, regular files only), with the
    already parsed TOML of the pyproject when the caller has it."""

    def __init__(self, cache: Any = None, parsed: dict | None = None) -> None:
        if cache is None:
            from fallint.loading.files import FileCache

            cache = FileCache()
        self.cache = cache
        self.parsed: dict[str, Any] = dict(parsed or {})

    def listdir(self, directory: Path) -> list[str]:
        return self.cache.listdir(directory)

    def text(self, path: Path, notes: list[str] | None) -> str | None:
        f = self.cache.read(path)
        if f.error in ("missing", "directory"):
            return None
        if f.error == "too-large" or (f.text is not None and len(f.text) > MAX_BYTES):
            if notes is not None:
                notes.append(f"{path.name}: ignored, it is more than {MAX_BYTES} bytes")
            return None
        if f.text is None:
            if notes is not None:
                notes.append(f"{path.name}: unreadable ({f.message or f.error})")
            return None
        return f.text

    def toml(self, path: Path, notes: list[str]) -> dict | None:
        key = str(path)
        if key in self.parsed:
            return self.parsed[key]
        text = self.text(path, notes)
        data = None
        if text is not None:
            import tomli

            try:
                data = tomli.loads(text)
            except (tomli.TOMLDecodeError, ValueError, RecursionError) as exc:
                notes.append(f"{path.name}: not valid TOML ({exc})")
        self.parsed[key] = data
        return data


def _line_of(text: str, pattern: str, start: int = 0) -> int | None:
    m = re.search(pattern, text[start:], re.MULTILINE)
    return text.count("\n", 0, start + m.start()) + 1 if m else None


def _exact(version: str, notes: list[str], where: str) -> list[str] | None:
    """The known release for an exact version (a yanked or unknown one: the nearest older)."""
    if _rel.parse_version(version) is None:
        notes.append(f"{where}: {version!r} is not a version")
        return None
    if version in _rel.data()["releases"]:
        return [version]
    cover = _rel.covering_release(version)
    if cover is None:
        notes.append(f"{where}: fal {version} is older than every known release ({_rel.known_releases()[0]})")
        return None
    notes.append(f"{where}: fal {version} is not a known release; judged as {cover}")
    return [cover]


# --------------------------------------------------------------------------- #
# lock files
# --------------------------------------------------------------------------- #


def _from_lock(root: Path, files: _Files, notes: list[str]) -> tuple[list[str], list[Source]] | None:
    names = set(files.listdir(root))
    ordered = list(LOCK_FILES)
    ordered[2:2] = sorted(n for n in names if n.startswith("pylock.") and n.endswith(".toml") and n != "pylock.toml")
    candidates = [root / name for name in ordered if name in names]
    for path in candidates:
        data = files.toml(path, notes)
        if data is None:
            continue
        text = files.text(path, None) or ""
        key = "packages" if path.name.startswith("pylock") else "package"
        entries = data.get(key)
        if not isinstance(entries, list):
            continue
        versions: list[tuple[str, int | None]] = []
        for i, entry in enumerate(entries):
            if isinstance(entry, dict) and isinstance(entry.get("name"), str) and _canon(entry["name"]) == "fal":
                v = entry.get("version")
                if isinstance(v, str):
                    versions.append((v, _nth_fal_entry_line(text, key, i)))
        if not versions:
            notes.append(f"{path.name}: does not lock fal")
            continue
        found: list[str] = []
        sources = []
        for v, line in versions:
            r = _exact(v, notes, path.name)
            if r:
                found += r
                sources.append(Source(path.name, line, f"locks fal {v}"))
        if found:
            return sorted(set(found), key=_rel.parse_version), sources
    return None


def _nth_fal_entry_line(text: str, key: str, index: int) -> int | None:
    """Line of the ``name = "fal"`` in the ``index``-th ``[[key]]`` table."""
    heads = [m.start() for m in re.finditer(rf"^\s*\[\[\s*{key}\s*\]\]", text, re.MULTILINE)]
    if index >= len(heads):
        return None
    return _line_of(text, r"^\s*name\s*=\s*[\"'][Ff][Aa][Ll][\"']", heads[index])


# --------------------------------------------------------------------------- #
# requirement strings
# --------------------------------------------------------------------------- #


def _requirement(line: str):
    """A ``packaging`` Requirement for ``fal`` in ``line``, or None."""
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        req = Requirement(line)
    except InvalidRequirement:
        return None
    return req if _canon(req.name) == "fal" else None


def _admitted(req, where: str, notes: list[str]) -> list[str] | None:
    """Known releases a fal requirement admits (None: no constraint at all)."""
    if req.url:
        notes.append(f"{where}: fal from {req.url} (version unknown)")
        return None
    if not str(req.specifier):
        return None
    # an exact pin of an unknown (yanked, newer) release still names a version
    exact = [s.version for s in req.specifier if s.operator in ("==", "===") and "*" not in s.version]
    if len(exact) == 1 and len(req.specifier) == 1:
        return _exact(exact[0], notes, where)
    admitted = _rel.releases_matching(str(req.specifier))
    if not admitted:
        notes.append(f"{where}: `{req}` admits no known release")
        return None
    return admitted


def _requirements_files(root: Path, files: _Files, notes: list[str]) -> tuple[list[str], list[Source]] | None:
    paths = sorted(
        root / n for n in files.listdir(root) if re.fullmatch(r"(requirements|constraints)[\w.-]*\.(txt|in)", n, re.I)
    )
    # .txt over .in (compiled pins beat their inputs)
    paths.sort(key=lambda p: (p.suffix.lower() != ".txt", p.name))
    found: set[str] = set()
    sources: list[Source] = []
    for path in paths:
        text = files.text(path, notes)
        if text is None:
            continue
        lines = text.splitlines()
        i = 0
        while i < len(lines):
            start = i
            raw = lines[i]
            while raw.endswith("\\") and i + 1 < len(lines):
                i += 1
                raw = raw[:-1] + " " + lines[i]
            i += 1
            line = re.sub(r"(^|\s)#.*$", "", raw).strip()
            # hashes and other per-requirement options
            line = re.split(r"\s+--?[a-z]", line)[0].strip() if not line.startswith("-") else ""
            if not line:
                continue
            req = _requirement(line)
            if req is None:
                continue
            admitted = _admitted(req, f"{path.name}:{start + 1}", notes)
            if admitted:
                found.update(admitted)
                sources.append(Source(path.name, start + 1, f"`{line}`"))
    if found:
        return sorted(found, key=_rel.parse_version), sources
    return None


def _pyproject(pyproject: Path, files: _Files, notes: list[str]) -> tuple[list[str], list[Source]] | None:
    data = files.toml(pyproject, notes)
    if not data:
        return None
    text = files.text(pyproject, None) or ""
    strings: list[tuple[str, str]] = []  # (where, requirement)
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    deps = project.get("dependencies")
    if isinstance(deps, list):
        strings += [("[project].dependencies", d) for d in deps if isinstance(d, str)]
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        for extra, reqs in extras.items():
            if isinstance(reqs, list):
                strings += [(f"[project.optional-dependencies].{extra}", d) for d in reqs if isinstance(d, str)]
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups:
            for d in _group_requirements(groups, group, notes):
                strings.append((f"[dependency-groups].{group}", d))
    # [project].dependencies are always installed: they win; otherwise the
    # extras and groups that mention fal (any of them may be the one used)
    runtime = [(w, line) for w, line in strings if w == "[project].dependencies"]
    optional = [(w, line) for w, line in strings if w != "[project].dependencies"]
    for batch in (runtime, optional):
        found: set[str] = set()
        sources: list[Source] = []
        seen: set[str] = set()
        for where, line in batch:
            req = _requirement(line)
            if req is None:
                continue
            admitted = _admitted(req, f"{pyproject.name} {where}", notes)
            if admitted is None:
                continue
            found.update(admitted)
            if line not in seen:
                seen.add(line)
                lineno = _line_of(text, re.escape(line))
                sources.append(Source(pyproject.name, lineno, f"`{line}` in {where}"))
        if found:
            return sorted(found, key=_rel.parse_version), sources
    return None


def _group_requirements(groups: dict, name: str, notes: list[str], stack: tuple = ()) -> list[str]:
    """PEP 735: a group's requirement strings, ``{include-group = "x"}`` expanded."""
    norm = {_canon(k): k for k in groups}
    key = norm.get(_canon(name))
    if key is None:
        notes.append(f"[dependency-groups]: include-group {name!r} does not exist")
        return []
    if key in stack:
        notes.append(f"[dependency-groups]: include-group cycle through {key!r}")
        return []
    out: list[str] = []
    items = groups.get(key)
    if not isinstance(items, list):
        return out
    for item in items:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict) and isinstance(item.get("include-group"), str):
            out += _group_requirements(groups, item["include-group"], notes, stack + (key,))
    return out


# --------------------------------------------------------------------------- #
# the entry point
# --------------------------------------------------------------------------- #


def _override(value: str, notes: list[str]) -> list[str] | None:
    v = value.strip()
    if v.lower() == "latest":
        return [_rel.latest()]
    if _rel.parse_version(v) is not None and re.fullmatch(r"v?\d+(\.\d+){0,2}", v):
        if v.count(".") < 2:  # "1.75" means the 1.75 series
            admitted = _rel.releases_matching(f"=={v.lstrip('v')}.*")
            if admitted:
                return admitted
        return _exact(v.lstrip("v"), notes, "fal-version")
    try:
        admitted = _rel.releases_matching(v)
    except Exception as exc:  # packaging.specifiers.InvalidSpecifier, or garbage
        notes.append(f"fal-version {value!r} is neither a version, a specifier nor `latest` ({exc})")
        return None
    if not admitted:
        notes.append(f"fal-version {value!r} admits no known release")
        return None
    return admitted


def deploying_releases(
    pyproject: str | Path, override: str | None = None, *, files: Any = None, data: dict | None = None,
) -> Pins:
    """The fal release(s) that deploy the project of ``pyproject``, most specific source first.

    ``files``: the run's :class:`~fallint.loading.files.FileCache` (each file
    is then read once per run); ``data``: the pyproject's parsed TOML, when
    the caller has it (it is not parsed again)."""
    notes: list[str] = []
    try:
        pyproject = Path(pyproject)
        reader = _Files(files, {str(pyproject): data} if data is not None else None)
        root = pyproject.parent
        if override is not None:
            found = _override(str(override), notes)
            if found:
                return Pins(found, f"fal-version = {override!r}", "override", [], notes)
        lock = _from_lock(root, reader, notes)
        if lock:
            rel, src = lock
            return Pins(rel, "; ".join(map(str, src)), "lock", src, notes)
        req = _requirements_files(root, reader, notes)
        if req:
            rel, src = req
            return Pins(rel, "; ".join(map(str, src)), "requirements", src, notes)
        pp = _pyproject(pyproject, reader, notes)
        if pp:
            rel, src = pp
            return Pins(rel, "; ".join(map(str, src)), "pyproject", src, notes)
    except Exception as exc:  # never let a strange project crash the linter
        notes.append(f"could not determine the fal release: {type(exc).__name__}: {exc}")
    latest = _rel.latest()
    why = f"no fal pin found, using the newest known release {latest}"
    if notes:
        why = f"unknown, using latest ({latest}): " + "; ".join(notes)
    return Pins([latest], why, "default", [], notes)
