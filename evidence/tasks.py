"""Background work on evidence: the transparency log and resumable uploads (periodic ones in CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError
from celery import shared_task

from evidence.monitor import monitor_local_log
from evidence.translog import translog_checkpoint
from evidence.tus import tus_upload_complete, tus_uploads_expire


@shared_task(acks_late=True, ignore_result=True)
def sign_checkpoint() -> None:
    """Sign a checkpoint when the log has grown since the last one (idempotent: one checkpoint per size)."""
    translog_checkpoint()


@shared_task(acks_late=True, ignore_result=True)
def monitor_transparency_log() -> None:
    """Check that the latest checkpoint extends the last one this monitor saw; alerts on a fork."""
    monitor_local_log()


@shared_task(
    acks_late=True,
    reject_on_worker_lost=True,
    ignore_result=True,
    autoretry_for=(OSError, BotoCoreError, ClientError),
    retry_backoff=True,
    max_retries=8,
)
def complete_tus_upload(upload_id: str) -> None:
    """Check, store and seal a fully received resumable upload (idempotent: guarded by the upload's row)."""
    tus_upload_complete(upload_id=upload_id)


@shared_task(acks_late=True, ignore_result=True)
def expire_tus_uploads() -> None:
    """Remove unfinished resumable uploads past their expiry, with their bytes."""
    tus_uploads_expire()
