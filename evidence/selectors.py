"""Reads of evidence, always scoped to what the acting user may see: an item they cannot see does not exist."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from evidence import permissions
from evidence.keys import log_verifiers
from evidence.models import Checkpoint, CheckpointTimestamp, CustodyEvent, EvidenceItem
from evidence.monitor import MonitorResult, last_monitor_result
from evidence.permissions import can_view_log_status
from evidence.translog import log_size
from evidence.tsa import tsa_configured
from justice.accounts.models import Membership, Organisation, User


def evidence_list(*, user: User) -> QuerySet[EvidenceItem]:
    """Items ``user`` may see; the same rule as :func:`evidence.permissions.can_view_evidence`."""
    if not user.is_authenticated or not user.is_active:
        return EvidenceItem.objects.none()
    organisations = (
        Membership.objects.active()
        .filter(user=user)
        .exclude(organisation__kind=Organisation.Kind.BAR)
        .values("organisation")
    )
    return (
        EvidenceItem.objects.filter(Q(uploaded_by=user) | Q(organisation__in=organisations))
        .select_related("uploaded_by", "organisation", "seal")
        .distinct()
    )


def evidence_get(*, user: User, pk: uuid.UUID | str) -> EvidenceItem:
    """An item ``user`` uploaded or shares through an organisation, or sees as an exhibit of a case."""
    try:
        return evidence_list(user=user).get(pk=pk)
    except (ValueError, ValidationError):
        raise Http404 from None
    except EvidenceItem.DoesNotExist:
        pass
    item = EvidenceItem.objects.select_related("uploaded_by", "organisation", "seal").filter(pk=pk).first()
    if item is None or not permissions.case_grants_access(user, item):
        raise Http404
    return item


def custody_timeline(*, item: EvidenceItem) -> QuerySet[CustodyEvent]:
    """The item's chain of custody, oldest first (the caller got ``item`` from a scoped selector)."""
    return item.custody_events.select_related("actor", "organisation")


def acting_organisation(*, user: User, item: EvidenceItem) -> Organisation | None:
    """The organisation ``user`` acts for when handling ``item``: the item's, if they are one of its members."""
    if item.organisation_id is None:
        return None
    membership = (
        Membership.objects.active().filter(user=user, organisation=item.organisation_id).select_related("organisation")
    ).first()
    return membership.organisation if membership else None


@dataclass(frozen=True)
class LogStatus:
    """The transparency log as the clerks' status page shows it."""

    origin: str
    public_key: str
    size: int
    checkpoint: Checkpoint | None
    timestamp: CheckpointTimestamp | None
    tsa_configured: bool
    monitor: MonitorResult | None
    # The log grew and no checkpoint was signed for longer than two beat intervals: beat is probably not running.
    checkpoint_overdue: bool

    @property
    def unsigned_entries(self) -> int:
        return self.size - (self.checkpoint.size if self.checkpoint else 0)


def log_status_get(*, user: User) -> LogStatus:
    """Raises ``Http404`` for whoever may not see it (:func:`evidence.permissions.can_view_log_status`)."""
    if not can_view_log_status(user):
        raise Http404
    checkpoint = Checkpoint.objects.order_by("-size").first()
    size = log_size()
    timestamp = CheckpointTimestamp.objects.filter(checkpoint=checkpoint).first() if checkpoint else None
    interval = datetime.timedelta(minutes=2 * settings.TRANSPARENCY_LOG_CHECKPOINT_MINUTES)
    overdue = size > (checkpoint.size if checkpoint else 0) and (
        checkpoint is None or checkpoint.created_at < timezone.now() - interval
    )
    return LogStatus(
        origin=settings.TRANSPARENCY_LOG_ORIGIN,
        public_key=log_verifiers()[0].encode(),
        size=size,
        checkpoint=checkpoint,
        timestamp=timestamp,
        tsa_configured=tsa_configured(),
        monitor=last_monitor_result(),
        checkpoint_overdue=overdue,
    )
