"""Read a fal ``requirements`` layer exactly as ``uv pip install`` reads it.

fal turns ``requirements`` (a list of strings, or a list of such lists: one
install *layer* each) into one ``uv pip install <layer...>`` call per layer
(isolate's virtualenv backend with the ``uv`` resolver): every string of a
layer is one element of uv's argument vector, passed without a shell. Before
that, on the deploying machine, fal rewrites every string that names an
existing local directory (``.``, ``./pkg``, ``../lib[extra]``; a trailing
``[extras]`` is stripped first, the rest resolved against
``requirements_context_dir``, else the pyproject directory) into
``<project name>[extras] @ <url of an uploaded sdist>``.

So each element is one of:

* an option (``--extra-index-url``), with its value attached
  (``--extra-index-url=URL``, ``-fURL``, ``-f=URL``) or in the next element;
* a PEP 508 requirement (``torch==2.1.0+cu121; python_version < "3.12"``),
  possibly with a direct URL (``name @ https://host/pkg-1.0-py3-none-any.whl``,
  ``name @ git+https://github.com/o/r@v1``);
* an unnamed URL (``https://host/pkg-1.0-py3-none-any.whl``), VCS link
  (``git+https://github.com/o/r@v1#egg=r``) or local path (``.``,
  ``./pkg[dev]``, ``/abs/dir``, ``dist/x.tar.gz``).

:func:`analyze_layer` classifies every element and reports what uv rejects
before it resolves anything (unknown options, missing or malformed option
values, requirements that do not parse, ...), with 0-based, end-exclusive
character offsets *inside the element string*. The verdicts mirror uv (:data:`UV_VERSION`,
checked against the real binary by the tests); the messages for requirement
syntax errors come from :mod:`packaging`.

:func:`local_path_target` mirrors fal's local-path detection and reads the
target project's ``pyproject.toml``; :func:`duplicates` and
:func:`conflicting_pins` look for the same project required twice.

Nothing here raises on bad input, and :mod:`packaging` is imported lazily.

Size: a model of every option uv and pip accept in a requirements file (about
90, with their values and where they may appear) plus a PEP 508 reader with
exact positions and a fast path that avoids importing packaging.
"""

from __future__ import annotations

import difflib
import functools
import os
import re
from pathlib import Path

from fallint.loading import fs
from fallint.util.records import dataclass
from fallint.util.text import canonical_name

# --------------------------------------------------------------------------
# Public result types
# --------------------------------------------------------------------------

#: kinds of :class:`ReqItem`
ITEM_KINDS = ("option", "option-value", "requirement", "url", "vcs", "path")

#: problem kinds that make ``uv pip install`` stop before resolving anything
#: (exit status 2, "error: ..."), so the whole layer, and the deploy, fails.
PARSE_TIME_KINDS = frozenset(
    {
        "unknown-option",  # uv: unexpected argument '--frobnicate'
        "missing-value",  # uv: a value is required for '--index-url <INDEX_URL>'
        "bad-option-value",  # uv: invalid value 'x' for '--prerelease <PRERELEASE>'
        "invalid-requirement",  # uv: Failed to parse: `numpy===`
        "invalid-marker",  # the same, inside the `; marker` part
        "repeated-option",  # uv: the argument '--pre' cannot be used multiple times
        "conflicting-options",  # uv: the argument '--target' cannot be used with '--prefix'
        "unsupported-option",  # uv: pip's `--user` is unsupported
        "no-requirements",  # uv: the following required arguments were not provided
    }
)

#: problem kinds uv only hits later, while fetching or installing (so the
#: layer still fails), or that are almost certainly a typo.
LATER_KINDS = frozenset(
    {
        "invalid-wheel-filename",  # uv: The wheel filename `pkg.whl` is invalid
        "invalid-hash",  # uv: Invalid hash digest length (expected 64 hexadecimal characters
        "name-mismatch",  # uv: Requested package name `a` does not match `b`
        "missing-hash",  # uv: In `--require-hashes` mode, all requirements must have a hash
        "suspicious-option",  # `-extra-index-url` is read as `-e xtra-index-url`
    }
)

PROBLEM_KINDS = PARSE_TIME_KINDS | LATER_KINDS

#: ``ReqProblem.index`` for a problem of the layer as a whole
LAYER = -1


@dataclass(frozen=True)
class ReqItem:
    """What one element of a layer is.

    ``kind`` is one of :data:`ITEM_KINDS`. For ``option`` items, ``option`` is
    the canonical long name (``-i`` and ``--index-url`` both give
    ``"--index-url"``), ``value_index`` the index of the element holding the
    value (``index`` itself when attached, ``None`` for flags or a missing
    value) and ``value``/``value_start`` the value text and its offset in that
    element. The element holding a separate value is an ``option-value`` item
    (same ``option``), except for ``--editable``, whose value is classified
    like a requirement (``path``, ``url``, ...) with ``editable=True``.

    For requirements: ``name`` is the normalised project name (``None`` for
    an unnamed URL or path whose name uv only learns later), ``extras`` the
    normalised extras, ``specifier`` and ``marker`` packaging's normalised
    text, ``url`` the direct URL (for ``name @ url`` and unnamed URLs),
    ``path`` the local path as written (extras stripped). ``local`` is set,
    when :func:`analyze_layer` got a ``base_dir``, for every element fal
    itself rewrites into an uploaded sdist (it names an existing directory;
    see :func:`local_path_target`), including option values such as
    ``-f wheels``. The element ``--`` is an ``option`` item with option
    ``"--"``.
    """

    index: int
    kind: str
    text: str
    option: str | None = None
    value_index: int | None = None
    value: str | None = None
    value_start: int = 0
    name: str | None = None
    extras: tuple[str, ...] = ()
    specifier: str = ""
    marker: str = ""
    url: str | None = None
    path: str | None = None
    editable: bool = False
    local: LocalPath | None = None

    @property
    def is_requirement(self) -> bool:
        """True for anything uv installs (a requirement, URL, VCS link or path)."""
        return self.kind in ("requirement", "url", "vcs", "path")


@dataclass(frozen=True)
class ReqProblem:
    """A problem in element ``index`` (or :data:`LAYER`), at ``[start, end)``.

    Offsets count characters of that element's string, 0-based, end
    exclusive; the range is non-empty for a non-empty string. ``suggestion``
    is replacement text or a hint ("did you mean ...") when there is one.
    """

    index: int
    kind: str
    message: str
    start: int
    end: int
    suggestion: str | None = None

    @property
    def parse_time(self) -> bool:
        """True if uv rejects the layer before resolving anything."""
        return self.kind in PARSE_TIME_KINDS


@dataclass(frozen=True)
class LayerAnalysis:
    items: tuple[ReqItem, ...]
    problems: tuple[ReqProblem, ...]

    @property
    def requirements(self) -> tuple[ReqItem, ...]:
        return tuple(i for i in self.items if i.is_requirement)

    @property
    def rejected_by_uv(self) -> bool:
        """True if ``uv pip install`` refuses this layer before resolving."""
        return any(p.parse_time for p in self.problems)

    def options(self, name: str) -> tuple[ReqItem, ...]:
        """The ``option`` items for canonical option ``name`` (e.g. ``--index-url``)."""
        return tuple(i for i in self.items if i.kind == "option" and i.option == name)


# --------------------------------------------------------------------------
# The option table of `uv pip install`
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class OptionSpec:
    """One option ``uv pip install`` accepts.

    ``name`` is the canonical long spelling (the one uv's messages use),
    ``aliases`` other long spellings it accepts, ``short`` the one-letter form.
    ``repeatable``: uv accepts it more than once (list and counting options);
    otherwise a second occurrence is an error. ``choices``: the only values
    accepted (exact, case-sensitive). ``check``: name of a value validator in
    :data:`_VALUE_CHECKS`. ``delimiter``: uv splits one value on it into
    several. ``empty_ok``: uv accepts an empty value. ``hidden``: accepted but
    not listed by ``uv pip install --help``. ``note``: why the option matters
    for a fal app ("" when it is harmless there).
    """

    name: str
    takes_value: bool
    short: str | None = None
    aliases: tuple[str, ...] = ()
    repeatable: bool = False
    choices: tuple[str, ...] = ()
    check: str | None = None
    delimiter: str | None = None
    empty_ok: bool = True
    hidden: bool = False
    note: str = ""

    @property
    def spellings(self) -> tuple[str, ...]:
        return (self.name, *self.aliases) + ((self.short,) if self.short else ())


_FILE = (
    "names a file that must exist where fal runs uv (the remote build), "
    "and fal does not upload it"
)
_ELSEWHERE = "makes uv install outside the app's environment"
_NOTHING = "makes uv install nothing"
_PATHS = "changes where uv resolves relative paths and looks for configuration"


def _v(name: str, **kw) -> OptionSpec:
    """An option that takes a value."""
    if kw.get("choices"):
        kw.setdefault("empty_ok", False)
    return OptionSpec(name, True, **kw)


def _f(name: str, **kw) -> OptionSpec:
    """A flag."""
    return OptionSpec(name, False, **kw)


_PRERELEASE = ("disallow", "allow", "if-necessary", "explicit", "if-necessary-or-explicit")
_TORCH_BACKENDS = (
    "auto", "cpu", "cu132", "cu130", "cu129", "cu128", "cu126", "cu125", "cu124",
    "cu123", "cu122", "cu121", "cu120", "cu118", "cu117", "cu116", "cu115", "cu114",
    "cu113", "cu112", "cu111", "cu110", "cu102", "cu101", "cu100", "cu92", "cu91",
    "cu90", "cu80", "rocm7.2", "rocm7.1", "rocm7.0", "rocm6.4", "rocm6.3",
    "rocm6.2.4", "rocm6.2", "rocm6.1", "rocm6.0", "rocm5.7", "rocm5.6", "rocm5.5",
    "rocm5.4.2", "rocm5.4", "rocm5.3", "rocm5.2", "rocm5.1.1", "rocm4.2", "rocm4.1",
    "rocm4.0.1", "xpu",
)  # fmt: skip
_PLATFORMS = (
    "windows", "linux", "macos", "x86_64-pc-windows-msvc", "aarch64-pc-windows-msvc",
    "i686-pc-windows-msvc", "x86_64-unknown-linux-gnu", "aarch64-apple-darwin",
    "x86_64-apple-darwin", "aarch64-unknown-linux-gnu", "aarch64-unknown-linux-musl",
    "x86_64-unknown-linux-musl", "riscv64-unknown-linux", "x86_64-manylinux2014",
    "x86_64-manylinux_2_17", "x86_64-manylinux_2_28", "x86_64-manylinux_2_31",
    "x86_64-manylinux_2_32", "x86_64-manylinux_2_33", "x86_64-manylinux_2_34",
    "x86_64-manylinux_2_35", "x86_64-manylinux_2_36", "x86_64-manylinux_2_37",
    "x86_64-manylinux_2_38", "x86_64-manylinux_2_39", "x86_64-manylinux_2_40",
    "aarch64-manylinux2014", "aarch64-manylinux_2_17", "aarch64-manylinux_2_28",
    "aarch64-manylinux_2_31", "aarch64-manylinux_2_32", "aarch64-manylinux_2_33",
    "aarch64-manylinux_2_34", "aarch64-manylinux_2_35", "aarch64-manylinux_2_36",
    "aarch64-manylinux_2_37", "aarch64-manylinux_2_38", "aarch64-manylinux_2_39",
    "aarch64-manylinux_2_40", "aarch64-linux-android", "x86_64-linux-android",
    "wasm32-pyodide2024", "wasm32-pyodide2025", "arm64-apple-ios",
    "arm64-apple-ios-simulator", "x86_64-apple-ios-simulator",
)  # fmt: skip

#: the uv release the table below was read from (and the tests check it against)
UV_VERSION = "0.13.9"

#: Every option of ``uv pip install``, visible and hidden. Checked against the
#: real binary by tests/formats/test_requirements.py.
UV_PIP_INSTALL_OPTIONS: tuple[OptionSpec, ...] = (
    # what to install
    _v("--requirements", short="-r", aliases=("--requirement",), repeatable=True,
       empty_ok=False, note=_FILE),
    _v("--editable", short="-e", repeatable=True,
       note="fal uploads a local directory as an sdist URL, which uv cannot install "
            "as editable"),
    _f("--no-editable"),
    _v("--no-editable-package", repeatable=True, delimiter=" ", check="package-name"),
    _v("--constraints", short="-c", aliases=("--constraint",), repeatable=True,
       delimiter=" ", note=_FILE),
    _v("--overrides", aliases=("--override",), repeatable=True, delimiter=" ", note=_FILE),
    _v("--excludes", aliases=("--exclude",), repeatable=True, delimiter=" ", note=_FILE),
    _v("--build-constraints", short="-b", aliases=("--build-constraint",),
       repeatable=True, delimiter=" ", note=_FILE),
    _v("--extra", repeatable=True, delimiter=",", check="extra-name"),
    _f("--all-extras"),
    _f("--no-all-extras", hidden=True),
    _v("--cert", empty_ok=False, note=_FILE),
    _v("--group", repeatable=True, check="group"),
    _f("--no-deps"),
    _f("--deps", hidden=True),
    _f("--require-hashes"),
    _f("--no-require-hashes", hidden=True),
    _f("--verify-hashes", hidden=True),
    _f("--no-verify-hashes"),
    _f("--require-build-hashes"),
    _f("--no-require-build-hashes", hidden=True),
    _f("--system", note=_ELSEWHERE),
    _f("--no-system", hidden=True),
    _f("--break-system-packages", note=_ELSEWHERE),
    _f("--no-break-system-packages"),
    _v("--target", short="-t", empty_ok=False, note=_ELSEWHERE),
    _v("--prefix", empty_ok=False, note=_ELSEWHERE),
    _f("--no-build"),
    _f("--build", hidden=True),
    _v("--no-binary", repeatable=True, delimiter=",", check="name-specifier"),
    _v("--only-binary", repeatable=True, delimiter=",", check="name-specifier"),
    _v("--python-version", check="python-version",
       note="resolves for another Python than the app's"),
    _v("--python-platform", choices=_PLATFORMS,
       note="selects wheels for another platform than the app's"),
    _f("--inexact", aliases=("--no-exact",), hidden=True),
    _f("--exact", note="uninstalls every package this layer does not list, including "
                       "earlier layers' and fal's own"),
    _f("--strict"),
    _f("--no-strict", hidden=True),
    _f("--dry-run", note=_NOTHING),
    _f("--check", note=_NOTHING),
    _v("--output-format", choices=("text", "json")),
    _v("--torch-backend", choices=_TORCH_BACKENDS),
    _f("--user"),  # accepted by the parser, then always refused (see _UNSUPPORTED)
    _f("--disable-pip-version-check", hidden=True),
    # index options
    _v("--index", repeatable=True, check="index"),
    _v("--default-index", check="index"),
    _v("--index-url", short="-i"),
    _v("--extra-index-url", repeatable=True, delimiter=" "),
    _v("--find-links", short="-f", repeatable=True, delimiter=","),
    _f("--no-index"),
    _v("--index-strategy", choices=("first-index", "unsafe-first-match", "unsafe-best-match")),
    _v("--keyring-provider", choices=("disabled", "subprocess")),
    # resolver options
    _f("--upgrade", short="-U"),
    _f("--no-upgrade", hidden=True),
    _v("--upgrade-package", short="-P", repeatable=True, check="requirement"),
    _v("--upgrade-group", repeatable=True, check="package-name"),  # then refused
    _v("--resolution", choices=("highest", "lowest", "lowest-direct")),
    _v("--prerelease", choices=_PRERELEASE),
    _f("--pre", hidden=True),
    _v("--prerelease-package", repeatable=True, check="package-mode"),
    _v("--fork-strategy", choices=("fewest", "requires-python")),
    _v("--exclude-newer", check="date"),
    _v("--exclude-newer-package", repeatable=True, check="package-date"),
    _f("--no-sources"),
    _v("--no-sources-package", repeatable=True, delimiter=" ", check="package-name"),
    # installer options
    _f("--reinstall", aliases=("--force-reinstall",)),
    _f("--no-reinstall", hidden=True),
    _v("--reinstall-package", repeatable=True, check="package-name"),
    _v("--link-mode", choices=("clone", "copy", "hardlink", "symlink")),
    _f("--compile-bytecode", aliases=("--compile",)),
    _f("--no-compile-bytecode", aliases=("--no-compile",), hidden=True),
    # build options
    _v("--config-setting", short="-C", aliases=("--config-settings",), repeatable=True,
       check="key-value"),
    _v("--config-settings-package", repeatable=True, check="package-key-value"),
    _f("--no-build-isolation"),
    _f("--build-isolation", hidden=True),
    _v("--no-build-isolation-package", repeatable=True, check="package-name"),
    # cache options
    _f("--no-cache", short="-n", aliases=("--no-cache-dir",)),
    _v("--cache-dir", empty_ok=False),
    _f("--refresh"),
    _f("--no-refresh", hidden=True),
    _v("--refresh-package", repeatable=True, check="package-name"),
    # python options
    _v("--python", short="-p", note=_ELSEWHERE),
    _f("--managed-python"),
    _f("--no-managed-python"),
    _f("--no-python-downloads"),
    _f("--allow-python-downloads", hidden=True),
    _v("--python-preference", choices=("only-managed", "managed", "system", "only-system"),
       hidden=True),
    _v("--python-fetch", choices=("automatic", "manual", "never"), hidden=True),
    # global options
    _f("--quiet", short="-q", repeatable=True),
    _f("--verbose", short="-v", repeatable=True),
    _v("--color", choices=("auto", "always", "never")),
    _f("--no-color", hidden=True),
    _f("--system-certs"),
    _f("--no-system-certs", hidden=True),
    _f("--native-tls", hidden=True),
    _f("--no-native-tls", hidden=True),
    _f("--offline", note="a new build has an empty cache, so offline resolution fails"),
    _f("--no-offline", hidden=True),
    _v("--allow-insecure-host", aliases=("--trusted-host",), repeatable=True, delimiter=" ",
       check="host"),
    _f("--no-progress"),
    _v("--directory", empty_ok=False, note=_PATHS),
    _v("--project", empty_ok=False),
    _v("--config-file", empty_ok=False, note=_FILE),
    _f("--no-config"),
    _f("--help", short="-h", repeatable=True, note="makes uv print its help and install nothing"),
    _f("--preview", hidden=True),
    _f("--no-preview", hidden=True),
    _v("--preview-features", aliases=("--preview-feature",), repeatable=True, delimiter=",",
       empty_ok=False, hidden=True),
    _f("--isolated", hidden=True),
    _f("--show-settings", hidden=True, note="makes uv print its settings and install nothing"),
    _f("--no-installer-metadata", hidden=True),
)  # fmt: skip

#: pairs of options uv refuses together (canonical names)
UV_CONFLICTS: frozenset[frozenset[str]] = frozenset(
    frozenset(p)
    for p in (
        ("--extra", "--all-extras"),
        ("--allow-python-downloads", "--no-python-downloads"),
        ("--offline", "--refresh"),
        ("--offline", "--refresh-package"),
        ("--managed-python", "--python-preference"),
        ("--no-managed-python", "--python-preference"),
        ("--target", "--prefix"),
        ("--no-build", "--no-binary"),
        ("--no-build", "--only-binary"),
        ("--build", "--no-binary"),
        ("--build", "--only-binary"),
        ("--dry-run", "--check"),
        ("--quiet", "--verbose"),
        ("--color", "--no-color"),
    )
)

#: options the parser accepts but uv then always refuses
_UNSUPPORTED = {
    "--user": "pip's `--user` is unsupported by uv (fal already installs into a virtual "
    "environment)",
    "--upgrade-group": "`--upgrade-group` is not supported in `uv pip` commands",
}

#: well-known pip options uv lacks, with what to write instead
_PIP_ONLY = {
    "--ignore-installed": "--reinstall",
    "--platform": "--python-platform",
    "--prefer-binary": "uv has no --prefer-binary; --only-binary <package> forces wheels",
    "--upgrade-strategy": "uv has no --upgrade-strategy; --upgrade-package <package> "
    "upgrades one package",
    "--use-pep517": "uv always builds with PEP 517; drop the option",
    "--no-use-pep517": "uv always builds with PEP 517; drop the option",
    "--progress-bar": "--no-progress",
    "--no-warn-script-location": "uv does not warn about script locations; drop the option",
    "--root-user-action": "uv does not warn about running as root; drop the option",
    "--no-python-version-warning": "drop the option",
    "--src": "uv has no --src; drop the option",
    "--global-option": "--config-setting KEY=VALUE",
    "--install-option": "--config-setting KEY=VALUE",
}

_EXTRAS_SOURCES = ("pyproject.toml", "setup.py", "setup.cfg", "pylock.toml")


def _build_index() -> tuple[dict[str, OptionSpec], dict[str, OptionSpec]]:
    longs: dict[str, OptionSpec] = {}
    shorts: dict[str, OptionSpec] = {}
    for spec in UV_PIP_INSTALL_OPTIONS:
        for spelling in (spec.name, *spec.aliases):
            longs[spelling] = spec
        if spec.short:
            shorts[spec.short[1]] = spec
    return longs, shorts


_LONG, _SHORT = _build_index()


def option_spec(spelling: str) -> OptionSpec | None:
    """The :class:`OptionSpec` for ``--long``, an alias, or ``-s``; else ``None``."""
    if spelling.startswith("--"):
        return _LONG.get(spelling)
    if len(spelling) == 2 and spelling[0] == "-":
        return _SHORT.get(spelling[1])
    return None


# --------------------------------------------------------------------------
# Walking a layer like uv's command-line parser (clap)
# --------------------------------------------------------------------------


class _Walk:
    """State while reading one layer's argument vector."""

    def __init__(self, items: list[str], base_dir: Path | None, known: dict | None = None):
        self.args = items
        self.base_dir = base_dir
        self.known = known
        self.items: list[ReqItem | None] = [None] * len(items)
        self.problems: list[ReqProblem] = []
        self.seen: dict[str, int] = {}  # canonical option -> first index
        self.sources = 0  # packages, -r, -e, --group
        self.requirement_files: list[str] = []
        self.extras_requests: list[tuple[int, int, int]] = []  # (index, start, end)

    def problem(self, index, kind, message, start=0, end=None, suggestion=None) -> None:
        text = self.args[index] if 0 <= index < len(self.args) else ""
        start, end = _clamp(text, start, len(text) if end is None else end)
        self.problems.append(ReqProblem(index, kind, message, start, end, suggestion))


def _clamp(text: str, start: int, end: int) -> tuple[int, int]:
    """Keep [start, end) inside ``text`` and non-empty when ``text`` is."""
    n = len(text)
    start = max(0, min(start, n))
    end = max(start, min(end, n))
    if end == start and n:
        if start == n:
            start -= 1
        end = start + 1
    return start, end


def analyze_layer(items: list[str], base_dir: Path | None = None, known: dict | None = None) -> LayerAnalysis:
    """Classify each element of one install layer and find what uv rejects.

    ``items`` is one layer: a flat ``requirements`` list, or one inner list
    of a list of lists. Non-string elements are reported as invalid
    requirements (fal refuses them before; the caller reports that shape).
    With ``base_dir`` (the resolved ``requirements_context_dir``), elements
    naming an existing local directory are treated as fal treats them:
    uploaded as an sdist and handed to uv as ``name[extras] @ url``.
    ``known`` is passed on to :func:`local_path_target`.
    """
    args = [a if isinstance(a, str) else "" for a in items]
    w = _Walk(args, base_dir, known)
    i = 0
    only_positional = False
    while i < len(args):
        text = args[i]
        if not isinstance(items[i], str):
            w.items[i] = ReqItem(i, "requirement", text)
            w.problem(i, "invalid-requirement", "a requirement must be a string")
            i += 1
            continue
        if only_positional or not text.startswith("-") or text == "-":
            _positional(w, i)
            i += 1
        elif text == "--":
            w.items[i] = ReqItem(i, "option", text, option="--")
            only_positional = True
            i += 1
        elif text.startswith("--"):
            i = _long_option(w, i)
        else:
            i = _short_options(w, i)
    _layer_checks(w)
    items_out = tuple(
        it if it is not None else ReqItem(n, "requirement", args[n]) for n, it in enumerate(w.items)
    )
    problems = sorted(w.problems, key=lambda p: (p.index, p.start))
    return LayerAnalysis(items_out, tuple(problems))


def _positional(w: _Walk, i: int) -> None:
    w.sources += 1
    item, problems = _requirement_item(i, w.args[i], w.base_dir, known=w.known)
    w.items[i] = item
    w.problems.extend(problems)


def _long_option(w: _Walk, i: int) -> int:
    text = w.args[i]
    name, eq, attached = text.partition("=")
    spec = _LONG.get(name)
    if spec is None:
        message, suggestion = _unknown_long(name, text)
        w.items[i] = ReqItem(i, "option", text)
        end = len(text) if any(c.isspace() for c in name) else len(name)
        w.problem(i, "unknown-option", message, 0, end, suggestion)
        return i + 1
    if not spec.takes_value:
        w.items[i] = ReqItem(i, "option", text, option=spec.name)
        if eq:
            w.problem(
                i,
                "bad-option-value",
                f"{spec.name} takes no value, but {attached!r} was given",
                len(name),
                len(text),
                suggestion=name,
            )
        _record(w, i, spec, 0, len(name))
        return i + 1
    if eq:
        return _with_value(w, i, spec, 0, len(name), i, attached, len(name) + 1)
    return _separate_value(w, i, spec, 0, len(text))


def _short_options(w: _Walk, i: int) -> int:
    text = w.args[i]
    pos = 1
    while pos < len(text):
        ch = text[pos]
        spec = _SHORT.get(ch)
        if spec is None:
            w.items[i] = w.items[i] or ReqItem(i, "option", text)
            w.problem(
                i, "unknown-option", f"unknown option '-{ch}' in {text!r}", pos, pos + 1,
                _short_suggestion(text),
            )  # fmt: skip
            return i + 1
        ostart = 0 if pos == 1 else pos  # the first letter's span includes the dash
        if not spec.takes_value:
            if w.items[i] is None:
                w.items[i] = ReqItem(i, "option", text, option=spec.name)
            _record(w, i, spec, ostart, pos + 1)
            pos += 1
            continue
        # takes a value: the rest of the element (after an optional "="), or the next one
        rest = pos + 1
        if rest == len(text):
            return _separate_value(w, i, spec, ostart, pos + 1)
        if text[rest] == "=":
            rest += 1
        long_form = ("-" + text).split("=")[0]
        if long_form in _LONG:
            w.problem(
                i,
                "suspicious-option",
                f"{text!r} is read as '{text[: pos + 1]} {text[pos + 1 :]}', not as {long_form}",
                0,
                len(text),
                suggestion="-" + text,
            )
        return _with_value(w, i, spec, ostart, pos + 1, i, text[rest:], rest)
    return i + 1


def _separate_value(w: _Walk, i: int, spec: OptionSpec, ostart: int, oend: int) -> int:
    """Option at ``i`` whose value is the next element, if there is one."""
    nxt = i + 1
    if nxt >= len(w.args) or (w.args[nxt].startswith("-") and w.args[nxt] != "-"):
        w.items[i] = w.items[i] or ReqItem(i, "option", w.args[i], option=spec.name)
        w.problem(
            i,
            "missing-value",
            f"{spec.name} needs a value, but none was given",
            ostart,
            oend,
        )
        _record(w, i, spec, ostart, oend)
        return i + 1
    return _with_value(w, i, spec, ostart, oend, nxt, w.args[nxt], 0)


def _with_value(
    w: _Walk,
    i: int,
    spec: OptionSpec,
    ostart: int,
    oend: int,
    vi: int,
    value: str,
    vstart: int,
) -> int:
    """Record option ``spec`` at element ``i`` with ``value`` at ``vi``[vstart:]."""
    w.items[i] = ReqItem(
        i, "option", w.args[i], option=spec.name, value_index=vi, value=value, value_start=vstart
    )
    _record(w, i, spec, ostart, oend)
    if spec.name == "--editable":
        w.sources += 1
        # fal rewrites a whole string naming a directory, never a value attached
        # to its option (`-e.` reaches uv as written)
        base_dir = w.base_dir if vi != i else None
        item, problems = _requirement_item(
            vi, value, base_dir, element=w.args[vi], offset=vstart, editable=True, known=w.known
        )
        if vi != i:
            w.items[vi] = item
        w.problems.extend(problems)
    else:
        if vi != i:
            local = local_path_target(value, w.base_dir, w.known) if w.base_dir is not None else None
            w.items[vi] = ReqItem(vi, "option-value", value, option=spec.name, local=local)
        _check_value(w, spec, vi, value, vstart)
        if spec.name == "--requirements":
            w.sources += 1
            w.requirement_files.append(value)
        elif spec.name == "--group":
            w.sources += 1
    return vi + 1


def _record(w: _Walk, i: int, spec: OptionSpec, start: int, end: int) -> None:
    """Note an occurrence: repeats, conflicts and always-refused options."""
    if spec.name in _UNSUPPORTED:
        w.problem(i, "unsupported-option", _UNSUPPORTED[spec.name], start, end)
    first = w.seen.get(spec.name)
    if first is not None and not spec.repeatable:
        w.problem(
            i,
            "repeated-option",
            f"{spec.name} can be given only once (first given in element {first})",
            start,
            end,
        )
    for other, at in w.seen.items():
        if frozenset((spec.name, other)) in UV_CONFLICTS:
            w.problem(
                i,
                "conflicting-options",
                f"uv refuses {spec.name} together with {other} (element {at})",
                start,
                end,
            )
    w.seen.setdefault(spec.name, i)
    if spec.name in ("--extra", "--all-extras"):
        w.extras_requests.append((i, start, end))
    elif spec.name == "--no-all-extras":  # cancels an earlier --all-extras
        w.extras_requests = [r for r in w.extras_requests if w.items[r[0]].option != "--all-extras"]


def _layer_checks(w: _Walk) -> None:
    _require_hashes(w)
    if w.args and w.sources == 0:
        w.problem(
            LAYER,
            "no-requirements",
            "this layer has options but nothing to install (no requirement, -r, -e or --group)",
        )
    if w.extras_requests and not any(
        _basename(f) in _EXTRAS_SOURCES or re.fullmatch(r"pylock\..+\.toml", _basename(f))
        for f in w.requirement_files
    ):
        for i, start, end in w.extras_requests:
            w.problem(
                i,
                "unsupported-option",
                "uv applies --extra/--all-extras only to a -r pyproject.toml, setup.py, "
                "setup.cfg or pylock.toml source; write the extras on the requirement "
                "instead (pkg[extra])",
                start,
                end,
            )


def _require_hashes(w: _Walk) -> None:
    """With --require-hashes every requirement needs a hash, which on a command
    line only a direct URL can carry (``#sha256=...``)."""
    if "--require-hashes" not in w.seen or "--no-require-hashes" in w.seen:
        return
    for item in w.items:
        if item is None or not item.is_requirement:
            continue
        url = item.url or ""
        if item.kind == "url" and re.search(r"#(?:.*&)?(?:md5|sha256|sha384|sha512)=", url):
            continue
        w.problem(
            item.index,
            "missing-hash",
            "with --require-hashes uv needs a hash for every requirement, and a requirement "
            "given here can only carry one in a direct URL (https://...#sha256=...); "
            "use -r with a hashed requirements file, or drop --require-hashes",
        )


def _basename(path: str) -> str:
    return re.split(r"[/\\]", path)[-1]


def _unknown_long(name: str, text: str) -> tuple[str, str | None]:
    """Message and suggestion for an unknown ``--name``."""
    head, sep, tail = text.partition(" ")
    if sep and head in _LONG and _LONG[head].takes_value:
        return (
            f"unknown option {text!r}: an option and its value must be separate "
            "elements (or joined with '=')",
            f"{head}={tail.strip()}",
        )
    message = f"unknown option {name!r}"
    if name in _PIP_ONLY:
        return f"{message} (a pip option uv does not have)", _PIP_ONLY[name]
    fixed = name.lower().replace("_", "-")
    if fixed in _LONG:
        return message, fixed + text[len(name) :]
    close = difflib.get_close_matches(fixed, list(_LONG), n=1, cutoff=0.6)
    return message, (f"did you mean {close[0]}?" if close else None)


def _short_suggestion(text: str) -> str | None:
    if "-" + text[1:].split("=")[0] in _LONG:
        return "-" + text
    return None


# --------------------------------------------------------------------------
# Option values
# --------------------------------------------------------------------------

_NAME_RE = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
_NAME_HINT = (
    "names must start and end with a letter or digit and contain only letters, digits, -, _ and ."
)


def _check_value(w: _Walk, spec: OptionSpec, vi: int, value: str, vstart: int) -> None:
    if value == "" and not spec.empty_ok:
        w.problem(vi, "missing-value", f"{spec.name} needs a non-empty value", vstart, vstart)
        return
    parts = [(value, 0)]
    if spec.delimiter and value:
        parts, offset = [], 0
        for part in value.split(spec.delimiter):
            parts.append((part, offset))
            offset += len(part) + 1
    for part, off in parts:
        error = None
        if spec.choices:
            if part not in spec.choices:
                close = difflib.get_close_matches(part.lower(), spec.choices, n=1, cutoff=0.5)
                w.problem(
                    vi,
                    "bad-option-value",
                    f"invalid value {part!r} for {spec.name}; possible values: "
                    + ", ".join(spec.choices),
                    vstart + off,
                    vstart + off + len(part),
                    close[0] if close else None,
                )
            continue
        if spec.check:
            error = _VALUE_CHECKS[spec.check](part)
        if error:
            w.problem(
                vi,
                "bad-option-value",
                f"invalid value {part!r} for {spec.name}: {error}",
                vstart + off,
                vstart + off + len(part),
            )


def _check_package_name(v: str) -> str | None:
    return None if _NAME_RE.match(v) else f"not a valid package name ({_NAME_HINT})"


def _check_name_specifier(v: str) -> str | None:
    return None if v in (":all:", ":none:") else _check_package_name(v)


def _check_group(v: str) -> str | None:
    path, sep, name = v.rpartition(":")
    if sep and not path.endswith("pyproject.toml"):
        return "the path before ':' must end in pyproject.toml"
    return _check_package_name(name) and f"not a valid group name ({_NAME_HINT})"


def _check_index(v: str) -> str | None:
    """``URL``, ``path`` or ``name=URL``; uv refuses a bad name before the ``=``."""
    name, sep, url = v.partition("=")
    if not sep or ":" in name or any(c.isspace() or c in "/\\" for c in name):
        return None
    if name and not re.fullmatch(r"[A-Za-z0-9._-]+", name):
        return "an index name (before '=') may only contain letters, digits, -, _ and ."
    return None if url else "no URL after '='"


def _check_host(v: str) -> str | None:
    """``host``, ``host:port``, or either after ``http://``/``https://`` (lower case)."""
    for scheme in ("https://", "http://"):
        if v.startswith(scheme):
            v = v[len(scheme) :]
            break
    _host, sep, port = v.partition(":")
    if sep and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        return "expected a host, host:port or URL (the port must be a number)"
    return None


def _check_key_value(v: str) -> str | None:
    return None if "=" in v else "expected KEY=VALUE"


def _check_package_key_value(v: str) -> str | None:
    package, sep, setting = v.partition(":")
    if not sep:
        return "expected PACKAGE:KEY=VALUE"
    return _check_package_name(package) or _check_key_value(setting)


def _check_package_mode(v: str) -> str | None:
    package, sep, mode = v.partition("=")
    if not sep:
        return "expected PACKAGE=MODE"
    if mode not in _PRERELEASE:
        return "MODE must be one of " + ", ".join(_PRERELEASE)
    return _check_package_name(package)


def _check_package_date(v: str) -> str | None:
    package, sep, date = v.partition("=")
    if not sep:
        return "expected PACKAGE=DATE or PACKAGE=false"
    return _check_package_name(package) or (None if date == "false" else _check_date(date))


_DURATION_UNITS = (
    "weeks|week|wks|wk|w|days|day|d|hours|hour|hrs|hr|h|minutes|minute|mins|min|m"
    "|seconds|second|secs|sec|s|milliseconds|millisecond|msecs|msec|ms"
    "|microseconds|microsecond|usecs|usec|us|nanoseconds|nanosecond|nsecs|nsec|ns"
)
_FORBIDDEN_UNITS = "years|year|yrs|yr|y|months|month|mos|mo"
_FRIENDLY = re.compile(
    rf"[+-]?\s*(?:\d+(?:\.\d+)?\s*(?:{_FORBIDDEN_UNITS}|{_DURATION_UNITS})\s*,?\s*)+(?:ago)?"
)


def _check_date(v: str) -> str | None:
    """uv's --exclude-newer: a date, an RFC 3339 timestamp or a duration."""
    import datetime

    s = v.strip()
    m = re.match(r"(\d{4})(-?)(\d{2})\2(\d{2})", s)
    if m:
        try:
            datetime.date(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        except ValueError as exc:
            return f"not a valid date ({exc})"
        return None
    if re.fullmatch(r"[pP]\S*\d\S*", s):  # ISO 8601 duration
        if re.search(r"[yYmM]", re.split(r"[tT]", s[1:])[0]):
            return "months and years are not allowed in a duration; use days"
        return None
    if _FRIENDLY.fullmatch(s):
        if re.search(rf"\d\s*(?:{_FORBIDDEN_UNITS})\b", s):
            return "months and years are not allowed in a duration; use days"
        return None
    return "expected a date like 2024-01-01, a timestamp, or a duration like '3 days' or P3D"


def _check_python_version(v: str) -> str | None:
    from packaging.version import InvalidVersion, Version

    try:
        version = Version(v)
    except InvalidVersion:
        return "not a Python version like 3.11"
    if version.local is not None:
        return "a local version is not a Python version"
    if version.is_devrelease:
        return "a development release is not allowed"
    if any(part > 255 for part in version.release[:3]):
        return "not a Python version like 3.11"
    return None


def _check_requirement(v: str) -> str | None:
    item, problems = _requirement_item(0, v, None)
    errors = [p for p in problems if p.parse_time]
    if errors:
        return errors[0].message
    if item.name is None:
        return "a package name is required (name @ url for a direct URL)"
    return None


_VALUE_CHECKS = {
    "package-name": _check_package_name,
    "name-specifier": _check_name_specifier,
    "extra-name": lambda v: _check_package_name(v) and f"not a valid extra name ({_NAME_HINT})",
    "group": _check_group,
    "index": _check_index,
    "host": _check_host,
    "key-value": _check_key_value,
    "package-key-value": _check_package_key_value,
    "package-mode": _check_package_mode,
    "package-date": _check_package_date,
    "date": _check_date,
    "python-version": _check_python_version,
    "requirement": _check_requirement,
}


# --------------------------------------------------------------------------
# Requirements: uv's grammar, packaging's messages
# --------------------------------------------------------------------------

_DIST_EXTENSIONS = (
    ".whl", ".tar.gz", ".zip", ".tar.bz2", ".tar.lz", ".tar.lzma", ".tar.xz",
    ".tar.zst", ".tar", ".tbz", ".tgz", ".tlz", ".txz",
)  # fmt: skip
_EXTENSION_LIST = ", ".join(f"`{e}`" for e in _DIST_EXTENSIONS)
_VCS_UNSUPPORTED = {"bzr": "Bazaar", "hg": "Mercurial", "svn": "Subversion"}
_KNOWN_SCHEMES = frozenset(
    {"file", "http", "https"}
    | {f"bzr+{t}" for t in ("http", "https", "ssh", "sftp", "ftp", "lp", "file")}
    | {f"hg+{t}" for t in ("file", "http", "https", "ssh", "static-http")}
    | {f"svn+{t}" for t in ("ssh", "http", "https", "svn", "file")}
)
_GIT_TRANSPORTS = ("https", "ssh", "file", "http")
_GIT_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")
_HASH_LENGTHS = {"md5": 32, "sha256": 64, "sha384": 96, "sha512": 128}


class _Reject(Exception):
    """A requirement uv refuses: message and [start, end) in the element."""

    def __init__(self, message: str, start: int, end: int, kind: str = "invalid-requirement"):
        super().__init__(message)
        self.message, self.start, self.end, self.kind = message, start, end, kind


def _requirement_item(
    index: int,
    text: str,
    base_dir: Path | None,
    element: str | None = None,
    offset: int = 0,
    editable: bool = False,
    known: dict | None = None,
) -> tuple[ReqItem, list[ReqProblem]]:
    """Classify and check requirement ``text``, found at ``offset`` in element ``index``.

    ``element`` is the whole element string (``text`` itself by default).
    """
    element_text = text if element is None else element
    local = local_path_target(text, base_dir, known) if base_dir is not None else None
    fields: dict = {}
    problems: list[ReqProblem] = []

    def add(kind: str, message: str, start: int, end: int) -> None:
        start, end = _clamp(element_text, start + offset, end + offset)
        problems.append(ReqProblem(index, kind, message, start, end))

    if local is not None:
        # fal uploads the directory: uv sees `name[extras] @ url`, not this text
        stripped = text.strip()
        at = len(text) - len(text.lstrip()) + len(stripped) - len(local.extras_text)
        fields = {"kind": "path", "path": stripped[: len(stripped) - len(local.extras_text)]}
        fields["extras"] = local.extras
        if local.project_name:
            fields["name"] = canonical_name(local.project_name)
        if local.extras_text:
            try:  # fal copies the brackets verbatim into what uv reads
                _check_extras_text(local.extras_text, at)
            except _Reject as r:
                add(r.kind, r.message, r.start, r.end)
        if editable:
            add(
                "bad-option-value",
                "fal uploads this directory as an sdist URL, and uv cannot install a "
                "remote archive as editable; drop -e",
                0,
                len(text),
            )
        option = "--editable" if editable else None
        item = ReqItem(index, text=element_text, option=option, editable=editable, local=local,
                       **fields)  # fmt: skip
        return item, problems

    try:
        fields = _parse_requirement(text)
        if editable:
            fields = _as_editable(text, fields)
    except _Reject as r:
        add(r.kind, r.message, r.start, r.end)
        fields = {"kind": _shape_kind(text)}
    fields.pop("name_text", None)
    later = fields.pop("later", None)
    if later:
        add(*later)
    item = ReqItem(
        index,
        text=element_text,
        editable=editable,
        option="--editable" if editable else None,
        **fields,
    )
    return item, problems


def _shape_kind(text: str) -> str:
    """The item kind ``text`` has by its shape alone (for text uv refuses)."""
    s = _normalise_space(text)
    start = _skip_space(s, 0)
    if start >= len(s) or not _is_unnamed(s, start):
        return "requirement"
    split = _split_scheme(s[start:])
    if split is None or split[0] == "file":
        return "path"
    scheme = split[0]
    return "vcs" if "+" in scheme else "url" if scheme in ("http", "https") else "path"


def _as_editable(text: str, fields: dict) -> dict:
    """uv's rules for the value of ``-e``: a local directory, nothing else."""
    kind = fields["kind"]
    why = None
    if kind == "requirement":
        if fields.get("specifier"):
            why = "Registry requirements cannot be editable"
        else:  # `-e name` means the directory ./name
            return {
                "kind": "path",
                "path": fields["name_text"],
                "extras": fields.get("extras", ()),
                "marker": fields.get("marker", ""),
            }
    elif kind == "vcs":
        why = "Git sources cannot be editable"
    elif kind == "url":
        why = "Remote archives cannot be editable"
    elif kind == "path" and _dist_extension(_path_part(fields.get("path") or "")):
        why = "Local archives cannot be editable"
    if why:
        raise _Reject(
            f"uv cannot install {text.strip()!r} as editable: {why}; -e takes a local directory",
            0,
            len(text),
            "bad-option-value",
        )
    fields.pop("name_text", None)
    return fields


def _parse_requirement(text: str) -> dict:
    """Fields of a :class:`ReqItem` for one requirement string; raises :class:`_Reject`."""
    s = _normalise_space(text)
    start = _skip_space(s, 0)
    if start < len(s) and _is_unnamed(s, start):
        return _parse_unnamed(s, start)
    return _parse_named(s)


def _normalise_space(text: str) -> str:
    """Whitespace uv skips but packaging does not (newlines ...) becomes a space."""
    return "".join(" " if c.isspace() and c not in " \t" else c for c in text)


def _skip_space(s: str, i: int) -> int:
    while i < len(s) and s[i].isspace():
        i += 1
    return i


def _is_unnamed(s: str, start: int) -> bool:
    """uv's choice between a PEP 508 requirement and a bare URL or path."""
    if not _is_ascii_alnum(s[start]):
        return _looks_like_unnamed(s, start)
    i = start
    while i < len(s) and (_is_ascii_alnum(s[i]) or s[i] in "._-"):
        i += 1
    name_end = i
    i = _skip_space(s, i)
    if i < len(s) and s[i] == "[":
        close = s.find("]", i)
        if close < 0:
            return False
        i = _skip_space(s, close + 1)
    nxt = s[i] if i < len(s) else ""
    if nxt and nxt in "@(<=>~!":
        return False
    if nxt in ("", ";"):
        return _looks_like_archive(s[start:name_end])
    # uv looks again from the start of the string, leading whitespace included
    # (so " https://..." is no URL to it)
    return _looks_like_unnamed(s, 0)


def _is_ascii_alnum(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _looks_like_unnamed(s: str, start: int) -> bool:
    end = start
    while end < len(s) and not s[end].isspace():
        end += 1
    url = s[start:end].replace("${PROJECT_ROOT}", "/")
    url = _split_extras(url)[0]
    if not url:
        return False
    if url[0] in "\\/.":
        return True
    if _split_scheme(url) is not None:
        return True
    return "/" in url or "\\" in url or _looks_like_archive(url)


def _split_extras(given: str) -> tuple[str, str]:
    """``("./pkg", "[dev]")`` for ``"./pkg[dev]"``; ``(given, "")`` without extras."""
    if not given.endswith("]"):
        return given, ""
    for i in range(len(given) - 2, -1, -1):
        if given[i] == "]":
            return given, ""
        if given[i] == "[":
            return given[:i], given[i:]
    return given, ""


def _split_scheme(s: str) -> tuple[str, str] | None:
    s = s.strip("".join(chr(c) for c in range(33)))
    if not s or not (s[0].isascii() and s[0].isalpha()):
        return None
    for i, c in enumerate(s):
        if c == ":":
            return s[:i], s[i + 1 :]
        if not (_is_ascii_alnum(c) or c in "+-."):
            return None
    return None


def _file_name(path: str) -> str | None:
    """The last component of ``path`` as Rust's ``Path::file_name`` sees it."""
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts or parts[-1] == "..":
        return None
    return parts[-1]


def _extension(file_name: str | None) -> str | None:
    """Rust's ``Path::extension``: ``None`` for ``x`` and ``.x``; ``""`` for ``x.``."""
    if file_name is None or file_name == "..":
        return None
    dot = file_name.rfind(".")
    if dot <= 0:
        return None
    return file_name[dot + 1 :]


def _looks_like_archive(name: str) -> bool:
    file_name = _file_name(name)
    ext = _extension(file_name)
    if ext is None:
        return False
    assert file_name is not None
    pre = _extension(file_name[: -len(ext) - 1])
    return ext in ("whl", "tbz", "txz", "tlz", "zip", "tgz", "tar") or (
        pre == "tar" and ext in ("bz2", "xz", "lz", "lzma", "gz")
    )


def _dist_extension(path: str) -> str | None:
    """The distribution extension ``path`` ends with (case-sensitive), else ``None``."""
    name = _file_name(path) or ""
    for ext in _DIST_EXTENSIONS:
        if name.endswith(ext) and len(name) > len(ext):
            return ext
    return None


def _path_part(path: str) -> str:
    return path.split("#", 1)[0]


_URL_END = re.compile(r"(?<!\s)\s+(?=[;#]|\Z)|[;#](?=\s)")


def _scan_url(s: str, i: int, brackets: bool) -> int:
    """End of the URL starting at ``i``, by uv's rules.

    The URL runs to the end of the string except that whitespace followed by
    ``;``, ``#`` or the end, or a ``;``/``#`` followed by whitespace, ends it.
    With ``brackets``, none of that applies inside ``[...]``.
    """
    if not brackets or "[" not in s[i:]:
        m = _URL_END.search(s, i + 1)
        return m.start() if m else len(s)
    depth = 0
    j = i
    while j < len(s):
        c = s[j]
        if brackets:
            depth = depth + 1 if c == "[" else max(0, depth - 1) if c == "]" else depth
        if depth == 0 and c.isspace():
            k = _skip_space(s, j)
            if k >= len(s) or s[k] in ";#":
                return j
            j = k  # the whole run of whitespace belongs to the URL
            continue
        j += 1
        if depth == 0 and j < len(s) and s[j] in ";#" and j + 1 < len(s) and s[j + 1].isspace():
            return j
    return j


def _parse_unnamed(s: str, start: int) -> dict:
    """A bare URL, VCS link or path, with optional ``[extras]`` and ``; marker``."""
    end = _scan_url(s, start, brackets=True)
    token = s[start:end]
    base, extras_text = _split_extras(token)
    extras: tuple[str, ...] = ()
    if extras_text:
        extras = _check_extras_text(extras_text, start + len(base))
    fields = _classify_location(base, start)
    fields["extras"] = extras
    i = _skip_space(s, end)
    if i < len(s) and s[i] == ";":
        fields["marker"] = _check_marker(s[i + 1 :], i + 1)
    elif i < len(s):
        hint = "; a comment needs a space before '#'" if s[i] == "#" else ""
        raise _Reject(f"expected the end of the requirement or ';', found {s[i]!r}{hint}", i, i + 1)
    return fields


def _check_extras_text(extras_text: str, at: int) -> tuple[str, ...]:
    """Validate ``[a,b]`` found at offset ``at``; packaging's message on error."""
    from packaging.requirements import InvalidRequirement, Requirement

    probe = "x" + extras_text
    try:
        req = Requirement(probe)
    except InvalidRequirement as exc:
        message, pstart, pend = _packaging_error(str(exc), probe)
        raise _Reject(message, at + pstart - 1, at + pend - 1) from None
    if req.specifier or req.marker or req.url:
        raise _Reject("invalid extras", at, at + len(extras_text))
    return tuple(sorted(canonical_name(e) for e in req.extras))


def _check_marker(marker: str, at: int) -> str:
    """Validate the marker text found at offset ``at``; normalised marker text."""
    from packaging.markers import InvalidMarker, Marker

    try:
        parsed = Marker(marker)
    except InvalidMarker as exc:
        message, mstart, mend = _packaging_error(str(exc), marker)
        raise _Reject(message, at + mstart, at + mend, "invalid-marker") from None
    _reject_marker_triple_equals(marker, at)
    return str(parsed)


def _reject_marker_triple_equals(marker: str, at: int) -> None:
    """packaging accepts ``===`` in markers; uv does not."""
    quote = None
    for j, c in enumerate(marker):
        if quote:
            quote = None if c == quote else quote
        elif c in "'\"":
            quote = c
        elif marker.startswith("===", j):
            raise _Reject(
                "uv accepts no '===' in markers (use ==, !=, <, <=, >, >=, ~=, in, not in)",
                at + j,
                at + j + 3,
                "invalid-marker",
            )


_ENV_VAR = re.compile(r"\$\{[A-Z0-9_]+\}")


def _classify_location(loc: str, at: int, named: bool = False) -> dict:
    """Kind and checks for a URL or path written at offset ``at``.

    ``named``: the URL of a ``name @ url`` requirement (uv reads a path there
    slightly differently).
    """
    if _ENV_VAR.search(loc):
        # uv expands ${VAR} where it runs; check what does not depend on it
        last = loc.rstrip("/").rsplit("/", 1)[-1]
        split = _split_scheme(loc)
        if _ENV_VAR.search(last) or (split and _ENV_VAR.search(split[0])):
            kind = "path" if split is None or split[0] == "file" else "url"
            return {"kind": kind, "url" if kind == "url" else "path": loc}
        fields = _classify_location(_ENV_VAR.sub("x", loc), at, named)
        fields.pop("later", None)
        for key in ("url", "path"):
            if key in fields:
                fields[key] = loc
        return fields
    end = at + len(loc)
    split = _split_scheme(loc)
    scheme = split[0] if split else None
    if scheme is None or (scheme not in _KNOWN_SCHEMES and not scheme.startswith("git+")):
        fields = {"kind": "path", "path": _path_part(loc) if named else loc}
        _check_local_path(_path_part(loc) if named else loc, at, end, fields)
        return fields
    assert split is not None
    rest = split[1]
    if scheme == "file":
        path = rest
        if path.startswith("//localhost/"):
            path = path[len("//localhost") :]
        elif path.startswith("//"):
            path = path[2:]
        fields = {"kind": "path", "path": _path_part(path), "url": loc}
        _check_local_path(_path_part(path) if named else path, at, end, fields)
        return fields
    if scheme.startswith("git+"):
        transport = scheme[4:]
        if transport not in _GIT_TRANSPORTS:
            raise _Reject(
                f"unsupported Git URL scheme `{transport}:` (uv accepts git+https, "
                "git+ssh, git+http and git+file)",
                at,
                end,
            )
        if transport != "file":
            _check_authority(rest, at, end)
        _check_git_path(rest, at, end)
        return {"kind": "vcs", "url": loc, "name": _egg_name(loc)}
    prefix = scheme.split("+", 1)[0]
    if prefix in _VCS_UNSUPPORTED:
        raise _Reject(
            f"unsupported URL prefix `{prefix}` ({_VCS_UNSUPPORTED[prefix]} is not "
            "supported by uv; only git+ links are)",
            at,
            end,
        )
    # http / https
    host, path, fragment = _check_authority(rest, at, end)
    file_name = _file_name(path)
    ext = _extension(file_name)
    if ext is not None and ext.lower() == "git":
        _check_git_path(rest, at, end)
        return {"kind": "vcs", "url": loc, "name": _egg_name(loc)}
    segments = path.lstrip("/").split("/") if path.startswith("/") else []
    if host in _GIT_HOSTS and ext is None and len(segments) == 2:
        raise _Reject(
            f"direct URL `{loc}` points at a Git repository but lacks the `git+` prefix",
            at,
            end,
        )
    if _dist_extension(path) is None:
        raise _Reject(
            f"expected direct URL `{loc}` to end in a supported file extension: "
            f"{_EXTENSION_LIST} (a Git repository needs git+https://...)",
            at,
            end,
        )
    fields = {"kind": "url", "url": loc, "name": _egg_name(loc)}
    _check_hash_fragment(fragment, at, end, fields)
    _wheel_name(path, at, end, fields)
    return fields


def _check_authority(rest: str, at: int, end: int) -> tuple[str, str, str]:
    """Host, path and fragment of ``//host:port/path#fragment``; refuses what rust-url does."""
    body = rest.lstrip("/\\")
    m = re.match(r"([^/\\?#]*)([^?#]*)(?:\?[^#]*)?(?:#(.*))?$", body)
    assert m is not None
    authority, path, fragment = m.group(1), m.group(2), m.group(3) or ""
    hostport = authority.rpartition("@")[2]
    if hostport.startswith("["):
        host, _, port = hostport.partition("]")
        host += "]"
        port = port[1:] if port.startswith(":") else ""
    else:
        host, _, port = hostport.partition(":")
    if not host:
        raise _Reject("empty host in URL", at, end)
    if any(c.isspace() or c in "<>^|%" for c in host):
        raise _Reject(f"invalid host {host!r} in URL", at, end)
    if port and not (port.isascii() and port.isdigit() and int(port) <= 65535):
        raise _Reject("invalid port number in URL", at, end)
    return host.lower(), path, fragment


def _check_git_path(rest: str, at: int, end: int) -> None:
    """uv takes the revision after an ``@`` in the path and refuses two of them."""
    body = rest.lstrip("/\\")
    path = re.split(r"[?#]", body, maxsplit=1)[0]
    slash = path.find("/")
    if slash >= 0 and path[slash:].count("@") > 1:
        raise _Reject(
            "ambiguous Git URL: the path has more than one '@' (write an '@' in the "
            "revision as %40)",
            at,
            end,
        )


def _check_hash_fragment(fragment: str, at: int, end: int, fields: dict) -> None:
    """A ``#sha256=...`` of the wrong length fails when uv fetches the file."""
    for part in fragment.split("&"):
        algo, sep, digest = part.partition("=")
        size = _HASH_LENGTHS.get(algo)
        if sep and size and (len(digest) != size or not re.fullmatch(r"[0-9a-fA-F]*", digest)):
            message = f"invalid {algo} hash in URL (expected {size} hexadecimal characters)"
            fields["later"] = ("invalid-hash", message, at, end)


def _check_local_path(path: str, at: int, end: int, fields: dict) -> None:
    """uv refuses a path that has an extension other than a distribution's.

    Without an extension (``#fragment`` aside) it is taken as a directory; else
    the whole text, fragment included, must end in a distribution extension.
    (A directory whose name has a dot exists only where fal uploads it; see
    ``base_dir``.)
    """
    ext = _extension(_file_name(_path_part(path)))
    if ext is not None and _dist_extension(path) is None:
        raise _Reject(
            f"expected path `{path}` to be a directory without a file extension, or to end "
            f"in a supported file extension: {_EXTENSION_LIST}",
            at,
            end,
        )
    _wheel_name(_path_part(path), at, end, fields)


def _wheel_name(path: str, at: int, end: int, fields: dict) -> None:
    """Project name of a wheel file; a bad wheel name fails when uv installs it."""
    name = _file_name(path) or ""
    if not name.endswith(".whl"):
        return
    from packaging.utils import InvalidWheelFilename, parse_wheel_filename

    try:
        fields["name"] = str(parse_wheel_filename(name)[0])
    except (InvalidWheelFilename, ValueError) as exc:
        fields["later"] = ("invalid-wheel-filename", f"invalid wheel file name: {exc}", at, end)


def _egg_name(url: str) -> str | None:
    m = re.search(r"[#&]egg=([A-Za-z0-9][A-Za-z0-9._-]*)", url)
    return canonical_name(m.group(1)) if m else None


# The common requirement -- a name, maybe extras, release-number specifiers and
# a marker of plain comparisons (``torch==2.4.1``, ``numpy>=1.26; python_version
# >= '3.10'``) -- is read here without packaging, whose import (~15 ms, with
# ``inspect`` and ``platform``) was a fifth of a warm run on a small project.
# The grammar below is a strict subset of what packaging accepts, and the
# fields are the ones packaging's parse gives (its normalised specifier and
# marker text); anything else goes to packaging.  A test compares both paths.
_SIMPLE_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_SIMPLE_SPEC = r"(?:~=|==|!=|<=|>=|<|>)\s*[0-9]+(?:\.[0-9]+)*"
_MARKER_VARIABLES = (
    "python_version|python_full_version|os_name|sys_platform|platform_release|platform_system|"
    "platform_version|platform_machine|platform_python_implementation|implementation_name|"
    "implementation_version"
)
_SIMPLE_ATOM = rf"""(?:{_MARKER_VARIABLES})\s*(?:==|!=|<=|>=|<|>)\s*(?:'[^'"]*'|"[^'"]*")"""
_SIMPLE_REQUIREMENT = re.compile(
    rf"""\s*(?P<name>{_SIMPLE_NAME})\s*
    (?:\[\s*(?P<extras>{_SIMPLE_NAME}(?:\s*,\s*{_SIMPLE_NAME})*)?\s*\]\s*)?
    (?P<specs>{_SIMPLE_SPEC}(?:\s*,\s*{_SIMPLE_SPEC})*)?\s*
    (?:;\s*(?P<marker>{_SIMPLE_ATOM}(?:\s+(?:and|or)\s+{_SIMPLE_ATOM})*))?\s*""",
    re.VERBOSE,
)
_NAME_HEAD = re.compile(rf"\s*{_SIMPLE_NAME}\s*")
_SPEC_PART = re.compile(r"(~=|==|!=|<=|>=|<|>)\s*([0-9.]+)")
_MARKER_PART = re.compile(
    rf"""({_MARKER_VARIABLES})\s*(==|!=|<=|>=|<|>)\s*(?:'([^'"]*)'|"([^'"]*)")|(and|or)"""
)


def _simple_named(s: str) -> dict | None:
    """:func:`_parse_named`'s fields for a requirement of the simple grammar
    above (None for any other text)."""
    m = _SIMPLE_REQUIREMENT.fullmatch(s)
    if m is None:
        return None
    specs = []
    if m.group("specs"):
        for op, version in _SPEC_PART.findall(m.group("specs")):
            if op == "~=" and "." not in version:
                return None  # packaging: ~= needs two release numbers
            specs.append(op + version)
    marker = ""
    if m.group("marker"):
        words = []
        for variable, op, single, double, joiner in _MARKER_PART.findall(m.group("marker")):
            words.append(joiner or f'{variable} {op} "{single or double}"')
        marker = " ".join(words)
    extras = m.group("extras")
    return {
        "kind": "requirement",
        "name": canonical_name(m.group("name")),
        "name_text": m.group("name"),
        # packaging keeps the extras as a set of the names as written
        "extras": tuple(sorted(canonical_name(e) for e in {e.strip() for e in extras.split(",")})) if extras else (),
        "specifier": ",".join(sorted(set(specs))),
        "marker": marker,
    }


def requirement_name(text: str) -> str | None:
    """The canonical project name of PEP 508 requirement ``text``, or None when
    it is not one (packaging is imported only for the uncommon forms)."""
    fast = _simple_named(text)
    if fast is not None:
        return fast["name"]
    head = _NAME_HEAD.match(text)
    if head is None or (head.end() < len(text) and text[head.end()] not in "[(;@<>=!~"):
        return None  # not even the start of a requirement (a URL, an option value ...)
    from packaging.requirements import InvalidRequirement, Requirement

    try:
        return canonical_name(Requirement(text).name)
    except (InvalidRequirement, ValueError):
        return None


def _parse_named(s: str) -> dict:
    """A PEP 508 requirement: packaging decides, plus what uv refuses on top."""
    fast = _simple_named(s)
    if fast is not None:
        return fast
    return _parse_named_with_packaging(s)


def _parse_named_with_packaging(s: str) -> dict:
    from packaging.requirements import InvalidRequirement, Requirement

    probe, inserted = _packaging_view(s)
    try:
        req = Requirement(probe)
    except InvalidRequirement as exc:
        message, start, end = _packaging_error(str(exc), probe)
        if inserted is not None:
            start -= start > inserted
            end -= end > inserted
        marker_at = _marker_start(s)
        kind = "invalid-marker" if marker_at is not None and start > marker_at else None
        raise _Reject(message, start, end, kind or "invalid-requirement") from None
    fields: dict = {
        "kind": "requirement",
        "name": canonical_name(req.name),
        "name_text": req.name,
        "extras": tuple(sorted(canonical_name(e) for e in req.extras)),
        "specifier": str(req.specifier),
        "marker": str(req.marker) if req.marker else "",
    }
    _reject_bad_arbitrary_equality(s, req)
    marker_at = _marker_start(s)
    if marker_at is not None:
        _reject_marker_triple_equals(s[marker_at + 1 :], marker_at + 1)
    url_at = _url_start(s)
    if req.url and url_at is not None:
        at = url_at
        url_end = _scan_url(s, at, brackets=False)
        fields["url"] = req.url
        located = _classify_location(s[at:url_end], at, named=True)
        fields["kind"] = located["kind"]
        if located["kind"] == "path":
            fields["path"] = located.get("path")
        if located.get("later"):
            fields["later"] = located["later"]
        other = located.get("name")
        if other and located["kind"] == "url" and canonical_name(other) != fields["name"]:
            fields["later"] = (
                "name-mismatch",
                f"the requirement names {req.name!r}, but the file is {other!r}",
                at,
                url_end,
            )
    return fields


# (each \s* is followed by something it cannot match: no backtracking on long whitespace)
_PAREN_REQUIREMENT = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\]\s*)?\([^)]*\)")
_URL_REQUIREMENT = re.compile(r"\s*[A-Za-z0-9][A-Za-z0-9._-]*\s*(?:\[[^\]]*\]\s*)?@\s*")


def _url_start(s: str) -> int | None:
    """Where the URL of a ``name [extras] @ url`` requirement starts, else ``None``."""
    m = _URL_REQUIREMENT.match(s)
    return m.end() if m else None


def _packaging_view(s: str) -> tuple[str, int | None]:
    """``s`` as packaging should read it to agree with uv about ``name @ url``.

    uv ends the URL at ``;`` + whitespace, allows a ``# comment`` after it and
    keeps whitespace inside it; packaging wants whitespace before ``;`` and
    no comment. Returns the text for packaging and where a space was inserted
    (packaging's positions after it are one too far).
    """
    u = _url_start(s)
    if u is None:
        m = _PAREN_REQUIREMENT.match(s)
        rest = _skip_space(s, m.end()) if m else len(s)
        if rest < len(s) and s[rest] == "#":  # uv allows a comment after `name (spec)`
            return s[:rest] + " " * (len(s) - rest), None
        return s, None
    end = _scan_url(s, u, brackets=False)
    view = s[:u] + "".join("_" if c.isspace() else c for c in s[u:end]) + s[end:]
    rest = _skip_space(view, end)
    if rest < len(view) and view[rest] == "#":
        view = view[:end] + " " * (len(view) - end)
    if end < len(view) and view[end] == ";":
        return view[:end] + " " + view[end:], end
    return view, None


def _marker_start(s: str) -> int | None:
    """Index of the ``;`` that starts the marker of a named requirement."""
    u = _url_start(s)
    if u is not None:
        i = _skip_space(s, _scan_url(s, u, brackets=False))
        return i if i < len(s) and s[i] == ";" else None
    i = s.find(";")
    return i if i >= 0 else None


def _reject_bad_arbitrary_equality(s: str, req) -> None:
    """packaging takes any string after ``===``; uv wants a version there."""
    from packaging.version import InvalidVersion, Version

    for spec in req.specifier:
        if spec.operator != "===":
            continue
        try:
            Version(spec.version)
        except InvalidVersion:
            at = s.find("===")
            end = _skip_space(s, at + 3)
            while end < len(s) and not s[end].isspace() and s[end] not in ",;)":
                end += 1
            raise _Reject(
                f"uv expects a version after '===', found {spec.version!r}", at, end
            ) from None


def _packaging_error(message: str, source: str) -> tuple[str, int, int]:
    """packaging's first message line and the span its caret line marks."""
    lines = message.split("\n")
    first = lines[0]
    if len(lines) >= 3 and lines[-1].startswith("    ") and "^" in lines[-1]:
        marks = lines[-1][4:]
        caret = marks.index("^")
        tilde = marks.find("~")
        start = tilde if 0 <= tilde < caret else caret
        return first, start, caret + 1
    return first, 0, len(source)


# --------------------------------------------------------------------------
# fal's local-path requirements
# --------------------------------------------------------------------------

def _fal_extras_start(req: str) -> int | None:
    """Where fal's ``(?P<extras>\\[[^\\]]+\\])$`` would match (its search, in linear time)."""
    if not req.endswith("]"):
        return None
    start = req.rfind("]", 0, len(req) - 1) + 1
    at = req.find("[", start, len(req) - 1)
    return at if 0 <= at < len(req) - 2 else None


@dataclass(frozen=True)
class LocalPath:
    """A requirement string fal builds and uploads as an sdist.

    ``directory`` is the resolved directory, ``extras_text`` the trailing
    ``[...]`` as written ("" if none) and ``extras`` its normalised names.
    ``project_name`` is ``[project].name`` when it is a non-empty string
    (fal refuses to deploy otherwise: it names the sdist after it);
    ``optional_dependencies`` the normalised names of
    ``[project.optional-dependencies]`` (``None`` when the pyproject cannot be
    read or declares them ``dynamic``). ``error`` says why the pyproject is
    missing or unreadable.
    """

    directory: Path
    extras_text: str
    extras: tuple[str, ...]
    pyproject: Path
    has_pyproject: bool
    project_name: str | None
    optional_dependencies: tuple[str, ...] | None
    error: str | None = None

    @property
    def unknown_extras(self) -> tuple[str, ...]:
        """Requested extras the project does not declare."""
        if self.optional_dependencies is None:
            return ()
        return tuple(e for e in self.extras if e not in self.optional_dependencies)


def local_path_target(text: str, base_dir: Path, known: dict | None = None) -> LocalPath | None:
    """What fal does with ``text`` if it is a local-path requirement, else ``None``.

    Mirrors fal: strip the string; strip a trailing ``[extras]``; expand
    ``~``; resolve against ``base_dir`` (the resolved
    ``requirements_context_dir``, else the pyproject directory); an existing
    directory is uploaded as an sdist. Never raises.

    ``known`` maps the resolved paths of pyproject files already parsed
    (the linted project's own, typically: ``.`` is the most common local
    requirement) to their data, so they are not read and parsed again.
    """
    if not isinstance(text, str):
        return None
    req = text.strip()
    if not req:
        return None
    path_part, extras_text = req, ""
    at = _fal_extras_start(req)
    if at is not None:
        path_part = req[:at].strip()
        if not path_part:
            return None
        extras_text = req[at:]
    if len(path_part) > 4096 or "\x00" in path_part:  # longer than any path the OS resolves
        return None
    try:
        candidate = os.path.join(base_dir, os.path.expanduser(path_part))
        if not fs.isdir(candidate):  # one stat: most elements are not paths
            return None
        directory = fs.resolve(candidate)
    except (OSError, RuntimeError, ValueError):
        return None
    extras = tuple(
        canonical_name(e.strip()) for e in extras_text[1:-1].split(",") if e.strip()
    )  # fmt: skip
    return _read_local_project(directory, extras_text, extras, known)


def _read_local_project(
    directory: Path, extras_text: str, extras: tuple[str, ...], known: dict | None = None
) -> LocalPath:
    pyproject = directory / "pyproject.toml"
    data = known.get(str(pyproject)) if known else None
    if isinstance(data, dict):
        has, name, optional, error = _facts_of(data)
        return LocalPath(directory, extras_text, extras, pyproject, has, name, optional, error)
    try:
        st = fs.stat(pyproject)
        # a new run records its reads anew (fs.generation): the memo serves one run
        stamp: tuple = (st.st_mtime_ns, st.st_size, st.st_ino, fs.generation())
    except OSError:
        stamp = ()
    has, name, optional, error = _project_facts(str(pyproject), stamp)
    return LocalPath(directory, extras_text, extras, pyproject, has, name, optional, error)


@functools.lru_cache(maxsize=256)
def _project_facts(pyproject_path: str, stamp: tuple) -> tuple:
    """(has pyproject, [project].name, optional-dependency names, error) of one
    pyproject.toml; memoised on its stat stamp, because every local-path
    requirement of every app (often ``.``, the linted project itself) asks."""
    from fallint.loading.files import read_text

    loaded = read_text(Path(pyproject_path))
    if not loaded.ok:
        error = (
            "no pyproject.toml in this directory"
            if loaded.error == "missing"
            else f"pyproject.toml {loaded.message}"
        )
        return (loaded.error not in ("missing", "directory"), None, None, error)
    import tomli

    try:
        data = tomli.loads(loaded.text or "")
    except (tomli.TOMLDecodeError, RecursionError, ValueError) as exc:
        return (True, None, None, f"pyproject.toml is not valid TOML: {exc}")
    return _facts_of(data)


def _facts_of(data: dict) -> tuple:
    """:func:`_project_facts` of a parsed pyproject."""
    project = data.get("project")
    if not isinstance(project, dict):
        return (True, None, (), None)
    name = project.get("name")
    name = name if isinstance(name, str) and name else None
    dynamic = project.get("dynamic")
    if isinstance(dynamic, list) and "optional-dependencies" in dynamic:
        return (True, name, None, None)  # the build backend decides: unknown here
    optional = project.get("optional-dependencies")
    names = tuple(canonical_name(k) for k in optional) if isinstance(optional, dict) else ()
    return (True, name, names, None)


# --------------------------------------------------------------------------
# The same project twice
# --------------------------------------------------------------------------


def _named_requirements(analysis: LayerAnalysis) -> dict[tuple[str, str], list[ReqItem]]:
    groups: dict[tuple[str, str], list[ReqItem]] = {}
    for item in analysis.items:
        if item.is_requirement and item.name:
            groups.setdefault((item.name, item.marker), []).append(item)
    return groups


def duplicates(analysis: LayerAnalysis) -> list[tuple[int, int, str]]:
    """``(first_index, second_index, name)`` for a project required again in one layer.

    Only requirements without a marker, or with the same marker, count (two
    markers may select different platforms on purpose).
    """
    out = []
    for (name, _marker), items in _named_requirements(analysis).items():
        out.extend((items[0].index, later.index, name) for later in items[1:])
    return sorted(out)


def conflicting_pins(analysis: LayerAnalysis) -> list[tuple[int, int, str]]:
    """``(first_index, second_index, name)`` for an exact pin the other requirement excludes.

    E.g. ``torch==2.1.0`` and ``torch==2.2.0`` (or ``torch>=2.2``) in one layer,
    both without a marker or with the same one: uv cannot satisfy both.
    """
    groups = [items for items in _named_requirements(analysis).values() if len(items) > 1]
    if not groups:
        return []  # nothing to compare: packaging is not even imported
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    def pins(item: ReqItem) -> list[Version]:
        out = []
        for part in item.specifier.split(","):
            part = part.strip()
            op = "===" if part.startswith("===") else "==" if part.startswith("==") else None
            if op and not part.endswith(".*"):
                try:
                    out.append(Version(part[len(op) :].strip()))
                except InvalidVersion:
                    pass
        return out

    out = []
    for items in groups:
        name = items[0].name
        for n, first in enumerate(items):
            for second in items[n + 1 :]:
                # an exact pin leaves its version (or a +local build of it): one of the
                # pinned versions has to satisfy both requirements
                candidates = pins(first) + pins(second)
                try:
                    sets = SpecifierSet(first.specifier), SpecifierSet(second.specifier)
                except InvalidSpecifier:
                    continue
                if candidates and not any(
                    all(s.contains(v, prereleases=True) for s in sets) for v in candidates
                ):
                    out.append((first.index, second.index, name))
    return sorted(out)
