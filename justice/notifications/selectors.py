"""Reads of notifications: a person sees only their own; anyone else's is a 404, like a missing one."""

from __future__ import annotations

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


def unread_count(*, user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
