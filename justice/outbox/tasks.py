"""The relay, run by Celery beat every ``OUTBOX_RELAY_SECONDS``, and the cleanup of published messages."""

from __future__ import annotations

from celery import shared_task

from justice.outbox.services import outbox_purge_published, outbox_relay


@shared_task(ignore_result=True)
def relay_outbox() -> int:
    """Not acks_late: a lost run is harmless, the next one follows within seconds."""
    return len(outbox_relay().published)


@shared_task(ignore_result=True)
def purge_published_outbox() -> int:
    return outbox_purge_published()
