"""3xx: ``requirements``, read the way fal and ``uv pip install`` read them.

What fal 1.83.0 does with an app's TOML ``requirements`` (``fal/cli/_utils.py``,
``fal/utils.py``, ``fal/api/api.py``, ``fal/api/_sdist.py``, and isolate's
virtualenv backend):

* the loader checks the shape for **every** app (a list of strings, or a list
  of lists of strings: install layers) and raises on anything else;
* which apps use the list at all: a ``python_entry_point`` app always (with or
  without ``image``); a ``ref`` app only when its target is a
  ``@fal.function(...)`` that passes no ``requirements`` (a ``fal.App`` class
  keeps its own ``requirements`` attribute, default empty, and the TOML list
  is never read, not even its local paths: FAL602 says so); an image-only app
  (``image`` and neither ``ref`` nor ``python_entry_point``) has its list
  prepared, but runs without isolate, so whether anything installs it is up
  to the server;
* before deploying, every string naming an existing directory (a trailing
  ``[extras]`` stripped, resolved against ``requirements_context_dir``, else
  the pyproject directory) is built as an sdist and rewritten to
  ``<[project].name>[extras] @ <url>``: fal raises when that directory has no
  ``pyproject.toml`` or no ``[project].name``. Nothing else is uploaded, and
  ``requirements_context_dir`` itself is never checked;
* the worker runs ``uv pip install <layer...>`` for each non-empty layer, the
  strings as the argument vector: an option, its value, a requirement each.

So the rules here report, for the apps where fal uses the list: what ``uv``
refuses before resolving (:data:`fallint.formats.requirements.PARSE_TIME_KINDS`),
what makes the install fail later, what fal itself refuses (local paths), and
what is accepted but almost certainly wrong. :func:`requirements_of` analyses
an app once (memoised per run) and every rule reads the same result. The
shape rule applies to every app.
"""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator

from fallint.util.records import dataclass, field
from fallint.diagnostics import Location, Related
from fallint.rules.registry import ERROR, WARNING, Example, Rule, register
from fallint.model.fal import REQUIREMENTS
from fallint.util.suggest import did_you_mean
from fallint.loading.files import resolved
from fallint.util.text import code, type_name
from fallint.rules.image import string_offset_location

if TYPE_CHECKING:  # pragma: no cover
    from fallint.diagnostics import Diagnostic
    from fallint.model.project import App
    from fallint.formats.requirements import LayerAnalysis, LocalPath, ReqItem, ReqProblem

__all__ = ["AppRequirements", "Layer", "requirements_of", "toml_requirements_use", "explain_syntax_error"]

KEY = "requirements"
#: fal installs the list with ``uv pip install`` (entry-point apps, fal.function refs)
USE_UV = "uv"
#: fal only prepares the list (local paths become sdists): image-only apps
USE_LOCAL = "local"

#: fal's own message for a list of the wrong shape (``cli/_utils.py``)
FAL_SHAPE_ERROR = "requirements must be a list of strings or a list of lists of strings."
#: what follows every uv parse-time error in a message
UV_REFUSES = "uv refuses the whole layer, so the environment build fails"


# --------------------------------------------------------------------------
# Which apps use the TOML list


def toml_requirements_use(app: "App") -> str | None:
    """How fal uses ``app``'s TOML ``requirements``: :data:`USE_UV`, :data:`USE_LOCAL`, or None.

    None: fal never reads the list (a ``fal.App`` ``ref``), the target is
    unknown, or fal raises before (both ``ref`` and ``python_entry_point``, a
    non-string ``python_entry_point``, nothing to run).
    """
    table = app.table
    if "python_entry_point" in table:
        return USE_UV if isinstance(table["python_entry_point"], str) and "ref" not in table else None
    if "ref" in table:
        return USE_UV if _function_takes_toml_requirements(app) else None
    if isinstance(table.get("image"), dict):
        return USE_LOCAL
    return None


def _function_takes_toml_requirements(app: "App") -> bool:
    """The ``ref`` target is a ``@fal.function(...)`` whose options lack
    ``requirements`` (so fal merges the TOML list in). ``serve=...`` makes fal
    add its own requirements first: then the TOML list is ignored too."""
    from fallint.rules.ref import ref_target

    target = ref_target(app)
    if target is None or target.kind != "function" or target.symbol is None or target.symbol.path is None:
        return False
    sources = app.project.sources
    decorator = sources.fal_function_decorator(target.symbol)
    if decorator is None or not decorator.called or not sources.is_fal_function(target.symbol):
        return False  # a wrap_app, or not certainly a fal.function
    return "requirements" not in decorator.keywords and "serve" not in decorator.keywords


def shape_ok(value) -> bool:
    """fal's ``_validate_requirements``."""
    return REQUIREMENTS.check(value)


# --------------------------------------------------------------------------
# The analysis shared by the rules


@dataclass(eq=False)
class Layer:
    """One install layer: the flat list, or one inner list of a list of lists."""

    #: key path (below the app) of the list holding the strings
    path: tuple
    strings: list[str]
    analysis: "LayerAnalysis"

    def element(self, index: int) -> tuple:
        return self.path + (index,)


@dataclass(eq=False)
class AppRequirements:
    """One app's ``requirements`` as fal and uv read them (see :func:`requirements_of`)."""

    app: "App"
    #: :data:`USE_UV` or :data:`USE_LOCAL`
    use: str
    #: where local paths resolve (the resolved ``requirements_context_dir``, else the project)
    base_dir: Path
    layers: list[Layer] = field(default_factory=list)

    @property
    def uv(self) -> bool:
        """uv installs the list (so uv's verdicts matter)."""
        return self.use == USE_UV

    @property
    def virtualenv(self) -> bool:
        """A plain virtualenv on fal's machines: nothing but the strings reaches uv."""
        return self.uv and "image" not in self.app.table

    @cached_property
    def root(self) -> Path:
        return resolved(self.app.project.root)

    def items(self) -> Iterator[tuple[Layer, "ReqItem"]]:
        for layer in self.layers:
            for item in layer.analysis.items:
                yield layer, item

    def problems(self, kinds: Iterable[str]) -> Iterator[tuple[Layer, "ReqProblem"]]:
        wanted = frozenset(kinds)
        for layer in self.layers:
            hidden = _hidden_problems(layer)
            for problem in layer.analysis.problems:
                if problem.kind in wanted and problem not in hidden:
                    yield layer, problem

    # -- positions --------------------------------------------------------

    def location(self, layer: Layer, index: int, start: int | None = None, end: int | None = None) -> Location:
        """Element ``index`` of ``layer`` (the whole string, quotes included), or
        its characters ``[start, end)`` when they are not the whole string."""
        path = layer.element(index)
        text = layer.strings[index] if 0 <= index < len(layer.strings) else ""
        if start is None or end is None or (start <= 0 and end >= len(text)):
            return self.app.span(*path)
        return string_offset_location(self.app, path, start, max(1, end - start))

    def layer_location(self, layer: Layer) -> Location:
        return self.app.span(*layer.path)

    def related(self, layer: Layer, index: int, message: str) -> Related:
        return Related(self.location(layer, index), message)

    def display(self, path: Path) -> str:
        """``path`` relative to the project root (``./`` for the root, dirs end in ``/``)."""
        try:
            rel = Path(os.path.relpath(path, self.root)).as_posix()
        except ValueError:
            return str(path)
        return "./" if rel == "." else rel + "/"


def context_dir(app: "App") -> Path:
    """Where fal resolves local paths: ``requirements_context_dir`` (``~``
    expanded, relative to the pyproject directory), else the pyproject directory."""
    root = resolved(app.project.root)
    value = app.table.get("requirements_context_dir")
    if not isinstance(value, str):
        return root
    try:
        return resolved(root / Path(value).expanduser())
    except (RuntimeError, ValueError):  # no home directory, NUL in the path
        return root / value


def requirements_of(app: "App") -> AppRequirements | None:
    """The app's analysed ``requirements`` when fal uses them (see
    :func:`toml_requirements_use`) and their shape is one fal accepts; else None."""

    def compute() -> AppRequirements | None:
        value = app.table.get(KEY)
        ctx = app.table.get("requirements_context_dir")
        if not isinstance(value, list) or not value or not shape_ok(value):
            return None
        if ctx is not None and not isinstance(ctx, str):
            return None  # fal raises (FAL004)
        use = toml_requirements_use(app)
        if use is None:
            return None
        base = context_dir(app)
        reqs = AppRequirements(app, use, base)
        if all(isinstance(x, str) for x in value):
            reqs.layers.append(Layer((KEY,), list(value), _analysis(app, value, base)))
        else:
            for i, inner in enumerate(value):
                if inner:  # isolate skips an empty layer
                    reqs.layers.append(Layer((KEY, i), list(inner), _analysis(app, inner, base)))
        return reqs

    return app.project.memo(("requirements", app.key), compute)


def _analysis(app: "App", items: list, base: Path) -> "LayerAnalysis":
    """``analyze_layer(items, base)``, shared by the apps of a project with the
    same layer (monorepos repeat theirs; the analysis is immutable)."""
    from fallint.formats.requirements import analyze_layer

    known = app.project.known_pyprojects
    if not all(isinstance(x, str) for x in items):
        return analyze_layer(items, base, known)
    return app.project.memo(("layer", tuple(items), base), lambda: analyze_layer(items, base, known))


def _hidden_problems(layer: Layer) -> frozenset:
    """Problems that only follow from a reported ``suspicious-option``: the
    element the user meant as that option's value is read as a requirement."""
    from fallint.formats.requirements import option_spec

    hidden = []
    for problem in layer.analysis.problems:
        if problem.kind != "suspicious-option" or not problem.suggestion:
            continue
        spec = option_spec(problem.suggestion.split("=")[0])
        nxt = problem.index + 1
        if spec is not None and spec.takes_value and "=" not in layer.strings[problem.index]:
            if nxt < len(layer.strings):
                hidden.extend(p for p in layer.analysis.problems if p.index == nxt)
    return frozenset(hidden)


class _RequirementsRule(Rule):
    """Base: runs :meth:`check_requirements` for each app whose list fal uses."""

    #: the uses this rule applies to
    uses: frozenset[str] = frozenset({USE_UV})

    def check_app(self, app: "App") -> Iterator["Diagnostic"]:
        reqs = requirements_of(app)
        if reqs is not None and reqs.use in self.uses:
            yield from self.check_requirements(reqs)

    def check_requirements(self, reqs: AppRequirements) -> Iterator["Diagnostic"]:
        return iter(())

    def element(self, reqs: AppRequirements, layer: Layer, index: int, message: str,
                start: int | None = None, end: int | None = None, **kwargs) -> "Diagnostic":
        """A diagnostic at element ``index`` of ``layer`` (characters ``[start, end)``)."""
        loc = reqs.location(layer, index, start, end)
        return self.at_location(loc, message, app=reqs.app.key, key=reqs.app.path + layer.element(index), **kwargs)

    def problem(self, reqs: AppRequirements, layer: Layer, p: "ReqProblem", message: str,
                **kwargs) -> "Diagnostic":
        if p.index < 0:
            return self.at_location(reqs.layer_location(layer), message, app=reqs.app.key,
                                    key=reqs.app.path + layer.path, **kwargs)
        return self.element(reqs, layer, p.index, message, p.start, p.end, **kwargs)


def _help(suggestion: str | None) -> str | None:
    """A library suggestion (replacement text or a hint) as a help text."""
    if not suggestion:
        return None
    if suggestion.startswith("did you mean"):
        return suggestion
    if suggestion.startswith("-"):
        return f"write {code(suggestion)}"
    if " " not in suggestion:  # one of the option's choices
        return f"did you mean {code(suggestion)}?"
    return suggestion


# --------------------------------------------------------------------------
# packaging's syntax errors, in words that say what is wrong

_VERSION_OPERATORS = ("===", "==", "!=", "<=", ">=", "~=", "<", ">")
_OPERATOR_FIXES = {"=": "==", "=>": ">=", "=<": "<=", "~": "~=", "!": "!=", "<>": "!=", "=!": "!=", "=~": "~="}
_MARKER_VARIABLES = (
    "python_version", "python_full_version", "os_name", "sys_platform", "platform_release",
    "platform_system", "platform_version", "platform_machine", "platform_python_implementation",
    "implementation_name", "implementation_version", "extra",
)  # fmt: skip
_MARKER_OPERATORS = ("==", "!=", "<=", ">=", "~=", "===", "<", ">", "in")
_SPLIT = "each requirement is a string of its own in the array"


@dataclass(frozen=True)
class Explanation:
    message: str
    start: int
    end: int
    help: str | None = None


def _token_end(text: str, i: int, stop: str = ",;) ") -> int:
    while i < len(text) and not text[i].isspace() and text[i] not in stop:
        i += 1
    return i


def _word_at(text: str, i: int) -> tuple[int, int]:
    """The run of non-space, non-separator characters starting at ``i``."""
    return i, max(i + 1, _token_end(text, i, ",;()[]"))


def _prev_nonspace(text: str, i: int) -> int:
    j = i - 1
    while j >= 0 and text[j].isspace():
        j -= 1
    return j


def _name_of(text: str) -> str:
    m = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", text)
    return m.group(1) if m else text.strip()


def explain_syntax_error(text: str, p: "ReqProblem") -> Explanation:
    """packaging's message for requirement ``text`` reworded where it is cryptic.

    ``p`` is an ``invalid-requirement`` or ``invalid-marker`` problem; its
    ``end - 1`` is where packaging's caret points (kept as the column).
    """
    message, start, end = p.message, p.start, p.end
    caret = min(max(end - 1, 0), max(len(text) - 1, 0))
    handler = _EXPLAINERS.get(message)
    if handler is not None and text.strip():
        found = handler(text, caret, p)
        if found is not None:
            return found
    if message.startswith("Expected package name at the start"):
        if not text.strip():
            return Explanation("an empty string is not a requirement", 0, len(text), "remove the element")
        first = len(text) - len(text.lstrip())
        odd = next((i for i, c in enumerate(text) if not c.isascii()), None)
        if text[first].isascii() and text[first].isalnum() and odd is not None:
            return Explanation(f"{code(text[odd])} cannot be part of a project name (ASCII letters, digits, "
                               "`-`, `_` and `.`)", odd, odd + 1)
        return Explanation(f"a requirement starts with a project name, not {code(text[first])}", first,
                           first + 1)
    return Explanation(message[:1].lower() + message[1:] if message[:2].istitle() else message, start, end)


def _after_name(text: str, caret: int, p) -> Explanation | None:
    """packaging: ``Expected semicolon (after name with no version specifier) or end``."""
    name = _name_of(text)
    c = text[caret]
    if c in "=<>!~":
        j = caret
        while j < len(text) and text[j] in "=<>!~":
            j += 1
        op = text[caret:j]
        vstart = j
        while vstart < len(text) and text[vstart] == " ":
            vstart += 1
        vend = _token_end(text, vstart)
        version = text[vstart:vend]
        if op not in _VERSION_OPERATORS:
            fixed = _OPERATOR_FIXES.get(op)
            hint = (f"write {code(name + fixed + version)}" if fixed else
                    "version operators are " + ", ".join(code(o) for o in _VERSION_OPERATORS))
            return Explanation(f"{code(op)} is not a version operator", caret, j, hint)
        if not version:
            return Explanation(f"{code(op)} needs a version after it", caret, j,
                               f"write a version ({code(name + op + '1.0')}) or remove {code(op)}")
        if version[0] in "'\"":
            bare = version.strip("'\"")
            return Explanation("versions are not quoted in a requirement", vstart, vend,
                               f"write {code(name + op + bare)}")
        if op == "~=" and re.fullmatch(r"v?\d+", version):
            return Explanation(f"{code('~=')} needs a version with at least two parts", vstart, vend,
                               f"write {code(name + '~=' + version + '.0')}")
        return Explanation(f"{code(version)} is not a valid version (PEP 440)", vstart, vend)
    before = _prev_nonspace(text, caret)
    if c == ",":
        return Explanation(f"a {code(',')} after the project name: {_SPLIT}", caret, caret + 1,
                           f"write {code(name)} and the next requirement as separate strings")
    if c == "-" and before < caret - 1:
        return _option_inside(text, caret)
    if c.isalnum() and before < caret - 1:
        s, e = _word_at(text, caret)
        word = text[s:e]
        if word[0].isdigit():
            return Explanation(f"the version {code(word)} has no operator", s, e, f"write {code(name + '==' + word)}")
        return Explanation(f"unexpected {code(word)} after {code(name)}: {_SPLIT}", s, e,
                           f"write {code(word)} as a separate string, or join it with an operator")
    return Explanation(
        f"unexpected {code(c)} after the project name {code(name)} (expected a version such as "
        f"`==1.0`, `[extras]`, `@ URL`, `;` and a marker, or the end)",
        caret,
        caret + 1,
    )


def _option_inside(text: str, at: int) -> Explanation:
    s, e = _word_at(text, at)
    return Explanation(
        f"the option {code(text[s:e])} is inside a requirement string: uv reads the whole string "
        "as one requirement",
        s,
        len(text.rstrip()),
        "put the option, its value and the requirement into separate strings",
    )


def _after_specifier(text: str, caret: int, p) -> Explanation | None:
    """packaging: ``Expected comma (within version specifier), semicolon (after version specifier) or end``."""
    c = text[caret]
    before = _prev_nonspace(text, caret)
    if c == "," and before >= 0 and text[before] == ",":
        return Explanation("an empty version specifier between two commas", caret, caret + 1,
                           f"write {code(text[:caret] + text[caret + 1:].lstrip(','))}")
    if c in "<>=!~":
        fixed = text[: before + 1] + "," + text[caret:]
        return Explanation("a comma is missing between two version specifiers", caret, caret + 1,
                           f"write {code(fixed.strip())}")
    if c == "-" and before < caret - 1:
        return _option_inside(text, caret)
    if c.isalnum() and before < caret - 1:
        s, e = _word_at(text, caret)
        word = text[s:e]
        if word[0].isdigit():
            return None
        return Explanation(f"unexpected {code(word)} after the version specifier: {_SPLIT}", s, e,
                           f"write {code(word)} as a separate string, or start a marker with `;`")
    if c in ".*" or c.isalnum():
        s = p.start
        e = _token_end(text, s)
        return Explanation(f"{code(text[s:e].strip())} is not a valid version specifier", s, e)
    return Explanation(
        f"unexpected {code(c)} after the version specifier (expected `,` and another "
        "specifier, `;` and a marker, or the end)",
        caret,
        caret + 1,
    )


def _in_marker(text: str, caret: int, p) -> Explanation | None:
    """packaging: ``Expected a marker variable or quoted string``."""
    semicolon = text.find(";")
    if semicolon < 0 or semicolon > caret:
        return None
    marker = text[semicolon + 1:]
    if not marker.strip():
        return Explanation("nothing follows the `;`: a marker is missing", semicolon, semicolon + 1,
                           "write a marker (`; python_version >= \"3.10\"`) or remove the `;`")
    last = re.search(r"\b(and|or)\s*$", text)
    if last and last.start() > semicolon:
        return Explanation(f"the marker ends with {code(last.group(1))}: another condition must follow",
                           last.start(), last.end())
    s, e = _word_at(text, caret)
    word = text[s:e]
    before = text[semicolon + 1:caret].rstrip()
    if any(before.endswith(op) for op in _MARKER_OPERATORS) and word:
        bare = word.strip("'\"")
        return Explanation("marker values are quoted strings", s, e, f"write {code(_quoted(bare))}")
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.]*", word):
        hint = did_you_mean(word, _MARKER_VARIABLES)
        return Explanation(
            f"{code(word)} is not a marker variable",
            s,
            e,
            f"did you mean {code(hint)}?" if hint else "marker variables: " + ", ".join(_MARKER_VARIABLES),
        )
    return Explanation("expected a marker variable (such as `python_version`) or a quoted string", caret,
                       caret + 1)


def _marker_operator(text: str, caret: int, p) -> Explanation | None:
    s = e = caret
    while e < len(text) and text[e] in "=<>!~":
        e += 1
    op = text[s:e]
    known = "marker operators are ==, !=, <, <=, >, >=, ~=, in, not in"
    if op:
        fixed = _OPERATOR_FIXES.get(op)
        return Explanation(f"{code(op)} is not a marker operator", s, e,
                           f"write {code(fixed)}" if fixed else known)
    return Explanation("expected a marker operator", caret, caret + 1, known)


def _quoted(value: str) -> str:
    return '"' + value + '"' if '"' not in value else "'" + value + "'"


_EXPLAINERS = {
    "Expected semicolon (after name with no version specifier) or end": _after_name,
    "Expected comma (within version specifier), semicolon (after version specifier) or end":
        _after_specifier,
    "Expected a marker variable or quoted string": _in_marker,
    "Expected matching RIGHT_BRACKET for LEFT_BRACKET, after extras":
        lambda t, c, p: Explanation("the `[` of the extras is never closed", p.start, p.start + 1,
                                    "close the extras with `]`"),
    "Expected matching RIGHT_PARENTHESIS for LEFT_PARENTHESIS, after version specifier":
        lambda t, c, p: Explanation("the `(` is never closed", p.start, p.start + 1, "add the `)`"),
    "Expected extra name after comma":
        lambda t, c, p: Explanation("an extra name is missing after `,`", c, c + 1),
    "Expected marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in": _marker_operator,
    "Expected URL after @":
        lambda t, c, p: Explanation("`@` must be followed by a URL", p.start, p.end),
}


# --------------------------------------------------------------------------
# Example projects


def _app(requirements: str, extra: str = "") -> str:
    """An entry-point app (line 3 holds `requirements` when it is one line, line 4 `extra`)."""
    return f'''
        [tool.fal.apps.textgen]
        python_entry_point = "textgen.serve:TextGen"
        requirements = {requirements}
        {extra}'''


_TOKENIZER = {"libs/tokenizer/pyproject.toml": '[project]\nname = "tokenizer"\nversion = "0.1"\n'}
_WEB = '''
    import fal


    class Web(fal.App):
        @fal.endpoint("/")
        def run(self) -> dict:
            return {}
    '''


# --------------------------------------------------------------------------
# Rules


@register
class RequirementsShape(Rule):
    code = "FAL301"
    name = "requirements-shape"
    severity = ERROR
    summary = "requirements mixes strings and lists, or holds something other than strings"
    what = """
        An element of `requirements` that does not fit the list's shape: a list (an
        install layer) among strings, a string among layers, a number or table
        anywhere, or a non-string inside a layer. The shape is decided by the first
        element. (A `requirements` value that is not an array at all is FAL004.)
    """
    why = f"""
        fal checks the shape for every app, before anything else, and raises
        `{FAL_SHAPE_ERROR}`
    """
    fix = """
        Write either a flat list of strings (`["numpy", "torch==2.4.1"]`, one install
        step) or a list of lists (`[["torch==2.4.1"], ["flash-attn"]]`, one install step
        per inner list, in order).
    """
    invalid = [
        Example(
            '''
            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = ["torch==2.4.1", ["flash-attn"]]
            ''',
            expect=["3:33"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            requirements = [
                ["numpy", 2],
                "torch",
            ]
            ''',
            files={"app.py": _WEB},
            expect=["4:15", "5:5"],
            title="a number in a layer, a string among layers (any app: fal checks before using it)",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [["torch==2.4.1"], ["flash-attn"]]
            ''',
        )
    ]

    def check_app(self, app):
        value = app.table.get(KEY)
        if not isinstance(value, list) or shape_ok(value):
            return
        first = next((x for x in value if isinstance(x, (str, list))), None)
        layered = isinstance(first, list)
        for i, item in enumerate(value):
            if isinstance(item, list) and layered:
                for j, inner in enumerate(item):
                    if not isinstance(inner, str):
                        yield self._at(app, (KEY, i, j), f"this element of layer {i} is {type_name(inner)}, "
                                       "not a string")
            elif isinstance(item, list):
                yield self._at(app, (KEY, i), "this element is a list (an install layer), but the other "
                               "elements are strings", help="write its strings into the list directly, or make "
                               "every element a list of strings (one install layer each)")
            elif isinstance(item, str) and layered:
                yield self._at(app, (KEY, i), "this element is a string, but the other elements are lists "
                               "(install layers)", help=f"put it into a layer: `[{_toml_string(item)}]`")
            elif not isinstance(item, str):
                yield self._at(app, (KEY, i), f"this element is {type_name(item)}, not a string",
                               help='write requirements as strings: `"numpy==2.1.0"`')

    def _at(self, app, path, message, help=None):
        return self.at(app, path, f"{message}: fal raises `{FAL_SHAPE_ERROR}`", help=help)


def _toml_string(text: str) -> str:
    import json

    return json.dumps(text, ensure_ascii=False)


@register
class UnknownRequirementOption(_RequirementsRule):
    code = "FAL302"
    name = "unknown-requirement-option"
    severity = ERROR
    summary = "An option uv pip install does not have"
    what = """
        An element starting with `-` that is not an option of `uv pip install` (uv
        0.13): a typo, a pip-only option such as `--prefer-binary` or
        `--use-pep517`, an option and its value written in one string with a space
        (`"--index-url https://..."`), or an unknown letter in a short option.
    """
    why = f"""
        fal passes every string of a layer to `uv pip install` as one argument: {UV_REFUSES}
        (`error: unexpected argument`).
    """
    fix = """
        Use the option's uv spelling (see the suggestion), and write an option and its
        value as two strings (`"--index-url", "https://..."`) or joined with `=`
        (`"--index-url=https://..."`).
    """
    invalid = [
        Example(
            _app('["--extra-index-url https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
            expect=["3:17"],
        ),
        Example(
            _app('["--prefer-binary", "--no-dep", "torch==2.4.1"]'),
            expect=["3:17", "3:36"],
            title="a pip-only option and a typo",
        ),
    ]
    valid = [
        Example(
            _app('["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
        ),
        Example(
            _app('["--extra-index-url=https://download.pytorch.org/whl/cu124", "-U", "torch==2.4.1"]'),
            title="a value joined with `=`; a short flag",
        ),
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("unknown-option",)):
            yield self.problem(reqs, layer, p, f"{p.message}: {UV_REFUSES}", help=_help(p.suggestion))


@register
class RequirementOptionValue(_RequirementsRule):
    code = "FAL303"
    name = "requirement-option-value"
    severity = ERROR
    summary = "A uv option without its value, or with a value uv refuses"
    what = """
        An option that needs a value but is the last string of its layer (or is followed
        by another option), a value outside the option's choices (`--prerelease allwo`),
        a malformed value (`--python-version three`, `--config-setting foo`), a value
        given to a flag (`--no-deps=1`), or `-e` with something uv cannot install as
        editable (a URL, a Git link, an archive).
    """
    why = f"uv checks option values before anything else: {UV_REFUSES}."
    fix = "Give the value as the next string (or after `=`), using one of the values uv accepts."
    invalid = [
        Example(
            _app('["torch==2.4.1", "--extra-index-url"]'),
            expect=["3:33"],
        ),
        Example(
            _app('["--prerelease", "alow", "-e", "git+https://github.com/acme/lib", "diffusers"]'),
            expect=["3:33", "3:47"],
            title="a value outside the choices; a Git link as editable",
        ),
    ]
    valid = [
        Example(
            _app('["--prerelease", "allow", "diffusers", "-f", "https://data.example.com/wheels/"]'),
        )
    ]

    def check_requirements(self, reqs):
        editable_local = _editable_local(reqs)
        for layer, p in reqs.problems(("missing-value", "bad-option-value")):
            if (id(layer), p.index) in editable_local and p.kind == "bad-option-value":
                continue  # FAL313
            yield self.problem(reqs, layer, p, f"{p.message}: {UV_REFUSES}", help=_help(p.suggestion))


@register
class RequirementOptionConflict(_RequirementsRule):
    code = "FAL304"
    name = "requirement-option-conflict"
    severity = ERROR
    summary = "A uv option given twice, options uv refuses together, or one uv does not support"
    what = """
        In one layer: an option uv accepts only once given again (`--index-url` twice,
        `-i` and `--index-url`), two options uv refuses together (`--target` and
        `--prefix`, `-q` and `-v`), pip's `--user`, or `--extra`/`--all-extras`
        without a `-r pyproject.toml` (uv applies them only to such a source).
    """
    why = f"uv checks its arguments before resolving: {UV_REFUSES}."
    fix = """
        Keep one occurrence (extra indexes go in `--extra-index-url`, which may repeat),
        drop the unsupported option, and write extras on the requirement (`pkg[extra]`).
    """
    invalid = [
        Example(
            _app('["-i", "https://pypi.org/simple", "--index-url", "https://download.pytorch.org/whl/cu124", "torch"]'),
            expect=["3:50"],
        )
    ]
    valid = [
        Example(
            _app('["--extra-index-url", "https://a.example/simple", "--extra-index-url", "https://b.example/simple",'
                 ' "torch"]'),
        )
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("repeated-option", "conflicting-options", "unsupported-option")):
            message, related = p.message, []
            m = _ELEMENT_REF.search(message)
            if m is not None:  # "(first given in element 0)": a note at that element instead
                first = int(m.group(1))
                message = message[: m.start()].rstrip() + message[m.end():]
                word = "given" if p.kind == "repeated-option" else "given first"
                related.append(reqs.related(layer, first, f"{code(layer.strings[first].strip())} is {word} here"))
            yield self.problem(reqs, layer, p, f"{message}: {UV_REFUSES}", help=_help(p.suggestion),
                               related=related)


_ELEMENT_REF = re.compile(r"\s*\((?:first given in )?element (\d+)\)")


@register
class RequirementsLayerOnlyOptions(_RequirementsRule):
    code = "FAL305"
    name = "requirements-layer-only-options"
    severity = ERROR
    summary = "An install layer with options but nothing to install"
    what = """
        A `requirements` list (or one inner list of a layered list) whose strings are all
        options and option values: no requirement, `-r`, `-e` or `--group`. Typically an
        index option in a layer of its own, meant for the next layer.
    """
    why = f"""
        fal runs `uv pip install` once per layer, and uv refuses to run with nothing to
        install (`the following required arguments were not provided`): {UV_REFUSES}.
        Options do not carry over from one layer to the next.
    """
    fix = "Move the options into the layer whose packages need them."
    invalid = [
        Example(
            _app('[["--extra-index-url", "https://download.pytorch.org/whl/cu124"], ["torch==2.4.1"]]'),
            expect=["3:17"],
        )
    ]
    valid = [
        Example(
            _app('[["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"], ["flash-attn"]]'),
        )
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("no-requirements",)):
            what = "this layer" if len(layer.path) > 1 else "`requirements`"
            yield self.problem(
                reqs, layer, p,
                f"{what} has options but nothing to install (no requirement, `-r`, `-e` or "
                f"`--group`): {UV_REFUSES}",
                help="put the options into the layer with the packages that need them",
            )  # fmt: skip


@register
class InvalidRequirement(_RequirementsRule):
    code = "FAL306"
    name = "invalid-requirement"
    severity = ERROR
    summary = "A requirement or environment marker that does not parse"
    what = """
        A string that is neither an option nor a valid requirement as uv reads it: PEP 508
        syntax errors (`numpy==`, `torch=2.4`, `diffusers>=0.30,,<1`, two requirements in
        one string), bad markers (`; python_version > 3.10`, unknown variables), URLs
        uv cannot install (a page instead of an archive, a Git URL without `git+`) and
        unsupported VCS (`hg+`, `svn+`). The diagnostic points at the character where
        parsing stops.
    """
    why = f"uv parses every requirement before resolving: {UV_REFUSES} (`error: Failed to parse`)."
    fix = "Correct the requirement at the reported column (see the help for the likely fix)."
    invalid = [
        Example(
            _app('["diffusers>=0.30,,<1", "torch=2.4.1", "transformers; python_version > 3.10"]'),
            expect=["3:34", "3:46", "3:87"],
        )
    ]
    valid = [
        Example(
            _app('["diffusers>=0.30,<1", "torch==2.4.1", "transformers; python_version > \'3.10\'"]'),
        )
    ]

    def check_requirements(self, reqs):
        for layer, p in reqs.problems(("invalid-requirement", "invalid-marker")):
            text = layer.strings[p.index]
            why = explain_syntax_error(text, p)
            what = "marker" if p.kind == "invalid-marker" else "requirement"
            yield self.element(
                reqs, layer, p.index, f"invalid {what} {code(text.strip())}: {why.message}",
                why.start, why.end, help=why.help,
            )  # fmt: skip


@register
class RequirementInstallFails(_RequirementsRule):
    code = "FAL307"
    name = "requirement-install-fails"
    severity = ERROR
    summary = "A requirement uv accepts but cannot install"
    what = """
        A requirement that parses but fails when uv fetches or installs it: a wheel URL or
        path whose file name is not a valid wheel name, a `name @ URL` whose wheel is
        another project, a `#sha256=` of the wrong length, or `--require-hashes` with
        requirements that carry no hash (on a command line only a direct URL can).
    """
    why = "uv stops at the first of these while building the environment, so the deploy fails."
    fix = """
        Point at the real file (a wheel is named `name-version-pythontag-abitag-platform.whl`),
        fix the hash, or use `-r` with a hashed requirements file inside an image.
    """
    invalid = [
        Example(
            _app('["torchvision @ https://download.pytorch.org/whl/cu124/torch-2.4.1-cp311-cp311-linux_x86_64.whl"]'),
            expect=["3:32"],
        )
    ]
    valid = [
        Example(
            _app('["torch @ https://download.pytorch.org/whl/cu124/torch-2.4.1-cp311-cp311-linux_x86_64.whl"]'),
        )
    ]

    def check_requirements(self, reqs):
        kinds = ("invalid-wheel-filename", "name-mismatch", "invalid-hash", "missing-hash")
        for layer, p in reqs.problems(kinds):
            yield self.problem(reqs, layer, p, f"{p.message}: the install fails")


#: short options whose misreading makes uv fail (a file, directory or interpreter that does not exist)
_FAILING_SHORT = frozenset({"--requirements", "--editable", "--constraints", "--build-constraints",
                            "--python", "--find-links"})


@register
class SuspiciousRequirementOption(_RequirementsRule):
    code = "FAL308"
    name = "suspicious-requirement-option"
    severity = ERROR
    summary = "A long option written with one dash, read by uv as a short option and its value"
    what = """
        An option such as `-extra-index-url` or `-target`: uv reads the first letter as a
        short option and the rest as its value (`-e xtra-index-url`: install the directory
        `xtra-index-url` as editable; `-t arget`: install into the directory `arget`),
        and the next string, meant as the value, becomes a requirement. Reported when uv
        then certainly fails (a file, directory, index or interpreter that does not
        exist); when uv accepts what it read (`-target`, `-torch-backend`), FAL317 reports
        it as a warning.
    """
    why = "The option does not do what it says: uv fails or installs somewhere else."
    fix = "Write long options with two dashes: `--extra-index-url`."
    invalid = [
        Example(
            _app('["-extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
            expect=["3:17"],
        )
    ]
    valid = [
        Example(
            _app('["--extra-index-url", "https://download.pytorch.org/whl/cu124", "torch==2.4.1"]'),
        )
    ]

    #: report the one-dash options after which uv fails (True) or goes on (False)
    uv_fails = True

    def check_requirements(self, reqs):
        for layer, p, message, fails in _one_dash_options(reqs):
            if fails is self.uv_fails:
                yield self.problem(reqs, layer, p, message, help=_help(p.suggestion))


@register
class MisreadRequirementOption(SuspiciousRequirementOption):
    code = "FAL317"
    name = "misread-requirement-option"
    severity = WARNING
    summary = "A long option written with one dash, which uv accepts as a short option and its value"
    what = """
        An option such as `-target` or `-torch-backend` that uv reads as a short option and
        its value (`-t arget`: install into the directory `arget`) and accepts, so the
        install goes on, doing something other than what was meant. (When uv fails
        instead, FAL308 reports it as an error.)
    """
    why = "The packages are installed somewhere else, or with other settings, than the option says."
    fix = "Write long options with two dashes: `--target`."
    invalid = [Example(_app('["-target", "out", "torch==2.4.1"]'), expect=["3:17"])]
    valid = [Example(_app('["--target", "out", "torch==2.4.1"]'))]
    uv_fails = False


def _one_dash_options(reqs: AppRequirements) -> Iterator[tuple[Layer, "ReqProblem", str, bool]]:
    """Each long option of ``reqs`` written with one dash: its layer, the
    problem, the message, and whether uv then certainly fails."""
    from fallint.formats.requirements import option_spec

    for layer, p in reqs.problems(("suspicious-option",)):
        text = layer.strings[p.index]
        spec = option_spec(text[:2])
        meant = option_spec((p.suggestion or "").split("=")[0])
        swallowed = ""
        fails = spec is not None and spec.name in _FAILING_SHORT
        if spec is not None and spec.name == "--index-url":
            fails = any(i.kind == "requirement" for i in layer.analysis.items)  # PyPI is replaced
        nxt = p.index + 1
        if meant is not None and meant.takes_value and "=" not in text and nxt < len(layer.strings):
            swallowed = f", and {code(layer.strings[nxt])} becomes a requirement"
            fails = fails or any(q.index == nxt and q.parse_time for q in layer.analysis.problems)
        fails = fails or any(q.index == p.index and q.parse_time for q in layer.analysis.problems)
        consequence = "uv fails" if fails else "uv accepts it and does something else"
        yield layer, p, f"{p.message}{swallowed}: {consequence}", fails


#: options whose value names a file uv reads where it runs
_FILE_OPTIONS = frozenset({"--requirements", "--constraints", "--overrides", "--excludes",
                           "--build-constraints", "--cert", "--config-file"})
#: ... and those whose value may also be a directory (or a URL)
_PATH_OPTIONS = _FILE_OPTIONS | {"--find-links"}


def _is_url(text: str | None) -> bool:
    return text is not None and ("://" in text or text.startswith("file:"))


def _remote_or_unknown(path: str) -> bool:
    """A value uv does not read from the local file system, or whose place we cannot know."""
    return (
        "://" in path
        or path.strip() in ("", "-")
        or "$" in path
        or path.startswith("~")
        or os.path.isabs(path)
        or re.match(r"^[A-Za-z]:[\\/]", path) is not None
    )


@register
class RequirementFileNotUploaded(_RequirementsRule):
    code = "FAL309"
    name = "requirement-file-not-uploaded"
    severity = ERROR
    summary = "A local file in requirements (-r, -c, a wheel, a missing path) that fal never uploads"
    what = """
        In an app that installs into a plain virtualenv (no `image`, no `app_files`): a
        relative path uv would read from disk that fal does not upload: the file of
        `-r`/`-c`/`--overrides`/`--excludes`/`-b`/`--cert`/`--config-file` (or the
        directory of `--find-links`), a local wheel or archive
        (`dist/pkg-1.0-py3-none-any.whl`), a path to a directory that does not exist
        (`./libs/missing`), or an existing directory written inside a longer string
        (`-e.`, `--find-links=wheels`, `pkg @ ./libs/pkg`, `./libs/pkg; sys_platform ==
        "linux"`). URLs, absolute paths and `${VARIABLES}` are left alone.
    """
    why = """
        fal uploads only one thing from `requirements`: each string that names an
        existing local directory by itself (`./libs/pkg`, `./libs/pkg[extra]`), built as
        an sdist. Every other string reaches `uv pip install` as written, on a build
        machine that has none of the project's files, so uv fails (`File not found`,
        `Distribution not found`).
    """
    fix = """
        Write the requirements themselves into the list (or use an `image` whose
        Dockerfile copies the file), install local projects by their directory (`./libs/x`,
        it needs a `pyproject.toml`), and publish wheels to an index or a URL.
    """
    invalid = [
        Example(
            _app('["-r", "requirements-gpu.txt"]'),
            files={"requirements-gpu.txt": "torch==2.4.1\n"},
            expect=["3:23"],
        ),
        Example(
            _app('["dist/vendor_kernels-0.3-py3-none-any.whl", "./libs/tokenizer"]'),
            files={"dist/vendor_kernels-0.3-py3-none-any.whl": b"PK\x05\x06" + bytes(18)},
            expect=["3:17", "3:61"],
            title="a local wheel; a directory that does not exist",
        ),
    ]
    valid = [
        Example(
            _app('["torch==2.4.1", "-r", "https://example.com/requirements-gpu.txt"]'),
        ),
        Example(
            _app('["-r", "requirements-gpu.txt"]', 'image = { dockerfile = "Dockerfile" }'),
            files={"requirements-gpu.txt": "torch==2.4.1\n",
                   "Dockerfile": "FROM python:3.11\nCOPY requirements-gpu.txt .\n"},
            title="an image can hold the file",
        ),
    ]

    def check_requirements(self, reqs):
        if not reqs.virtualenv or reqs.app.table.get("app_files"):
            return
        for layer, item in reqs.items():
            if item.kind == "option" and item.value_index is not None:
                if item.option in _PATH_OPTIONS:
                    yield from self._option(reqs, layer, item)
                elif item.option == "--editable" and item.value_index == item.index:
                    yield from self._attached_editable(reqs, layer, item)
            elif item.kind == "path" and item.local is None and item.path and not _is_url(item.url):
                yield from self._path(reqs, layer, item)

    def _option(self, reqs, layer, item):
        value = item.value or ""
        if _remote_or_unknown(value) or layer.analysis.items[item.value_index].local is not None:
            return
        if item.value_index == item.index:
            written = layer.strings[item.index].strip()
        else:
            written = f"{layer.strings[item.index].strip()} {value}"
        if _exists(reqs.base_dir, value) == "a directory":  # attached: `--find-links=wheels`
            why = "fal uploads a local directory only when a string names it by itself"
        else:
            why = "fal does not upload files"
        yield self.element(
            reqs, layer, item.value_index,
            f"{code(written)}: {why}, so uv cannot read {code(value)} on the build machine and the "
            "environment build fails",
            item.value_start, item.value_start + len(value),
            help="list the requirements themselves in `requirements`, or use a URL",
        )  # fmt: skip

    def _attached_editable(self, reqs, layer, item):
        value = (item.value or "").strip()
        if _remote_or_unknown(value) or any(p.index == item.index for p in layer.analysis.problems):
            return
        text = layer.strings[item.index]
        yield self.element(
            reqs, layer, item.index,
            f"{code(text)} reaches uv as written (fal uploads a local directory only when a string "
            f"names it by itself), so uv looks for {code(value)} on the build machine, which has none of "
            "this project's files: the install fails",
            help=f"write the directory as a string of its own, without `-e`: {code(value)}",
        )  # fmt: skip

    def _path(self, reqs, layer, item):
        path = item.path.strip()
        if _remote_or_unknown(path):
            return
        where = _exists(reqs.base_dir, path)
        text = layer.strings[item.index]
        start = text.find(path) if path in text else 0
        if where == "a directory":  # but not the whole string: `name @ ./dir`, `./dir; marker`
            message = (f"fal uploads a local directory only when a string names it by itself (with "
                       f"`[extras]` at most): {code(text.strip())} reaches uv as written, and the build "
                       f"machine has no {code(path)}")
            help = f"write the directory as a string of its own: {code(path + _extras_text(item))}"
        elif where:
            message = (f"{code(path)} is a local file: fal uploads only directories (as sdists), so uv "
                       "cannot find it on the build machine and the install fails")
            help = "publish it to an index or a URL (`name @ https://...`), or install its project directory"
        else:
            base = code(reqs.display(reqs.base_dir))
            if not reqs.base_dir.is_dir():
                base = f"`requirements_context_dir` {base}, which does not exist"
            message = (f"{code(path)} does not exist (relative to {base}): fal passes it to uv "
                       "unchanged, and uv fails to find it on the build machine")
            help = "fix the path: fal builds and uploads an existing directory that has a `pyproject.toml`"
        yield self.element(reqs, layer, item.index, message, start, start + len(path), help=help)


def _extras_text(item: "ReqItem") -> str:
    return f"[{','.join(item.extras)}]" if item.extras else ""


def _exists(base: Path, path: str) -> str | None:
    """``"a file"``/``"a directory"`` when ``path`` exists relative to ``base``."""
    try:
        target = resolved(base / path)  # like fal: `..` is resolved first
        if target.is_dir():
            return "a directory"
        if target.exists():
            return "a file"
    except (OSError, ValueError):
        pass
    return None


def _fal_sees_no_project(local: "LocalPath") -> str | None:
    """Why fal refuses to build this directory (``_read_package_name``), or None."""
    if not local.has_pyproject:
        return "it has no `pyproject.toml`"
    if local.error:
        return local.error.replace("pyproject.toml", "its `pyproject.toml`", 1)
    if local.project_name is None:
        return "its `pyproject.toml` has no `[project]` `name`"
    return None


def _locals(reqs: AppRequirements) -> Iterator[tuple[Layer, int, "LocalPath"]]:
    """Every element fal builds as an sdist: any whole string naming a directory
    (option values included; never a value attached to its option, ``-e.``)."""
    for layer, item in reqs.items():
        if item.local is not None:
            yield layer, item.index, item.local


def _fal203_covers(reqs: AppRequirements, local: "LocalPath") -> bool:
    """FAL203 reports this project's own missing ``[project].name`` on entry-point apps."""
    from fallint.rules.entry_point import entry_point_of

    if local.directory != reqs.root or not local.has_pyproject or local.error:
        return False
    ep = entry_point_of(reqs.app)
    return ep is not None and ep.resolvable


@register
class LocalRequirementNotBuildable(_RequirementsRule):
    code = "FAL310"
    name = "local-requirement-not-buildable"
    severity = ERROR
    summary = "A local directory in requirements without a pyproject.toml [project].name"
    what = """
        A `requirements` string naming an existing directory (after stripping `[extras]`,
        relative to `requirements_context_dir` or the pyproject directory) that has no
        `pyproject.toml`, an unreadable or invalid one, or one without `[project]` `name`.
        This applies to every string, option values included: a bare `numpy` next to a
        `numpy/` directory is such a path. (This project itself, installed by an
        entry-point app, is FAL203.)
    """
    why = """
        fal builds every such directory as an sdist named after `[project].name` and
        raises (`Cannot resolve local-path requirement: no pyproject.toml at ...` or
        `[project].name is missing or empty`) before deploying.
    """
    fix = """
        Give the directory a `pyproject.toml` with `[project]` `name` and `version` (and a
        `[build-system]`), or, if the string was meant as a package from an index, rename
        the directory that shadows it.
    """
    invalid = [
        Example(
            _app('["./libs/tokenizer"]'),
            files={"libs/tokenizer/setup.py": "from setuptools import setup\nsetup(name='tokenizer')\n"},
            expect=["3:17"],
        )
    ]
    valid = [
        Example(
            _app('["./libs/tokenizer"]'),
            files=_TOKENIZER,
        )
    ]
    uses = frozenset({USE_UV, USE_LOCAL})

    def check_requirements(self, reqs):
        for layer, index, local in _locals(reqs):
            why = _fal_sees_no_project(local)
            if why is None or _fal203_covers(reqs, local):
                continue
            text = layer.strings[index].strip()
            yield self.element(
                reqs, layer, index,
                f"fal builds {code(text)} (the directory {code(reqs.display(local.directory))}) as an "
                f"sdist before deploying, but {why}: fal raises",
                help="add a `pyproject.toml` with `[project]` `name` and `version` to that directory",
            )  # fmt: skip


@register
class UnknownLocalExtra(_RequirementsRule):
    code = "FAL311"
    name = "unknown-local-extra"
    severity = WARNING
    summary = "An extra a local project in requirements does not declare"
    what = """
        `./path[extra]` (or `.[extra]`) where the local project's `pyproject.toml` has no
        such key in `[project.optional-dependencies]` (names compared after PEP 685
        normalisation; projects whose optional dependencies are `dynamic` are skipped).
    """
    why = """
        uv only warns that the project has no such extra and installs it without those
        dependencies: the app then fails to import them.
    """
    fix = "Use an extra the project declares, or declare it in `[project.optional-dependencies]`."
    invalid = [
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [project.optional-dependencies]
            serve = ["uvicorn>=0.30"]

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [".[server]"]
            ''',
            expect=["10:19"],
        )
    ]
    valid = [
        Example(
            '''
            [project]
            name = "textgen"
            version = "0.1.0"

            [project.optional-dependencies]
            serve = ["uvicorn>=0.30"]

            [tool.fal.apps.textgen]
            python_entry_point = "textgen.serve:TextGen"
            requirements = [".[Serve]"]
            ''',
        )
    ]

    def check_requirements(self, reqs):
        for layer, index, local in _locals(reqs):
            unknown = local.unknown_extras
            if not unknown or _fal_sees_no_project(local):
                continue
            text = layer.strings[index]
            start = text.rfind(local.extras_text)
            declared = local.optional_dependencies or ()
            names = ", ".join(code(e) for e in unknown)
            hint = did_you_mean(unknown[0], declared) if declared else None
            yield self.element(
                reqs, layer, index,
                f"{code(local.project_name)} declares no extra {names} (in "
                f"{code(reqs.display(local.pyproject).rstrip('/'))}): uv installs it without them",
                start, start + len(local.extras_text),
                help=(f"did you mean {code(hint)}?" if hint else
                      "declared extras: " + (", ".join(code(e) for e in declared) if declared else "none")),
            )  # fmt: skip


@register
class RequirementsContextDirMissing(Rule):
    code = "FAL312"
    name = "requirements-context-dir-missing"
    severity = WARNING
    summary = "requirements_context_dir is not an existing directory"
    what = """
        A `requirements_context_dir` (relative to the pyproject directory) that does not
        exist or is not a directory, on an app whose TOML `requirements` fal uses.
    """
    why = """
        fal does not check it: it resolves local-path requirements against it, and
        strings such as `.` or `./libs/x` that it cannot find there reach uv unchanged,
        which then looks for them on the build machine (where they do not exist).
    """
    fix = """
        Point it at the directory the local paths are relative to (or remove it: the
        default is the pyproject directory).
    """
    invalid = [
        Example(
            _app('["./tokenizer", "torch==2.4.1"]', 'requirements_context_dir = "lib"'),
            files=_TOKENIZER,
            expect=["4:28"],
        )
    ]
    valid = [
        Example(
            _app('["./tokenizer", "torch==2.4.1"]', 'requirements_context_dir = "libs"'),
            files=_TOKENIZER,
        )
    ]

    def check_app(self, app):
        value = app.table.get("requirements_context_dir")
        if not isinstance(value, str) or not app.table.get(KEY) or not shape_ok(app.table[KEY]):
            return  # without requirements it resolves nothing
        if toml_requirements_use(app) is None:
            return
        path = context_dir(app)
        if path.is_dir():
            return
        what = "is a file" if path.exists() else "does not exist"
        hint = _similar_directory(path, app.project.root)
        yield self.at(
            app,
            ("requirements_context_dir",),
            f"`requirements_context_dir` {code(value)} {what}: fal resolves the local paths in "
            "`requirements` against it without checking, and passes those it cannot find to uv unchanged",
            help=(f"did you mean {code(hint)}?" if hint else "point it at an existing directory, or remove "
                  "it (local paths are then relative to the pyproject directory)"),
        )


def _similar_directory(path: Path, root: Path) -> str | None:
    """A sibling directory whose name is close to ``path``'s, relative to ``root``."""
    try:
        names = [e.name for e in os.scandir(path.parent) if e.is_dir() and not e.name.startswith(".")]
    except OSError:
        return None
    hint = did_you_mean(path.name, names)
    if hint is None:
        return None
    try:
        return Path(os.path.relpath(path.parent / hint, resolved(root))).as_posix()
    except ValueError:
        return str(path.parent / hint)


def _editable_local(reqs: AppRequirements) -> dict[tuple[int, int], tuple[Layer, "ReqItem"]]:
    """``(id(layer), element index) -> (layer, -e option)`` for ``-e <local directory>``."""
    out = {}
    for layer, item in reqs.items():
        if item.kind != "option" or item.option != "--editable" or item.value_index in (None, item.index):
            continue
        if layer.analysis.items[item.value_index].local is not None:
            out[(id(layer), item.value_index)] = (layer, item)
    return out


@register
class EditableLocalRequirement(_RequirementsRule):
    code = "FAL313"
    name = "editable-local-requirement"
    severity = ERROR
    summary = "-e with a local directory: fal uploads it as an archive, which uv cannot install editable"
    what = "`-e .`, `-e ./libs/x` or `--editable=...` naming an existing local directory."
    why = """
        fal rewrites the directory into `<name> @ <url of an uploaded sdist>` before uv
        sees it, and uv refuses to install a remote archive as editable: the environment
        build fails. (An editable install would not help on a worker anyway: there is
        no source tree to edit.)
    """
    fix = "Drop the `-e`: `requirements = [\".\"]`."
    invalid = [Example(_app('["-e", "./libs/tokenizer", "torch==2.4.1"]'), files=_TOKENIZER, expect=["3:17"])]
    valid = [Example(_app('["./libs/tokenizer", "torch==2.4.1"]'), files=_TOKENIZER)]

    def check_requirements(self, reqs):
        for (_, value_index), (layer, item) in _editable_local(reqs).items():
            value = (item.value or "").strip()
            yield self.element(
                reqs, layer, item.index,
                f"`-e {value}`: fal uploads the directory as an sdist URL, and uv cannot install a "
                "remote archive as editable, so the install fails",
                help=f"drop the `-e`: {code(value)}",
            )  # fmt: skip


def _same_extras(layer: Layer, a: int, b: int) -> bool:
    items = layer.analysis.items
    return items[a].extras == items[b].extras


@register
class DuplicateRequirement(_RequirementsRule):
    code = "FAL314"
    name = "duplicate-requirement"
    severity = WARNING
    summary = "The same project required twice in one install layer"
    what = """
        Two strings of one layer that require the same project (names compared after
        normalisation: `Pillow` and `pillow`, `typing_extensions` and
        `typing-extensions`), with the same marker or none. Requirements that only add
        different extras (`ray[serve]`, `ray[tune]`) are left alone, and pins that
        contradict each other are FAL315.
    """
    why = """
        uv combines both, so the list says one thing in two places: usually a leftover
        after an upgrade, and the next edit changes only one of them.
    """
    fix = "Keep one requirement per project, with all its constraints (`numpy>=1.26,<2`)."
    invalid = [
        Example(
            _app('["numpy>=1.26", "torch==2.4.1", "NumPy<2"]'),
            expect=["3:48"],
        )
    ]
    valid = [
        Example(
            _app('[["numpy>=1.26,<2"], ["numpy==1.26.4"]]'),
            title="a later layer may change a pin",
        )
    ]

    def check_requirements(self, reqs):
        from fallint.formats.requirements import conflicting_pins, duplicates

        for layer in reqs.layers:
            conflicts = {(a, b) for a, b, _ in conflicting_pins(layer.analysis)}
            for first, second, name in duplicates(layer.analysis):
                if (first, second) in conflicts or not _same_extras(layer, first, second):
                    continue
                yield self.element(
                    reqs, layer, second,
                    f"{code(name)} is already required in this layer "
                    f"({code(layer.strings[first].strip())})",
                    help="merge both into one requirement",
                    related=[reqs.related(layer, first, f"{code(name)} is first required here")],
                )  # fmt: skip


@register
class ConflictingPins(_RequirementsRule):
    code = "FAL315"
    name = "conflicting-pins"
    severity = ERROR
    summary = "Two requirements in one layer that no version satisfies"
    what = """
        An exact pin (`==`/`===`) of a project and another requirement of the same project
        in the same layer (with the same marker, or none) that excludes it:
        `torch==2.4.1` and `torch==2.5.0`, or `numpy==1.26.4` and `numpy>=2`.
    """
    why = "uv cannot pick a version that satisfies both: resolution fails and so does the deploy."
    fix = "Keep the pin you mean and drop (or widen) the other requirement."
    invalid = [
        Example(
            _app('["torch==2.4.1", "diffusers", "torch==2.5.0"]'),
            expect=["3:46"],
        )
    ]
    valid = [
        Example(
            _app('''["torch==2.4.1; sys_platform == 'linux'", "torch==2.2.2; sys_platform == 'darwin'"]'''),
            title="pins for different platforms",
        )
    ]

    def check_requirements(self, reqs):
        from fallint.formats.requirements import conflicting_pins

        for layer in reqs.layers:
            for first, second, name in conflicting_pins(layer.analysis):
                a, b = layer.strings[first].strip(), layer.strings[second].strip()
                yield self.element(
                    reqs, layer, second,
                    f"{code(b)} contradicts {code(a)}: no version of {code(name)} satisfies both, "
                    "so uv's resolution fails",
                    help="keep one requirement for the project",
                    related=[reqs.related(layer, first, f"{code(a)} is required here")],
                )  # fmt: skip


#: option notes from :mod:`fallint.formats.requirements` that other rules cover
_NOTES_ELSEWHERE = frozenset({"--editable"}) | _FILE_OPTIONS


@register
class IneffectiveRequirementOption(_RequirementsRule):
    code = "FAL316"
    name = "ineffective-requirement-option"
    severity = WARNING
    summary = "A uv option that installs elsewhere, installs nothing, or breaks the environment"
    what = """
        A `uv pip install` option that works against fal's environment: `--target`,
        `--prefix`, `--system`, `--python` (install outside the app's virtualenv),
        `--dry-run`, `--check`, `--help` (install nothing), `--exact` (uninstalls what the
        layer does not list, fal's own packages and earlier layers included),
        `--python-version`/`--python-platform` (resolve for another interpreter),
        `--offline` (a new build has an empty cache), `--directory`.
    """
    why = "uv accepts them, so the build succeeds, and the app then fails to import what it needs."
    fix = "Remove the option: fal already installs into the app's own virtual environment."
    invalid = [
        Example(
            _app('["--target", "/opt/packages", "torch==2.4.1"]'),
            expect=["3:17"],
        )
    ]
    valid = [
        Example(
            _app('["--no-cache", "--compile-bytecode", "torch==2.4.1"]'),
        )
    ]

    def check_requirements(self, reqs):
        from fallint.formats.requirements import option_spec

        for layer, item in reqs.items():
            if item.kind != "option" or not item.option or item.option in _NOTES_ELSEWHERE:
                continue
            if any(p.index == item.index and p.kind == "suspicious-option" for p in layer.analysis.problems):
                continue  # `-target`: FAL308/FAL317 explain it
            spec = option_spec(item.option)
            if spec is None or not spec.note:
                continue
            text = layer.strings[item.index]
            end = len(text.split("=", 1)[0]) if text.startswith("--") else len(text)
            yield self.element(
                reqs, layer, item.index, f"{item.option} {spec.note}", 0, end,
                help=f"remove {item.option}",
            )  # fmt: skip
