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
    notify(recipients=[filing.filer, filing.on_behalf_of], target=filing, kind=kind)
