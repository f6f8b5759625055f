"""Who is told about a filing's events: the receiving organisation's reviewers when it arrives, the filer and the
client a lawyer filed for when it is reviewed. Called inside the transaction of the change."""

from __future__ import annotations

from django.db.models import QuerySet

from filings.models import Filing
from justice.accounts.models import Membership, User
from justice.notifications.models import Kind
from justice.notifications.services import notify


def reviewers_of(filing: Filing) -> QuerySet[User]:
    """The officers of the police unit (pre-complaints), the prosecutors and clerks of the office (procedures sent
    by the police), or the clerks of the court or office (everything else)."""
    roles = {
        Filing.Kind.PRE_COMPLAINT: (Membership.Role.POLICE_OFFICER,),
        Filing.Kind.POLICE_TRANSMISSION: (Membership.Role.PROSECUTOR, Membership.Role.CLERK),
    }.get(Filing.Kind(filing.kind), (Membership.Role.CLERK,))
    return User.objects.filter(
        pk__in=Membership.objects.active().filter(organisation=filing.recipient, role__in=roles).values("user")
    )


def filing_notify_submitted(*, filing: Filing) -> None:
    notify(recipients=reviewers_of(filing), target=filing, kind=Kind.FILING_SUBMITTED)


def filing_notify_reviewed(*, filing: Filing) -> None:
    """One notification per review: a filing accepted and registered at once is announced as registered."""
    if filing.status == Filing.Status.DOCKETED:
        kind = (
            Kind.FILING_PARTIALLY_ACCEPTED
            if filing.review_decision == Filing.Decision.PARTIALLY_ACCEPTED
            else (Kind.FILING_DOCKETED)
        )
    else:
        kind = {
            Filing.Status.ACCEPTED: Kind.FILING_ACCEPTED,
            Filing.Status.PARTIALLY_ACCEPTED: Kind.FILING_PARTIALLY_ACCEPTED,
            Filing.Status.REJECTED: Kind.FILING_REJECTED,
        }[Filing.Status(filing.status)]
    recipients: list[User | None] = [filing.filer, filing.on_behalf_of]
    if filing.kind == Filing.Kind.POLICE_TRANSMISSION and filing.filer_organisation_id is not None:
        # The procedure may have been sent by the unit's software (an API account nobody reads): its officers are told.
        recipients += list(unit_officers(filing))
    notify(recipients=recipients, target=filing, kind=kind)


def unit_officers(filing: Filing) -> QuerySet[User]:
    """The officers of the police unit that sent a procedure."""
    return User.objects.filter(
        is_active=True,
        pk__in=Membership.objects.active()
        .filter(organisation=filing.filer_organisation_id, role=Membership.Role.POLICE_OFFICER)
        .values("user"),
    )
