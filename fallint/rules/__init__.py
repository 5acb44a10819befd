"""The rules, one module per rule, in a package per family, plus their registry.

Families: ``structure`` (FAL0xx, the TOML and the shape of every app table),
``ref`` (1xx), ``entry_point`` (2xx), ``requirements`` (3xx), ``image`` (4xx:
images, Dockerfiles, ``app_files``), ``runtime`` (5xx, machines and scaling),
``interplay`` (6xx, settings the code overrides), ``config`` (9xx, fallint's own
configuration and suppressions).

Importing this package imports no rule: :func:`load_all` does, on the first
registry lookup (:mod:`fallint.rules.registry`), so that reading
``[tool.fallint]`` or printing ``--version`` never pays for 90 rule modules.
"""

from __future__ import annotations

import importlib
import os

_NOT_RULES = frozenset({"registry", "base"})


def _modules(package: str, directories: list[str]) -> list[str]:
    """Rule modules below ``directories``: ``*.py`` files not starting with ``_``
    and sub-packages (families), found by directory listing (``pkgutil``
    imports ``inspect``, ~4 ms)."""
    found: list[str] = []
    for directory in directories:
        try:
            entries = sorted(os.listdir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.startswith("_"):
                continue
            path = os.path.join(directory, entry)
            if entry.endswith(".py"):
                if entry[:-3] not in _NOT_RULES or package != __name__:
                    found.append(f"{package}.{entry[:-3]}")
            elif os.path.isfile(os.path.join(path, "__init__.py")):
                found.extend(_modules(f"{package}.{entry}", [path]))
    return found


def load_all() -> None:
    """Import every rule module (each registers its rule on import)."""
    for name in _modules(__name__, list(__path__)):
        importlib.import_module(name)
