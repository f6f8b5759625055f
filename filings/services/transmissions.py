"""A police procedure, once every file matched its manifest, enters the prosecutor's office's queue as a filing of
kind ``police_transmission``: its files are the exhibits (the sealed items themselves, no copies), numbered as in
the manifest. The office then opens a criminal case from it (acceptance) or returns it with a reason (rejection),
through the ordinary review (:func:`filings.services.filing_review`)."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.utils import timezone

from filings.models import Exhibit, Filing
from filings.services import notices
from filings.services.base import transition
from justice.accounts.assurance import Level

if TYPE_CHECKING:
    from evidence.models import Transmission


def filing_from_transmission(*, transmission: Transmission) -> Filing:
    """The filing of an acknowledged transmission, submitted at the time of acknowledgement. Runs inside the
    acknowledging transaction."""
    received_at = transmission.acknowledged_at or timezone.now()
    filing = Filing.objects.create(
        kind=Filing.Kind.POLICE_TRANSMISSION,
        filer=transmission.created_by,
        filer_organisation=transmission.sender,
        content={
            "procedure": {
                "procedure_number": transmission.procedure_number,
                "offence": transmission.offence,
                "summary": transmission.summary,
                "police_unit": transmission.sender.name,
            },
            "persons": transmission.persons,
        },
        idempotency_key=uuid.uuid4(),
        created_at=transmission.created_at,
        updated_at=received_at,
    )
    Exhibit.objects.bulk_create(
        Exhibit(filing=filing, item=entry.item, number=entry.position, title=entry.description or entry.name)
        for entry in transmission.items.select_related("item")
        if entry.item is not None
    )
    transition(
        filing=filing,
        to=Filing.Status.SUBMITTED,
        expected=(Filing.Status.DRAFT,),
        actor=transmission.created_by,
        fields={"submitted_at": received_at, "assurance_level": Level.HIGH, "recipient": transmission.recipient},
    )
    filing.refresh_from_db()
    notices.filing_notify_submitted(filing=filing)
    return filing
