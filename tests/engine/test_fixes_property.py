"""Property: any combination of fixable problems in one file is fixed, the result parses,
and a second --fix changes nothing."""

from __future__ import annotations

import tomli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ..helpers import run_cli, write_files

APP = 'import fal\n\n\nclass Web(fal.App):\n    @fal.endpoint("/")\n    def root(self) -> dict:\n        return {}\n'

# (bad line, fixed line): each an independent fixable problem of FAL003/004/501/503/902
PROBLEMS = [
    ("keepalive = 300", "keep_alive = 300"),
    ("machine-type = 'GPU-A100'", "machine_type = 'GPU-A100'"),
    ("max_concurrency = \"4\"", "max_concurrency = 4"),
    ("no_scale = false", "app_scale_settings = true"),
    ("python_version = 3.11", "python_version = \"3.11\""),
    ("request_timeout = 30  # fallint: ignore[FAL004]", "request_timeout = 30"),
    ("regions = [\"us-west\"]  # a note # fallint: ignore[FAL011]", "regions = [\"us-west\"]  # a note"),
]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(range(len(PROBLEMS))), min_size=1, max_size=len(PROBLEMS), unique=True),
       st.booleans(), st.booleans())
def test_random_fixable_problems(tmp_path_factory, chosen, crlf, inline_comment):
    root = tmp_path_factory.mktemp("prop")
    nl = "\r\n" if crlf else "\n"
    head = ['[tool.fal.apps.web]' + ("  # the web app" if inline_comment else ""), 'ref = "app.py::Web"']
    bad = nl.join(head + [PROBLEMS[i][0] for i in chosen]) + nl
    good = nl.join(head + [PROBLEMS[i][1] for i in chosen]) + nl
    write_files(root, {"app.py": APP})
    (root / "pyproject.toml").write_bytes(bad.encode())
    r = run_cli(["check", "--no-cache", "--fix", "."], cwd=root)
    out = (root / "pyproject.toml").read_bytes()
    assert out == good.encode(), r.out
    tomli.loads(out.decode().replace("\r\n", "\n"))
    assert r.code == 0, r.out
    assert run_cli(["check", "--no-cache", "--diff", "."], cwd=root).out == ""
