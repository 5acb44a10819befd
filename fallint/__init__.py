"""fallint: a linter for fal.ai ``[tool.fal.apps]`` tables."""

__version__ = "0.1.0"


def check(paths=None, **options):
    """Lint ``paths`` (default: the current directory); return the diagnostics.

    Keyword options are those of :class:`fallint.engine.Options` (``select``,
    ``ignore``, ``apps``, ``fail_on`` ...).  Raises
    :class:`fallint.loading.discovery.UsageError` for unusable paths.
    """
    from fallint.engine.run import Options, check_paths

    return check_paths(list(paths or []), Options(**options)).diagnostics
