"""The generated JSON Schema of [tool.fal], checked with real validators.

jsonschema (Python), check-jsonschema (its CLI) and taplo (the TOML toolkit
behind Even Better TOML) are installed by the `test` extra.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tomli as tomllib
from pathlib import Path

import jsonschema
import pytest

from fallint.diagnostics import ERROR
from fallint.engine import Options, check_paths
from fallint.jsonschema import SCHEMA_FILE, SCHEMA_RULES, build_schema, render_schema
from fallint.rules.registry import all_rules, get_rule

from .conftest import REPO, write_files

BIN = Path(sys.executable).parent


def _tool(name: str) -> str:
    path = shutil.which(name, path=str(BIN)) or shutil.which(name)
    assert path, f"`{name}` is not installed: pip install -e '.[test]'"
    return path


def _validator():
    return jsonschema.Draft7Validator(json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))


def test_committed_schema_is_up_to_date():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == render_schema(), (
        "fallint/data/partial-fal.json is stale: run `python -m fallint.jsonschema`"
    )


def test_check_mode_and_cli_print_the_committed_schema(cli):
    res = subprocess.run([sys.executable, "-m", "fallint.jsonschema", "--check"], capture_output=True, text=True, cwd=REPO)
    assert res.returncode == 0, res.stderr
    out = cli(["schema"])
    assert out.code == 0 and out.out == SCHEMA_FILE.read_text(encoding="utf-8")


def test_schema_is_valid_draft7_and_covers_every_key():
    from fallint.model import fal

    data = build_schema()
    jsonschema.Draft7Validator.check_schema(data)
    defs = data["definitions"]
    assert set(defs["app"]["properties"]) == set(fal.APP_KEYS)
    assert set(defs["health_check"]["properties"]) == set(fal.HEALTH_CHECK_KEYS)
    assert set(defs["image"]["properties"]) == set(fal.IMAGE_KEYS)
    assert set(defs["registry"]["properties"]) == set(fal.REGISTRY_KEYS)
    for table in ("app", "health_check", "image", "registry", "retry_entry"):
        for key, prop in defs[table]["properties"].items():
            assert prop["description"] and prop["markdownDescription"], (table, key)
    app = defs["app"]["properties"]
    assert app["no_scale"]["deprecated"] is True
    assert app["auth"]["enum"] == list(fal.AUTH_MODES)
    assert app["regions"]["items"]["enum"] == list(fal.REGIONS)
    assert (app["exposed_port"]["minimum"], app["exposed_port"]["maximum"]) == (0, 65535)
    assert app["machine_type"]["x-taplo"]["links"]["key"].endswith("#" + get_rule("FAL503").anchor())
    for code in SCHEMA_RULES:
        assert get_rule(code).severity == ERROR, code


# -- the schema agrees with fallint's schema rules on every example -------------


def _example_projects():
    """(id, pyproject text, files) of every project the suite knows."""
    for rule in all_rules():
        for kind, examples in (("invalid", rule.invalid), ("valid", rule.valid)):
            for i, ex in enumerate(examples):
                yield f"{rule.code}-{kind}{i}", ex.pyproject, ex.files
    for root in (REPO / "examples" / "clean", REPO / "examples" / "broken", REPO / "tests" / "fixtures" / "golden"):
        yield str(root.relative_to(REPO)), (root / "pyproject.toml").read_text(encoding="utf-8"), None


def test_schema_agrees_with_fallint_on_every_example(tmp_path):
    validator = _validator()
    mismatches = []
    checked, rejected = 0, set()
    for n, (name, text, files) in enumerate(_example_projects()):
        try:
            fal_table = tomllib.loads(text).get("tool", {}).get("fal")
        except tomllib.TOMLDecodeError:
            continue  # FAL001: no table to validate
        if fal_table is None or "fallint: ignore" in text:
            continue  # a suppression comment hides what the schema reports
        root = tmp_path / str(n)
        if files is None:
            root = REPO / name
        else:
            write_files(root, {"pyproject.toml": text, **files})
        result = check_paths(
            [str(root)], Options(select=list(SCHEMA_RULES), project_options={"no_cache": True}), cwd=root
        )
        fallint_errors = sorted({d.code for d in result.diagnostics if d.severity == ERROR})
        schema_errors = [e.message for e in validator.iter_errors(fal_table)]
        checked += 1
        if schema_errors:
            rejected.add(name)
        if bool(fallint_errors) != bool(schema_errors):
            mismatches.append((name, fallint_errors, schema_errors[:3]))
    assert not mismatches, "\n".join(map(str, mismatches))
    assert checked > 150, checked
    # every schema rule's own failing examples are among those the schema rejects
    for code in SCHEMA_RULES:
        assert any(name.startswith(f"{code}-invalid") for name in rejected), code


# -- real command-line tools ------------------------------------------------------


def _instances(tmp_path: Path) -> dict[str, Path]:
    out = {}
    for name in ("clean", "broken"):
        data = tomllib.loads((REPO / "examples" / name / "pyproject.toml").read_text(encoding="utf-8"))
        out[name] = tmp_path / f"{name}.json"
        out[name].write_text(json.dumps(data["tool"]["fal"]), encoding="utf-8")
    return out


def test_check_jsonschema_cli(tmp_path):
    inst = _instances(tmp_path)
    exe = _tool("check-jsonschema")
    ok = subprocess.run([exe, "--schemafile", str(SCHEMA_FILE), str(inst["clean"])], capture_output=True, text=True)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run([exe, "--schemafile", str(SCHEMA_FILE), str(inst["broken"])], capture_output=True, text=True)
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "eu-central" in bad.stdout + bad.stderr  # the unknown region of examples/broken


def _taplo(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    # RUST_LOG: only the diagnostics; no catalog is fetched (no --default-schema-catalogs)
    env = {"PATH": str(BIN), "RUST_LOG": "error", "HOME": str(cwd)}
    return subprocess.run([_tool("taplo"), *args], cwd=cwd, capture_output=True, text=True, env=env, timeout=120)


def test_taplo_flags_an_unknown_key_under_tool_fal(tmp_path):
    # the way SchemaStore's pyproject.json associates a tool's partial schema
    (tmp_path / "pyproject.schema.json").write_text(
        json.dumps(
            {
                "$schema": "http://json-schema.org/draft-07/schema#",
                "type": "object",
                "properties": {"tool": {"type": "object", "properties": {"fal": {"$ref": SCHEMA_FILE.as_uri()}}}},
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / ".taplo.toml").write_text(
        '[[rule]]\ninclude = ["**/pyproject.toml"]\n\n[rule.schema]\npath = "./pyproject.schema.json"\n',
        encoding="utf-8",
    )
    good = '[project]\nname = "x"\n\n[tool.fal.apps.web]\nref = "app.py::Web"\nkeep_alive = 300\n'
    (tmp_path / "pyproject.toml").write_text(good, encoding="utf-8")
    res = _taplo(tmp_path, "check", "pyproject.toml")
    assert res.returncode == 0, res.stdout + res.stderr

    (tmp_path / "pyproject.toml").write_text(good.replace("keep_alive", "keepalive"), encoding="utf-8")
    res = _taplo(tmp_path, "check", "pyproject.toml")
    assert res.returncode == 1, res.stdout + res.stderr
    assert "'keepalive' was unexpected" in res.stdout + res.stderr

    # a deprecated key is not an error; a bad region is
    (tmp_path / "pyproject.toml").write_text(good + 'regions = ["us-centre"]\n', encoding="utf-8")
    res = _taplo(tmp_path, "check", "pyproject.toml")
    assert res.returncode == 1 and "us-centre" in res.stdout + res.stderr
