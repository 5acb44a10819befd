"""FAL017 `key-not-read-by-some-fal`: A key some deploying fal releases reject or ignore."""

from __future__ import annotations

from fallint.rules.registry import WARNING, Example, Rule, register
from fallint.rules.structure._releases import app_tables_since, needs, unread_releases, verdicts, where


@register
class KeyNotReadBySomeFal(Rule):
    code = "FAL017"
    name = "key-not-read-by-some-fal"
    severity = WARNING
    summary = "A key that some of the deploying fal releases reject or silently ignore"
    what = """
        The project admits several fal releases (a specifier such as `fal>=1.70,<1.76`
        in `[project].dependencies`, or `fal-version = "1.75"`) and only *some* of them
        accept a key of an app, `image` or `health_check` table; the message names the
        failing ones. Also a key that a deploying release before 1.11.1 reads nothing
        of: those releases silently ignore unknown keys (the setting has no effect).
        When every deploying release rejects the key, FAL016 reports it instead.

        **Depends on the fal release**: see "Which fal release" in the README.
    """
    why = """
        Whether `fal deploy` works (or applies the setting) depends on which of the
        admitted releases gets installed: a fresh install may pass while a CI cache
        or a teammate's environment fails with `Found unexpected keys`.
    """
    fix = "Raise the lower bound of the fal requirement to the release named, or remove the key."
    invalid = [
        Example(
            '''
            [project]
            name = "web"
            dependencies = ["fal>=1.74,<1.76"]

            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"
            ''',
            expect=["7:1"],
        ),
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"

            [tool.fallint]
            fal-version = "1.10.0"
            ''',
            expect=["3:1"],
            title="ignored by a release before strict key checking",
        ),
    ]
    valid = [
        Example(
            '''
            [project]
            name = "web"
            dependencies = ["fal>=1.75.2,<1.77"]

            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"
            ''',
        )
    ]

    def check_app(self, app):
        pins = app.project.fal_releases
        if pins is None:
            return
        from fallint.model.fal_release import describe
        from fallint.releases import summarize

        unread = unread_releases(app)
        if unread and len(unread) < len(pins.releases):
            yield self.at(app, (), f"[tool.fal.apps] is not read by fal {summarize(unread)} (needs fal >= "
                                   f"{app_tables_since()}); {describe(pins)}", part="header",
                          help=f"require fal >= {app_tables_since()}")
        vs = verdicts(app)
        for v in vs:
            bad = v.rejected + v.unread
            if not bad and not v.ignored:
                continue
            if bad and not v.read and not v.ignored:
                continue  # every release rejects it: FAL016
            if bad:
                msg = (f"`{v.key}`{where(v.table)} is rejected by fal {summarize(bad)} "
                       f"({needs(v.table, v.key, bad[-1])}); {describe(pins)}")
                help_ = f"require fal >= {needs(v.table, v.key, bad[-1]).rpartition(' ')[2]}" if "needs" in needs(v.table, v.key, bad[-1]) else None
            else:
                msg = (f"`{v.key}`{where(v.table)} is ignored by fal {summarize(v.ignored)} "
                       f"(it {needs(v.table, v.key, v.ignored[-1])}); {describe(pins)}")
                help_ = "releases before 1.11.1 drop keys they do not read without an error"
            yield self.at(app, v.path, msg, part="key", help=help_)
