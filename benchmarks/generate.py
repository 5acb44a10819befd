"""Generate a synthetic fal project for fallint's benchmarks.

Usage::

    python benchmarks/generate.py N DIR [--schema-only] [--seed S]

or, from Python, ``generate(n, dir)`` / ``generate(n, dir, schema_only=True)``.

A full project (the default) has N apps ``app_0001`` ... in one
``pyproject.toml`` (``[project]`` with setuptools, ``packages.find where =
["src"]``) and one Python module of about 200 lines per app, so N apps means N
modules to parse:

* most apps are ``ref = "apps/app_XXXX.py::AppXXXX"`` (some without the
  ``::AppXXXX``, the module then defining exactly one ``fal.App`` subclass);
* every 7th app (index 3 mod 7) is ``python_entry_point =
  "benchpkg.mod_XXXX:Svc"`` with ``requirements`` that install the project
  (``"."``), an extra index, a pin and a marker, its module at
  ``src/benchpkg/mod_XXXX.py``;
* every 7th app (index 5 mod 7) is such an entry-point app built from the
  shared ``docker/Dockerfile`` (an entry point, not a ``ref``: fal ignores a
  TOML ``image`` on a ``ref`` app, FAL604) (``COPY apps/ /app/apps/``, ``.dockerignore`` at the
  root of the build context, the project directory).

Settings (``machine_type`` as a string or a fallback list, ``num_gpus`` on GPU
machines only, ``keep_alive``, ``min``/``max_concurrency``, ``regions``,
``health_check``, ``retry_config`` ...) and module contents (imports, helper
functions and classes, constants, pydantic models, extra endpoints) vary per
app.  Output is deterministic: each app is drawn from its own RNG seeded with
``(seed, index)``, so ``app_0007`` is the same file in a 10-app and a 1000-app
project.  The project is meant to be clean: ``fallint check --fail-on warning``
reports nothing.

A schema-only project (``--schema-only``) has N container apps ``image = {
image = "python:3.12" }``: no Python file for fallint to parse.

Every module has a line ``VERSION_TAG = "..."``; :func:`touch_module` rewrites
that string literal (the benchmark's "one file changed" case).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import sys
from pathlib import Path

#: Written at the root of every generated project; describes what is there.
MARKER = ".benchmark-project.json"

#: The files and directories :func:`generate` owns inside its target directory.
_OWNED = ("pyproject.toml", ".dockerignore", "apps", "src", "docker", ".fallint_cache", MARKER)

CPU_MACHINES = ("XS", "S", "M", "L", "XL")
GPU_MACHINES = ("GPU-A6000", "GPU-A100", "GPU-H100", "GPU-H200", "GPU-L40", "GPU-RTX4090")
REGIONS = ("us-west", "us-central", "us-east", "eu-north", "eu-west")

ENTRY_REQUIREMENTS = [
    ".",
    "--extra-index-url",
    "https://download.pytorch.org/whl/cpu",
    "torch==2.4.1",
    "numpy>=1.26; python_version >= '3.10'",
]

DOCKERFILE = """\
# syntax=docker/dockerfile:1
# Shared image for the container apps of the benchmark project.
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim

ENV PYTHONUNBUFFERED=1 \\
    PIP_NO_CACHE_DIR=1
WORKDIR /app
RUN pip install --no-cache-dir \\
        fal \\
        "pydantic>=2"
COPY apps/ /app/apps/
ENV PYTHONPATH=/app
"""

DOCKERIGNORE = """\
.git
.fallint_cache
**/__pycache__
*.pyc
"""

TOPICS = (
    ("text", "summarise", "Summarise short documents."),
    ("image", "caption", "Caption images from a URL."),
    ("audio", "transcribe", "Transcribe audio clips."),
    ("embed", "embed", "Compute sentence embeddings."),
    ("rank", "rerank", "Rerank search candidates."),
    ("detect", "detect", "Detect objects in images."),
    ("translate", "translate", "Translate between languages."),
    ("classify", "classify", "Classify support tickets."),
    ("upscale", "upscale", "Upscale images."),
    ("moderate", "moderate", "Flag unsafe content."),
)


# --------------------------------------------------------------------------
# Python modules
# --------------------------------------------------------------------------

def _helper_normalize(r: random.Random) -> tuple[set[str], str]:
    limit = r.choice((256, 512, 1024, 2048))
    return {"re"}, f'''
_WS = re.compile(r"\\s+")
_CTRL = re.compile(r"[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f]")


def _normalize_text(text: str, limit: int = {limit}) -> str:
    """Collapse whitespace, drop control characters and truncate to ``limit``."""
    text = _CTRL.sub("", text)
    text = _WS.sub(" ", text).strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text
'''


def _helper_hash(r: random.Random) -> tuple[set[str], str]:
    algo = r.choice(("sha256", "sha1", "blake2b"))
    return {"hashlib", "json"}, f'''

def _stable_hash(payload: dict[str, Any]) -> str:
    """A short, order-independent digest of a JSON-serialisable payload."""
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"))
    return hashlib.{algo}(blob.encode("utf-8")).hexdigest()[:16]
'''


def _helper_chunk(r: random.Random) -> tuple[set[str], str]:
    size = r.choice((4, 8, 16, 32))
    return {"itertools"}, f'''

def _chunks(items: Iterable[T], size: int = {size}) -> Iterator[list[T]]:
    """Yield lists of at most ``size`` items."""
    if size < 1:
        raise ValueError("size must be positive")
    it = iter(items)
    while True:
        batch = list(itertools.islice(it, size))
        if not batch:
            return
        yield batch
'''


def _helper_softmax(r: random.Random) -> tuple[set[str], str]:
    temp = r.choice(("1.0", "0.7", "0.5", "1.3"))
    return {"math"}, f'''

def _softmax(values: Sequence[float], temperature: float = {temp}) -> list[float]:
    """Numerically stable softmax."""
    if not values:
        return []
    top = max(values)
    exps = [math.exp((v - top) / temperature) for v in values]
    total = sum(exps)
    return [e / total for e in exps]


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
'''


def _helper_retry(r: random.Random) -> tuple[set[str], str]:
    attempts = r.randint(2, 5)
    return {"time", "logging"}, f'''

def _retry(fn: Callable[[], T], attempts: int = {attempts}, delay: float = 0.1) -> T:
    """Call ``fn`` until it succeeds, at most ``attempts`` times."""
    last: Exception | None = None
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except (OSError, TimeoutError) as exc:  # transient
            last = exc
            logger.warning("attempt %d/%d failed: %s", attempt, attempts, exc)
            time.sleep(delay * attempt)
    assert last is not None
    raise last
'''


def _helper_counts(r: random.Random) -> tuple[set[str], str]:
    top = r.choice((5, 10, 20))
    return {"collections", "re"}, f'''

_WORD = re.compile(r"[A-Za-z']+")


def _top_words(text: str, n: int = {top}) -> list[tuple[str, int]]:
    """The ``n`` most frequent words, lower-cased."""
    counts = collections.Counter(w.lower() for w in _WORD.findall(text))
    return counts.most_common(n)
'''


def _helper_paths(r: random.Random) -> tuple[set[str], str]:
    root = r.choice(("/data", "/tmp/cache", "/models", "/srv/assets"))
    return {"pathlib", "os"}, f'''

CACHE_ROOT = pathlib.Path(os.environ.get("BENCH_CACHE_ROOT", "{root}"))


def _cache_path(*parts: str) -> pathlib.Path:
    """A path under :data:`CACHE_ROOT`; refuses to escape it."""
    path = CACHE_ROOT.joinpath(*parts).resolve()
    if CACHE_ROOT.resolve() not in path.parents and path != CACHE_ROOT.resolve():
        raise ValueError(f"{{path}} is outside {{CACHE_ROOT}}")
    return path
'''


def _helper_size(r: random.Random) -> tuple[set[str], str]:
    default = r.choice(("512x512", "768x768", "1024x1024", "640x480"))
    return {"re"}, f'''

_SIZE = re.compile(r"^(\\d{{2,5}})x(\\d{{2,5}})$")


def _parse_size(spec: str = "{default}") -> tuple[int, int]:
    """Parse ``WIDTHxHEIGHT``."""
    match = _SIZE.match(spec.strip().lower())
    if match is None:
        raise ValueError(f"bad size {{spec!r}}; expected WIDTHxHEIGHT")
    width, height = int(match.group(1)), int(match.group(2))
    if width % 8 or height % 8:
        raise ValueError("width and height must be multiples of 8")
    return width, height
'''


def _helper_env(r: random.Random) -> tuple[set[str], str]:
    flag = r.choice(("BENCH_DEBUG", "BENCH_VERBOSE", "BENCH_DRY_RUN"))
    return {"os"}, f'''

_TRUE = frozenset({{"1", "true", "yes", "on"}})


def _env_flag(name: str = "{flag}", default: bool = False) -> bool:
    """Read a boolean from the environment."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    return raw.strip().lower() in _TRUE
'''


def _helper_cached(r: random.Random) -> tuple[set[str], str]:
    size = r.choice((64, 128, 256, 1024))
    return {"functools"}, f'''

@functools.lru_cache(maxsize={size})
def _label_for(index: int) -> str:
    """The label name for a class index (cached)."""
    if 0 <= index < len(LABELS):
        return LABELS[index]
    return f"label_{{index}}"
'''


def _class_stats(r: random.Random) -> tuple[set[str], str]:
    window = r.choice((50, 100, 500))
    return {"dataclasses", "time"}, f'''

@dataclasses.dataclass
class _Stats:
    """Rolling request statistics (the last {window} latencies)."""

    requests: int = 0
    failures: int = 0
    latencies: list[float] = dataclasses.field(default_factory=list)
    started: float = dataclasses.field(default_factory=time.monotonic)

    def record(self, seconds: float, ok: bool = True) -> None:
        self.requests += 1
        if not ok:
            self.failures += 1
        self.latencies.append(seconds)
        del self.latencies[:-{window}]

    @property
    def p50(self) -> float:
        if not self.latencies:
            return 0.0
        ordered = sorted(self.latencies)
        return ordered[len(ordered) // 2]

    def as_dict(self) -> dict[str, float]:
        return {{
            "requests": self.requests,
            "failures": self.failures,
            "p50": self.p50,
            "uptime": time.monotonic() - self.started,
        }}
'''


def _class_lru(r: random.Random) -> tuple[set[str], str]:
    cap = r.choice((32, 64, 128))
    return {"collections"}, f'''

class _LRU:
    """A tiny least-recently-used cache."""

    def __init__(self, capacity: int = {cap}) -> None:
        self.capacity = capacity
        self._data: collections.OrderedDict[str, Any] = collections.OrderedDict()

    def get(self, key: str) -> Any | None:
        if key not in self._data:
            return None
        self._data.move_to_end(key)
        return self._data[key]

    def put(self, key: str, value: Any) -> None:
        self._data[key] = value
        self._data.move_to_end(key)
        while len(self._data) > self.capacity:
            self._data.popitem(last=False)

    def __len__(self) -> int:
        return len(self._data)
'''


def _class_limiter(r: random.Random) -> tuple[set[str], str]:
    rate = r.choice(("5.0", "10.0", "20.0", "50.0"))
    return {"time", "threading"}, f'''

class _RateLimiter:
    """Token bucket: at most ``rate`` calls per second on average."""

    def __init__(self, rate: float = {rate}, burst: int = 10) -> None:
        self.rate = rate
        self.burst = burst
        self._tokens = float(burst)
        self._last = time.monotonic()
        self._lock = threading.Lock()

    def acquire(self) -> bool:
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate)
            self._last = now
            if self._tokens >= 1:
                self._tokens -= 1
                return True
            return False
'''


_HELPERS = (
    _helper_normalize, _helper_hash, _helper_chunk, _helper_softmax, _helper_retry,
    _helper_counts, _helper_paths, _helper_size, _helper_env, _helper_cached,
    _class_stats, _class_lru, _class_limiter,
)


def _models(r: random.Random, topic: str) -> str:
    extra = r.sample(
        [
            '    seed: int | None = Field(default=None, description="Random seed.")',
            '    language: str = Field(default="en", min_length=2, max_length=5)',
            '    top_k: int = Field(default=5, ge=1, le=100)',
            '    temperature: float = Field(default=0.7, ge=0.0, le=2.0)',
            '    tags: list[str] = Field(default_factory=list)',
            '    priority: Literal["low", "normal", "high"] = "normal"',
        ],
        k=r.randint(2, 4),
    )
    lines = [
        "",
        "",
        "class Input(BaseModel):",
        f'    """Request body for the {topic} endpoint."""',
        "",
        f'    text: str = Field(..., description="What to {topic}.", max_length=MAX_INPUT_CHARS)',
        *extra,
        "",
        "",
        "class Output(BaseModel):",
        '    """Response body."""',
        "",
        "    result: str",
        "    score: float = 0.0",
        "    labels: list[str] = Field(default_factory=list)",
        "    cached: bool = False",
        "    version: str = VERSION_TAG",
        "",
    ]
    return "\n".join(lines)


def _app_class(r: random.Random, cls: str, topic: str, verb: str, entry: bool) -> str:
    """The ``fal.App`` subclass: setup, ``/``, ``/health`` and maybe more routes.

    It sets no host setting that the TOML also sets (fal would silently ignore
    the TOML one); a ``ref`` app's class carries its own ``requirements`` since
    fal ignores TOML ``requirements`` for ``ref`` apps.
    """
    out = [
        "",
        "",
        f"class {cls}(fal.App):",
        f'    """{verb.capitalize()} requests, one model per runner."""',
        "",
    ]
    if not entry:
        reqs = ['"pydantic>=2"'] + r.sample(
            ['"numpy==1.26.4"', '"pillow>=10"', '"httpx>=0.27"', '"orjson>=3.10"', '"regex>=2024.4"'],
            k=r.randint(1, 3),
        )
        out += [f"    requirements = [{', '.join(reqs)}]", ""]
    out += [
        "    def setup(self) -> None:",
        f'        """Load the {topic} model once per runner."""',
        "        self.threshold = DEFAULT_THRESHOLD",
        "        self.labels = list(LABELS)",
        "        self.calls = 0",
        "",
        '    @fal.endpoint("/")',
        f"    def {verb}(self, request: Input) -> Output:",
        "        self.calls += 1",
        "        text = request.text.strip()",
        "        if not text:",
        '            return Output(result="", score=0.0)',
        "        score = self._score(text)",
        "        labels = [label for label in self.labels if label[0] in text.lower()]",
        f"        return Output(result=text[:MAX_OUTPUT_CHARS], score=score, labels=labels[:{r.randint(2, 6)}])",
        "",
        '    @fal.endpoint("/health")',
        "    def health(self) -> dict:",
        '        return {"ok": True, "calls": self.calls, "version": VERSION_TAG}',
    ]
    extra_routes = [
        [
            "",
            '    @fal.endpoint("/batch")',
            "    def batch(self, requests: list[Input]) -> list[Output]:",
            f"        return [self.{verb}(item) for item in requests[:MAX_BATCH]]",
        ],
        [
            "",
            '    @fal.endpoint("/info")',
            "    def info(self) -> dict:",
            '        return {"labels": self.labels, "threshold": self.threshold, "max_batch": MAX_BATCH}',
        ],
    ]
    for route in r.sample(extra_routes, k=r.randint(0, 2)):
        out += route
    out += [
        "",
        "    def _score(self, text: str) -> float:",
        "        words = text.split()",
        "        if not words:",
        "            return 0.0",
        "        unique = len(set(words)) / len(words)",
        f"        return round(min(1.0, unique * {r.choice(('0.9', '1.1', '1.25'))}), 4)",
        "",
    ]
    return "\n".join(out)


def module_source(index: int, seed: int = 0, entry: bool = False) -> str:
    """The Python source of app ``index``'s module (about 200 lines)."""
    r = random.Random(f"module:{seed}:{index}")
    name = f"app_{index:04d}"
    cls = "Svc" if entry else f"App{index:04d}"
    topic, verb, blurb = TOPICS[index % len(TOPICS)]
    target = r.randint(185, 215)

    helpers = list(_HELPERS)
    r.shuffle(helpers)
    body: list[str] = []
    imports: set[str] = {"logging"}
    # Constants, models and the class come to roughly 95 lines; helpers fill the rest.
    budget = target - 95
    for make in helpers:
        mods, text = make(r)
        if budget <= 0 and body:
            break
        body.append("\n\n" + text.strip("\n") + "\n")
        imports |= mods
        budget -= body[-1].count("\n")

    labels = r.sample(["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "india"], k=5)
    header = [
        f'"""{name}: {blurb}',
        "",
        f"Generated for fallint's benchmarks (module {index} of the synthetic project).",
        "fallint parses this file; it never imports or runs it.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *sorted(f"import {m}" for m in imports),
        "from typing import Any, Callable, Iterable, Iterator, Literal, Sequence, TypeVar",
        "",
        "import fal",
        "from pydantic import BaseModel, Field",
        "",
        'T = TypeVar("T")',
        "",
        "logger = logging.getLogger(__name__)",
        "",
        f'VERSION_TAG = "{name}-v0"',
        f"MAX_INPUT_CHARS = {r.choice((2000, 4000, 8000, 16000))}",
        f"MAX_OUTPUT_CHARS = {r.choice((256, 512, 1024))}",
        f"MAX_BATCH = {r.choice((8, 16, 32, 64))}",
        f"DEFAULT_THRESHOLD = {r.choice(('0.25', '0.5', '0.65', '0.8'))}",
        f"LABELS: tuple[str, ...] = ({', '.join(repr(l) for l in labels)})",
        "SUPPORTED_FORMATS = frozenset({"
        + ", ".join(repr(f) for f in sorted(r.sample(["png", "jpeg", "webp", "wav", "mp3", "txt", "json"], k=3)))
        + "})",
    ]
    return (
        "\n".join(header) + "\n"
        + "".join(body)
        + _models(r, topic)
        + _app_class(r, cls, topic, verb, entry)
    )


VERSION_TAG_RE = re.compile(r'^VERSION_TAG = "[^"\n]*"$', re.M)


def touch_module(path: Path | str, token: str) -> None:
    """Rewrite the ``VERSION_TAG`` string literal of a generated module to ``token``.

    The file stays valid Python and stays clean under fallint; its content,
    size and mtime change, so any cache keyed on them sees a changed file.
    """
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    new, count = VERSION_TAG_RE.subn(f'VERSION_TAG = "{token}"', text, count=1)
    if count != 1:
        raise ValueError(f"{path} has no VERSION_TAG line")
    path.write_text(new, encoding="utf-8", newline="\n")


# --------------------------------------------------------------------------
# pyproject.toml
# --------------------------------------------------------------------------

def _toml_str(value: str) -> str:
    return json.dumps(value)  # a JSON string is a valid TOML basic string here


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def app_kind(index: int) -> str:
    """``"entry"``, ``"docker"`` or ``"ref"``: the deterministic mix of app kinds."""
    return {3: "entry", 5: "docker"}.get(index % 7, "ref")


def _app_toml(index: int, seed: int, own_dockerfiles: bool = False) -> str:
    r = random.Random(f"toml:{seed}:{index}")
    name = f"app_{index:04d}"
    kind = app_kind(index)
    topic = TOPICS[index % len(TOPICS)][0]
    lines = [f"# {name}: {topic} ({kind})"] if r.random() < 0.6 else []
    lines.append(f"[tool.fal.apps.{name}]")
    subtables: list[str] = []

    if kind in ("entry", "docker"):
        # (a TOML image only takes effect for entry-point and image-only apps:
        # a ref target keeps its own environment, FAL604)
        lines.append(f'python_entry_point = "benchpkg.mod_{index:04d}:Svc"')
        lines.append("requirements = [")
        lines += [f"    {_toml_str(req)}," for req in ENTRY_REQUIREMENTS]
        lines.append("]")
        lines.append(f'python_version = "{r.choice(("3.10", "3.11", "3.12"))}"')
    else:
        suffix = "" if r.random() < 0.2 else f"::App{index:04d}"
        lines.append(f'ref = "apps/{name}.py{suffix}"')

    if r.random() < 0.5:
        lines.append(f'auth = "{r.choice(("private", "public", "shared"))}"')

    gpu = r.random() < 0.4
    roll = r.random()
    if gpu and roll < 0.5:
        lines.append(f"machine_type = {_toml_list(r.sample(GPU_MACHINES, k=r.randint(2, 3)))}")
    elif gpu:
        lines.append(f'machine_type = "{r.choice(GPU_MACHINES)}"')
    elif roll < 0.7:
        lines.append(f'machine_type = "{r.choice(CPU_MACHINES)}"')
    if gpu and r.random() < 0.5:
        lines.append(f"num_gpus = {r.choice((1, 2))}")

    if r.random() < 0.6:
        lines.append(f"keep_alive = {r.choice((60, 300, 600, 1800))}")
    if r.random() < 0.6:
        low = r.choice((0, 0, 1, 2))
        lines.append(f"min_concurrency = {low}")
        lines.append(f"max_concurrency = {low + r.choice((1, 2, 4, 8))}")
    if r.random() < 0.3:
        lines.append(f"max_multiplexing = {r.choice((1, 2, 4))}")
    if r.random() < 0.5:
        lines.append(f"regions = {_toml_list(sorted(r.sample(REGIONS, k=r.randint(1, 3))))}")
    if r.random() < 0.3:
        lines.append(f"request_timeout = {r.choice((30, 60, 300))}")
    if r.random() < 0.2:
        lines.append('secrets = ["HF_TOKEN"]')
    if r.random() < 0.2:
        lines.append(f'deployment_strategy = "{r.choice(("rolling", "recreate"))}"')

    if r.random() < 0.5:
        timeout = r.choice((5, 10, 30))
        if r.random() < 0.7:
            lines.append(f'health_check = {{ path = "/health", timeout_seconds = {timeout} }}')
        else:
            subtables += [
                "",
                f"[tool.fal.apps.{name}.health_check]",
                'path = "/health"',
                f"start_period_seconds = {r.choice((30, 60, 120))}",
                f"timeout_seconds = {timeout}",
                f"failure_threshold = {r.choice((3, 5))}",
            ]
    if r.random() < 0.15:
        subtables += [
            "",
            f"[tool.fal.apps.{name}.retry_config]",
            f"timeout = {{ retries = {r.randint(1, 3)} }}",
        ]
        if r.random() < 0.5:
            subtables.append(f"server_error = {{ retries = {r.randint(1, 3)} }}")

    if kind == "docker":
        dockerfile = f"docker/{name}/Dockerfile" if own_dockerfiles else "docker/Dockerfile"
        if r.random() < 0.5:
            lines.append(f'image = {{ dockerfile = "{dockerfile}" }}')
        else:
            subtables += [
                "",
                f"[tool.fal.apps.{name}.image]",
                f'dockerfile = "{dockerfile}"',
                f'build_args = {{ PYTHON_VERSION = "{r.choice(("3.10", "3.11", "3.12"))}" }}',
            ]
    lines += subtables  # each block starts with a blank line
    return "\n".join(lines) + "\n"


def _schema_app_toml(index: int, seed: int) -> str:
    r = random.Random(f"schema:{seed}:{index}")
    name = f"app_{index:04d}"
    lines = [f"[tool.fal.apps.{name}]", 'image = { image = "python:3.12" }']
    if r.random() < 0.7:
        lines.append(f'machine_type = "{r.choice(CPU_MACHINES)}"')
    if r.random() < 0.5:
        lines.append(f"keep_alive = {r.choice((60, 300, 600))}")
    if r.random() < 0.5:
        lines.append(f"exposed_port = {r.choice((8000, 8080))}")
    if r.random() < 0.4:
        lines.append(f"regions = {_toml_list(sorted(r.sample(REGIONS, k=2)))}")
    return "\n".join(lines) + "\n"


def pyproject_source(
    n: int, seed: int = 0, schema_only: bool = False, own_dockerfiles: bool = False
) -> str:
    """The whole ``pyproject.toml`` of an ``n``-app project."""
    head = [
        f"# Synthetic fal project for fallint's benchmarks: {n} apps"
        + (" (container images only)." if schema_only else "."),
        "# Generated by benchmarks/generate.py; do not edit.",
        "[build-system]",
        'requires = ["setuptools>=64"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        'name = "benchpkg"',
        'version = "0.1.0"',
        'description = "Synthetic fal apps for benchmarking fallint"',
        'requires-python = ">=3.10"',
        'dependencies = ["fal", "pydantic>=2"]',
        "",
    ]
    if not schema_only:
        head += ["[tool.setuptools.packages.find]", 'where = ["src"]', ""]
    if schema_only:
        apps = [_schema_app_toml(i, seed) for i in range(1, n + 1)]
    else:
        apps = [_app_toml(i, seed, own_dockerfiles) for i in range(1, n + 1)]
    return "\n".join(head) + "\n" + "\n".join(apps)


# --------------------------------------------------------------------------
# Writing a project
# --------------------------------------------------------------------------

def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8", newline="\n")


def module_path(project: Path | str, index: int) -> Path:
    """Where app ``index``'s module lives in a generated full project."""
    project = Path(project)
    if app_kind(index) in ("entry", "docker"):
        return project / "src" / "benchpkg" / f"mod_{index:04d}.py"
    return project / "apps" / f"app_{index:04d}.py"


#: The Dockerfile of an app with its own (``own_dockerfiles``): the whole
#: build context is copied, as many real projects do.
OWN_DOCKERFILE = DOCKERFILE.replace("COPY apps/ /app/apps/", "COPY . /app/")


def generate(
    n: int, dest: Path | str, *, seed: int = 0, schema_only: bool = False,
    own_dockerfiles: bool = False,
) -> Path:
    """Write an ``n``-app project into ``dest`` (created if needed); return its path.

    Whatever a previous call wrote there (``apps/``, ``src/``, ``docker/``,
    ``pyproject.toml`` ..., and fallint's ``.fallint_cache/``) is removed
    first; other files in ``dest`` are left alone.
    """
    if n < 1:
        raise ValueError("n must be at least 1")
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for name in _OWNED:
        target = dest / name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()

    _write(dest / "pyproject.toml", pyproject_source(n, seed, schema_only, own_dockerfiles))
    modules = 0
    if not schema_only:
        _write(dest / "docker" / "Dockerfile", DOCKERFILE)
        _write(dest / ".dockerignore", DOCKERIGNORE)
        _write(dest / "src" / "benchpkg" / "__init__.py", '"""Services installed on the worker."""\n')
        if own_dockerfiles:
            for i in range(1, n + 1):
                if app_kind(i) == "docker":
                    _write(dest / "docker" / f"app_{i:04d}" / "Dockerfile", OWN_DOCKERFILE)
        for i in range(1, n + 1):
            _write(module_path(dest, i), module_source(i, seed, entry=app_kind(i) in ("entry", "docker")))
            modules += 1
    _write(
        dest / MARKER,
        json.dumps({"apps": n, "modules": modules, "seed": seed, "schema_only": schema_only,
                    "own_dockerfiles": own_dockerfiles}, indent=2) + "\n",
    )
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a synthetic fal project for fallint's benchmarks.")
    parser.add_argument("n", type=int, metavar="N", help="number of apps (and of Python modules)")
    parser.add_argument("dir", metavar="DIR", help="target directory (created if needed)")
    parser.add_argument("--schema-only", action="store_true",
                        help='container apps `image = { image = "python:3.12" }` only: no Python modules')
    parser.add_argument("--own-dockerfiles", action="store_true",
                        help="every container app has its own Dockerfile that copies the whole context")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    path = generate(args.n, args.dir, seed=args.seed, schema_only=args.schema_only,
                    own_dockerfiles=args.own_dockerfiles)
    print(f"wrote {args.n}-app {'schema-only ' if args.schema_only else ''}project to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
