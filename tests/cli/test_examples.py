"""The bundled example projects, end to end through the CLI."""

from __future__ import annotations

import json

from ..helpers import REPO

BROKEN = REPO / "examples" / "broken"


def test_broken_example_reports_every_mistake(cli):
    res = cli(["check", "--output-format", "json"], cwd=BROKEN)
    assert res.code == 1
    found = sorted((d["path"], d["line"], d["column"], d["code"]) for d in json.loads(res.out))
    assert found == [
        ("Dockerfile", 3, 6, "FAL414"),  # COPY of a file that does not exist
        ("apps/web.py", 4, 7, "FAL110"),  # a fal.App without an endpoint
        ("pyproject.toml", 11, 7, "FAL106"),  # the ref names a renamed class
        ("pyproject.toml", 12, 1, "FAL003"),  # keepalive
        ("pyproject.toml", 13, 16, "FAL503"),  # GPU-h100
        ("pyproject.toml", 16, 23, "FAL205"),  # worker.mian
        ("pyproject.toml", 21, 22, "FAL306"),  # diffusers>=0.30,,<1
        ("pyproject.toml", 23, 23, "FAL011"),  # eu-central
        ("pyproject.toml", 24, 1, "FAL501"),  # no_scale
        ("pyproject.toml", 28, 1, "FAL604"),  # image on a ref app
        ("pyproject.toml", 29, 13, "FAL401"),  # app_files with an image
    ]


def test_broken_example_in_every_format_from_the_repository_root(cli):
    for fmt in ("full", "concise", "github", "sarif", "json"):
        res = cli(["check", "examples/broken", "--output-format", fmt], cwd=REPO)
        assert res.code == 1 and "examples/broken/pyproject.toml" in res.out
