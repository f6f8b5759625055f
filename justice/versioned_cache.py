"""Values kept in the cache under a version that the services which change them replace.

A value (the bell's unread count of a person, the review queue's counts of a court) is stored under a key ending with
the current version of what it depends on, a random token kept in the cache itself. The services that change the
underlying rows replace the token, at once and again when their transaction commits: a value computed between the
two, which cannot see the uncommitted change, is stored under a token that the commit replaces, so a stale value is
never read. A missing or expired token is replaced by a new, never-used one. Values also expire, so that a write made
outside the services (by hand, in a shell) shows within that time.
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


def cached(scope: str, owner: object, compute: Callable[[], T], *, detail: str = "") -> T:
    """The value of ``scope`` for ``owner`` (and ``detail``, any further part of the key), from the cache under the
    owner's current version, or ``compute()``-d and stored there."""
    key = version_key(scope, owner)
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, VERSION_SECONDS)
        version = cache.get(key)
        if version is None:  # a cache that keeps nothing (dummy cache): compute every time
            return compute()
    value_key = f"{scope}:{owner}:{detail}:{version}"
    value: T | None = cache.get(value_key)
    if value is None:
        value = compute()
        cache.set(value_key, value, VALUE_SECONDS)
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
