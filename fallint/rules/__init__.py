"""Every rule module in this package is imported (and so registered) on first use.

Families: 0xx TOML/structure, 1xx ref, 2xx entry point, 3xx requirements,
4xx image and files, 5xx runtime and scaling, 6xx code/config interplay,
9xx fallint's own configuration and suppressions.
"""

import importlib
import os


def _rule_modules() -> list[str]:
    """The rule modules' names: ``*.py`` files here not starting with ``_``
    (a directory listing: ``pkgutil.iter_modules`` imports ``inspect``, ~4 ms)."""
    names: set[str] = set()
    for directory in __path__:
        try:
            entries = os.listdir(directory)
        except OSError:
            continue
        names.update(n[:-3] for n in entries if n.endswith(".py") and not n.startswith("_"))
    if not names:  # not a plain directory (a zip, a frozen build): ask importlib
        import pkgutil

        names = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    return sorted(names)


for _mod in _rule_modules():
    importlib.import_module(f"{__name__}.{_mod}")
