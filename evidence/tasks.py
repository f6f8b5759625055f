"""Background work on evidence: antivirus scans after sealing, completion of resumable uploads, and periodic upkeep
run by Celery beat (see CELERY_BEAT_SCHEDULE): transparency log checkpoints and monitoring, re-verification, staging
clean-up, object locks and orphans, expired uploads."""

from __future__ import annotations

import datetime

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task
from django.conf import settings
from django.utils import timezone

from evidence.clamd import ScannerUnavailableError
from evidence.monitor import monitor_local_log
from evidence.reverify import evidence_reverify, staging_purge
from evidence.scan import evidence_scan, pending_scan_ids, scan_dispatch, scanner_configured
from evidence.storage import StoreUnavailableError
from evidence.translog import translog_checkpoint
from evidence.transmissions import transmissions_expire
from evidence.tsa import checkpoints_timestamp_missing
from evidence.tus import tus_upload_complete, tus_uploads_expire


@shared_task(acks_late=True, ignore_result=True)
def sign_checkpoint() -> None:
    """Sign a checkpoint when the log has grown since the last one (idempotent: one checkpoint per size), and
    time-stamp the checkpoints the authority could not stamp before (when one is configured)."""
    translog_checkpoint()
    checkpoints_timestamp_missing()


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


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(ScannerUnavailableError,),
    retry_backoff=30,
    retry_backoff_max=60 * 60,
    retry_jitter=True,
    max_retries=12,
)
def scan_evidence(item_id: str) -> None:
    """Scan a newly sealed item with clamd. While clamd cannot answer, the item stays pending (not downloadable)
    and the task is retried, waiting longer each time (about 8 hours in all); then rescan_pending_evidence
    takes over."""
    evidence_scan(item_id=item_id)


@shared_task(acks_late=True, ignore_result=True)
def rescan_pending_evidence() -> None:
    """Queue a scan again for items still pending an hour after their seal (task lost, or retries exhausted)."""
    if not scanner_configured():
        return
    for item_id in pending_scan_ids(older_than=datetime.timedelta(hours=1), limit=1000):
        scan_dispatch(item_id=item_id)


@shared_task(acks_late=True, ignore_result=True)
def reverify_evidence() -> None:
    """Re-hash a slice of the stored evidence against its seals (see evidence.reverify)."""
    evidence_reverify(
        max_items=settings.EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN, max_bytes=settings.EVIDENCE_REVERIFY_MAX_BYTES_PER_RUN
    )


@shared_task(acks_late=True, ignore_result=True)
def purge_stale_staging() -> None:
    """Remove staging files left by crashed uploads."""
    staging_purge(older_than=datetime.timedelta(hours=settings.EVIDENCE_STAGING_MAX_AGE_HOURS))


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OSError, BotoCoreError, ClientError, StoreUnavailableError),
    retry_backoff=True,
    max_retries=8,
)
def complete_tus_upload(upload_id: str) -> None:
    """Check and seal a fully received resumable upload (idempotent: guarded by the upload's row); retried while
    the store cannot be read."""
    tus_upload_complete(upload_id=upload_id)


@shared_task(acks_late=True, ignore_result=True)
def expire_tus_uploads() -> None:
    """Remove unfinished resumable uploads past their expiry, with their bytes; close unfinished transmissions past
    theirs."""
    transmissions_expire()
    tus_uploads_expire()
