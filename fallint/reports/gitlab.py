"""``gitlab``: a GitLab Code Quality report (the ``codequality`` artifact).

An array of issues with ``description``, ``check_name``, ``fingerprint``,
``severity`` and ``location`` (``path`` and ``lines.begin``/``end``).  Paths
are relative to ``$CI_PROJECT_DIR`` when GitLab sets it (else to the working
directory).  Fingerprints are stable: they hash the rule, file, app, key and
message -- not the line, so an issue keeps its identity when lines move --
plus an occurrence number for identical issues, so that they stay unique.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from fallint.diagnostics import ERROR, display_path
from fallint.reports.common import Context, _plain_message

SEVERITY = {ERROR: "major"}  # warnings: "minor"


def render(diagnostics, ctx: Context) -> str:
    cwd, summary = ctx.cwd, ctx.summary
    base = Path(os.environ["CI_PROJECT_DIR"]) if os.environ.get("CI_PROJECT_DIR") else cwd
    seen: dict[str, int] = {}
    issues = []
    for d in diagnostics:
        path = display_path(d.location.path, base)
        identity = "\0".join([d.code, path, d.app or "", d.key or "", d.message])
        n = seen[identity] = seen.get(identity, -1) + 1
        digest = hashlib.sha256(f"{identity}\0{n}".encode("utf-8", "surrogatepass")).hexdigest()
        issues.append(
            {
                "type": "issue",
                "check_name": d.code,
                "description": f"{d.code} {_plain_message(d)}",
                "categories": ["Bug Risk"],
                "severity": SEVERITY.get(d.severity, "minor"),
                "fingerprint": digest,
                "location": {"path": path, "lines": {"begin": d.location.line, "end": d.location.end_line}},
            }
        )
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
