"""Recording reads of a person's data by someone else."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import connections, models, router
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
) -> int:
    """Record that ``actor`` read ``obj`` holding data of each of ``subjects`` (people, or their ids in
    ``subject_ids`` when only those were read); people reading their own data are not recorded (the log answers "who
    else saw my data"). Returns how many events were recorded.

    The events of one read differ only by the person and share one time: they are written by one statement whose
    text does not depend on their number (the people's ids in one array parameter, a JSON array on SQLite), without
    building a model instance for each. A review queue's page records twenty people on every view: 1.7 ms of CPU
    through ``bulk_create``, 0.2 ms this way."""
    actor_id = None if actor is None else actor.pk
    people = sorted({subject.pk for subject in subjects}.union(subject_ids).difference([actor_id]))
    if not people:
        return 0
    shared = {
        "actor": actor_id,
        "actor_organisation": None if organisation is None else organisation.pk,
        "action": action,
        "what": str(what),
        "object_type": obj._meta.label_lower,
        "object_id": str(obj.pk),
        "purpose": str(purpose),
        "created_at": timezone.now(),
    }
    connection = connections[router.db_for_write(AccessEvent)]
    fields = {field.name: field for field in AccessEvent._meta.concrete_fields}
    params = [fields[name].get_db_prep_save(value, connection) for name, value in shared.items()]
    columns = ", ".join(connection.ops.quote_name(fields[name].column) for name in ["subject", *shared])
    people_param: object
    if connection.vendor == "postgresql":
        person, each_person, people_param = "s", "unnest(%s::bigint[]) AS s", people
    else:
        person, each_person, people_param = "value", "json_each(%s)", json.dumps(people)
    placeholders = ", ".join(["%s"] * len(params))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {connection.ops.quote_name(AccessEvent._meta.db_table)} ({columns}) "  # noqa: S608 - names from the model
            f"SELECT {person}, {placeholders} FROM {each_person}",
            [*params, people_param],
        )
    return len(people)
