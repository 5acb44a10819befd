"""``fallint server``: live diagnostics, code actions, hover, go-to-definition
and completion over the Language Server Protocol (stdio).

pygls is the optional extra ``fallint[server]``: :func:`main` says how to
install it when it is missing.  :mod:`fallint.server.workspace` and
:mod:`fallint.server.features` do the work without pygls.
"""

from __future__ import annotations

import sys

INSTALL_HINT = "fallint: error: `fallint server` needs pygls: pip install 'fallint[server]'"


def main() -> int:
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        print(INSTALL_HINT, file=sys.stderr)
        return 2
    from fallint.server.lsp import start

    start()
    return 0
