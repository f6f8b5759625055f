"""Notification points of hearings: one function per event, called after the change commits. Each works out who
must be told and notifies them (in the portal, and by an email that names only the case)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from django.db.models import Q

from filings.models import Mandate, Party
from justice.accounts.models import User
from justice.notifications.models import Kind
from justice.notifications.services import notify

if TYPE_CHECKING:
    from hearings.models import Decision, Hearing, PostponementRequest

logger = logging.getLogger(__name__)


def hearing_recipients(hearing: Hearing, *, exclude: User | None = None) -> list[User]:
    return case_recipients(hearing.case_id, exclude=exclude)


def case_recipients(case_id: int, *, exclude: User | None = None) -> list[User]:
    """The people of the case with an account (not counsel as a party row) and the lawyers holding an active
    mandate for one of its parties."""
    parties = Party.objects.filter(case=case_id)
    users = User.objects.filter(
        Q(pk__in=parties.filter(user__isnull=False).exclude(role=Party.Role.COUNSEL).values("user"))
        | Q(pk__in=Mandate.objects.active().filter(party__in=parties).values("lawyer")),
        is_active=True,
    ).order_by("pk")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return list(users)


def _tell(event: str, kind: str, hearing: Hearing, recipients: list[User]) -> list[User]:
    logger.info("hearing %s: %s, telling users %s", hearing.pk, event, [user.pk for user in recipients])
    notify(recipients=recipients, target=hearing.case, kind=kind)
    return recipients


def notify_hearing_listed(hearing: Hearing) -> list[User]:
    """The hearing was listed (date, room, judge): tell the parties and counsel."""
    return _tell("listed", Kind.HEARING_LISTED, hearing, hearing_recipients(hearing))


def notify_hearing_changed(hearing: Hearing) -> list[User]:
    """The hearing moved (relisted, another room or judge, postponed, held, closed): tell the parties and counsel."""
    return _tell(f"changed ({hearing.status})", Kind.HEARING_CHANGED, hearing, hearing_recipients(hearing))


def notify_hearing_cancelled(hearing: Hearing) -> list[User]:
    return _tell("cancelled", Kind.HEARING_CANCELLED, hearing, hearing_recipients(hearing))


def notify_postponement_requested(request: PostponementRequest) -> list[User]:
    """A party or counsel asked for a postponement: tell the other parties and counsel (the court sees it in its
    agenda)."""
    return _tell(
        "postponement requested",
        Kind.POSTPONEMENT_REQUESTED,
        request.hearing,
        hearing_recipients(request.hearing, exclude=request.requested_by),
    )


def notify_postponement_decided(request: PostponementRequest) -> list[User]:
    """The court granted or refused a postponement: tell everyone in the case, the requester included."""
    return _tell(
        f"postponement {request.status}",
        Kind.POSTPONEMENT_DECIDED,
        request.hearing,
        hearing_recipients(request.hearing),
    )


def notify_decision_issued(decision: Decision) -> list[User]:
    """The clerk issued a decision: tell the parties and counsel (the email names only the case)."""
    recipients = case_recipients(decision.case_id)
    logger.info("decision %s issued, telling users %s", decision.pk, [user.pk for user in recipients])
    notify(recipients=recipients, target=decision.case, kind=Kind.DECISION_ISSUED)
    return recipients
