"""The 41x-42x image rules and the 43x app_files rules, through the CLI."""

from __future__ import annotations

import json
import os

import pytest

needs_symlinks = pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")

CONTAINER = '''
[tool.fal.apps.web]
ref = "apps/web.py::Web"

[tool.fal.apps.web.image]
dockerfile = "Dockerfile"
'''


def check(cli, root, select: str, *extra: str) -> list[dict]:
    res = cli(
        ["check", "--no-cache", "--output-format", "json", "--select", select, *extra], cwd=root
    )
    assert res.code in (0, 1), res.err
    return json.loads(res.out)


def where(d: dict) -> tuple:
    return (d["code"], d["path"], d["line"], d["column"], d["end_line"], d["end_column"])


def codes(diags: list[dict]) -> list[tuple]:
    return sorted((d["code"], d["path"], d["line"], d["column"]) for d in diags)


def container(project, dockerfile: str, **files):
    """A project with one container app `web` (ref apps/web.py) built from ``dockerfile``."""
    return project(
        {"pyproject.toml": CONTAINER, "apps/web.py": "", "Dockerfile": dockerfile, **files}
    )


# --------------------------------------------------------------------------
# FAL410: the Dockerfile file itself


@pytest.mark.parametrize(
    "files, fragment",
    [
        ({}, "does not exist (fal raises `image.dockerfile not found`)"),
        ({"Dockerfile/x": ""}, "is a directory, not a Dockerfile"),
        ({"Dockerfile": b"FROM python\n# caf\xe9\n"}, "is not valid UTF-8 (byte 0xe9 at line 2"),
        ({"Dockerfile": b"\x89PNG\x00\x00"}, "is a binary file"),
        ({"Dockerfile": " \n\t\n"}, "is empty (fal raises `Invalid dockerfile"),
    ],
)
def test_dockerfile_unreadable_points_at_the_toml_value(project, cli, files, fragment):
    root = project({"pyproject.toml": CONTAINER, "apps/web.py": "", **files})
    diags = check(cli, root, "FAL41")
    assert [where(d) for d in diags] == [("FAL410", "pyproject.toml", 5, 14, 5, 26)]
    assert fragment in diags[0]["message"]


def test_dockerfile_missing_suggests_a_close_name_and_empty_path(project, cli):
    root = project(
        {
            "pyproject.toml": CONTAINER.replace('"Dockerfile"', '"docker/dockerfile"')
            + '\n[tool.fal.apps.blank.image]\ndockerfile = ""\n',
            "apps/web.py": "",
            "docker/Dockerfile": "FROM python:3.12\n",
        }
    )
    diags = check(cli, root, "FAL410")
    assert [(d["app"], d["line"]) for d in diags] == [("web", 5), ("blank", 8)]
    assert diags[0]["help"] == "did you mean `docker/Dockerfile`?"
    assert "image.dockerfile is empty" in diags[1]["message"]


def test_a_directory_holding_a_dockerfile_gets_a_hint(project, cli):
    root = project(
        {
            "pyproject.toml": CONTAINER.replace('"Dockerfile"', '"docker"'),
            "apps/web.py": "",
            "docker/Dockerfile": "FROM python:3.12\n",
        }
    )
    (d,) = check(cli, root, "FAL410")
    assert d["help"] == "did you mean `docker/Dockerfile`?"


def test_unreadable_file_stops_the_dockerfile_rules(project, cli):
    root = project({"pyproject.toml": CONTAINER, "apps/web.py": ""})
    assert [d["code"] for d in check(cli, root, "FAL4")] == ["FAL410"]


# --------------------------------------------------------------------------
# FAL411-413: the Dockerfile's content


def test_no_from_and_comment_only_dockerfiles(project, cli):
    root = container(project, "# syntax=docker/dockerfile:1\nARG V=1\nRUN echo $V\n")
    diags = check(cli, root, "FAL41")
    # one diagnostic, at the first instruction; not one per instruction before FROM
    assert [where(d) for d in diags] == [("FAL411", "Dockerfile", 2, 1, 2, 4)]
    assert diags[0]["related"][0]["path"] == "pyproject.toml"
    assert diags[0]["related"][0]["line"] == 5

    root = container(project, "# just a comment\n\n")
    (d,) = check(cli, root, "FAL41")
    assert where(d) == ("FAL411", "Dockerfile", 1, 1, 1, 2)
    assert "no instructions" in d["message"]


def test_syntax_errors_at_their_line_with_continuations_and_heredocs(project, cli):
    dockerfile = (
        "FROM python:3.12 AS base\n"
        "RUN apt-get update && \\\n"
        "    # a comment inside the continuation\n"
        "    apt-get install -y git\n"
        "COPY <<EOF /app/hello.txt\n"
        "RUNN inside a heredoc is content, not an instruction\n"
        "EOF\n"
        "COPY --chmod 644 \\\n"
        "     apps/ /app/\n"
        "CMDD python serve.py\n"
        "FROM base AS final\n"
        "COPY --from=base /app /app\n"
    )
    root = container(project, dockerfile)
    diags = check(cli, root, "FAL412")
    assert [where(d) for d in diags] == [
        ("FAL412", "Dockerfile", 8, 6, 8, 13),  # --chmod without a value
        ("FAL412", "Dockerfile", 10, 1, 10, 5),  # CMDD
    ]
    assert diags[1]["help"] == "did you mean `CMD`?"


def test_a_custom_frontend_is_not_second_guessed(project, cli):
    root = container(project, "# syntax=example.com/my/frontend:2\nFANCY thing\n")
    assert check(cli, root, "FAL411,FAL412,FAL413") == []


def test_instruction_before_from_is_an_error_when_a_from_follows(project, cli):
    root = container(project, "RUN echo hi\nFROM python:3.12\n")
    assert codes(check(cli, root, "FAL41")) == [("FAL412", "Dockerfile", 1, 1)]


def test_parser_warnings(project, cli):
    root = container(
        project,
        "FROM python:3.12 AS base\nFROM python:3.12 AS base\nRUN echo a \\\n\n    b\n",
    )
    diags = check(cli, root, "FAL413")
    assert [(d["line"], d["column"]) for d in diags] == [(2, 21), (3, 1)]
    assert all(d["severity"] == "warning" for d in diags)


# --------------------------------------------------------------------------
# FAL414-416: COPY/ADD sources against what fal uploads


def test_multi_stage_copies_from_stages_are_skipped_and_local_ones_checked(project, cli):
    dockerfile = (
        "FROM python:3.12 AS build\n"
        "COPY apps/ /src/apps/\n"
        "RUN pip wheel -w /w /src\n"
        "FROM python:3.12-slim\n"
        "COPY --from=build /w /w\n"
        "COPY --chown=1000 --from=build /src/missing /x\n"
        "COPY missing.txt /app/\n"
    )
    root = container(project, dockerfile, **{"apps/util.py": ""})
    diags = check(cli, root, "FAL414,FAL415,FAL416")
    assert [where(d) for d in diags] == [("FAL414", "Dockerfile", 7, 6, 7, 17)]
    assert "does not exist in the build context" in diags[0]["message"]


def test_positions_in_continuations_and_json_form(project, cli):
    dockerfile = (
        "FROM python:3.12\n"
        "COPY apps/ \\\n"
        "     nope.txt \\\n"
        "     /app/\n"
        'COPY ["apps/", "gone dir/", "/app/"]\n'
    )
    root = container(project, dockerfile, **{"apps/util.py": ""})
    diags = check(cli, root, "FAL414")
    assert [where(d) for d in diags] == [
        ("FAL414", "Dockerfile", 3, 6, 3, 14),
        ("FAL414", "Dockerfile", 5, 16, 5, 27),
    ]
    assert [d["key"] for d in diags] == ["tool.fal.apps.web.image.dockerfile"] * 2


def test_heredoc_sources_are_not_files(project, cli):
    dockerfile = (
        "FROM python:3.12\n"
        "COPY <<EOF /app/config.toml\n"
        "COPY this line is heredoc content\n"
        "EOF\n"
        "COPY <<-EOT apps/ /app/\n"
        "\thello\n"
        "\tEOT\n"
    )
    root = container(project, dockerfile, **{"apps/util.py": ""})
    assert check(cli, root, "FAL414,FAL415,FAL416") == []


def test_fal_default_ignores_apply_without_a_dockerignore(project, cli):
    dockerfile = "FROM python:3.12\nCOPY README.md .env requirements.txt /app/\n"
    files = {"README.md": "", ".env": "", "requirements.txt": ""}
    diags = check(cli, container(project, dockerfile, **files), "FAL414")
    assert [(d["column"], "`*.md` matches it" in d["message"]) for d in diags] == [
        (6, True),
        (16, False),
    ]
    assert "`.env`" in diags[1]["message"]
    assert diags[0]["help"].startswith("add a .dockerignore")
    # with a .dockerignore fal uses it instead of its defaults
    files[".dockerignore"] = ".git\n"
    assert check(cli, container(project, dockerfile, **files), "FAL414") == []


def test_dockerignore_negation_and_exclusion(project, cli):
    dockerfile = (
        "FROM python:3.12\n"
        "COPY docs/README.md /app/\n"
        "COPY secrets.txt /app/\n"
        "COPY docs/guide.txt /app/\n"
    )
    files = {
        ".dockerignore": "docs\n!docs/README.md\nsecrets.txt\n",
        "docs/README.md": "",
        "docs/guide.txt": "",
        "secrets.txt": "",
    }
    root = container(project, dockerfile, **files)
    diags = check(cli, root, "FAL414,FAL418")
    assert codes(diags) == [
        ("FAL414", "Dockerfile", 2, 6),
        ("FAL414", "Dockerfile", 3, 6),
        ("FAL414", "Dockerfile", 4, 6),
        ("FAL418", ".dockerignore", 2, 1),
    ]
    by_line = {d["line"]: d["message"] for d in diags if d["code"] == "FAL414"}
    # Docker would re-include it: the reason is fal's reading of the '!'
    assert "exists locally" in by_line[2] and "`!docs/README.md`" in by_line[2]
    # excluded for Docker too
    assert "is excluded by .dockerignore (pattern `secrets.txt`)" in by_line[3]
    assert "is excluded by .dockerignore (pattern `docs`)" in by_line[4]


def test_add_urls_are_skipped_but_fal_drops_their_local_sources(project, cli):
    dockerfile = (
        "FROM python:3.12\n"
        "ADD https://example.com/model.bin /models/\n"
        "ADD --checksum=sha256:abc https://example.com/x.tgz data.csv /app/\n"
        "ADD git@github.com:acme/lib.git /lib\n"
    )
    root = container(project, dockerfile, **{"data.csv": ""})
    (d,) = check(cli, root, "FAL414,FAL415,FAL416")
    assert where(d) == ("FAL414", "Dockerfile", 3, 53, 3, 61)
    assert "fal skips every ADD instruction that mentions a URL" in d["message"]


def test_wildcards(project, cli):
    dockerfile = (
        "FROM python:3.12\n"
        "COPY data/a.csv /app/\n"
        "COPY data/*.csv /app/data/\n"  # partial: b.csv is not uploaded
        "COPY *.txt /app/\n"  # no match at all: BuildKit copies nothing
        "COPY assets/*.png /app/\n"  # assets/ never uploaded: the build fails
        "COPY data/[ab].csv /app/\n"  # a.csv uploaded, b.csv left out
    )
    files = {"data/a.csv": "", "data/b.csv": "", "assets/x.png": ""}
    diags = check(cli, container(project, dockerfile, **files), "FAL414,FAL415")
    assert codes(diags) == [
        ("FAL414", "Dockerfile", 5, 6),
        ("FAL415", "Dockerfile", 3, 6),
        ("FAL415", "Dockerfile", 4, 6),
        ("FAL415", "Dockerfile", 6, 6),
    ]
    by_line = {d["line"]: d for d in diags}
    assert "also matches `data/b.csv` locally" in by_line[3]["message"]
    assert "matches no file in the build context" in by_line[4]["message"]
    assert "does not expand wildcards" in by_line[5]["message"]
    assert by_line[5]["severity"] == "error" and by_line[4]["severity"] == "warning"


def test_variables_resolved_from_arg_defaults_and_build_args(project, cli):
    dockerfile = (
        "FROM python:3.12\n"
        "ARG SRC=apps\n"
        "ARG DATA\n"
        "ARG UNKNOWN_TO_FAL\n"
        "COPY ${SRC}/ /app/\n"  # exists, but fal looks for '${SRC}/' literally
        "COPY $DATA /data/\n"  # from build_args: 'nothing-here' does not exist
        "COPY ${TARGETARCH}/ /arch/\n"  # set by BuildKit, unknown here: silent
    )
    toml = CONTAINER + 'build_args = { DATA = "nothing-here" }\n'
    root = project({"pyproject.toml": toml, "apps/web.py": "", "apps/x.py": "", "Dockerfile": dockerfile})
    diags = check(cli, root, "FAL414")
    assert codes(diags) == [("FAL414", "Dockerfile", 5, 6), ("FAL414", "Dockerfile", 6, 6)]
    assert "(= `apps/`)" in diags[0]["message"]
    assert "does not expand variables" in diags[0]["message"]
    assert "(= `nothing-here`)" in diags[1]["message"]
    assert "does not exist" in diags[1]["message"]


def test_the_apps_own_file_is_not_in_the_context(project, cli):
    dockerfile = "FROM python:3.12\nCOPY apps/web.py /app/\nCOPY apps/ /app/apps/\n"
    (d,) = check(cli, container(project, dockerfile, **{"apps/util.py": ""}), "FAL414")
    assert d["line"] == 2 and "the app's own `ref` file" in d["message"]


def test_indented_instructions_and_empty_directories(project, cli):
    dockerfile = "FROM python:3.12\n  COPY data.csv /app/\nCOPY empty/ /app/empty/\n"
    root = container(project, dockerfile, **{"data.csv": ""})
    (root / "empty").mkdir()
    diags = check(cli, root, "FAL414")
    assert [(d["line"], d["column"]) for d in diags] == [(2, 8), (3, 6)]
    assert "this one is indented" in diags[0]["message"]
    assert "fal uploads files, not directories" in diags[1]["message"]


@needs_symlinks
def test_symlinks(project, cli, tmp_path_factory):
    outside = tmp_path_factory.mktemp("outside")
    (outside / "secret.txt").write_text("")
    dockerfile = (
        "FROM python:3.12\n"
        "COPY link.txt /app/\n"  # uploaded as real.txt: missing remotely
        "COPY vendor/ /app/vendor/\n"  # holds a symlink to outside the context
        "COPY ../elsewhere /x/\n"  # fal raises
    )
    root = container(project, dockerfile, **{"real.txt": "", "vendor/ok.py": ""})
    os.symlink("real.txt", root / "link.txt")
    os.symlink(str(outside / "secret.txt"), root / "vendor" / "secret.txt")
    diags = check(cli, root, "FAL414,FAL416")
    assert codes(diags) == [
        ("FAL414", "Dockerfile", 2, 6),
        ("FAL416", "Dockerfile", 3, 6),
        ("FAL416", "Dockerfile", 4, 6),
    ]
    assert "under its target's path `real.txt`" in diags[0]["message"]
    assert "outside the build context" in diags[1]["message"]
    assert "it resolves to" in diags[2]["message"]
    assert all(d["severity"] == "error" for d in diags)


def test_a_dockerfile_shared_by_two_apps_is_reported_once(project, cli):
    toml = (
        '[tool.fal.apps.a]\nimage = { dockerfile = "Dockerfile" }\n'
        '[tool.fal.apps.b]\nimage = { dockerfile = "Dockerfile" }\n'
    )
    root = project({"pyproject.toml": toml, "Dockerfile": "FROM python:3.12\nCOPY nope /x\nRUNN x\n"})
    diags = check(cli, root, "FAL4")
    assert [(d["code"], d["app"], d["line"]) for d in diags] == [
        ("FAL414", "a", 2),
        ("FAL412", "a", 3),
    ]
    # --app b still sees them
    diags = check(cli, root, "FAL4", "--app", "b")
    assert [(d["code"], d["app"]) for d in diags] == [("FAL414", "b"), ("FAL412", "b")]


def test_dockerfile_path_in_github_and_sarif_output(project, cli):
    root = container(project, "FROM python:3.12\nCOPY missing.txt /app/\n")
    res = cli(["check", "--no-cache", "--output-format", "github", "--select", "FAL414"], cwd=root)
    assert res.out.startswith(
        "::error file=Dockerfile,line=2,col=6,endLine=2,endColumn=17,title=FAL414 (copy-source-missing)::"
    )
    res = cli(["check", "--no-cache", "--output-format", "sarif", "--select", "FAL414"], cwd=root)
    (result,) = json.loads(res.out)["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "Dockerfile"
    assert location["region"] == {"startLine": 2, "startColumn": 6, "endLine": 2, "endColumn": 17}
    related = result["relatedLocations"][0]["physicalLocation"]
    assert related["artifactLocation"]["uri"] == "pyproject.toml"
    assert related["region"]["startLine"] == 5


def test_dockerfile_in_a_subdirectory_keeps_the_pyproject_directory_as_context(project, cli):
    toml = CONTAINER.replace('"Dockerfile"', '"docker/Dockerfile"')
    root = project(
        {
            "pyproject.toml": toml,
            "apps/web.py": "",
            "docker/Dockerfile": "FROM python:3.12\nCOPY requirements.txt /app/\nCOPY Dockerfile /x\n",
            "requirements.txt": "fal\n",
        }
    )
    (d,) = check(cli, root, "FAL414")
    assert (d["path"], d["line"]) == ("docker/Dockerfile", 3)


def test_suppression_comment_in_the_dockerfile(project, cli):
    root = container(project, "FROM python:3.12\nCOPY missing.txt /app/  # fallint: ignore[FAL414]\n")
    assert check(cli, root, "FAL414") == []


# --------------------------------------------------------------------------
# FAL417-418: .dockerignore


def test_dockerignore_lines_that_make_fal_raise(project, cli):
    root = container(
        project,
        "FROM python:3.12\n",
        **{".dockerignore": "# comment\n  !\nfoo\\\n*.pyc\n"},
    )
    diags = check(cli, root, "FAL417,FAL418")
    assert [where(d) for d in diags] == [
        ("FAL417", ".dockerignore", 2, 3, 2, 4),
        ("FAL417", ".dockerignore", 3, 1, 3, 5),
    ]
    assert "fal rejects .dockerignore line `!`" in diags[0]["message"]


def test_undecodable_dockerignore(project, cli):
    root = container(project, "FROM python:3.12\n", **{".dockerignore": b"ok\n\xff\n"})
    (d,) = check(cli, root, "FAL417")
    assert where(d) == ("FAL417", ".dockerignore", 2, 1, 2, 2)
    assert d["help"] == "save .dockerignore as UTF-8 text"


def test_dockerignore_rules_need_a_dockerfile_build(project, cli):
    toml = '[tool.fal.apps.web]\nref = "app.py"\nimage = { image = "python:3.12" }\n'
    root = project({"pyproject.toml": toml, ".dockerignore": "!\n!x\n"})
    assert check(cli, root, "FAL417,FAL418") == []


def test_pattern_docker_rejects_but_fal_accepts(project, cli):
    root = container(project, "FROM python:3.12\n", **{".dockerignore": "data/[a\n"})
    (d,) = check(cli, root, "FAL418")
    assert where(d) == ("FAL418", ".dockerignore", 1, 1, 1, 8)
    assert "a local `docker build` rejects" in d["message"]


# --------------------------------------------------------------------------
# FAL419-421, FAL423: build args and credentials


def test_build_args_against_args_in_a_multi_stage_build(project, cli):
    dockerfile = (
        "ARG PY=3.12\n"
        "FROM python:${PY} AS build\n"
        "ARG TOKEN\n"
        "ARG MODE\n"
        "RUN echo ${MODE:-release} $TOKEN\n"  # MODE has a fallback: fine
        "FROM python:${PY}\n"
        "ARG PY\n"  # inherits the global default
        "ARG EXTRA\n"
        "RUN echo $PY $EXTRA\n"
    )
    toml = CONTAINER + 'build_args = { PY = "3.11", EXTRAS = "x", HTTP_PROXY = "http://p" }\n'
    root = project({"pyproject.toml": toml, "apps/web.py": "", "Dockerfile": dockerfile})
    diags = check(cli, root, "FAL419,FAL420")
    assert [where(d) for d in diags] == [
        ("FAL420", "Dockerfile", 3, 5, 3, 10),
        ("FAL420", "Dockerfile", 8, 5, 8, 10),
        ("FAL419", "pyproject.toml", 6, 29, 6, 35),
    ]
    assert diags[2]["message"].endswith("did you mean `EXTRA`?")
    assert diags[0]["related"][0]["line"] == 5  # where $TOKEN is used
    assert diags[0]["related"][0]["path"] == "Dockerfile"


def test_build_secrets_and_registry_passwords(project, cli):
    toml = '''
    [tool.fal.apps.web.image]
    dockerfile = "Dockerfile"
    secrets = { HF_TOKEN = "$HF_TOKEN", NPM = "npm_abc", EMPTY = "$" }

    [tool.fal.apps.pull.image]
    image = "registry.example.com/acme/app:1"
    [tool.fal.apps.pull.image.registries."registry.example.com"]
    username = "acme"
    password = "hunter2"
    [tool.fal.apps.pull.image.registries.other]
    username = "acme"
    password = "$OTHER_TOKEN"
    '''
    root = project({"pyproject.toml": toml, "Dockerfile": "FROM python:3.12\n"})
    diags = check(cli, root, "FAL421,FAL423")
    assert [(d["code"], d["line"]) for d in diags] == [
        ("FAL421", 3),
        ("FAL421", 3),
        ("FAL423", 9),
    ]
    assert [d["column"] for d in diags] == [43, 62, 12]


# --------------------------------------------------------------------------
# FAL422: image.image


@pytest.mark.parametrize(
    "line, column, end_column",
    [
        ('image = "python:3.12 "', 21, 22),  # whitespace, exact column
        ("image = 'ghcr.io/Acme/x'", 18, 19),  # literal string: exact too
        ('image = "ghcr.io/acme/x:\\u0031.0 "', 9, 35),  # escapes: the whole value
        ('image = """ghcr.io/a//b"""', 9, 27),  # multi-line string syntax: the whole value
        ('image = "$REGISTRY/app:1"', 10, 11),  # fal does not expand variables
        ('image = "python@sha256:abc"', 24, 27),  # the digest's hex part
        ('image = "café/x"', 13, 14),  # columns count characters, not bytes
    ],
)
def test_image_reference_columns(project, cli, line, column, end_column):
    root = project({"pyproject.toml": f"[tool.fal.apps.web.image]\n{line}\n"})
    (d,) = check(cli, root, "FAL422")
    assert (d["line"], d["column"], d["end_column"]) == (2, column, end_column)


@pytest.mark.parametrize(
    "ref", ["python:3.12", "ghcr.io/acme/web@sha256:" + "a" * 64, "localhost:5000/x/y:latest"]
)
def test_valid_image_references(project, cli, ref):
    root = project({"pyproject.toml": f'[tool.fal.apps.web.image]\nimage = "{ref}"\n'})
    assert check(cli, root, "FAL422") == []


# --------------------------------------------------------------------------
# FAL430-433: app_files


APP = '''
[tool.fal.apps.web]
ref = "apps/web.py::Web"
'''


def test_app_files_are_relative_to_the_ref_files_directory(project, cli):
    toml = APP + 'app_files = ["models", "assets", "models/*.json", "cache.pyc", "empty"]\n'
    root = project(
        {
            "pyproject.toml": toml,
            "apps/web.py": "",
            "apps/models/a.json": "",
            "apps/cache.pyc": "",
            "assets/logo.png": "",
        }
    )
    (root / "apps" / "empty").mkdir()
    diags = check(cli, root, "FAL43")
    assert [where(d) for d in diags] == [
        ("FAL430", "pyproject.toml", 3, 24, 3, 32),
        ("FAL430", "pyproject.toml", 3, 34, 3, 49),
        ("FAL430", "pyproject.toml", 3, 51, 3, 62),
        ("FAL430", "pyproject.toml", 3, 64, 3, 71),
    ]
    messages = [d["message"] for d in diags]
    assert "does not exist in `apps/`" in messages[0]
    assert 'app_files_context_dir = "."' in diags[0]["help"]
    assert "does not expand wildcards" in messages[1]
    assert "matches app_files_ignore pattern `\\.pyc$`" in messages[2]
    assert "directory with no file" in messages[3]
    assert [d["key"] for d in diags][0] == "tool.fal.apps.web.app_files[1]"


def test_app_files_context_dir(project, cli):
    toml = APP + 'app_files = ["assets", "aset"]\napp_files_context_dir = "."\n'
    root = project({"pyproject.toml": toml, "apps/web.py": "", "assets/logo.png": ""})
    (d,) = check(cli, root, "FAL43")
    assert (d["code"], d["column"], d["help"]) == ("FAL430", 24, "did you mean `assets`?")


@pytest.mark.parametrize(
    "value, files, fragment",
    [
        ('"sources"', {"src/a.txt": ""}, "does not exist"),
        ('"notes.txt"', {"notes.txt": ""}, "is a file, not a directory"),
    ],
)
def test_app_files_context_dir_invalid(project, cli, value, files, fragment):
    toml = APP + f'app_files = ["a.txt"]\napp_files_context_dir = {value}\n'
    root = project({"pyproject.toml": toml, "apps/web.py": "", **files})
    diags = check(cli, root, "FAL43")
    assert [(d["code"], d["line"], d["column"]) for d in diags] == [("FAL432", 4, 25)]
    assert fragment in diags[0]["message"]


@needs_symlinks
def test_app_files_outside_the_context_make_fal_raise(project, cli, tmp_path_factory):
    outside = tmp_path_factory.mktemp("elsewhere")
    (outside / "big.bin").write_text("")
    toml = APP + f'app_files = ["../shared", "vendor", "{outside.as_posix()}"]\n'
    root = project({"pyproject.toml": toml, "apps/web.py": "", "shared/u.py": "", "apps/vendor/ok.py": ""})
    os.symlink(str(outside / "big.bin"), root / "apps" / "vendor" / "big.bin")
    diags = check(cli, root, "FAL43")
    assert [(d["code"], d["column"], d["severity"]) for d in diags] == [
        ("FAL431", 14, "error"),
        ("FAL431", 27, "error"),
        ("FAL431", 37, "error"),
    ]
    assert "outside the app files context directory" in diags[1]["message"]


def test_app_files_of_other_kinds_of_apps_are_not_guessed(project, cli):
    toml = '''
    [tool.fal.apps.entry]
    python_entry_point = "pkg.serve:App"
    app_files = ["missing"]

    [tool.fal.apps.container]
    app_files = ["missing"]
    image = { image = "python:3.12" }
    '''
    root = project({"pyproject.toml": toml})
    assert check(cli, root, "FAL430,FAL431,FAL432") == []


def test_app_files_ignore_regex_columns(project, cli):
    toml = APP + (
        'app_files = ["models"]\n'
        "app_files_ignore = ['*.log', \"(unclosed\", \"\\\\d{2,1}\", '\\.pyc$']\n"
    )
    root = project({"pyproject.toml": toml, "apps/web.py": "", "apps/models/a.bin": ""})
    diags = check(cli, root, "FAL433")
    # literal string: exact column; a basic string without escapes: exact;
    # a basic string with escapes: the whole value
    assert [(d["column"], d["end_column"]) for d in diags] == [(22, 23), (31, 32), (43, 53)]
    assert "nothing to repeat at position 0" in diags[0]["message"]
    assert all(d["severity"] == "error" for d in diags)


def test_app_files_ignore_of_a_container_app_is_not_used(project, cli):
    toml = '[tool.fal.apps.web]\napp_files_ignore = ["*.log"]\nimage = { image = "python:3.12" }\n'
    assert check(cli, project({"pyproject.toml": toml}), "FAL433") == []


def test_stages_the_final_stage_does_not_need_are_not_built(project, cli):
    dockerfile = (
        "FROM python:3.12 AS dev\n"
        "ARG DEV_TOKEN\n"
        "RUN echo $DEV_TOKEN\n"
        "COPY dev-only.txt /x\n"
        "FROM python:3.12 AS deps\n"
        "COPY needed.txt /x\n"
        "FROM python:3.12 AS assets\n"
        "COPY assets.txt /x\n"
        "FROM deps\n"
        "RUN --mount=type=bind,from=assets,target=/a ls /a\n"
    )
    diags = check(cli, container(project, dockerfile), "FAL414,FAL420")
    # dev is not needed by the last stage; deps (its base) and assets (mounted) are
    assert codes(diags) == [("FAL414", "Dockerfile", 6, 6), ("FAL414", "Dockerfile", 8, 6)]
    # a stage chosen through a variable: every stage counts
    dockerfile = "ARG BASE=dev\nFROM python:3.12 AS dev\nCOPY dev-only.txt /x\nFROM ${BASE}\n"
    assert codes(check(cli, container(project, dockerfile), "FAL414")) == [
        ("FAL414", "Dockerfile", 3, 6)
    ]


@needs_symlinks
def test_hostile_files_never_crash(project, cli):
    root = container(
        project,
        "FROM python:3.12\nCOPY loop/ /x/\nCOPY \u2028weird /y\n" + "COPY " + "a/" * 3000 + " /z\n",
    )
    os.symlink("loop", root / "loop")
    (root / ".dockerignore").mkdir()  # a directory: fal uses its default patterns
    res = cli(["check", "--no-cache", "--output-format", "json", "--select", "FAL4"], cwd=root)
    assert res.code == 1 and not res.err
    found = {(d["code"], d["line"]) for d in json.loads(res.out)}
    assert ("FAL416", 2) in found  # fal raises on the symlink loop
    assert ("FAL414", 3) in found and ("FAL414", 4) in found


@needs_symlinks
def test_dockerfile_symlink_loop(project, cli):
    root = project({"pyproject.toml": CONTAINER, "apps/web.py": ""})
    os.symlink("Dockerfile", root / "Dockerfile")
    (d,) = check(cli, root, "FAL4")
    assert d["code"] == "FAL410" and "symbolic links" in d["message"]


def test_image_of_a_ref_app_is_read_but_not_built(project, cli):
    """fal keeps a ref target's own environment: the TOML image is loaded
    (a missing Dockerfile still fails) but never built or uploaded."""
    app_py = 'import fal\n\n\nclass Web(fal.App):\n    @fal.endpoint("/")\n    def run(self) -> dict:\n        return {}\n'
    root = project(
        {
            "pyproject.toml": '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            image = { dockerfile = "Dockerfile" }

            [tool.fal.apps.gone]
            ref = "app.py::Web"
            name = "gone"
            image = { dockerfile = "Missing.Dockerfile" }
            ''',
            "app.py": app_py,
            "Dockerfile": "FROM python:3.12-slim\nCOPY nothing-here.txt /app/\n",
        }
    )
    res = cli(["check", "--output-format", "json"], cwd=root)
    found = sorted((d["code"], d["app"]) for d in json.loads(res.out))
    assert found == [("FAL410", "gone"), ("FAL604", "gone"), ("FAL604", "web")]
