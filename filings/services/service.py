"""Service of a submission on the other parties of a case (*communication entre les parties*).

When a submission joins a case file, each other party with an account, and each counsel (with an active mandate)
of another party, gets a service record: ``sent``; ``delivered`` once it is placed in their space, after the
commit (:func:`service_deliver`, where notifications are to be sent from); ``opened`` at their first download of
a served document (:func:`service_record_opened`). The sender sees each record as a dated receipt. The exhibits
served are the filing's sealed items themselves, each download a custody event.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from filings.models import Filing, Mandate, Party, ServiceRecord
from justice.accounts.models import User
from justice.notifications.models import Kind
from justice.notifications.services import notify
from justice.outbox.services import Outgoing, outbox_enqueue_many

logger = logging.getLogger(__name__)


def _filer_side(filing: Filing) -> set[int]:
    """The parties the filer acts as or for: their own party, or the client's party of their mandate."""
    own = Party.objects.filter(case=filing.case, user=filing.filer).exclude(role=Party.Role.COUNSEL)
    represented = Mandate.objects.active().filter(lawyer=filing.filer, party__case=filing.case)
    return set(own.values_list("pk", flat=True)) | set(represented.values_list("party", flat=True))


def submission_serve(*, filing: Filing) -> list[ServiceRecord]:
    """Serve a submission that has just joined its case file; runs inside the docketing transaction. A recipient
    already served with it is not served again."""
    if filing.kind != Filing.Kind.SUBMISSION or filing.case is None:
        return []
    others = Party.objects.filter(case=filing.case).exclude(pk__in=_filer_side(filing)).exclude(role=Party.Role.COUNSEL)
    active_mandate = Mandate.objects.active().filter(lawyer=OuterRef("user"), party=OuterRef("represents"))
    counsel = Party.objects.filter(
        Exists(active_mandate), case=filing.case, role=Party.Role.COUNSEL, represents__in=others, user__isnull=False
    )
    now = timezone.now()
    records: dict[int, ServiceRecord] = {}
    for party in others.filter(user__isnull=False).order_by("pk"):
        if party.user_id is None:  # filtered out above; for the type checker
            continue
        records.setdefault(
            party.user_id, ServiceRecord(filing=filing, recipient_id=party.user_id, party=party, sent_at=now)
        )
    for lawyer in counsel.order_by("pk"):
        if lawyer.user_id is None:  # filtered out above; for the type checker
            continue
        records.setdefault(
            lawyer.user_id,
            ServiceRecord(filing=filing, recipient_id=lawyer.user_id, party_id=lawyer.represents_id, sent_at=now),
        )
    records.pop(filing.filer_id, None)
    ServiceRecord.objects.bulk_create(records.values(), ignore_conflicts=True)
    served = list(ServiceRecord.objects.filter(filing=filing).order_by("pk"))
    pending = [record.pk for record in served if record.status == ServiceRecord.Status.SENT]
    if pending:
        # Through the outbox, in this transaction: delivered (and notified) even if the broker is down right now.
        outbox_enqueue_many(
            messages=[Outgoing(task="filings.tasks.deliver_service", args=[pk], kwargs={}) for pk in pending]
        )
    logger.info("filing %s served on %s recipients", filing.pk, len(served))
    return served


def service_deliver(*, record: ServiceRecord) -> ServiceRecord:
    """The served submission is in the recipient's space: ``sent`` becomes ``delivered``, once. This is the one
    place where a service reaches its recipient (the place to notify them from)."""
    now = timezone.now()
    updated = ServiceRecord.objects.filter(pk=record.pk, status=ServiceRecord.Status.SENT).update(
        status=ServiceRecord.Status.DELIVERED, delivered_at=now
    )
    if updated:
        record.status, record.delivered_at = ServiceRecord.Status.DELIVERED, now
        notify(recipients=[record.recipient], target=record.filing, kind=Kind.SUBMISSION_SERVED)
        logger.info("service %s of filing %s delivered to user %s", record.pk, record.filing_id, record.recipient_id)
    else:
        record.refresh_from_db()
    return record


def service_record_opened(*, filing: Filing, user: User) -> bool:
    """The recipient downloaded a document of a submission served on them: the first time is recorded (and
    delivery with it, if the delivery step has not run yet); later downloads change nothing. Returns whether this
    was the first opening."""
    now = timezone.now()
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update().filter(filing=filing, recipient=user).first()
        if record is None or record.opened_at is not None:
            return False
        record.status = ServiceRecord.Status.OPENED
        record.opened_at = now
        record.delivered_at = record.delivered_at or now
        record.save(update_fields=["status", "opened_at", "delivered_at"])
    logger.info("service %s of filing %s opened by user %s", record.pk, filing.pk, user.pk)
    return True
