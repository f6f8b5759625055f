"""Values kept in the cache under a version that the services which change them replace.

A value (the bell's unread count of a person, the review queue's counts of a court) is stored with the version of
what it depends on when it was computed, a random token kept in the cache itself; it is served only while that is
still the current version. The services that change the underlying rows replace the token, at once and again when
their transaction commits: a value computed between the two, which cannot see the uncommitted change, is stored with a
token that the commit replaces, so a stale value is never served. A missing or expired token is replaced by a new,
never-used one. The token and the value are read together, in one round trip to the cache. Values also expire, so
that a write made outside the services (by hand, in a shell) shows within that time.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import TypeVar

from django.core.cache import cache
from django.db import transaction

T = TypeVar("T")

VALUE_SECONDS = 600
VERSION_SECONDS = 24 * 3600


def version_key(scope: str, owner: object) -> str:
    return f"{scope}:version:{owner}"


def value_key(scope: str, owner: object, detail: str = "") -> str:
    """Where the value is kept, as ``(version, value)``."""
    return f"{scope}:{owner}:{detail}"


def cached(scope: str, owner: object, compute: Callable[[], T], *, detail: str = "") -> T:
    """The value of ``scope`` for ``owner`` (and ``detail``, any further part of the key), from the cache if it was
    stored under the owner's current version, or ``compute()``-d and stored with it."""
    key, kept_key = version_key(scope, owner), value_key(scope, owner, detail)
    found = cache.get_many([key, kept_key])
    version = found.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, VERSION_SECONDS)
        version = cache.get(key)
        if version is None:  # a cache that keeps nothing (dummy cache): compute every time
            return compute()
    else:
        kept: tuple[str, T] | None = found.get(kept_key)
        if kept is not None and kept[0] == version:
            return kept[1]
    value = compute()
    cache.set(kept_key, (version, value), VALUE_SECONDS)
    return value


def changed(scope: str, owners: Iterable[object]) -> None:
    """The values of ``scope`` for ``owners`` are computed again: at once, for the rest of this request, and once the
    transaction commits."""
    keys = [version_key(scope, owner) for owner in set(owners) if owner is not None]
    if not keys:
        return

    def replace() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, VERSION_SECONDS)

    replace()
    transaction.on_commit(replace)
