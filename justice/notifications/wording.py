"""What a notification says, in the language of whoever reads it (the page's, or the email recipient's)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from justice.notifications.models import Kind, Notification


def subject_of(notification: Notification) -> str:
    """What the notification is about, as the recipient knows it: a case reference or a filing number. This is
    all an email may say (no names, no facts)."""
    if notification.case is not None:
        return _("case %(reference)s") % {"reference": notification.case.reference}
    filing = notification.filing
    if filing is None:  # excluded by a constraint; kept for the type checker
        return "—"
    return _("filing no. %(number)s") % {"number": filing.pk}


def sentence(notification: Notification) -> str:
    """The line shown in the list of notifications."""
    kind, filing = notification.kind, notification.filing
    filing_label = str(filing) if filing is not None else subject_of(notification)
    values = {
        "filing": filing_label,
        "recipient": str(filing.recipient) if filing is not None and filing.recipient is not None else "—",
        "reference": notification.case.reference if notification.case is not None else "—",
    }
    if kind == Kind.FILING_SUBMITTED:
        return _("%(recipient)s received %(filing)s: it is waiting for review.") % values
    if kind == Kind.FILING_ACCEPTED:
        if filing is not None and filing.kind == filing.Kind.PRE_COMPLAINT:
            return _("%(filing)s was confirmed by %(recipient)s.") % values
        return _("%(filing)s was accepted by %(recipient)s.") % values
    if kind == Kind.FILING_PARTIALLY_ACCEPTED:
        if notification.case is not None:
            return _("%(filing)s was accepted in part by %(recipient)s and registered in case %(reference)s.") % values
        return _("%(filing)s was accepted in part by %(recipient)s.") % values
    police = filing is not None and filing.kind == filing.Kind.POLICE_TRANSMISSION
    if kind == Kind.FILING_REJECTED and police:
        return _("%(filing)s was returned to the unit by %(recipient)s: read the reason.") % values
    if kind == Kind.FILING_DOCKETED and police:
        return _("%(recipient)s opened case %(reference)s from %(filing)s.") % values
    if kind == Kind.FILING_REJECTED:
        return _("%(filing)s was rejected by %(recipient)s: read the reason.") % values
    if kind == Kind.FILING_DOCKETED:
        return _("%(filing)s was accepted and registered in case %(reference)s.") % values
    if kind == Kind.APPOINTMENT_PROPOSED:
        return _("%(recipient)s proposes appointment times to confirm %(filing)s: choose one.") % values
    if kind == Kind.APPOINTMENT_PICKED:
        return _("An appointment time was chosen for %(filing)s: confirm it or propose others.") % values
    if kind == Kind.APPOINTMENT_CONFIRMED:
        return _("Your appointment to confirm %(filing)s is confirmed by %(recipient)s.") % values
    if kind == Kind.SUBMISSION_SERVED:
        return _("A submission was served on you in case %(reference)s: read it and its exhibits.") % values
    if kind == Kind.HEARING_LISTED:
        return _("A hearing is scheduled in case %(reference)s: see the date, the room and what to bring.") % values
    if kind == Kind.HEARING_CHANGED:
        return _("The hearing of case %(reference)s has changed: see its new details.") % values
    if kind == Kind.HEARING_CANCELLED:
        return _("The hearing of case %(reference)s is cancelled.") % values
    if kind == Kind.POSTPONEMENT_REQUESTED:
        return _("A postponement of the hearing of case %(reference)s was requested.") % values
    if kind == Kind.POSTPONEMENT_DECIDED:
        return _("The court decided on the postponement requested in case %(reference)s.") % values
    if kind == Kind.DECISION_ISSUED:
        return _("A decision was issued in case %(reference)s: download it from the case page.") % values
    return _("Something new about %(subject)s.") % {"subject": subject_of(notification)}


def target_url(notification: Notification) -> str:
    """The page where the news is: the case once there is one, otherwise the filing."""
    if notification.case_id is not None:
        return reverse("filings:case", args=[notification.case_id])
    filing = notification.filing
    if filing is not None and (filing.kind, filing.status) == (filing.Kind.POLICE_TRANSMISSION, filing.Status.REJECTED):
        transmission = getattr(filing, "transmission", None)
        if transmission is not None:  # the unit's page of the procedure shows the office's reason
            return reverse("evidence:transmission_detail", args=[transmission.pk])
    return reverse("filings:detail", args=[notification.filing_id])
