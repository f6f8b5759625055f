"""Periodic work on filings, run by Celery beat (see ``CELERY_BEAT_SCHEDULE``)."""

from __future__ import annotations

from celery import shared_task

from filings.services import pre_complaint_purge_unconfirmed


@shared_task(acks_late=True, ignore_result=True)
def purge_unconfirmed_pre_complaints() -> int:
    """Idempotent: a second run finds nothing left to delete."""
    return pre_complaint_purge_unconfirmed()
