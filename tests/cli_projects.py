"""A small project with one error and one warning, shared by the CLI and engine tests."""

from __future__ import annotations

import json

APP_PY = """
import fal


class Web(fal.App):
    @fal.endpoint("/")
    def run(self) -> dict:
        return {}


class A(Web):
    pass


class B(Web):
    pass
"""

BAD = '''
[tool.fal.apps.web]
ref = "app.py::Web"
keepalive = 300
machine_type = "GPU-h100"
'''


def codes(res):
    return sorted(d["code"] for d in json.loads(res.out))
