"""Recording reads of a person's data by someone else."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.utils.functional import Promise

from justice.audit.models import AccessEvent

if TYPE_CHECKING:
    from justice.accounts.models import Organisation, User


def access_record(
    *,
    actor: User | None,
    subjects: Iterable[User],
    action: str,
    obj: models.Model,
    what: str | Promise,
    purpose: str | Promise,
    organisation: Organisation | None = None,
) -> list[AccessEvent]:
    """Record that ``actor`` read ``obj`` holding data of each of ``subjects``; people reading their own data
    are not recorded (the log answers "who else saw my data")."""
    events = [
        AccessEvent(
            subject=subject,
            actor=actor,
            actor_organisation=organisation,
            action=action,
            what=str(what),
            object_type=obj._meta.label_lower,
            object_id=str(obj.pk),
            purpose=str(purpose),
        )
        for subject in subjects
        if actor is None or subject.pk != actor.pk
    ]
    return AccessEvent.objects.bulk_create(events)
