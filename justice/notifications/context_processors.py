"""The bell's unread count, for the header of every page: read from the cache, or counted (one indexed COUNT) after a
change; only if the page shows it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import cached_property

from justice.accounts.models import User
from justice.notifications.selectors import unread_count


class Bell:
    def __init__(self, user: User) -> None:
        self.user = user

    @cached_property
    def unread(self) -> int:
        return unread_count(user=self.user)


def notifications(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_bell": Bell(user)}
