"""Which fal release(s) deploy a project, as a model fact (issue #12).

:func:`project_pins` is the lazily computed answer for a project (see
``Project.fal_releases``): the explicit choice (``--fal-version`` on the command
line, else ``[tool.fallint] fal-version``), else the pins found next to the
``pyproject.toml`` (:func:`fallint.releases.pins.deploying_releases`).

Cold start: a project that pins nothing and chooses nothing is judged by the
newest release, which is what the 1.83.0 facts in :mod:`fallint.model.fal`
already describe; :func:`pinned` answers "is anything pinned?" from a few
``stat`` calls and the already parsed pyproject, so the release table is only
read when a pin or a choice exists.
"""

from __future__ import annotations

import re
from typing import Any

LOCK_NAMES = ("uv.lock", "pylock.toml", "poetry.lock", "pdm.lock")
_REQ_FILE = re.compile(r"(requirements|constraints)[\w.-]*\.(txt|in)", re.I)
#: a requirement on fal that constrains the release: a version specifier or a URL
#: (a bare ``fal``, ``fal[extra]`` or ``fal; marker`` pins nothing)
_FAL_REQ = re.compile(r"^\s*fal\s*(\[[^\]]*\])?\s*(\(\s*)?([<>=!~]|@)", re.I)
#: the same, as a line of a requirements file
_FAL_REQ_LINE = re.compile(r"^[ \t]*fal[ \t]*(\[[^\]\n]*\])?[ \t]*(\([ \t]*)?([<>=!~]|@)", re.I | re.M)
#: a locked fal package (uv.lock, pylock.toml, poetry.lock, pdm.lock)
_FAL_LOCKED = re.compile(r'^[ \t]*name[ \t]*=[ \t]*["\']fal["\']', re.I | re.M)


def chosen_version(project: Any) -> tuple[str | None, str]:
    """The explicit choice and where it comes from (``--fal-version`` wins)."""
    cli = (project.options or {}).get("fal_version")
    if cli:
        return cli, "--fal-version"
    cfg = getattr(project.config, "fal_version", None)
    if cfg:
        return cfg, "[tool.fallint] fal-version"
    return None, ""


def _mentions_fal(data: Any) -> bool:
    if not isinstance(data, dict):
        return False
    strings: list = []
    project = data.get("project")
    if isinstance(project, dict):
        deps = project.get("dependencies")
        if isinstance(deps, list):
            strings += deps
        extras = project.get("optional-dependencies")
        if isinstance(extras, dict):
            for v in extras.values():
                if isinstance(v, list):
                    strings += v
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for v in groups.values():
            if isinstance(v, list):
                strings += v
    return any(isinstance(s, str) and _FAL_REQ.match(s) for s in strings)


def pinned(project: Any) -> bool:
    """Whether anything chooses or pins the fal release (cheap: no table read)."""
    if chosen_version(project)[0]:
        return True
    for name in project.files.listdir(project.root):
        lock = name in LOCK_NAMES or (name.startswith("pylock.") and name.endswith(".toml"))
        if lock or _REQ_FILE.fullmatch(name):
            # a quick look (through the run's file cache, so pins reads it no
            # second time): only a file that locks or constrains fal pins it
            text = project.files.read(project.root / name).text or ""
            if (_FAL_LOCKED if lock else _FAL_REQ_LINE).search(text):
                return True
    return _mentions_fal(project.data)


def project_pins(project: Any):
    """The :class:`~fallint.releases.pins.Pins` of ``project``, or None when
    nothing is pinned (the newest release, i.e. the facts fallint always used)."""
    if not pinned(project):
        return None
    from fallint.releases.pins import deploying_releases

    choice, where = chosen_version(project)
    data = project.data if not project.load_errors and isinstance(project.data, dict) else None
    pins = deploying_releases(project.pyproject_path, override=choice, files=project.files, data=data)
    if choice and pins.kind == "override":
        pins.why = f"{where} = {choice!r}"
    return pins


def default_pins():
    """The Pins of a project that pins nothing (reads the table)."""
    from fallint import releases as rel
    from fallint.releases.pins import Pins

    latest = rel.latest()
    return Pins([latest], f"no fal pin found, using the newest known release {latest}", "default")


def effective_pins(project: Any):
    """:attr:`Project.fal_releases`, or the newest release when nothing is pinned."""
    pins = project.fal_releases
    return pins if pins is not None else default_pins()


def describe(pins) -> str:
    """``this project locks fal 1.72.7 (uv.lock:12)`` -- the phrase messages end with."""
    from fallint.releases import summarize

    where = "; ".join(f"{s.path}:{s.line}" if s.line else s.path for s in pins.sources)
    what = summarize(pins.releases)
    if pins.kind == "lock":
        return f"this project locks fal {what} ({where})"
    if pins.kind == "override":
        return f"{pins.why} selects fal {what}"
    if pins.kind in ("requirements", "pyproject"):
        reqs = "; ".join(s.text for s in pins.sources)
        return f"this project requires fal {what} ({reqs} at {where})"
    if pins.kind == "default":
        return f"nothing pins fal, so fallint assumes the newest known release, {what}"
    return f"fallint assumes fal {what} ({pins.why})"


def first_release_with(spans: list[tuple[str, str | None]], after: str | None = None) -> str | None:
    """The first ``since`` of ``spans`` newer than ``after`` (else the first one)."""
    from fallint.releases import parse_version

    if not spans:
        return None
    if after is not None:
        a = parse_version(after)
        for since, _ in spans:
            if parse_version(since) > a:
                return since
    return spans[0][0]


def check_version_choice(value: str) -> tuple[str, str | None] | None:
    """None when ``value`` names known releases (``latest``, a known version, a
    series such as ``1.75``, or a specifier admitting one); else ``(message,
    suggestion or None)``."""
    from fallint import releases as rel
    from fallint.util.suggest import did_you_mean

    v = value.strip()
    if v.lower() == "latest":
        return None
    known = rel.known_releases()
    if re.fullmatch(r"v?\d+(\.\d+){0,2}", v):
        bare = v.lstrip("v")
        if bare in known:
            return None
        if bare.count(".") < 2 and any(r == bare or r.startswith(bare + ".") for r in known):
            return None
        hint = did_you_mean(bare, known)
        if hint is None:
            older = [r for r in known if rel.parse_version(r) <= rel.parse_version(bare)]
            hint = older[-1] if older else known[0]
        return (f"fal {bare} is not a known fal release (known: {known[0]} .. {known[-1]})", hint)
    try:
        admitted = rel.releases_matching(v)
    except Exception:
        return (f"`{value}` is neither a fal version, a version specifier nor `latest`", None)
    if not admitted:
        return (f"`{value}` admits no known fal release (known: {known[0]} .. {known[-1]})", None)
    return None
