"""Reads of notifications: a person sees only their own; anyone else's is a 404, like a missing one."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from justice import versioned_cache
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


# The bell's count is shown on every page: it is kept in the cache under the person's version, which the services
# writing notifications (creating them, marking them read, deleting them) replace (see justice.versioned_cache).
UNREAD_SCOPE = "notifications:unread"


def unread_version_key(user_id: int) -> str:
    return versioned_cache.version_key(UNREAD_SCOPE, user_id)


def unread_count(*, user: User) -> int:
    return int(versioned_cache.cached(UNREAD_SCOPE, user.pk, lambda: _unread_count_query(user)))


def _unread_count_query(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
