"""What the release-aware structure rules (FAL016, FAL017) and FAL003 share.

For each key of an app, ``image`` or ``health_check`` table, how every
deploying release treats it: ``read`` (the loader reads it), ``ignored`` (a
release before strict checking, which drops unknown keys silently),
``rejected`` ("Found unexpected keys") or ``unread`` (the release does not
read ``[tool.fal.apps]``, or that nested table, at all).
"""

from __future__ import annotations

from fallint.util.records import dataclass

TABLES = (((), "app"), (("image",), "image"), (("health_check",), "health_check"))


@dataclass
class KeyVerdict:
    path: tuple  # path of the key inside the app
    table: str  # app | image | health_check
    key: str
    read: list
    ignored: list
    rejected: list
    unread: list


def status(release: str, table: str, key: str) -> str:
    from fallint import releases as rel

    if not rel.table_checked(release, table):
        return "unread"
    if rel.reads_key(release, table, key):
        return "read"
    return "rejected" if rel.table_strict(release, table) else "ignored"


def ever_known(table: str, key: str) -> bool:
    """Whether any known release reads ``key`` in ``table``."""
    from fallint import releases as rel

    return bool(rel.data()["toml"].get(table, {}).get("keys", {}).get(key))


def unread_releases(app) -> list[str]:
    """The deploying releases that do not read ``[tool.fal.apps]`` at all
    (before 1.3.2): judged once per app, not per key (empty when nothing is pinned)."""
    pins = app.project.fal_releases
    if pins is None:
        return []
    from fallint import releases as rel

    return [r for r in pins.releases if not rel.table_checked(r, "app")]


def verdicts(app) -> list[KeyVerdict]:
    """Per key the releases of ``app``'s project that read/ignore/reject it,
    among the releases that read ``[tool.fal.apps]`` (those that do not are
    :func:`unread_releases`); memoised per app; empty when nothing is pinned."""
    pins = app.project.fal_releases
    if pins is None:
        return []

    def compute():
        unread = set(unread_releases(app))
        releases = [r for r in pins.releases if r not in unread]
        if not releases:
            return []
        out: list[KeyVerdict] = []
        for path, table in TABLES:
            sub = app.get(*path) if path else app.table
            if not isinstance(sub, dict):
                continue
            if path:
                # a nested table the app table itself rejects is reported there
                parent_bad = [r for r in releases if status(r, "app", path[-1]) != "read"]
                if parent_bad:
                    continue
            for key in sub:
                if not ever_known(table, key):
                    continue  # unknown to every release: FAL003's
                groups: dict[str, list] = {"read": [], "ignored": [], "rejected": [], "unread": []}
                for r in releases:
                    groups[status(r, table, key)].append(r)
                out.append(KeyVerdict(path + (key,), table, key, **groups))
        return out

    return app.project.memo(("fal-release-key-verdicts", app.key), compute)


def deferred_to_release_rules(app, path: tuple, key: str) -> bool:
    """FAL003 leaves a key alone when a release is pinned and some fal release
    knows the key: FAL016/FAL017 judge it by the deploying release(s)."""
    if app.project.fal_releases is None:
        return False
    table = {(): "app", ("image",): "image", ("health_check",): "health_check"}.get(path)
    return table is not None and ever_known(table, key)


def needs(table: str, key: str, after: str) -> str:
    """``needs fal >= 1.75.2`` (or ``was removed``) for a key the release ``after`` lacks."""
    from fallint import releases as rel
    from fallint.model.fal_release import first_release_with

    first = first_release_with(rel.key_ranges(table, key), after)
    if first is None or rel.parse_version(first) <= rel.parse_version(after):
        return "is not read by that release"
    return f"needs fal >= {first}"


def app_tables_since() -> str:
    """The first release that reads ``[tool.fal.apps]``."""
    from fallint import releases as rel

    return rel.ranges(rel.data()["toml"]["app"]["present"])[0][0]


def where(table: str) -> str:
    return "" if table == "app" else f" in `{table}`"
