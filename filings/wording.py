"""A filing's history and next step in plain words, for the people who filed it (not for staff shorthand)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from filings.models import Filing, FilingEvent, RejectionReason


def event_sentence(event: FilingEvent, filing: Filing) -> str:
    recipient = str(filing.recipient or "—")
    status = event.status
    if status == Filing.Status.DRAFT:
        if filing.copied_from_id:
            return _("Draft started from filing no. %(number)s, which was rejected.") % {
                "number": filing.copied_from_id
            }
        return _("Draft started. Nobody else can see it until it is sent.")
    if status == Filing.Status.SUBMITTED:
        return _("Sent to %(recipient)s. This date and time is the official filing time.") % {"recipient": recipient}
    if status == Filing.Status.ACCEPTED:
        if filing.kind == Filing.Kind.PRE_COMPLAINT:
            return _("Confirmed at %(recipient)s: your complaint is recorded.") % {"recipient": recipient}
        return _("Accepted by %(recipient)s.") % {"recipient": recipient}
    if status == Filing.Status.PARTIALLY_ACCEPTED:
        return _("Accepted in part by %(recipient)s.") % {"recipient": recipient}
    if status == Filing.Status.REJECTED:
        reason = RejectionReason(filing.rejection_reason).label if filing.rejection_reason else ""
        return _("Rejected by %(recipient)s. Reason: %(reason)s.") % {"recipient": recipient, "reason": reason}
    if status == Filing.Status.DOCKETED:
        reference = filing.case.reference if filing.case is not None else "—"
        return _("Registered: your case has the reference %(reference)s.") % {"reference": reference}
    return _("Cancelled at the filer's request.")


def next_step(filing: Filing) -> str:
    status, kind = filing.status, filing.kind
    if status == Filing.Status.DRAFT:
        if kind == Filing.Kind.PRE_COMPLAINT:
            return _("Complete the form and send it. A draft not sent within %(days)s days is deleted.") % {
                "days": settings.PRE_COMPLAINT_RETENTION_DAYS
            }
        return _("Complete the form and send it. Until then, nobody else can see it.")
    if status == Filing.Status.SUBMITTED:
        if kind == Filing.Kind.PRE_COMPLAINT:
            deadline = (filing.submitted_at or timezone.now()) + datetime.timedelta(
                days=settings.PRE_COMPLAINT_RETENTION_DAYS
            )
            return _(
                "%(recipient)s will contact you to propose an appointment, where you confirm and sign your complaint. "
                "If it is not confirmed by %(date)s, this pre-complaint is deleted."
            ) % {
                "recipient": filing.recipient,
                "date": formats.date_format(timezone.localtime(deadline), "DATE_FORMAT"),
            }
        return _(
            "The clerk's office of %(recipient)s will review your filing and accept or reject it. "
            "You will see its decision here."
        ) % {"recipient": filing.recipient}
    if status == Filing.Status.ACCEPTED and kind == Filing.Kind.PRE_COMPLAINT:
        return _("The police unit handles your complaint and passes it to the public prosecutor.")
    if status in (Filing.Status.ACCEPTED, Filing.Status.PARTIALLY_ACCEPTED):
        return _("The case is being registered.")
    if status == Filing.Status.DOCKETED:
        return _("Your case is registered. The next steps (hearing dates, decisions) will be shown on the case's page.")
    if status == Filing.Status.REJECTED:
        return _(
            "Read the reason for the rejection. You can copy this filing into a new draft, correct it and send it "
            "again."
        )
    return _("Nothing more to do: this filing was cancelled.")


def timeline(filing: Filing, events: list[FilingEvent]) -> list[tuple[FilingEvent, str]]:
    return [(event, event_sentence(event, filing)) for event in events]
