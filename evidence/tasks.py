"""Periodic work on the transparency log, run by Celery beat (see CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from evidence.monitor import monitor_local_log
from evidence.translog import translog_checkpoint
from evidence.tsa import checkpoints_timestamp_missing


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
