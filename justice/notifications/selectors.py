"""Reads of notifications: a person sees only their own; anyone else's is a 404, like a missing one."""

from __future__ import annotations

import uuid

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from justice.accounts.models import User
from justice.notifications.models import Notification


def notification_list(*, user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.filter(recipient=user)
        .select_related("case", "filing", "filing__recipient")
        .order_by("-created_at", "-pk")
    )


def notification_get(*, user: User, pk: int) -> Notification:
    notification = Notification.objects.filter(recipient=user, pk=pk).select_related("case", "filing").first()
    if notification is None:
        raise Http404
    return notification


# The bell's count is shown on every page: it is kept in the cache under the person's current "unread version", a
# token that the services writing notifications (creating them, marking them read, deleting them) replace with a
# new one. A count computed before a change can only be stored under a token that the change has since replaced, so
# a stale count is never read; a missing or expired token is replaced by a new, never-used one. The counts also
# expire, so that a write made outside the services (by hand, in a shell) shows within that time.
UNREAD_COUNT_SECONDS = 600
UNREAD_VERSION_SECONDS = 24 * 3600


def unread_version_key(user_id: int) -> str:
    return f"notifications:unread-version:{user_id}"


def new_unread_version() -> str:
    return uuid.uuid4().hex


def unread_count(*, user: User) -> int:
    version_key = unread_version_key(user.pk)
    version = cache.get(version_key)
    if version is None:
        cache.add(version_key, new_unread_version(), UNREAD_VERSION_SECONDS)
        version = cache.get(version_key)
        if version is None:  # a cache that keeps nothing (dummy cache): count every time
            return _unread_count_query(user)
    count_key = f"notifications:unread:{user.pk}:{version}"
    count = cache.get(count_key)
    if count is None:
        count = _unread_count_query(user)
        cache.set(count_key, count, UNREAD_COUNT_SECONDS)
    return int(count)


def _unread_count_query(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
