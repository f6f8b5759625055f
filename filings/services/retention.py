"""Retention of filings' personal data: an unconfirmed pre-complaint is deleted after a fixed period."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from filings.models import AppointmentSlot, Filing, FilingEvent
from filings.services.base import review_counts_changed
from justice.notifications.services import notification_purge_for_filings

logger = logging.getLogger(__name__)

# A pre-complaint is confirmed when the police unit accepts it after the appointment; until then it is only a
# declaration, kept no longer than needed to propose that appointment.
UNCONFIRMED = (Filing.Status.DRAFT, Filing.Status.SUBMITTED, Filing.Status.REJECTED, Filing.Status.CANCELLED)


def pre_complaint_purge_unconfirmed(*, now: datetime.datetime | None = None) -> int:
    """Delete the pre-complaints not confirmed within the retention period (``PRE_COMPLAINT_RETENTION_DAYS``)
    after they were sent (or last changed, for those never sent), with their status history. Returns how many."""
    now = now or timezone.now()
    cutoff = now - datetime.timedelta(days=settings.PRE_COMPLAINT_RETENTION_DAYS)
    expired = Filing.objects.filter(kind=Filing.Kind.PRE_COMPLAINT, status__in=UNCONFIRMED).filter(
        Q(submitted_at__lt=cutoff) | Q(submitted_at__isnull=True, updated_at__lt=cutoff)
    )
    with transaction.atomic():
        ids = list(expired.select_for_update().values_list("pk", flat=True))
        if not ids:
            return 0
        # A copy of a purged filing keeps its own content; only the link to the deleted original goes.
        Filing.objects.filter(copied_from__in=ids).update(copied_from=None)
        FilingEvent.objects.filter(filing__in=ids).delete()
        notification_purge_for_filings(filing_ids=ids)
        AppointmentSlot.objects.filter(filing__in=ids).delete()
        recipients = set(Filing.objects.filter(pk__in=ids).values_list("recipient", flat=True))
        Filing.objects.filter(pk__in=ids).delete()
        review_counts_changed(organisation_ids=recipients)
    logger.info("purged %s unconfirmed pre-complaints older than %s", len(ids), cutoff.isoformat())
    return len(ids)
