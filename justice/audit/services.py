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
    subjects: Iterable[User] = (),
    subject_ids: Iterable[int] = (),
    action: str,
    obj: models.Model,
    what: str | Promise,
    purpose: str | Promise,
    organisation: Organisation | None = None,
) -> list[AccessEvent]:
    """Record that ``actor`` read ``obj`` holding data of each of ``subjects`` (people, or their ids in
    ``subject_ids`` when only those were read); people reading their own data are not recorded (the log answers "who
    else saw my data")."""
    # Worded once for all the events, not once per person.
    common = {
        "actor": actor,
        "actor_organisation": organisation,
        "action": action,
        "what": str(what),
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "purpose": str(purpose),
    }
    actor_id = None if actor is None else actor.pk
    events = [AccessEvent(subject=subject, **common) for subject in subjects if subject.pk != actor_id]
    events += [AccessEvent(subject_id=subject_id, **common) for subject_id in subject_ids if subject_id != actor_id]
    return AccessEvent.objects.bulk_create(events)
