"""FAL405 `registry-credentials-missing`: An image registry without username or password."""

from __future__ import annotations

from fallint.rules.registry import ERROR, Example, Rule, register


@register
class RegistryCredentialsMissing(Rule):
    code = "FAL405"
    name = "registry-credentials-missing"
    severity = ERROR
    summary = "An image registry without username or password"
    what = "An entry of `image.registries` that lacks `username` or `password`."
    why = "fal raises `Username and password are required for each registry`."
    fix = "Add both keys; take the password from a fal secret (`password = \"$REGISTRY_TOKEN\"`)."
    invalid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme" } }
            ''',
            expect=["3:28"],
        )
    ]
    valid = [
        Example(
            '''
            [tool.fal.apps.web.image]
            image = "ghcr.io/acme/web:1"
            registries = { "ghcr.io" = { username = "acme", password = "$GHCR_TOKEN" } }
            ''',
        )
    ]

    def check_app(self, app):
        regs = app.get("image", "registries")
        if not isinstance(regs, dict):
            return
        for name, entry in regs.items():
            if not isinstance(entry, dict):
                continue
            missing = [k for k in ("username", "password") if k not in entry]
            if missing:
                yield self.at(
                    app,
                    ("image", "registries", name),
                    f"registry `{name}` needs {' and '.join(f'`{m}`' for m in missing)}",
                )
