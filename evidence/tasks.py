"""Periodic work on the transparency log, run by Celery beat (see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from evidence.monitor import monitor_local_log
from evidence.translog import translog_checkpoint


@shared_task(acks_late=True, ignore_result=True)
def sign_checkpoint() -> None:
    """Sign a checkpoint when the log has grown since the last one (idempotent: one checkpoint per size)."""
    translog_checkpoint()


@shared_task(acks_late=True, ignore_result=True)
def monitor_transparency_log() -> None:
    """Check that the latest checkpoint extends the last one this monitor saw; alerts on a fork."""
    monitor_local_log()


@shared_task(acks_late=True, ignore_result=True)
def lock_evidence_objects() -> None:
    """Set the retention of objects whose seal committed while the store was unreachable."""
    from evidence.services import evidence_lock_pending

    evidence_lock_pending()


@shared_task(acks_late=True, ignore_result=True)
def remove_orphan_evidence_objects() -> None:
    """Remove unfinished uploads and unsealed objects older than EVIDENCE_ORPHAN_AGE_HOURS from the store."""
    from evidence.services import evidence_remove_orphans

    evidence_remove_orphans(older_than=timezone.now() - datetime.timedelta(hours=settings.EVIDENCE_ORPHAN_AGE_HOURS))
