"""Review of a filing by its recipient (after OASIS ECF 5: accepted, partially accepted or rejected), and the
docketing that follows acceptance: a case-opening filing registers a new case, a submission joins its case."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings import permissions
from filings.models import Case, ClaimType, Filing, RejectionReason
from filings.services import notices
from filings.services.base import FilingError, filing_lock, transition
from filings.services.cases import case_add_parties_from_filing, case_open
from filings.services.exhibits import ExhibitDecision, exhibits_review
from filings.services.service import submission_serve
from justice.accounts.models import Organisation, User

logger = logging.getLogger(__name__)

CASE_KIND: dict[str, str] = {
    Filing.Kind.COMPLAINT: Case.Kind.CRIMINAL,
    Filing.Kind.CIVIL_REFERRAL: Case.Kind.CIVIL,
    Filing.Kind.POLICE_TRANSMISSION: Case.Kind.CRIMINAL,
}


def _check_decision(*, decision: str, rejection_reason: str, note: str, exhibits_rejected: bool = False) -> None:
    if decision not in Filing.Decision.values:
        raise FilingError(_("Choose to accept, accept in part or reject the filing."), code="decision")
    if decision == Filing.Decision.REJECTED:
        if rejection_reason not in RejectionReason.values:
            raise FilingError(_("Choose the reason for the rejection."), code="reason")
        if rejection_reason == RejectionReason.OTHER and not note.strip():
            raise FilingError(_("Explain the reason for the rejection to the filer."), code="note")
    elif rejection_reason:
        raise FilingError(_("A reason for rejection is given only when the filing is rejected."), code="reason")
    if decision == Filing.Decision.PARTIALLY_ACCEPTED and not note.strip() and not exhibits_rejected:
        raise FilingError(_("Say what part of the filing is not accepted, and why."), code="note")


def filing_review(
    *,
    filing: Filing,
    actor: User,
    decision: str,
    rejection_reason: str = "",
    note: str = "",
    exhibit_decisions: Mapping[int, ExhibitDecision] | None = None,
) -> Filing:
    """Record the recipient's decision. Accepting (even in part) a complaint or a referral registers the case, with
    its reference number and parties, in the same transaction; accepting a pre-complaint records that the victim
    confirmed it at the police unit. ``exhibit_decisions`` (by exhibit id) accepts or rejects exhibits one by one;
    a rejected exhibit makes the acceptance partial, its reason standing as the explanation."""
    exhibit_decisions = exhibit_decisions or {}
    _check_decision(
        decision=decision,
        rejection_reason=rejection_reason,
        note=note,
        exhibits_rejected=any(not choice.accepted for choice in exhibit_decisions.values()),
    )
    note = note.strip()
    with transaction.atomic():
        filing = filing_lock(filing=filing)
        if not permissions.can_review_filing(actor, filing):
            raise FilingError(_("You cannot review filings sent to this organisation."), code="forbidden")
        if filing.kind == Filing.Kind.PRE_COMPLAINT and decision == Filing.Decision.PARTIALLY_ACCEPTED:
            raise FilingError(
                _("A pre-complaint is confirmed or rejected as a whole: it cannot be accepted in part."),
                code="decision",
            )
        if filing.kind == Filing.Kind.POLICE_TRANSMISSION and decision == Filing.Decision.PARTIALLY_ACCEPTED:
            raise FilingError(
                _("A police procedure opens a case or returns to the unit as a whole: it cannot be accepted in part."),
                code="decision",
            )
        exhibits_review(filing=filing, decision=decision, decisions=exhibit_decisions)
        now = timezone.now()
        transition(
            filing=filing,
            to=decision,
            expected=(Filing.Status.SUBMITTED,),
            actor=actor,
            reason=note,
            fields={
                "reviewed_at": now,
                "reviewed_by": actor,
                "review_decision": decision,
                "rejection_reason": rejection_reason,
                "review_note": note,
            },
        )
        if decision != Filing.Decision.REJECTED and filing.kind != Filing.Kind.PRE_COMPLAINT:
            _docket(filing=filing, actor=actor)
        notices.filing_notify_reviewed(filing=filing)
    logger.info("filing %s reviewed (%s) by user %s", filing.pk, decision, actor.pk)
    return filing


def _docket(*, filing: Filing, actor: User) -> None:
    recipient: Organisation | None = filing.recipient
    if recipient is None:  # submitted filings always have one; kept for the type checker
        raise FilingError(_("This filing has no recipient."), code="route")
    case = filing.case
    if case is None:
        claim = filing.content.get("claim") or {}
        claim_code = claim.get("claim_type")
        claim_type = ClaimType.objects.filter(code=claim_code).first() if claim_code else None
        case = case_open(court=recipient, kind=CASE_KIND[filing.kind], actor=actor, claim_type=claim_type)
        case_add_parties_from_filing(case=case, filing=filing)
    transition(
        filing=filing,
        to=Filing.Status.DOCKETED,
        expected=(Filing.Status.ACCEPTED, Filing.Status.PARTIALLY_ACCEPTED),
        actor=actor,
        fields={"case": case},
    )
    submission_serve(filing=filing)
    logger.info("filing %s docketed in case %s", filing.pk, case.reference)
