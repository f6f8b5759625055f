"""Reads of the access log, for the person concerned."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from justice.audit.models import AccessEvent

if TYPE_CHECKING:
    from justice.accounts.models import User


def access_list_for_subject(*, user: User) -> QuerySet[AccessEvent]:
    return AccessEvent.objects.filter(subject=user).select_related("actor", "actor_organisation")
