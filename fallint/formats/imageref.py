"""Validate container image references the way Docker does.

The grammar is the one of ``github.com/distribution/reference`` (what
``docker pull`` and BuildKit's ``FROM`` use)::

    reference        := name [ ":" tag ] [ "@" digest ]
    name             := [domain "/"] path-component ["/" path-component]*
    domain           := host [":" port]      host: DNS name, "localhost" or "[IPv6]"
    path-component   := alnum [separator alnum]*        alnum: [a-z0-9]+
    separator        := "." | "_" | "__" | "-"+
    tag              := [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}
    digest           := algorithm ":" hex     sha256 = 64, sha384 = 96, sha512 = 128
                                              lowercase hex digits

The first ``/``-separated component is a registry host when it contains
``.`` or ``:``, is ``localhost``, or has an uppercase letter (Docker's
``splitDockerDomain`` rule); otherwise the whole name is a repository path
(on Docker Hub).  The name (domain + path) may be at most 255 characters.

fal 1.83.0 passes ``image.image`` to its server verbatim (no stripping, no
``$VAR`` substitution: ``fal/cli/_utils.py`` only checks that it is a
non-blank string), so ``$`` and whitespace are plain invalid characters
here.  Offsets in problems are 0-based character offsets into the string
given, so a caller can turn them into a column by adding the column of the
string's first character.
"""

from __future__ import annotations

import re
from fallint.util.records import dataclass

__all__ = [
    "ImageRefProblem",
    "ImageReference",
    "check_image_reference",
    "parse_image_reference",
]

NAME_TOTAL_LENGTH_MAX = 255
TAG_LENGTH_MAX = 128

_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*\Z")
_DOMAIN_COMPONENT = re.compile(r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])\Z")
_IPV6_HOST = re.compile(r"\[[a-fA-F0-9:]+\]\Z")
_TAG_CHAR = re.compile(r"[\w.-]", re.ASCII)
_ALGORITHM = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*\Z")
_HEX64 = re.compile(r"[a-f0-9]{64}\Z")
#: go-digest's registered algorithms and the length of their hex encoding
_DIGEST_HEX_LENGTH = {"sha256": 64, "sha384": 96, "sha512": 128}


@dataclass(frozen=True)
class ImageRefProblem:
    """Why a reference is invalid; ``offset``/``length`` locate the culprit."""

    message: str
    offset: int
    length: int


@dataclass(frozen=True)
class ImageReference:
    """A reference split into its parts; ``problem`` is set when invalid.

    The parts are filled in as far as parsing got, so even an invalid
    reference usually has a usable ``path``.
    """

    text: str
    domain: str | None = None
    path: str = ""
    tag: str | None = None
    digest: str | None = None
    problem: ImageRefProblem | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    @property
    def name(self) -> str:
        """``domain/path`` as written (no tag or digest)."""
        return f"{self.domain}/{self.path}" if self.domain else self.path


def check_image_reference(ref: str) -> ImageRefProblem | None:
    """Return the first problem with ``ref``, or ``None`` when Docker accepts it."""
    return parse_image_reference(ref).problem


def parse_image_reference(ref: str) -> ImageReference:
    """Split ``ref`` into domain, path, tag and digest, validating each part."""
    if not ref.strip():
        return ImageReference(ref, problem=ImageRefProblem("image reference is empty", 0, len(ref)))
    bad = _first_forbidden_char(ref)
    if bad is not None:
        return ImageReference(ref, problem=bad)

    name_end = len(ref)
    digest: str | None = None
    at = ref.find("@")
    if at >= 0:
        digest = ref[at + 1 :]
        name_end = at
    tag: str | None = None
    colon = ref.rfind(":", 0, name_end)
    if colon > ref.rfind("/", 0, name_end):
        tag = ref[colon + 1 : name_end]
        name_end = colon

    name = ref[:name_end]
    domain, path, path_offset = _split_domain(name)
    parts = dict(domain=domain, path=path, tag=tag, digest=digest)

    problem = (
        _check_domain(domain)
        or _check_path(path, path_offset)
        or _check_name_length(name)
        or (tag is not None and _check_tag(tag, name_end + 1))
        or (digest is not None and _check_digest(digest, at + 1))
        or None
    )
    return ImageReference(ref, problem=problem, **parts)


def _first_forbidden_char(ref: str) -> ImageRefProblem | None:
    """Characters that can never appear anywhere in a reference."""
    for i, ch in enumerate(ref):
        if ch.isspace():
            return ImageRefProblem("image reference contains whitespace", i, 1)
        if not (ch.isascii() and (ch.isalnum() or ch in "._-:/@[]")):
            return ImageRefProblem(f"invalid character {ch!r} in image reference", i, 1)
    if ref.count("@") > 1:
        second = ref.index("@", ref.index("@") + 1)
        return ImageRefProblem("image reference has more than one '@'", second, 1)
    return None


def _split_domain(name: str) -> tuple[str | None, str, int]:
    """Docker's ``splitDockerDomain``: (domain or None, path, offset of path)."""
    slash = name.find("/")
    if slash < 0:
        return None, name, 0
    first = name[:slash]
    if "." in first or ":" in first or first == "localhost" or first.lower() != first:
        return first, name[slash + 1 :], slash + 1
    return None, name, 0


def _check_domain(domain: str | None) -> ImageRefProblem | None:
    if domain is None:
        return None
    host, port = domain, None
    if not domain.startswith("["):
        host, sep, port = domain.partition(":")
        if not sep:
            port = None
    else:
        close = domain.find("]")
        host = domain[: close + 1] if close >= 0 else domain
        rest = domain[len(host) :]
        if rest:
            if not rest.startswith(":"):
                return ImageRefProblem(f"invalid registry host {domain!r}", 0, len(domain))
            port = rest[1:]
    if host.startswith("["):
        if not _IPV6_HOST.match(host):
            return ImageRefProblem(f"invalid registry host {host!r}", 0, len(host))
    else:
        offset = 0
        for comp in host.split("."):
            if not _DOMAIN_COMPONENT.match(comp):
                return ImageRefProblem(f"invalid registry host {host!r}", offset, max(len(comp), 1))
            offset += len(comp) + 1
    if port is not None and not (port.isascii() and port.isdigit()):
        return ImageRefProblem(
            f"invalid registry port {port!r}: must be digits", len(host) + 1, max(len(port), 1)
        )
    return None


def _check_path(path: str, offset: int) -> ImageRefProblem | None:
    if not path:
        return ImageRefProblem("image reference has no repository name", offset, 0)
    if _HEX64.match(path) and offset == 0:
        return ImageRefProblem(
            "repository name cannot be a 64-character hexadecimal string (an image ID?)",
            0,
            len(path),
        )
    pos = offset
    for comp in path.split("/"):
        if not comp:
            # point at the extra '/' (or at a trailing one)
            at = min(pos, offset + len(path) - 1)
            return ImageRefProblem("empty path component ('//' or a leading/trailing '/')", at, 1)
        if not _PATH_COMPONENT.match(comp):
            return _path_component_problem(comp, pos)
        pos += len(comp) + 1
    return None


def _path_component_problem(comp: str, pos: int) -> ImageRefProblem:
    for i, ch in enumerate(comp):
        if ch.isupper():
            return ImageRefProblem(f"repository name must be lowercase (found {ch!r})", pos + i, 1)
    for i, ch in enumerate(comp):
        if not (ch.islower() or ch.isdigit() or ch in "._-"):
            return ImageRefProblem(f"invalid character {ch!r} in repository name", pos + i, 1)
    return ImageRefProblem(
        f"invalid repository name component {comp!r}: separators ('.', '_', '__', '-') "
        "must sit between lowercase letters or digits",
        pos,
        len(comp),
    )


def _check_name_length(name: str) -> ImageRefProblem | None:
    if len(name) > NAME_TOTAL_LENGTH_MAX:
        return ImageRefProblem(
            f"repository name is {len(name)} characters long; at most "
            f"{NAME_TOTAL_LENGTH_MAX} are allowed",
            NAME_TOTAL_LENGTH_MAX,
            len(name) - NAME_TOTAL_LENGTH_MAX,
        )
    return None


def _check_tag(tag: str, offset: int) -> ImageRefProblem | None:
    if not tag:
        return ImageRefProblem("empty tag after ':'", offset - 1, 1)
    if tag[0] in ".-":
        return ImageRefProblem(f"tag cannot start with {tag[0]!r}", offset, 1)
    for i, ch in enumerate(tag):
        if not _TAG_CHAR.match(ch):
            return ImageRefProblem(f"invalid character {ch!r} in tag", offset + i, 1)
    if len(tag) > TAG_LENGTH_MAX:
        return ImageRefProblem(
            f"tag is {len(tag)} characters long; at most {TAG_LENGTH_MAX} are allowed",
            offset + TAG_LENGTH_MAX,
            len(tag) - TAG_LENGTH_MAX,
        )
    return None


def _check_digest(digest: str, offset: int) -> ImageRefProblem | None:
    algorithm, sep, hexpart = digest.partition(":")
    if not sep or not algorithm or not hexpart:
        return ImageRefProblem(
            "invalid digest: expected <algorithm>:<hex>, e.g. sha256:<64 hex digits>",
            offset - 1,
            len(digest) + 1,
        )
    if not _ALGORITHM.match(algorithm):
        return ImageRefProblem(f"invalid digest algorithm {algorithm!r}", offset, len(algorithm))
    hex_offset = offset + len(algorithm) + 1
    expected = _DIGEST_HEX_LENGTH.get(algorithm)
    if expected is None:
        return ImageRefProblem(
            f"unsupported digest algorithm {algorithm!r} (use sha256, sha384 or sha512)",
            offset,
            len(algorithm),
        )
    for i, ch in enumerate(hexpart):
        if ch not in "0123456789abcdef":
            what = "uppercase hex digit" if ch in "ABCDEF" else f"character {ch!r}"
            return ImageRefProblem(
                f"invalid {algorithm} digest: {what} (digests are lowercase hex)",
                hex_offset + i,
                1,
            )
    if len(hexpart) != expected:
        return ImageRefProblem(
            f"invalid {algorithm} digest: {len(hexpart)} hex digits, expected {expected}",
            hex_offset,
            len(hexpart),
        )
    return None
