"""Every rule module in this package is imported (and so registered) on first use.

Families: 0xx TOML/structure, 1xx ref, 2xx entry point, 3xx requirements,
4xx image and files, 5xx runtime and scaling, 6xx code/config interplay,
9xx fallint's own configuration and suppressions.
"""

import importlib
import pkgutil

for _mod in sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")):
    importlib.import_module(f"{__name__}.{_mod}")
