"""40x: combinations of image / app_files keys that fal rejects."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class AppFilesWithImage(Rule):
    code = "FAL401"
    name = "app-files-with-image"
    severity = ERROR
    summary = "app_files together with a container image"
    what = "An app that sets both `app_files` and an `image` table."
    why = "fal raises `app_files is not supported for container apps`."
    fix = "COPY the files in the Dockerfile instead, or drop the `image` table."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            image = { dockerfile = "Dockerfile" }
            ''',
            expect=["3:13"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            ''',
        )
    ]

    def check_app(self, app):
        files = app.table.get("app_files")
        if files and "image" in app.table:
            yield self.at(
                app,
                ("app_files",),
                "app_files is not supported for container apps (this app has an `image`)",
                help="COPY these files in the Dockerfile instead",
            )


@register
class AppFilesContextWithoutAppFiles(Rule):
    code = "FAL402"
    name = "app-files-context-without-app-files"
    severity = ERROR
    summary = "app_files_context_dir without app_files"
    what = "`app_files_context_dir` set on an app that has no `app_files`."
    why = "fal raises `app_files_context_dir is only supported when app_files is provided`."
    fix = "Add `app_files`, or remove `app_files_context_dir`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files_context_dir = "src"
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            app_files = ["assets"]
            app_files_context_dir = "."
            ''',
            files={"assets/logo.txt": "x"},
        )
    ]

    def check_app(self, app):
        if "app_files_context_dir" in app.table and "app_files" not in app.table:
            yield self.at(
                app,
                ("app_files_context_dir",),
                "app_files_context_dir is only supported together with app_files",
                part="key",
            )


@register
class ImageSourceConflict(Rule):
    code = "FAL403"
    name = "image-source"
    severity = ERROR
    summary = "An image table needs exactly one of dockerfile and image"
    what = "An `image` table with neither `dockerfile` nor `image`, or with both."
    why = "fal raises `image must specify either 'dockerfile' (path) or 'image'` / `only one of`."
    fix = "Keep exactly one: `dockerfile = \"Dockerfile\"` to build, or `image = \"repo/name:tag\"` to pull."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            image = "python:3.12"
            ''',
            expect=["3:1"],
        ),
        Example(
            '''
            [tool.fal.apps.web.image]
            cmd = ["python", "serve.py"]
            ''',
            expect=["1:20"],
            title="neither",
        ),
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "python:3.12"
            cmd = ["python", "serve.py"]
            ''',
        )
    ]

    def check_app(self, app):
        img = app.table.get("image")
        if not isinstance(img, dict):
            return
        if "dockerfile" in img and "image" in img:
            yield self.at(
                app,
                ("image", "image"),
                "image sets both `dockerfile` and `image`; fal accepts only one",
                part="key",
            )
        elif "dockerfile" not in img and "image" not in img:
            yield self.at(
                app,
                ("image",),
                "image must set `dockerfile` (a path to build) or `image` (a reference to pull)",
                part="key",
            )


@register
class BuildOptionWithoutDockerfile(Rule):
    code = "FAL404"
    name = "build-option-without-dockerfile"
    severity = ERROR
    summary = "image.build_args or image.secrets without image.dockerfile"
    what = "`build_args` or build-time `secrets` in an `image` table that pulls an `image` instead of building a `dockerfile`."
    why = "fal raises `Image key(s) ... are only supported with image.dockerfile`."
    fix = "Remove the build options, or build from a Dockerfile."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "python:3.12"
            build_args = { VERSION = "1" }
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            dockerfile = "Dockerfile"
            build_args = { VERSION = "1" }
            ''',
            files={"Dockerfile": "FROM python:3.12\nARG VERSION\nRUN echo $VERSION\n"},
        )
    ]

    def check_app(self, app):
        img = app.table.get("image")
        if not isinstance(img, dict) or "dockerfile" in img or "image" not in img:
            return
        for key in ("build_args", "secrets"):
            if key in img:
                yield self.at(
                    app,
                    ("image", key),
                    f"image.{key} is only supported with image.dockerfile",
                    part="key",
                )


@register
class RegistryCredentialsMissing(Rule):
    code = "FAL405"
    name = "registry-credentials-missing"
    severity = ERROR
    summary = "An image registry without username or password"
    what = "An entry of `image.registries` that lacks `username` or `password`."
    why = "fal raises `Username and password are required for each registry`."
    fix = "Add both keys; take the password from a fal secret (`password = \"$REGISTRY_TOKEN\"`)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme" } }
            ''',
            expect=["3:28"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme", password = "$GHCR_TOKEN" } }
            ''',
        )
    ]

    def check_app(self, app):
        regs = app.get("image", "registries")
        if not isinstance(regs, dict):
            return
        for name, entry in regs.items():
            if not isinstance(entry, dict):
                continue
            missing = [k for k in ("username", "password") if k not in entry]
            if missing:
                yield self.at(
                    app,
                    ("image", "registries", name),
                    f"registry `{name}` needs {' and '.join(f'`{m}`' for m in missing)}",
                )
