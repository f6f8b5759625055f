"""Recording reads of a person's data by someone else."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
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
    # The events differ only by the person: worded once, and each built from the same values in the order of the
    # model's fields (Django's positional construction, as for rows read from the database), not field by field from
    # keyword arguments. One read, one time for all its events.
    actor_id = None if actor is None else actor.pk
    values: dict[str, object] = {
        "id": None,
        "actor_id": actor_id,
        "actor_organisation_id": None if organisation is None else organisation.pk,
        "action": action,
        "what": str(what),
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "purpose": str(purpose),
        "created_at": timezone.now(),
    }
    order = [field.attname for field in AccessEvent._meta.concrete_fields]
    events = []
    for subject_id in [subject.pk for subject in subjects] + list(subject_ids):
        if subject_id != actor_id:
            values["subject_id"] = subject_id
            events.append(AccessEvent(*[values[name] for name in order]))
    return AccessEvent.objects.bulk_create(events)
