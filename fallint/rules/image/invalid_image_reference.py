"""FAL422 `invalid-image-reference`: image.image is not a valid container image reference."""

from __future__ import annotations

from typing import TYPE_CHECKING, Iterator

from fallint.diagnostics import Diagnostic
from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.util.text import code

if TYPE_CHECKING:  # pragma: no cover
    from fallint.model.project import App
from fallint.model.build import string_offset_location


@register
class InvalidImageReference(Rule):
    code = "FAL422"
    name = "invalid-image-reference"
    severity = ERROR
    summary = "image.image is not a valid container image reference"
    what = """
        An `image.image` that Docker's reference grammar rejects: uppercase letters in
        the repository, a bad tag or digest, spaces, `$VAR` (fal passes the value
        verbatim), an empty path component, and so on.
    """
    why = "fal hands the string to its server as is; the image cannot be pulled and the deploy fails."
    fix = "Write the reference as `[registry/]repository[:tag][@sha256:<digest>]`, repository in lowercase."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/Acme/web:1.0"
            ''',
            expect=["2:18"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1.0"
            ''',
        )
    ]

    def check_app(self, app: "App") -> Iterator[Diagnostic]:
        value = app.get("image", "image")
        if not isinstance(value, str) or not value.strip():
            return  # not a string: FAL004; blank: FAL014
        # imported on first use: only apps with image.image need it
        from fallint.formats.imageref import parse_image_reference

        problem = parse_image_reference(value).problem
        if problem is None:
            return
        yield self.at_location(
            string_offset_location(app, ("image", "image"), problem.offset, problem.length),
            f"invalid image reference {code(value)}: {problem.message}",
            app=app.key,
            key=app.path + ("image", "image"),
            help="write `[registry/]repository[:tag][@sha256:<digest>]`; repository names are lowercase",
        )
