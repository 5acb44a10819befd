"""Generate a *real-shaped* fal project for fallint's benchmarks (issue #16).

Usage::

    python benchmarks/realistic.py N DIR [--seed S]

or, from Python, ``generate(n, dir)``.  Where ``generate.py`` writes one
~200-line module per app, this writes what fal projects look like:

* every app is a package ``apps/app_XXXX/`` (``ref`` apps) or
  ``src/realpkg/app_XXXX/`` (entry-point and container apps) with

  - ``app.py``: 100-1,500 lines (seeded, log-uniform: most apps are a few
    hundred lines, some are long), 10-30 top-level imports of heavy
    libraries (torch, transformers, diffusers, numpy, PIL, pydantic ...: never
    installed, fallint does not import them), module-level constants, plain
    and decorated functions, dataclasses, ``torch.nn.Module``-style classes
    with methods and decorators, pydantic models and the ``fal.App`` class;
  - ``helpers.py``, which ``app.py`` imports (``from apps.app_XXXX.helpers
    import ...`` for a ref app, run as a script by fal; ``from .helpers import
    ...`` inside the installed package);
  - a nested package ``nn/`` (``nn/__init__.py``, ``nn/blocks.py``) that
    ``app.py`` imports too;

  and every ref app also imports the shared ``apps/common/utils.py``;
* one app in seven (index 5 mod 7) is container-based: an entry point built
  from its own ``docker/app_XXXX/Dockerfile`` that copies the whole build
  context (``COPY . /app/``); the project has a ``.dockerignore``;
* one app in ten (index 3 mod 10, when not a container app) is an entry-point
  app (``python_entry_point``, with the project's ``[project]`` name and
  TOML requirements that install the project);
* the other apps are ``ref = "apps/app_XXXX/app.py::AppXXXX"`` with the
  class's own ``requirements`` (fal ignores TOML ``requirements`` on a ref
  app); nearly all apps have a requirements list.

Output is deterministic per ``(seed, index)``: ``app_0007`` is the same in a
10-app and a 10,000-app project.  The project is meant to be clean under
``fallint check`` (exit 0).  Every ``app.py`` has a ``VERSION_TAG = "..."``
line; :func:`touch_module` rewrites it (the "one app file changed" case).
"""

from __future__ import annotations

import argparse
import json
import math
import random
import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
import generate as _gen  # noqa: E402  (shared TOML helpers and touch_module)

MARKER = _gen.MARKER
_OWNED = ("pyproject.toml", ".dockerignore", "apps", "src", "docker", ".fallint_cache", MARKER)
touch_module = _gen.touch_module

#: Heavy third-party imports a real app has at the top of its file.
HEAVY_IMPORTS = (
    "import torch",
    "import torch.nn as nn",
    "import torch.nn.functional as F",
    "import numpy as np",
    "import transformers",
    "from transformers import AutoModel, AutoTokenizer",
    "from transformers import AutoProcessor, pipeline",
    "from diffusers import DiffusionPipeline, StableDiffusionXLPipeline",
    "from diffusers.schedulers import EulerAncestralDiscreteScheduler",
    "from PIL import Image, ImageOps",
    "import safetensors.torch",
    "from huggingface_hub import snapshot_download",
    "import accelerate",
    "import einops",
    "from einops import rearrange",
    "import cv2",
    "import librosa",
    "import soundfile as sf",
    "import scipy.signal",
    "import pandas as pd",
    "import httpx",
    "import orjson",
    "import tqdm",
    "import sentencepiece",
    "import tokenizers",
    "import xformers",
    "import onnxruntime",
    "import timm",
    "import open_clip",
    "import boto3",
    "import requests",
)
STD_IMPORTS = (
    "import asyncio", "import base64", "import contextlib", "import dataclasses",
    "import functools", "import io", "import json", "import logging", "import math",
    "import os", "import re", "import tempfile", "import threading", "import time",
    "from pathlib import Path",
)
REF_REQUIREMENTS = (
    '"torch==2.4.1"', '"transformers>=4.44"', '"diffusers>=0.30"', '"numpy>=1.26"',
    '"pillow>=10"', '"accelerate>=0.33"', '"safetensors>=0.4"', '"einops>=0.8"',
    '"huggingface-hub>=0.24"', '"httpx>=0.27"', '"opencv-python-headless>=4.10"',
)
ENTRY_REQUIREMENTS = [
    ".",
    "--extra-index-url",
    "https://download.pytorch.org/whl/cu121",
    "torch==2.4.1",
    "transformers>=4.44",
    "numpy>=1.26; python_version >= '3.10'",
    "pillow>=10",
]

DOCKERFILE = """\
# syntax=docker/dockerfile:1
ARG PYTHON_VERSION=3.11
FROM python:${PYTHON_VERSION}-slim

ENV PYTHONUNBUFFERED=1 \\
    PIP_NO_CACHE_DIR=1
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg libgl1 \\
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
RUN pip install --no-cache-dir \\
        fal \\
        "torch==2.4.1" \\
        "transformers>=4.44" \\
        "pydantic>=2"
COPY . /app/
ENV PYTHONPATH=/app/src
"""

DOCKERIGNORE = """\
.git
.venv
.fallint_cache
**/__pycache__
*.pyc
*.safetensors
*.ckpt
weights/
"""

GPU_MACHINES = _gen.GPU_MACHINES
CPU_MACHINES = _gen.CPU_MACHINES
TOPICS = _gen.TOPICS


def app_kind(index: int) -> str:
    """``"docker"`` (1 in 7), ``"entry"`` (1 in 10 of the rest) or ``"ref"``."""
    if index % 7 == 5:
        return "docker"
    if index % 10 == 3:
        return "entry"
    return "ref"


def package_dir(project: Path | str, index: int) -> Path:
    project = Path(project)
    if app_kind(index) == "ref":
        return project / "apps" / f"app_{index:04d}"
    return project / "src" / "realpkg" / f"app_{index:04d}"


def module_path(project: Path | str, index: int) -> Path:
    """App ``index``'s main module (``app.py``) in a generated project."""
    return package_dir(project, index) / "app.py"


def target_lines(index: int, seed: int = 0) -> int:
    """The seeded size of app ``index``'s ``app.py``: 100-1,500 lines, log-uniform."""
    r = random.Random(f"size:{seed}:{index}")
    return int(math.exp(r.uniform(math.log(100), math.log(1500))))


# --------------------------------------------------------------------------
# Python sources
# --------------------------------------------------------------------------

def _block_function(r: random.Random, k: int) -> str:
    deco = r.choice(("", "@functools.lru_cache(maxsize=128)\n", "@torch.no_grad()\n",
                     "@torch.inference_mode()\n", ""))
    return f'''

{deco}def preprocess_{k}(image: Any, size: int = {r.choice((256, 512, 768, 1024))}) -> Any:
    """Resize, normalise and batch one input (step {k})."""
    if image is None:
        raise ValueError("no input")
    if isinstance(image, (str, bytes)):
        image = load_image(image)
    width, height = image.size
    scale = size / max(width, height)
    image = image.resize((int(width * scale), int(height * scale)))
    array = np.asarray(image, dtype=np.float32) / 255.0
    array = (array - MEAN) / STD
    tensor = torch.from_numpy(array).permute(2, 0, 1).unsqueeze(0)
    return tensor.to(DEVICE, dtype=DTYPE)
'''


def _block_module(r: random.Random, k: int) -> str:
    hidden = r.choice((256, 512, 768, 1024))
    return f'''

class Block{k}(nn.Module):
    """A residual block (hidden size {hidden})."""

    def __init__(self, dim: int = {hidden}, dropout: float = {r.choice(("0.0", "0.1", "0.2"))}) -> None:
        super().__init__()
        self.norm = nn.LayerNorm(dim)
        self.proj_in = nn.Linear(dim, dim * 4)
        self.proj_out = nn.Linear(dim * 4, dim)
        self.dropout = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        residual = x
        x = self.norm(x)
        x = F.gelu(self.proj_in(x))
        x = self.dropout(self.proj_out(x))
        return x + residual

    @torch.no_grad()
    def fuse(self) -> None:
        """Fold the norm into the projection for inference."""
        weight = self.proj_in.weight * self.norm.weight[None, :]
        self.proj_in.weight.copy_(weight)

    @property
    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())
'''


def _block_dataclass(r: random.Random, k: int) -> str:
    return f'''

@dataclasses.dataclass(frozen=True)
class Config{k}:
    """Generation settings, variant {k}."""

    steps: int = {r.choice((20, 25, 30, 50))}
    guidance_scale: float = {r.choice(("5.0", "7.5", "3.5"))}
    width: int = {r.choice((512, 768, 1024))}
    height: int = {r.choice((512, 768, 1024))}
    scheduler: str = "{r.choice(("euler_a", "dpm++", "ddim"))}"
    seed: Optional[int] = None
    negative_prompt: str = ""

    def validate(self) -> None:
        if self.steps < 1 or self.steps > 150:
            raise ValueError("steps out of range")
        if self.width % 8 or self.height % 8:
            raise ValueError("width and height must be multiples of 8")

    @classmethod
    def from_dict(cls, data: dict) -> "Config{k}":
        known = {{f.name for f in dataclasses.fields(cls)}}
        return cls(**{{key: value for key, value in data.items() if key in known}})
'''


def _block_async(r: random.Random, k: int) -> str:
    return f'''

async def fetch_{k}(url: str, timeout: float = {r.choice(("10.0", "30.0", "60.0"))}) -> bytes:
    """Download ``url`` with retries."""
    last: Optional[Exception] = None
    for attempt in range({r.randint(2, 5)}):
        try:
            async with httpx.AsyncClient(timeout=timeout) as client:
                response = await client.get(url)
                response.raise_for_status()
                return response.content
        except httpx.HTTPError as exc:
            last = exc
            logger.warning("fetch %s failed (%d): %s", url, attempt, exc)
            await asyncio.sleep(0.5 * (attempt + 1))
    raise RuntimeError(f"could not fetch {{url}}") from last
'''


def _block_postprocess(r: random.Random, k: int) -> str:
    return f'''

def postprocess_{k}(tensor: Any, fmt: str = "{r.choice(("png", "jpeg", "webp"))}") -> bytes:
    """Turn a (1, C, H, W) tensor in [-1, 1] into encoded image bytes."""
    array = tensor.squeeze(0).permute(1, 2, 0).float().cpu().numpy()
    array = np.clip((array + 1.0) * 127.5, 0, 255).astype(np.uint8)
    image = Image.fromarray(array)
    buffer = io.BytesIO()
    image.save(buffer, format=fmt.upper())
    return buffer.getvalue()


def encode_{k}(data: bytes) -> str:
    return "data:image/{r.choice(("png", "jpeg"))};base64," + base64.b64encode(data).decode("ascii")
'''


_BLOCKS = (_block_function, _block_module, _block_dataclass, _block_async, _block_postprocess)


def _app_class(r: random.Random, index: int, cls: str, kind: str) -> str:
    topic, verb, _ = TOPICS[index % len(TOPICS)]
    out = [
        "",
        "",
        f"class {cls}(fal.App):",
        f'    """{verb.capitalize()} with a {topic} model on a GPU runner."""',
        "",
    ]
    if kind == "ref":
        reqs = ['"pydantic>=2"'] + r.sample(REF_REQUIREMENTS, k=r.randint(3, 7))
        out += ["    requirements = ["] + [f"        {q}," for q in reqs] + ["    ]", ""]
    out += [
        "    def setup(self) -> None:",
        f'        """Download and load the {topic} weights once per runner."""',
        "        path = snapshot_download(MODEL_ID, revision=MODEL_REVISION)",
        "        self.tokenizer = AutoTokenizer.from_pretrained(path)",
        "        self.model = AutoModel.from_pretrained(path, torch_dtype=DTYPE).to(DEVICE)",
        "        self.model.eval()",
        "        self.blocks = build_blocks()",
        "        self.stats = RequestStats()",
        "        self.warmup()",
        "",
        "    def warmup(self) -> None:",
        "        with torch.inference_mode():",
        '            self.model(**self.tokenizer("warm up", return_tensors="pt").to(DEVICE))',
        "",
        '    @fal.endpoint("/")',
        f"    def {verb}(self, request: Input) -> Output:",
        "        started = time.perf_counter()",
        "        inputs = self.tokenizer(request.prompt, return_tensors=\"pt\").to(DEVICE)",
        "        with torch.inference_mode():",
        "            outputs = self.model(**inputs)",
        "        score = float(outputs.last_hidden_state.mean().item())",
        "        self.stats.record(time.perf_counter() - started)",
        "        return Output(result=clean_text(request.prompt), score=score, version=VERSION_TAG)",
        "",
        '    @fal.endpoint("/health")',
        "    def health(self) -> dict:",
        '        return {"ok": True, "version": VERSION_TAG, **self.stats.as_dict()}',
        "",
    ]
    return "\n".join(out)


def app_source(index: int, seed: int = 0) -> str:
    """The source of app ``index``'s ``app.py``: about :func:`target_lines` lines."""
    r = random.Random(f"app:{seed}:{index}")
    name = f"app_{index:04d}"
    kind = app_kind(index)
    cls = "Svc" if kind != "ref" else f"App{index:04d}"
    target = target_lines(index, seed)
    heavy = r.sample(HEAVY_IMPORTS, k=r.randint(10, 30))
    for needed in ("import torch", "import torch.nn as nn", "import torch.nn.functional as F",
                   "import numpy as np", "from PIL import Image, ImageOps", "import httpx",
                   "from transformers import AutoModel, AutoTokenizer",
                   "from huggingface_hub import snapshot_download"):
        if needed not in heavy:
            heavy.append(needed)
    if kind == "ref":
        local = [
            f"from apps.{name}.helpers import RequestStats, clean_text, load_image",
            f"from apps.{name}.nn.blocks import build_blocks",
            "from apps.common.utils import env_flag, timed",
        ]
    else:
        local = [
            "from .helpers import RequestStats, clean_text, load_image",
            "from .nn.blocks import build_blocks",
        ]
    head = [
        f'"""{name}: {TOPICS[index % len(TOPICS)][2]}',
        "",
        "Generated for fallint's benchmarks (real-shaped project); fallint parses it, never runs it.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        *sorted(STD_IMPORTS),
        "from typing import Any, Optional",
        "",
        *heavy,
        "",
        "import fal",
        "from pydantic import BaseModel, Field",
        "",
        *local,
        "",
        "logger = logging.getLogger(__name__)",
        "",
        f'VERSION_TAG = "{name}-v0"',
        f'MODEL_ID = "org-{index % 97}/model-{index:04d}"',
        f'MODEL_REVISION = "{r.getrandbits(40):010x}"',
        'DEVICE = "cuda"',
        "DTYPE = torch.float16",
        "MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)",
        "STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)",
        "",
        "",
        "class Input(BaseModel):",
        '    prompt: str = Field(..., description="The prompt.", max_length=4000)',
        f"    steps: int = Field(default={r.choice((20, 30, 50))}, ge=1, le=150)",
        "    seed: Optional[int] = None",
        "",
        "",
        "class Output(BaseModel):",
        "    result: str",
        "    score: float = 0.0",
        "    version: str = VERSION_TAG",
    ]
    tail = _app_class(r, index, cls, kind)
    lines = len(head) + tail.count("\n") + 1
    body: list[str] = []
    k = 0
    while lines < target:
        block = r.choice(_BLOCKS)(r, k)
        k += 1
        body.append(block)
        lines += block.count("\n")
    return "\n".join(head) + "\n" + "".join(body) + tail


def helpers_source(index: int, seed: int = 0) -> str:
    r = random.Random(f"helpers:{seed}:{index}")
    return f'''"""Helpers of app_{index:04d}."""

from __future__ import annotations

import dataclasses
import io
import re
import time

import numpy as np
from PIL import Image

_WS = re.compile(r"\\s+")


def clean_text(text: str, limit: int = {r.choice((256, 512, 1024))}) -> str:
    text = _WS.sub(" ", text).strip()
    return text[:limit]


def load_image(data) -> Image.Image:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return Image.open(io.BytesIO(data)).convert("RGB")


@dataclasses.dataclass
class RequestStats:
    requests: int = 0
    latencies: list = dataclasses.field(default_factory=list)

    def record(self, seconds: float) -> None:
        self.requests += 1
        self.latencies.append(seconds)
        del self.latencies[:-{r.choice((100, 500))}]

    def as_dict(self) -> dict:
        return {{"requests": self.requests, "p50": float(np.median(self.latencies or [0.0]))}}
'''


def blocks_source(index: int, seed: int = 0) -> str:
    r = random.Random(f"blocks:{seed}:{index}")
    return f'''"""Model blocks of app_{index:04d}."""

from __future__ import annotations

import torch
import torch.nn as nn


class Residual(nn.Module):
    def __init__(self, dim: int = {r.choice((256, 512, 1024))}) -> None:
        super().__init__()
        self.linear = nn.Linear(dim, dim)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x + self.linear(x)


def build_blocks(depth: int = {r.randint(2, 12)}) -> nn.Sequential:
    return nn.Sequential(*(Residual() for _ in range(depth)))
'''


COMMON_UTILS = '''"""Utilities shared by the apps."""

from __future__ import annotations

import contextlib
import logging
import os
import time

logger = logging.getLogger(__name__)

_TRUE = frozenset({"1", "true", "yes", "on"})


def env_flag(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    return default if raw is None else raw.strip().lower() in _TRUE


@contextlib.contextmanager
def timed(label: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        logger.info("%s took %.3f s", label, time.perf_counter() - started)
'''


# --------------------------------------------------------------------------
# pyproject.toml
# --------------------------------------------------------------------------

def _app_toml(index: int, seed: int) -> str:
    r = random.Random(f"toml:{seed}:{index}")
    name = f"app_{index:04d}"
    kind = app_kind(index)
    lines = [f"# {name} ({kind})", f"[tool.fal.apps.{name}]"]
    subtables: list[str] = []
    if kind == "ref":
        lines.append(f'ref = "apps/{name}/app.py::App{index:04d}"')
    else:
        lines.append(f'python_entry_point = "realpkg.{name}.app:Svc"')
        lines.append("requirements = [")
        lines += [f"    {_gen._toml_str(q)}," for q in ENTRY_REQUIREMENTS]
        lines.append("]")
        lines.append(f'python_version = "{r.choice(("3.10", "3.11", "3.12"))}"')
    if r.random() < 0.85:
        lines.append(f'machine_type = "{r.choice(GPU_MACHINES)}"')
        if r.random() < 0.3:
            lines.append(f"num_gpus = {r.choice((1, 2))}")
    else:
        lines.append(f'machine_type = "{r.choice(CPU_MACHINES)}"')
    if r.random() < 0.7:
        lines.append(f"keep_alive = {r.choice((300, 600, 1800))}")
    if r.random() < 0.5:
        lines.append("min_concurrency = 0")
        lines.append(f"max_concurrency = {r.choice((1, 2, 4, 8))}")
    if r.random() < 0.3:
        lines.append('secrets = ["HF_TOKEN"]')
    if r.random() < 0.4:
        lines.append(f'health_check = {{ path = "/health", timeout_seconds = {r.choice((10, 30))} }}')
    if kind == "docker":
        subtables += [
            "",
            f"[tool.fal.apps.{name}.image]",
            f'dockerfile = "docker/{name}/Dockerfile"',
            f'build_args = {{ PYTHON_VERSION = "{r.choice(("3.10", "3.11", "3.12"))}" }}',
        ]
    return "\n".join(lines + subtables) + "\n"


def pyproject_source(n: int, seed: int = 0) -> str:
    head = [
        f"# Real-shaped fal project for fallint's benchmarks: {n} apps.",
        "# Generated by benchmarks/realistic.py; do not edit.",
        "[build-system]",
        'requires = ["setuptools>=64"]',
        'build-backend = "setuptools.build_meta"',
        "",
        "[project]",
        'name = "realpkg"',
        'version = "0.1.0"',
        'requires-python = ">=3.10"',
        'dependencies = ["fal", "pydantic>=2"]',
        "",
        "[tool.setuptools.packages.find]",
        'where = ["src"]',
        "",
    ]
    return "\n".join(head) + "\n" + "\n".join(_app_toml(i, seed) for i in range(1, n + 1))


# --------------------------------------------------------------------------
# Writing a project
# --------------------------------------------------------------------------

_write = _gen._write


def generate(n: int, dest: Path | str, *, seed: int = 0) -> Path:
    """Write an ``n``-app real-shaped project into ``dest``; return its path.

    What a previous call (of this or ``generate.py``) wrote there is removed first.
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
    _write(dest / "pyproject.toml", pyproject_source(n, seed))
    _write(dest / ".dockerignore", DOCKERIGNORE)
    _write(dest / "apps" / "__init__.py", "")
    _write(dest / "apps" / "common" / "__init__.py", "")
    _write(dest / "apps" / "common" / "utils.py", COMMON_UTILS)
    _write(dest / "src" / "realpkg" / "__init__.py", '"""Apps installed on the worker."""\n')
    modules = 4  # apps/__init__, apps/common/{__init__,utils}, src/realpkg/__init__
    total_lines = 0
    for i in range(1, n + 1):
        pkg = package_dir(dest, i)
        source = app_source(i, seed)
        total_lines += source.count("\n")
        _write(pkg / "__init__.py", "")
        _write(pkg / "app.py", source)
        _write(pkg / "helpers.py", helpers_source(i, seed))
        _write(pkg / "nn" / "__init__.py", "")
        _write(pkg / "nn" / "blocks.py", blocks_source(i, seed))
        modules += 5
        if app_kind(i) == "docker":
            _write(dest / "docker" / f"app_{i:04d}" / "Dockerfile", DOCKERFILE)
    _write(dest / MARKER, json.dumps({"apps": n, "modules": modules, "app_lines": total_lines,
                                      "seed": seed, "shape": "real"}, indent=2) + "\n")
    return dest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate a real-shaped fal project for fallint's benchmarks.")
    parser.add_argument("n", type=int, metavar="N", help="number of apps")
    parser.add_argument("dir", metavar="DIR", help="target directory (created if needed)")
    parser.add_argument("--seed", type=int, default=0, help="RNG seed (default 0)")
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("N must be at least 1")
    path = generate(args.n, args.dir, seed=args.seed)
    print(f"wrote {args.n}-app real-shaped project to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
