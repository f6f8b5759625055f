"""Periodic work on filings, run by Celery beat (see ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from filings.models import ServiceRecord
from filings.services import pre_complaint_purge_unconfirmed, service_deliver


@shared_task(acks_late=True, ignore_result=True)
def purge_unconfirmed_pre_complaints() -> int:
    """Idempotent: a second run finds nothing left to delete."""
    return pre_complaint_purge_unconfirmed()


@shared_task(acks_late=True, ignore_result=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=True)
def deliver_service(record_id: int) -> None:
    """Idempotent: a record already delivered (or opened) is left as it is."""
    record = ServiceRecord.objects.filter(pk=record_id).first()
    if record is not None:
        service_deliver(record=record)
