"""What several structure rules share: helpers and example projects."""

from __future__ import annotations

from fallint.model.fal import (
    APP_KEYS,
    HEALTH_CHECK_KEYS,
    IMAGE_KEYS,
    REGISTRY_KEYS,
    RETRY_ENTRY_KEYS,
)

APPS = ("tool", "fal", "apps")


def sub_tables(app):
    """(path, table, known keys, what) for every table fal checks key by key."""
    yield (), app.table, APP_KEYS, f"app `{app.key}`"
    hc = app.table.get("health_check")
    if isinstance(hc, dict):
        yield ("health_check",), hc, HEALTH_CHECK_KEYS, "health_check"
    img = app.table.get("image")
    if isinstance(img, dict):
        yield ("image",), img, IMAGE_KEYS, "image"
        regs = img.get("registries")
        if isinstance(regs, dict):
            for reg, entry in regs.items():
                if isinstance(entry, dict):
                    yield ("image", "registries", reg), entry, REGISTRY_KEYS, f"registry `{reg}`"
    rc = app.table.get("retry_config")
    if isinstance(rc, dict):
        for cond, entry in rc.items():
            if isinstance(entry, dict):
                yield ("retry_config", cond), entry, RETRY_ENTRY_KEYS, f"retry_config.{cond}"
