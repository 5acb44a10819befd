"""FAL016 `key-needs-newer-fal`: A key the deploying fal release rejects."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register
from fallint.rules.structure._releases import app_tables_since, needs, unread_releases, verdicts, where


@register
class KeyNeedsNewerFal(Rule):
    code = "FAL016"
    name = "key-needs-newer-fal"
    severity = ERROR
    summary = "A key the deploying fal release does not accept"
    what = """
        A key of an app, `image` or `health_check` table that *every* fal release
        that will deploy the project rejects, with the first release that accepts it.
        The deploying release comes from `--fal-version` / `[tool.fallint] fal-version`,
        a lock file (`uv.lock`, `pylock.toml`, `poetry.lock`, `pdm.lock`), a pin in
        `requirements*.txt`, or `[project].dependencies` (see "Which fal release" in
        the README). With nothing pinned fallint assumes the newest release it knows,
        and this rule never fires.

        **Depends on the fal release**: `machine_type` is an error for a project that
        locks fal 1.72.7 and fine for one on 1.75.2 or later.
    """
    why = """
        The loader of that release raises `Found unexpected keys in pyproject.toml`
        and `fal deploy` / `fal run` stop. (Releases before 1.3.2 do not read
        `[tool.fal.apps]` at all: then the app is reported once, at its table.)
    """
    fix = "Upgrade fal (and the lock file) to the release named, or remove the key."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"

            [tool.fallint]
            fal-version = "1.72.7"
            ''',
            expect=["3:1"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web]
            ref = "app.py::Web"
            machine_type = "GPU-H100"

            [tool.fallint]
            fal-version = "1.75.2"
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
        if unread and len(unread) == len(pins.releases):
            yield self.at(app, (), f"fal {summarize(unread)} does not read [tool.fal.apps] (needs fal >= "
                                   f"{app_tables_since()}); {describe(pins)}", part="header",
                          help=f"fal {summarize(unread)} cannot deploy an app from pyproject.toml; upgrade fal")
            return
        vs = verdicts(app)
        for v in vs:
            bad = v.rejected + v.unread
            if v.read or v.ignored or not bad:
                continue
            newest = bad[-1]
            if v.unread and not v.rejected:
                msg = (f"fal {summarize(bad)} does not read {'[tool.fal.apps]' if v.table == 'app' else f'`{v.table}`'}"
                       f"; `{v.key}` {needs(v.table, v.key, newest)}; {describe(pins)}")
            else:
                msg = f"`{v.key}`{where(v.table)} {needs(v.table, v.key, newest)}; {describe(pins)}"
            yield self.at(app, v.path, msg, part="key",
                          help=f"fal {summarize(bad)} fails with `Found unexpected keys`; upgrade fal or remove the key")
