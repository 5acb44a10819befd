from __future__ import annotations

import random
import textwrap

import pytest

from fallint.formats.dockerfile import expand_word, fal_copy_sources, parse_dockerfile


def parse(text: str):
    return parse_dockerfile(textwrap.dedent(text).lstrip("\n"))


def kinds(problems):
    return [p.kind for p in problems]


# --------------------------------------------------------------------------
# structure


def test_multi_stage_build():
    df = parse(
        """
        FROM python:3.11-slim AS Builder
        RUN pip wheel -w /w .
        FROM builder AS final
        COPY --from=builder /w /w
        COPY app.py /app/
        FROM scratch
        """
    )
    assert not df.errors
    assert [(s.index, s.name, s.base, s.base_stage) for s in df.stages] == [
        (0, "builder", "python:3.11-slim", None),
        (1, "final", "builder", 0),
        (2, None, "scratch", None),
    ]
    assert df.stages[2].is_scratch
    assert [i.line for i in df.froms] == [1, 3, 6]
    assert [i.stage for i in df.instructions] == [0, 0, 1, 1, 1, 2]
    from_builder, local = df.copies()
    assert from_builder.from_ == "builder" and from_builder.context_sources == ()
    assert [s.value for s in local.context_sources] == ["app.py"]
    assert local.dest is not None and local.dest.text == "/app/"


def test_keywords_are_case_insensitive_and_positions_exact():
    df = parse("from alpine\n   copy  a.txt  /dst/\n")
    copy = df.instructions[1]
    assert (copy.keyword, copy.line, copy.column, copy.end_column) == ("COPY", 2, 4, 8)
    src, dst = copy.args
    assert (src.text, src.line, src.column, src.end_column) == ("a.txt", 2, 10, 15)
    assert (dst.text, dst.column, dst.end_column) == ("/dst/", 17, 22)


def test_continuation_with_comments_and_blank_lines():
    df = parse(
        """
        FROM alpine
        RUN apk add \\
            # a comment inside the instruction
            curl \\

            git
        COPY a.py \\
          b.py /app/
        """
    )
    run, copy = df.instructions[1:]
    assert (run.line, run.end_line) == (2, 6)
    assert run.arguments == ["apk add     curl     git"]
    assert copy.arguments == ["a.py", "b.py", "/app/"]
    b = copy.args[1]
    assert (b.line, b.column, b.end_column) == (8, 3, 7)
    assert kinds(df.warnings) == ["empty-continuation"]
    assert not df.errors


def test_escaped_escape_is_not_a_continuation():
    df = parse("FROM alpine\nRUN echo a\\\\\nRUN echo b\n")
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "RUN"]


def test_backtick_escape_directive():
    df = parse(
        """
        # escape=`
        FROM mcr.microsoft.com/windows/servercore
        COPY C:\\src\\app.py `
             C:\\src\\lib.py C:\\app\\
        RUN dir c:\\
        """
    )
    assert df.escape == "`" and df.directives["escape"].line == 1
    copy = df.instructions[1]
    assert copy.arguments == ["C:\\src\\app.py", "C:\\src\\lib.py", "C:\\app\\"]
    assert (copy.line, copy.end_line) == (3, 4)
    # a trailing backslash is no continuation with the backtick escape
    assert df.instructions[2].arguments == ["dir c:\\"]


def test_directives_only_at_the_top():
    df = parse(
        """
        # syntax=docker/dockerfile:1.7
        # check=skip=all
        FROM alpine
        # escape=`
        RUN echo hi \\
            there
        """
    )
    assert set(df.directives) == {"syntax", "check"}
    assert df.escape == "\\"
    assert df.instructions[1].end_line == 6


def test_bad_directives():
    df = parse("# escape=x\n# escape=`\nFROM alpine\n")
    assert kinds(df.errors) == ["directive", "directive"]
    assert "invalid escape token" in df.errors[0].message
    assert "only one escape" in df.errors[1].message
    assert df.errors[1].line == 2


def test_json_form():
    df = parse(
        """
        FROM alpine
        COPY ["my file.txt", "b.txt",  "/dst/"]
        CMD ["python", "-m", "app"]
        ENTRYPOINT [not json
        RUN [1, 2]
        """
    )
    copy, cmd, entry, run = df.instructions[1:]
    assert copy.json_form and copy.arguments == ["my file.txt", "b.txt", "/dst/"]
    first = copy.args[0]
    assert (first.line, first.column, first.end_column) == (2, 7, 20)
    assert copy.args[2].column == 32
    assert cmd.json_form and cmd.arguments == ["python", "-m", "app"]
    assert not entry.json_form and entry.arguments == ["[not json"]
    assert kinds(df.errors) == ["json"] and df.errors[0].line == 5
    assert [s.value for s in df.copies()[0].sources] == ["my file.txt", "b.txt"]


def test_flags():
    df = parse(
        """
        FROM --platform=$BUILDPLATFORM alpine
        COPY --chown=1000:1000 --chmod=755 --link --parents --exclude=*.pyc --exclude=t/ src /app/
        ADD --keep-git-dir=true --checksum=sha256:abc https://example.com/x.tgz /x
        RUN --mount=type=cache,target=/root/.cache --mount=type=secret,id=t pip install .
        """
    )
    assert not df.errors
    copy = df.instructions[1]
    assert copy.flags == {
        "chown": "1000:1000",
        "chmod": "755",
        "link": None,
        "parents": None,
        "exclude": "t/",
    }
    assert copy.flag_values("exclude") == ["*.pyc", "t/"]
    assert copy.arguments == ["src", "/app/"]
    chown = copy.flag_list[0]
    assert (chown.line, chown.column, chown.end_column) == (2, 6, 23)
    assert df.instructions[3].flag_values("mount") == [
        "type=cache,target=/root/.cache",
        "type=secret,id=t",
    ]


def test_bad_flags():
    df = parse(
        """
        FROM alpine
        COPY --form=builder a /b
        COPY --from a /b
        COPY --link=maybe a /b
        ADD --from=x a /b
        COPY --chown=1 --chown=2 a /b
        """
    )
    messages = [e.message for e in df.errors]
    assert kinds(df.errors) == ["flag"] * 5
    assert "unknown flag for COPY: --form" in messages[0]
    assert "missing a value on flag: --from" in messages[1]
    assert "expecting boolean value" in messages[2]
    assert "unknown flag for ADD: --from" in messages[3]
    assert "duplicate flag" in messages[4]
    assert (df.errors[0].line, df.errors[0].column, df.errors[0].end_column) == (2, 6, 20)


def test_heredocs():
    df = parse(
        """
        FROM alpine
        RUN <<EOF
        apt-get update
        FROM not-an-instruction
        EOF
        COPY <<-"CONF" <<APP /etc/
        \tkey=$VALUE
        \tCONF
        print("hi")
        APP
        RUN python3 <<'PY' > out.txt
        print(1)
        PY
        """
    )
    assert not df.errors
    run, copy, run2 = df.instructions[1:]
    assert [i.keyword for i in df.instructions] == ["FROM", "RUN", "COPY", "RUN"]
    (doc,) = run.heredocs
    assert (doc.name, doc.expand, doc.chomp) == ("EOF", True, False)
    assert doc.content == "apt-get update\nFROM not-an-instruction\n"
    assert (doc.body_line, doc.end_line, run.end_line) == (3, 5, 5)
    conf, app = copy.heredocs
    assert (conf.name, conf.expand, conf.chomp, conf.content) == (
        "CONF",
        False,
        True,
        "\tkey=$VALUE\n",
    )
    assert (app.name, app.content, app.end_line) == ("APP", 'print("hi")\n', 10)
    (c,) = df.copies()
    assert [w.text for w in c.heredoc_sources] == ['<<-"CONF"', "<<APP"]
    assert c.sources == () and c.dest is not None and c.dest.text == "/etc/"
    assert run2.heredocs[0].name == "PY" and not run2.heredocs[0].expand
    assert run2.end_line == 13


def test_unterminated_heredoc():
    df = parse("FROM alpine\nRUN <<EOF\necho hi\nEoF\n")
    assert kinds(df.errors) == ["heredoc"]
    err = df.errors[0]
    assert (err.line, err.column, err.end_column) == (2, 5, 10)
    assert not df.instructions[1].heredocs[0].terminated


def test_heredoc_not_in_json_form_and_not_as_destination():
    df = parse('FROM alpine\nRUN ["sh", "-c", "cat <<EOF"]\nCOPY a <<EOF\nx\nEOF\n')
    assert df.instructions[1].heredocs == ()
    assert "heredoc as a destination" in df.errors[0].message


# --------------------------------------------------------------------------
# COPY / ADD sources


def test_add_urls_and_git_are_not_context_sources():
    df = parse(
        """
        FROM alpine
        ADD https://example.com/a.tgz https://github.com/o/r.git#main \\
            git@github.com:o/r.git ./local.tgz /x/
        COPY https://example.com/b.txt /y
        """
    )
    add, copy = df.copies()
    assert [s.kind for s in add.sources] == ["url", "git", "git", "local"]
    assert [s.value for s in add.context_sources] == ["./local.tgz"]
    assert kinds(df.errors) == ["copy-url"] and df.errors[0].line == 4


def test_copy_sources_are_expanded_like_buildkit():
    df = parse(
        """
        ARG APP_DIR=app
        FROM python:3.11
        ARG APP_DIR
        ARG EXTRA
        ARG MAYBE
        ENV CONF=conf.d
        COPY $APP_DIR/ "${CONF}"/x.ini ${EXTRA:-extra.txt} $UNKNOWN/a '$LITERAL' ${MAYBE}b /dst/
        """
    )
    (copy,) = df.copies(build_args={})
    assert [s.value for s in copy.sources] == [
        "app/",  # inherited from the global ARG's default
        "conf.d/x.ini",
        "extra.txt",  # EXTRA has no default and no build arg
        None,  # $UNKNOWN could come from the base image
        "$LITERAL",
        "b",
    ]
    (overridden,) = df.copies(build_args={"APP_DIR": "src", "EXTRA": "e.txt", "MAYBE": "x"})
    assert [s.value for s in overridden.sources][0:3] == ["src/", "conf.d/x.ini", "e.txt"]
    assert overridden.sources[5].value == "xb"
    # without build args the value of an ARG without default is not known
    (unknown,) = df.copies()
    assert unknown.sources[2].value is None and unknown.sources[5].value is None


def test_copy_source_with_broken_quote():
    df = parse('FROM alpine\nCOPY "a b" /x/\n')
    first = df.copies()[0].sources[0]
    assert first.value is None and "unterminated" in (first.error or "")


# --------------------------------------------------------------------------
# ARG scope and use


ARGS = """
ARG PY=3.11
ARG REGISTRY
ARG UNUSED_GLOBAL
FROM ${REGISTRY}/python:${PY}
ARG PY
ARG TOKEN
ARG OPTIONAL
ARG VERSION=1.0 CHANNEL="stable beta"
ARG TARGETARCH
ARG FROM_ENV
ENV FROM_ENV=x
RUN pip install "pkg==$VERSION" --token ${TOKEN} --opt ${OPTIONAL:-none} \\
    --arch $TARGETARCH --env $FROM_ENV
RUN echo '$NOT_A_USE' $UNUSED_GLOBAL
"""


def test_arg_declarations():
    df = parse_dockerfile(ARGS)
    got = [(a.name, a.has_default, a.default, a.stage, a.line, a.column) for a in df.args]
    assert got == [
        ("PY", True, "3.11", None, 2, 5),
        ("REGISTRY", False, None, None, 3, 5),
        ("UNUSED_GLOBAL", False, None, None, 4, 5),
        ("PY", False, None, 0, 6, 5),
        ("TOKEN", False, None, 0, 7, 5),
        ("OPTIONAL", False, None, 0, 8, 5),
        ("VERSION", True, "1.0", 0, 9, 5),
        ("CHANNEL", True, "stable beta", 0, 9, 17),
        ("TARGETARCH", False, None, 0, 10, 5),
        ("FROM_ENV", False, None, 0, 11, 5),
    ]
    assert [a.name for a in df.global_args] == ["PY", "REGISTRY", "UNUSED_GLOBAL"]
    stage_py = df.args[3]
    assert stage_py.inherited_default and not stage_py.needs_value
    assert df.args[8].predefined and not df.args[8].needs_value


def test_arg_references():
    df = parse_dockerfile(ARGS)
    token = df.arg_references("TOKEN")
    assert [(r.line, r.column, r.end_column, r.has_fallback) for r in token] == [
        (13, 41, 49, False)
    ]
    assert token[0].arg is df.args[4]
    assert [r.has_fallback for r in df.arg_references("OPTIONAL")] == [True]
    assert [r.line for r in df.arg_references("REGISTRY")] == [5]
    # FROM_ENV is shadowed by the ENV set before the use
    (env_use,) = [r for r in df.references if r.name == "FROM_ENV"]
    assert env_use.source == "env" and env_use.arg is None
    # single-quoted: no use; a global ARG used in a stage without ARG: out of scope
    assert not [r for r in df.references if r.name == "NOT_A_USE"]
    assert [(r.name, r.line) for r in df.out_of_scope_references()] == [("UNUSED_GLOBAL", 15)]


def test_required_and_supplied_args():
    df = parse_dockerfile(ARGS)
    assert [a.name for a in df.required_args()] == ["REGISTRY", "TOKEN"]
    assert [a.name for a in df.unsupplied_args({"REGISTRY": "ghcr.io"})] == ["TOKEN"]
    assert df.unsupplied_args({"REGISTRY": "r", "TOKEN": "t"}) == []
    assert df.unconsumed_build_args(["TOKEN", "TOKNE", "HTTP_PROXY"]) == ["TOKNE"]


def test_arg_default_can_use_earlier_arg():
    df = parse("FROM alpine\nARG BASE\nARG FULL=${BASE}/x\nCOPY $FULL /d\n")
    full_uses = df.arg_references("BASE")
    assert [(r.line, r.column) for r in full_uses] == [(3, 10)]
    assert [a.name for a in df.required_args()] == ["BASE"]
    assert [s.value for s in df.copies({"BASE": "src"})[0].sources] == ["src/x"]


def test_arg_uses_in_heredocs():
    df = parse(
        """
        FROM alpine
        ARG A
        ARG B
        ARG C
        RUN <<'EOF'
        echo $A
        EOF
        RUN cat > /x.sh <<'EOF'
        echo $B
        EOF
        COPY <<EOF /c.txt
        ${C}
        EOF
        """
    )
    assert [(r.name, r.line, r.column) for r in df.references] == [("A", 6, 6), ("C", 12, 1)]


def test_global_arg_used_in_from_only():
    df = parse("ARG TAG\nFROM python:${TAG}\nRUN echo ok\n")
    assert [a.name for a in df.required_args()] == ["TAG"]
    stage = df.stages[0]
    assert df.expand(stage.base, stage.instruction, {"TAG": "3.12"}).value == "python:3.12"
    assert df.expand(stage.base, stage.instruction, {}).value == "python:"


def test_env_is_inherited_by_a_stage_built_on_another():
    df = parse("FROM alpine AS base\nENV DIR=/srv\nFROM base\nCOPY $DIR/x /y\n")
    assert df.copies({})[0].sources[0].value == "/srv/x"


# --------------------------------------------------------------------------
# errors and garbage


def test_argument_errors():
    df = parse(
        """
        FROM
        FROM a b
        FROM a AS 1bad
        COPY onlyone
        WORKDIR
        ENV
        ENV KEY
        ENV A=1 B
        SHELL /bin/sh -c
        RUN
        """
    )
    assert kinds(df.errors) == ["arguments"] * 2 + ["stage-name"] + ["arguments"] * 7
    assert [e.line for e in df.errors] == [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
    assert "Destination could not be determined" not in df.errors[3].message
    assert "destination could not be determined" in df.errors[3].message


def test_non_instruction_lines_and_instructions_before_from():
    df = parse(
        """
        RUN echo too early
        ARG OK=1
        FROM alpine
        this is not an instruction
        COPYY a b
        FROM alpine AS x
        FROM alpine AS X
        """
    )
    assert kinds(df.errors) == ["no-stage", "unknown-instruction", "unknown-instruction"]
    assert (df.errors[2].line, df.errors[2].column, df.errors[2].end_column) == (5, 1, 6)
    assert kinds(df.warnings) == ["duplicate-stage"]


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "   \n\t\n"])
def test_no_instructions(text):
    df = parse_dockerfile(text)
    assert kinds(df.errors) == ["no-instructions"]
    assert df.instructions == [] and df.copies() == [] and df.required_args() == []


def test_bom_and_crlf():
    df = parse_dockerfile("\ufeffFROM alpine\r\nCOPY a \\\r\n  b /c\r\n")
    assert not df.errors
    assert df.instructions[1].arguments == ["a", "b", "/c"]


def test_garbage_never_raises():
    rng = random.Random(1234)
    alphabet = list("FROMCOPYADDRUNARG <>\"'`\\$}{[]=:-#\n\t \x00é😀") + [
        "<<EOF",
        "\nEOF\n",
        "${",
        "\\\n",
    ]
    for _ in range(400):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80)))
        df = parse_dockerfile(text)
        df.copies()
        df.copies({})
        df.required_args()
        df.out_of_scope_references()
        fal_copy_sources(text)


def test_deep_nesting_does_not_exhaust_the_stack():
    df = parse_dockerfile("FROM a\nCOPY " + "[" * 100000 + " /x\nCOPY ${A:-" * 2000 + " /y\n")
    df.copies({})
    assert expand_word("${A:-" * 300 + "x" + "}" * 300).error == "${...} nested too deeply"
    assert fal_copy_sources("COPY " + "[" * 100000 + "]" * 100000 + "\n").failures


def test_huge_single_line_is_fast():
    df = parse_dockerfile("FROM alpine\nRUN " + "echo $X && " * 20000 + "true\n")
    assert len(df.references) == 20000


# --------------------------------------------------------------------------
# expand_word


@pytest.mark.parametrize(
    "word, env, expected",
    [
        ("plain", {}, "plain"),
        ("$A/${A}", {"A": "x"}, "x/x"),
        ("${A:-d} ${A-d}", {"A": ""}, "d "),
        ("${A:-d} ${A-d}", {"A": None}, "d d"),
        ("${A:+set} ${A+set}", {"A": ""}, " set"),
        ("${A#*/}|${A##*/}|${A%/*}|${A%%/*}", {"A": "a/b/c"}, "b/c|c|a/b|a"),
        ("'$A' \"$A\" \\$A", {"A": "x"}, "$A x $A"),
        ('"a\\"b\\c"', {}, 'a"b\\c'),
        ("$A", {}, None),
        ("${A:-d}", {}, None),
        ("cost: 5$", {}, "cost: 5$"),
        ("${A", {"A": "x"}, None),
        ("${A:?must be set}", {"A": None}, None),
    ],
)
def test_expand_word(word, env, expected):
    assert expand_word(word, env).value == expected


def test_expand_word_reports_uses_and_errors():
    exp = expand_word("${A:-x}-$B", {"A": "1"})
    assert exp.uses == (("A", 0, 7, True), ("B", 8, 10, False))
    assert expand_word("'open", {}).error == "unterminated single quote"
    assert expand_word("${A:?must be set}", {"A": None}).error == "A: must be set"
    assert expand_word("`$A", {"A": "x"}, "`").value == "$A"


# --------------------------------------------------------------------------
# fal's own parse (fal/container.py, checked against fal 1.83.0)

FAL_CASES = """\
FROM python:3.11
COPY a.py \\
  # comment
  b.py /app/
  COPY indented.py /x
ADD https://x/y.tgz local.txt /d/
copy --link --from=b q /x
COPY --from=stage /w /w
COPY it's /x
COPY ["j.py", "/x"]
COPY <<EOF /x
hi
EOF
COPY /abs/p ./rel /x
COPY --keep-git-dir=true s /x
COPY $SRC/ /x
"""


def test_fal_copy_sources_mirrors_fal():
    result = fal_copy_sources(FAL_CASES)
    # the exact list fal 1.83.0 returns for this file
    assert result.paths == [
        "a.py", "#", "q", "j.py", "<<EOF", "abs/p", "./rel", "-git-dir=true", "s", "$SRC/",
    ]  # fmt: skip
    assert [s.line for s in result.sources][:3] == [2, 2, 7]
    assert result.sources[-1].line == 16
    assert result.failures == ((9, "it's /x"),)


def test_fal_and_buildkit_disagree_where_documented():
    df = parse_dockerfile(FAL_CASES)
    buildkit = [s.value for c in df.copies({}) for s in c.context_sources]
    assert "b.py" in buildkit and "indented.py" in buildkit and "local.txt" in buildkit
    fal = fal_copy_sources(FAL_CASES).paths
    assert "b.py" not in fal and "indented.py" not in fal and "local.txt" not in fal


def test_fal_ignores_escape_directive_and_crlf():
    text = "# escape=`\r\nFROM x\r\nCOPY a.py `\r\n  b.py /app/\r\n"
    assert fal_copy_sources(text).paths == ["a.py"]
    df = parse_dockerfile(text)
    assert [s.value for s in df.copies()[0].sources] == ["a.py", "b.py"]
