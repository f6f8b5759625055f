"""Antivirus scanning of sealed evidence through clamd, before an item may be downloaded.

With a scanner configured (``CLAMD_ADDRESS``), an item is "pending scan" from its seal until clamd has read the
stored bytes (re-checked against the seal on the way): clean, it becomes available; infected, it is quarantined
for good. While clamd cannot be reached the item stays pending and cannot be downloaded (fail closed); the task
retries with backoff, and a periodic sweep re-queues whatever is still waiting. Without a scanner (the embedded
default only: production settings refuse to start without one), an item is available as soon as it is sealed,
with a note saying that no antivirus looked at it, which its page shows.
"""

from __future__ import annotations

import datetime
import logging
import uuid
from typing import Any

from django.conf import settings
from django.core.mail import mail_admins
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from evidence.clamd import ClamdClient, ScannerUnavailableError
from evidence.custody import custody_record
from evidence.models import CustodyEvent, EvidenceItem

logger = logging.getLogger(__name__)

# How an item starts its life, recorded in its inspection notes under this key.
NOTE_KEY = "antivirus"


def scanner_configured() -> bool:
    return bool(settings.CLAMD_ADDRESS)


def scan_status_at_seal() -> tuple[str, dict[str, Any]]:
    """The status of a newly sealed item and its antivirus note."""
    if scanner_configured():
        return EvidenceItem.Status.PENDING_SCAN, {"result": "pending"}
    return EvidenceItem.Status.AVAILABLE, {"result": "no_scanner"}


def scan_dispatch(*, item_id: uuid.UUID | str) -> None:
    """Queue the scan of a newly sealed item (called once its seal is committed). Should the broker be out of
    reach, the item simply stays pending: rescan_pending_evidence queues it again later."""
    from evidence.tasks import scan_evidence

    try:
        scan_evidence.delay(str(item_id))
    except Exception:
        logger.exception("evidence %s: its antivirus scan could not be queued; it stays pending scan", item_id)


def evidence_scan(*, item_id: uuid.UUID | str) -> str:
    """Scan a pending item with clamd and make it available or quarantine it; returns its status afterwards.

    Idempotent: an item that is no longer pending (scanned already, or blocked) is left alone. Raises
    :class:`ScannerUnavailableError` when clamd cannot give a verdict: the item stays pending.
    """
    # Imported here: services imports this module to know how a new item starts.
    from evidence.services import EvidenceIntegrityError, verified_chunks

    item = EvidenceItem.objects.select_related("seal").get(pk=item_id)
    if item.status != EvidenceItem.Status.PENDING_SCAN:
        return item.status
    if not scanner_configured():
        raise ScannerUnavailableError("CLAMD_ADDRESS is not set: pending items wait until a scanner is configured")
    client = ClamdClient(settings.CLAMD_ADDRESS, timeout=settings.CLAMD_TIMEOUT_SECONDS)
    try:
        result = client.scan(verified_chunks(item=item, during="antivirus_scan", requested_by=None))
    except EvidenceIntegrityError:
        # Blocked and recorded on the way: there is nothing sound left to scan.
        return EvidenceItem.Status.BLOCKED
    except ScannerUnavailableError as error:
        logger.warning("evidence %s stays pending scan: %s", item.pk, error)
        raise
    scanned_at = timezone.now()
    note = {
        "result": "infected" if result.infected else "clean",
        "signature": result.signature,
        "engine": result.engine,
        "scanned_at": scanned_at.isoformat(),
    }
    with transaction.atomic():
        item = EvidenceItem.objects.select_for_update().get(pk=item.pk)
        if item.status != EvidenceItem.Status.PENDING_SCAN:
            return item.status
        item.inspection = {**item.inspection, NOTE_KEY: note}
        item.status = EvidenceItem.Status.QUARANTINED if result.infected else EvidenceItem.Status.AVAILABLE
        item.save(update_fields=["inspection", "status"])
        custody_record(
            item=item,
            action=CustodyEvent.Action.QUARANTINED if result.infected else CustodyEvent.Action.SCANNED,
            actor=None,
            organisation=None,
            purpose=str(_("Automatic antivirus scan")),
            detail={"result": note["result"], "signature": result.signature, "engine": result.engine},
            at=scanned_at,
        )
    if result.infected:
        _alert_infected(item=item, signature=result.signature, engine=result.engine)
    else:
        logger.info("evidence %s scanned clean by %s", item.pk, result.engine)
    return item.status


def _alert_infected(*, item: EvidenceItem, signature: str, engine: str) -> None:
    message = (
        f"ALERT evidence {item.pk} quarantined: the antivirus found {signature} ({engine}). Uploaded by user "
        f"{item.uploaded_by_id}"
        + (f" for organisation {item.organisation_id}" if item.organisation_id else "")
        + "; it cannot be downloaded."
    )
    logger.error(message)
    mail_admins(f"Evidence quarantined: {signature}", message, fail_silently=True)


def pending_scan_ids(*, older_than: datetime.timedelta, limit: int) -> list[uuid.UUID]:
    """Items still waiting for a scan long after their seal: their task was lost or gave up."""
    cutoff = timezone.now() - older_than
    return list(
        EvidenceItem.objects.filter(status=EvidenceItem.Status.PENDING_SCAN, created_at__lt=cutoff)
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )
