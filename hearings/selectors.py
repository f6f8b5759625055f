"""Reads of hearings, scoped to the acting user; anything else is a 404."""

from __future__ import annotations

import datetime

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from filings import permissions as filings_permissions
from filings import selectors as filings_selectors
from filings.models import Case, Room
from hearings import permissions
from hearings.models import (
    CalendarFeed,
    CaseBundle,
    Decision,
    Hearing,
    HearingEvent,
    PostponementRequest,
    hash_feed_token,
)
from hearings.services import local_zone
from justice.accounts.models import Membership, Organisation, User
from justice.reused_sql import reused


def _hearings() -> QuerySet[Hearing]:
    return Hearing.objects.select_related("case", "case__court", "room", "judge")


def case_get(*, user: User, pk: int) -> Case:
    return filings_selectors.case_get(user=user, pk=pk)


def _sees_requests(user: User | None, case: Case) -> bool:
    """Hearing requests never listed are the court's business: its staff see them, the parties do not."""
    return user is None or permissions.is_bench_of(user, case.court_id)


def case_hearings(*, case: Case, user: User | None = None) -> list[Hearing]:
    # The case is known: its row is not joined again, the hearings point at the same object. The case's page shows
    # each hearing's date, room and status (and, for the next one, its end and what to bring), not its judge.
    if not getattr(case, "has_hearings", True):
        return []  # read with the case (filings.selectors.case_get): it has none
    sees_requests = _sees_requests(user, case)

    def hearings(case_pk: int) -> QuerySet[Hearing]:
        found = (
            Hearing.objects.select_related("room")
            .filter(case_id=case_pk)
            .only("case_id", "room__name", "room__location", "starts_at", "ends_at", "status", "to_bring")
        )
        if not sees_requests:
            found = found.filter(starts_at__isnull=False)
        return found.order_by("-starts_at", "-pk")

    found = list(reused(f"hearings:case-hearings:{'all' if sees_requests else 'dated'}", hearings, case.pk))
    for hearing in found:
        hearing.case = case
    return found


def case_timeline(*, case: Case, user: User | None = None) -> list[HearingEvent]:
    events = HearingEvent.objects.filter(hearing__case=case)
    if not _sees_requests(user, case):
        events = events.filter(hearing__starts_at__isnull=False).exclude(kind=HearingEvent.Kind.REQUESTED)
    # Timelines show when, what and the note: neither the actor nor the hearing is joined.
    return list(events.order_by("created_at", "pk"))


def case_postponement_requests(*, case: Case) -> list[PostponementRequest]:
    return list(
        PostponementRequest.objects.filter(hearing__case=case).select_related("requested_by", "decided_by", "hearing")
    )


def hearing_get(*, user: User, pk: int) -> Hearing:
    hearing = _hearings().filter(pk=pk).first()
    if hearing is None or not permissions.can_view_hearings(user, hearing.case):
        raise Http404
    if hearing.starts_at is None and not _sees_requests(user, hearing.case):
        raise Http404
    return hearing


def postponement_get(*, user: User, pk: int) -> PostponementRequest:
    request = (
        PostponementRequest.objects.select_related("hearing", "hearing__case", "hearing__case__court")
        .filter(pk=pk)
        .first()
    )
    if request is None or not permissions.can_view_hearings(user, request.hearing.case):
        raise Http404
    return request


def bench_courts(*, user: User) -> QuerySet[Organisation]:
    """Courts where the user is a clerk or a judge."""
    scope = filings_permissions.staff_scope(user)
    return Organisation.objects.filter(pk__in=scope.clerk | scope.judge, kind=Organisation.Kind.COURT)


def bench_court_get(*, user: User, pk: int) -> Organisation:
    court = bench_courts(user=user).filter(pk=pk).first()
    if court is None:
        raise Http404
    return court


def court_rooms(*, court: Organisation) -> QuerySet[Room]:
    return Room.objects.filter(court=court).order_by("name")


def court_judges(*, court: Organisation) -> QuerySet[User]:
    return User.objects.filter(
        pk__in=Membership.objects.active().filter(organisation=court, role=Membership.Role.JUDGE).values("user")
    ).order_by("last_name", "first_name", "pk")


def day_bounds(day: datetime.date, days: int = 1) -> tuple[datetime.datetime, datetime.datetime]:
    zone = local_zone()
    start = datetime.datetime.combine(day, datetime.time(0), zone)
    end = datetime.datetime.combine(day + datetime.timedelta(days=days), datetime.time(0), zone)
    return start, end


def agenda(
    *,
    court: Organisation,
    start: datetime.datetime,
    end: datetime.datetime,
    room: Room | None = None,
    judge: User | None = None,
) -> list[Hearing]:
    """The court's hearings in [start, end), listed, postponed or held, for a room or a judge or all: one query."""
    hearings = _hearings().filter(
        case__court=court,
        starts_at__lt=end,
        ends_at__gt=start,
        status__in=(Hearing.Status.LISTED, Hearing.Status.HELD, Hearing.Status.CLOSED),
    )
    if room is not None:
        hearings = hearings.filter(room=room)
    if judge is not None:
        hearings = hearings.filter(judge=judge)
    return list(hearings.order_by("starts_at", "room__name", "pk"))


def hearing_requests(*, court: Organisation) -> list[Hearing]:
    """The court's hearings to be listed: requests not yet listed, oldest first."""
    return list(
        _hearings()
        .filter(case__court=court, status=Hearing.Status.REQUESTED)
        .select_related("created_by")
        .order_by("created_at", "pk")
    )


def pending_postponements(*, court: Organisation) -> list[PostponementRequest]:
    return list(
        PostponementRequest.objects.filter(hearing__case__court=court, status=PostponementRequest.Status.PENDING)
        .select_related("hearing", "hearing__case", "requested_by")
        .order_by("created_at")
    )


def feed_hearings(*, user: User) -> list[Hearing]:
    """What a person's calendar feed holds: hearings of their cases (as party or counsel) and those they preside,
    from 90 days back."""
    since = timezone.now() - datetime.timedelta(days=90)
    cases = filings_selectors.case_list_for_person(user=user).values("pk")
    return list(
        _hearings()
        .filter(Q(case__in=cases) | Q(judge=user), ends_at__gte=since)
        .exclude(status=Hearing.Status.REQUESTED)
        .order_by("starts_at")
    )


def feed_owner(*, token: str) -> User | None:
    feed = (
        CalendarFeed.objects.select_related("user")
        .filter(token_hash=hash_feed_token(token), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None:
        return None
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    return feed.user


def active_feed(*, user: User) -> CalendarFeed | None:
    return CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).first()


def case_bundles(*, case: Case) -> list[CaseBundle]:
    return list(CaseBundle.objects.filter(case=case).select_related("item", "requested_by")[:5])


def bundle_get(*, user: User, pk: int) -> CaseBundle:
    bundle = CaseBundle.objects.select_related("case", "case__court", "item").filter(pk=pk).first()
    if bundle is None or not permissions.can_build_bundle(user, bundle.case):
        raise Http404
    return bundle


# --- Decisions ------------------------------------------------------------------------------------------------------


def _decisions() -> QuerySet[Decision]:
    return Decision.objects.select_related("case", "case__court", "item", "item__seal", "issued_by", "prepared_by")


def decision_get(*, user: User, pk: int) -> Decision:
    decision = _decisions().filter(pk=pk).first()
    if decision is None or not permissions.can_view_decision(user, decision):
        raise Http404
    return decision


def case_decisions(*, user: User, case: Case) -> list[Decision]:
    """Issued decisions of the case for whoever sees it; drafts too for the bench."""
    if not getattr(case, "has_decisions", True):
        return []  # read with the case (filings.selectors.case_get): it has none
    drafts_too = permissions.can_prepare_decision(user, case)

    def decisions(case_pk: int) -> QuerySet[Decision]:
        # The case is known (not joined again); the list shows a decision's title, status and date: nothing else of
        # it is read (its text, draft, file, seal or authors).
        found = Decision.objects.filter(case_id=case_pk).only("case_id", "title", "status", "issued_at")
        return found if drafts_too else found.filter(status=Decision.Status.ISSUED)

    found = list(reused(f"hearings:case-decisions:{'drafts-too' if drafts_too else 'issued'}", decisions, case.pk))
    for decision in found:
        decision.case = case
    return found


def court_issued_decisions(*, court: Organisation) -> QuerySet[Decision]:
    return (
        _decisions()
        .filter(case__court=court, status=Decision.Status.ISSUED)
        .prefetch_related("case__parties__user")
        .defer("draft_pdf")
    )


def released_decisions() -> QuerySet[Decision]:
    """What the public open data set holds: issued decisions a clerk released after review, oldest first."""
    return (
        Decision.objects.filter(status=Decision.Status.ISSUED, published_at__isnull=False)
        # A scan goes out only with the text a clerk confirmed (the database refuses its release otherwise).
        .filter(Q(text_layer_missing=False) | Q(text_confirmed_at__isnull=False))
        .select_related("case", "case__court")
        .prefetch_related("case__parties__user")
        .defer("draft_pdf")
        .order_by("issued_at", "pk")
    )
