"""The engine: select rules, run them over each project, apply suppressions,
order and de-duplicate the diagnostics (:mod:`.run`, :mod:`.suppress`)."""

from fallint.engine.run import Options, RunResult, UsageError, check_paths, exit_code

__all__ = ["Options", "RunResult", "UsageError", "check_paths", "exit_code"]
