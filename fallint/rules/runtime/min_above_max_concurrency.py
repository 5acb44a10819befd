"""FAL505 `min-above-max-concurrency`: min_concurrency is greater than max_concurrency."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, Rule, register


@register
class ConcurrencyBounds(Rule):
    code = "FAL505"
    name = "min-above-max-concurrency"
    severity = WARNING
    summary = "min_concurrency is greater than max_concurrency"
    what = "`min_concurrency` larger than `max_concurrency`."
    why = "The scaler cannot keep more runners warm than it may start; the server rejects or clamps the settings."
    fix = "Make `min_concurrency` at most `max_concurrency`."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            min_concurrency = 5
            max_concurrency = 2
            ''',
            expect=["3:19"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            min_concurrency = 1
            max_concurrency = 2
            ''',
        )
    ]

    def check_app(self, app):
        lo, hi = app.table.get("min_concurrency"), app.table.get("max_concurrency")
        if all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi)) and lo > hi:
            yield self.at(
                app,
                ("min_concurrency",),
                f"min_concurrency ({lo}) is greater than max_concurrency ({hi})",
            )
