from __future__ import annotations

import pytest

from fallint.formats.imageref import check_image_reference, parse_image_reference

SHA = "0123456789abcdef" * 4  # 64 lowercase hex digits


@pytest.mark.parametrize(
    "ref",
    [
        "python",
        "python:3.11-slim",
        "ghcr.io/org/img:tag",
        f"localhost:5000/x@sha256:{SHA}",
        "nvcr.io/nvidia/pytorch:24.01-py3",
        "library/ubuntu:22.04",
        f"ubuntu@sha256:{SHA}",
        f"ubuntu:22.04@sha256:{SHA}",
        "registry.example.com:443/team/app_v2__x-y.z:Latest_1.0",
        "[::1]:5000/img",
        "a-b--c/d",
        "x:5000",  # image "x" with tag "5000"
        "MyRegistry/img",  # uppercase first component = a registry host (Docker's rule)
        f"img@sha512:{'ab' * 64}",
    ],
)
def test_valid_references(ref):
    assert check_image_reference(ref) is None


@pytest.mark.parametrize(
    "ref, offset, length, words",
    [
        ("Python:3", 0, 1, "lowercase"),
        ("org/MyImage", 4, 1, "lowercase"),
        ("img:", 3, 1, "empty tag"),
        ("img@sha256:abc", 11, 3, "3 hex digits"),
        ("img@sha256:" + "A" * 64, 11, 1, "uppercase"),
        ("img@md5:" + "a" * 32, 4, 3, "unsupported digest algorithm"),
        ("img@", 3, 1, "invalid digest"),
        (" img", 0, 1, "whitespace"),
        ("img ", 3, 1, "whitespace"),
        ("a//b", 2, 1, "empty path component"),
        ("a/", 1, 1, "empty path component"),
        ("$IMAGE", 0, 1, "'$'"),
        ("${REGISTRY}/app", 0, 1, "'$'"),
        ("img:-x", 4, 1, "cannot start"),
        ("img:" + "t" * 129, 4 + 128, 1, "at most 128"),
        ("a" * 256, 255, 1, "at most 255"),
        ("a__-b", 0, 5, "separators"),
        ("x:y:z", 1, 1, "':'"),
        ("example.com:https/app", 12, 5, "port"),
        ("a@b@c", 3, 1, "more than one '@'"),
        ("", 0, 0, "empty"),
        ("   ", 0, 3, "empty"),
    ],
)
def test_invalid_references(ref, offset, length, words):
    problem = check_image_reference(ref)
    assert problem is not None
    assert words in problem.message
    assert (problem.offset, problem.length) == (offset, length)


def test_parts_are_split():
    ref = parse_image_reference(f"ghcr.io:8443/org/img:1.2@sha256:{SHA}")
    assert ref.ok
    assert (ref.domain, ref.path, ref.tag, ref.digest) == (
        "ghcr.io:8443",
        "org/img",
        "1.2",
        f"sha256:{SHA}",
    )
    assert ref.name == "ghcr.io:8443/org/img"
    hub = parse_image_reference("library/python")
    assert (hub.domain, hub.path, hub.tag) == (None, "library/python", None)


def test_offset_points_into_path_after_domain():
    problem = check_image_reference("ghcr.io/Org/img")
    assert problem is not None and problem.offset == len("ghcr.io/")
