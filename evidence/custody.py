"""The chain of custody: every event on an item is recorded and, in the same transaction, logged as a leaf of
the transparency log, so the history of an item can be proven as well as its seal."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from evidence.models import CustodyEvent, EvidenceItem
from evidence.translog import custody_leaf, translog_append
from justice.accounts.models import Organisation, User


def custody_record(
    *,
    item: EvidenceItem,
    action: str,
    actor: User | None,
    organisation: Organisation | None,
    purpose: str,
    detail: dict[str, Any] | None = None,
    at: datetime.datetime | None = None,
) -> CustodyEvent:
    with transaction.atomic(savepoint=False):
        event = CustodyEvent.objects.create(
            item=item,
            action=action,
            actor=actor,
            organisation=organisation,
            purpose=purpose,
            detail=detail or {},
            created_at=at or timezone.now(),
        )
        translog_append(custody_leaf(event))
    return event
