"""Writes to hearings: listing with the conflict rules, changes, postponements, calendar feeds, case bundles.

Every write records its line of the case timeline (``HearingEvent``) in the same transaction, and calls its
notification point (``hearings.notifications``) once the transaction commits.
"""

from __future__ import annotations

import datetime
import logging
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models import Case, Mandate, Room
from hearings import notifications, permissions
from hearings.models import (
    CalendarFeed,
    CaseBundle,
    ClosedDay,
    CounselBooking,
    Hearing,
    HearingEvent,
    PostponementRequest,
    SittingHours,
    hash_feed_token,
)
from justice.accounts.models import Membership, User
from justice.errors import ApplicationError
from justice.outbox.services import outbox_enqueue

logger = logging.getLogger(__name__)

# When a court has not set its sitting hours: weekdays, 9:00 to 18:00.
DEFAULT_SITTINGS = {day: [(datetime.time(9), datetime.time(18))] for day in range(5)}
SLOT_STEP = datetime.timedelta(minutes=15)
SLOT_SEARCH_DAYS = 60
PROPOSALS = 3
MAX_DURATION = datetime.timedelta(hours=12)


class HearingError(ApplicationError):
    pass


class ConflictError(HearingError):
    """The slot is taken: ``conflicts`` says by what, ``proposals`` are the next free starts of the same length."""

    def __init__(self, *, conflicts: list[str], proposals: list[datetime.datetime]) -> None:
        super().__init__(" ".join(conflicts), code="conflict")
        self.conflicts = conflicts
        self.proposals = proposals


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


def _fmt(moment: datetime.datetime, pattern: str = "%d/%m/%Y %H:%M") -> str:
    return timezone.localtime(moment, local_zone()).strftime(pattern)


# --- The court calendar ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """A court's sitting hours per weekday and its closed days, read once for a search."""

    sittings: dict[int, list[tuple[datetime.time, datetime.time]]]
    closed: dict[datetime.date, str]

    def windows(self, day: datetime.date) -> list[tuple[datetime.datetime, datetime.datetime]]:
        if day in self.closed:
            return []
        zone = local_zone()
        return [
            (datetime.datetime.combine(day, opens, zone), datetime.datetime.combine(day, closes, zone))
            for opens, closes in self.sittings.get(day.weekday(), [])
        ]


def court_calendar(*, court_id: int, start: datetime.date, end: datetime.date) -> Calendar:
    sittings: dict[int, list[tuple[datetime.time, datetime.time]]] = {}
    for row in SittingHours.objects.filter(court=court_id).order_by("weekday", "opens"):
        sittings.setdefault(row.weekday, []).append((row.opens, row.closes))
    closed = dict(
        ClosedDay.objects.filter(court=court_id, date__gte=start, date__lte=end).values_list("date", "reason")
    )
    return Calendar(sittings=sittings or DEFAULT_SITTINGS, closed=closed)


def check_sitting(*, court_id: int, starts_at: datetime.datetime, ends_at: datetime.datetime) -> None:
    day = timezone.localtime(starts_at, local_zone()).date()
    calendar = court_calendar(court_id=court_id, start=day, end=day)
    if day in calendar.closed:
        reason = calendar.closed[day]
        raise HearingError(
            _("The court does not sit on %(date)s (%(reason)s).")
            % {"date": day.strftime("%d/%m/%Y"), "reason": reason or _("closed day")},
            code="closed",
        )
    windows = calendar.windows(day)
    if not any(opens <= starts_at and ends_at <= closes for opens, closes in windows):
        hours = ", ".join(f"{_fmt(a, '%H:%M')}–{_fmt(b, '%H:%M')}" for a, b in windows) or _("none")
        raise HearingError(
            _("The hearing must fit within the court’s sitting hours on %(date)s: %(hours)s.")
            % {"date": day.strftime("%d/%m/%Y"), "hours": hours},
            code="hours",
        )


# --- Conflicts ------------------------------------------------------------------------------------------------------


def case_counsel(case: Case | int) -> list[int]:
    """Lawyers (ids) holding an active mandate for a party of the case: they must attend its hearings."""
    case_id = case if isinstance(case, int) else case.pk
    return sorted(set(Mandate.objects.active().filter(party__case=case_id).values_list("lawyer", flat=True)))


def _occupying(exclude: Hearing | None) -> Q:
    q = Q(status__in=Hearing.OCCUPYING)
    return q & ~Q(pk=exclude.pk) if exclude is not None and exclude.pk else q


def find_conflicts(
    *,
    room: Room,
    judge: User,
    lawyers: Iterable[int],
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    exclude: Hearing | None = None,
) -> list[str]:
    """What stands in the way of the slot, one message per conflict (room, judge, each counsel)."""
    messages: list[str] = []
    overlapping = Q(starts_at__lt=ends_at, ends_at__gt=starts_at)
    for other in (
        Hearing.objects.filter(_occupying(exclude), overlapping, Q(room=room) | Q(judge=judge))
        .select_related("case", "room", "judge")
        .order_by("starts_at")
    ):
        values = {
            "start": _fmt(other.starts_at),  # type: ignore[arg-type]
            "end": _fmt(other.ends_at, "%H:%M"),  # type: ignore[arg-type]
            "case": other.case.reference,
        }
        if other.room_id == room.pk:
            messages.append(
                str(
                    _("The room “%(room)s” is already taken from %(start)s to %(end)s (case %(case)s).")
                    % {**values, "room": room.name}
                )
            )
        if other.judge_id == judge.pk:
            messages.append(
                str(
                    _("The judge %(judge)s already sits from %(start)s to %(end)s (case %(case)s).")
                    % {**values, "judge": judge}
                )
            )
    bookings = CounselBooking.objects.filter(
        lawyer__in=list(lawyers), active=True, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).select_related("lawyer")
    if exclude is not None and exclude.pk:
        bookings = bookings.exclude(hearing=exclude)
    for booking in bookings.order_by("starts_at"):
        # Another court's case may be concerned: its reference is not given.
        messages.append(
            str(
                _("Counsel %(lawyer)s is already at another hearing from %(start)s to %(end)s.")
                % {"lawyer": booking.lawyer, "start": _fmt(booking.starts_at), "end": _fmt(booking.ends_at, "%H:%M")}
            )
        )
    return messages


def next_free_slots(
    *,
    court_id: int,
    room: Room,
    judge: User,
    lawyers: Iterable[int],
    after: datetime.datetime,
    duration: datetime.timedelta,
    exclude: Hearing | None = None,
    count: int = PROPOSALS,
) -> list[datetime.datetime]:
    """The next ``count`` starts, from ``after``, where the room, the judge and every counsel are free for
    ``duration`` within the court's sitting hours. Three queries whatever the span searched."""
    lawyers = list(lawyers)
    horizon = after + datetime.timedelta(days=SLOT_SEARCH_DAYS)
    busy: list[tuple[datetime.datetime, datetime.datetime]] = [
        (start, end)
        for start, end in Hearing.objects.filter(
            _occupying(exclude), Q(room=room) | Q(judge=judge), starts_at__lt=horizon, ends_at__gt=after
        ).values_list("starts_at", "ends_at")
        if start is not None and end is not None
    ]
    bookings = CounselBooking.objects.filter(lawyer__in=lawyers, active=True, starts_at__lt=horizon, ends_at__gt=after)
    if exclude is not None and exclude.pk:
        bookings = bookings.exclude(hearing=exclude)
    busy += list(bookings.values_list("starts_at", "ends_at"))
    busy.sort()
    zone = local_zone()
    first_day = timezone.localtime(after, zone).date()
    calendar = court_calendar(court_id=court_id, start=first_day, end=horizon.date())
    found: list[datetime.datetime] = []
    for offset in range(SLOT_SEARCH_DAYS):
        for opens, closes in calendar.windows(first_day + datetime.timedelta(days=offset)):
            start = max(opens, after)
            # Round up to the step, counted from the opening time.
            steps = -(-(start - opens) // SLOT_STEP)
            start = opens + steps * SLOT_STEP
            while start + duration <= closes:
                end = start + duration
                blocking = [b_end for b_start, b_end in busy if b_start < end and start < b_end]
                if not blocking:
                    found.append(start)
                    if len(found) == count:
                        return found
                    start = end
                else:
                    # Jump past the latest blocking interval, back on the step grid.
                    later = max(blocking)
                    start = opens + -(-(later - opens) // SLOT_STEP) * SLOT_STEP
    return found


# --- Listing and changes --------------------------------------------------------------------------------------------


def _event(hearing: Hearing, kind: str, actor: User | None, note: str = "") -> HearingEvent:
    return HearingEvent.objects.create(hearing=hearing, kind=kind, actor=actor, note=note)


def _sync_counsel(hearing: Hearing) -> None:
    """Counsel bookings follow the hearing: active with its times while it occupies its slot, inactive otherwise."""
    occupying = hearing.status in Hearing.OCCUPYING
    lawyers = case_counsel(hearing.case_id) if occupying else []
    hearing.counsel_bookings.exclude(lawyer__in=lawyers).update(active=False)
    for lawyer in lawyers:
        CounselBooking.objects.update_or_create(
            hearing=hearing,
            lawyer_id=lawyer,
            defaults={"starts_at": hearing.starts_at, "ends_at": hearing.ends_at, "active": True},
        )


def _validate_slot(
    *, case: Case, room: Room, judge: User, starts_at: datetime.datetime, duration_minutes: int
) -> datetime.datetime:
    if room.court_id != case.court_id:
        raise HearingError(_("This room is not one of the court’s rooms."), code="room")
    if (
        not Membership.objects.active()
        .filter(user=judge, organisation=case.court_id, role=Membership.Role.JUDGE)
        .exists()
    ):
        raise HearingError(_("The judge must be a judge of the court."), code="judge")
    duration = datetime.timedelta(minutes=duration_minutes)
    if duration <= datetime.timedelta(0) or duration > MAX_DURATION:
        raise HearingError(_("The duration must be between 1 minute and 12 hours."), code="duration")
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, local_zone())
    if starts_at < timezone.now():
        raise HearingError(_("A hearing cannot be listed in the past."), code="past")
    ends_at = starts_at + duration
    check_sitting(court_id=case.court_id, starts_at=starts_at, ends_at=ends_at)
    return ends_at


def _refuse_conflicts(
    *,
    case: Case,
    room: Room,
    judge: User,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    exclude: Hearing | None,
) -> None:
    lawyers = case_counsel(case)
    conflicts = find_conflicts(
        room=room, judge=judge, lawyers=lawyers, starts_at=starts_at, ends_at=ends_at, exclude=exclude
    )
    if conflicts:
        raise ConflictError(
            conflicts=conflicts,
            proposals=next_free_slots(
                court_id=case.court_id,
                room=room,
                judge=judge,
                lawyers=lawyers,
                after=starts_at,
                duration=ends_at - starts_at,
                exclude=exclude,
            ),
        )


def _on_commit(hook: Callable[[], object]) -> None:
    transaction.on_commit(hook, robust=True)


def hearing_list(
    *,
    case: Case,
    actor: User,
    room: Room,
    judge: User,
    starts_at: datetime.datetime,
    duration_minutes: int,
    to_bring: str = "",
    hearing: Hearing | None = None,
    note: str = "",
) -> Hearing:
    """List ``case`` for a hearing, or relist/move ``hearing`` (requested, postponed or listed) to a new slot.

    Refused with :class:`ConflictError` when the room, the judge or a counsel of the case is taken (the database
    has the last word when two clerks book at once); the error proposes the next free slots.
    """
    if not permissions.can_list_hearings(actor, case):
        raise HearingError(_("Only the court’s clerks list hearings of its open cases."), code="forbidden")
    if hearing is not None and (
        hearing.case_id != case.pk
        or hearing.status not in (Hearing.Status.REQUESTED, Hearing.Status.POSTPONED, Hearing.Status.LISTED)
    ):
        raise HearingError(_("This hearing can no longer be listed."), code="status")
    ends_at = _validate_slot(case=case, room=room, judge=judge, starts_at=starts_at, duration_minutes=duration_minutes)
    if timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at, local_zone())
    _refuse_conflicts(case=case, room=room, judge=judge, starts_at=starts_at, ends_at=ends_at, exclude=hearing)
    now = timezone.now()
    try:
        with transaction.atomic():
            if hearing is None:
                hearing = Hearing.objects.create(
                    case=case,
                    room=room,
                    judge=judge,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    status=Hearing.Status.LISTED,
                    to_bring=to_bring,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                )
                kind = HearingEvent.Kind.LISTED
            else:
                locked = Hearing.objects.select_for_update().get(pk=hearing.pk)
                kind = HearingEvent.Kind.CHANGED if locked.status == Hearing.Status.LISTED else HearingEvent.Kind.LISTED
                hearing.room, hearing.judge, hearing.starts_at, hearing.ends_at = room, judge, starts_at, ends_at
                hearing.status = Hearing.Status.LISTED
                hearing.to_bring = to_bring or locked.to_bring
                hearing.sequence = locked.sequence + 1
                hearing.updated_at = now
                hearing.save(
                    update_fields=[
                        "room",
                        "judge",
                        "starts_at",
                        "ends_at",
                        "status",
                        "to_bring",
                        "sequence",
                        "updated_at",
                    ]
                )
            _sync_counsel(hearing)
            summary = _("%(start)s to %(end)s, room “%(room)s”, judge %(judge)s") % {
                "start": _fmt(starts_at),
                "end": _fmt(ends_at, "%H:%M"),
                "room": room.name,
                "judge": judge,
            }
            _event(hearing, kind, actor, f"{summary}. {note}".strip() if note else str(summary))
    except IntegrityError:
        # Another clerk took the slot between the check and the write: explain it as the check would have.
        logger.info("hearing listing for case %s refused by the database (concurrent booking)", case.pk)
        _refuse_conflicts(
            case=case,
            room=room,
            judge=judge,
            starts_at=starts_at,
            ends_at=ends_at,
            exclude=hearing if hearing and hearing.pk else None,
        )
        raise HearingError(
            _("This slot was just taken. Reload the agenda and choose another."), code="conflict"
        ) from None
    listed = hearing
    _on_commit(
        lambda: (
            notifications.notify_hearing_listed
            if kind == HearingEvent.Kind.LISTED
            else notifications.notify_hearing_changed
        )(listed)
    )
    logger.info("hearing %s of case %s listed by user %s", hearing.pk, case.pk, actor.pk)
    return hearing


# --- Hearing requests -----------------------------------------------------------------------------------------------


def hearing_request(
    *,
    case: Case,
    actor: User,
    purpose: str,
    estimated_minutes: int,
    wished_before: datetime.date | None = None,
    notes: str = "",
) -> Hearing:
    """Record that ``case`` needs a hearing (court staff): it waits in the court's "to be listed" list until a clerk
    lists it (:func:`hearing_list`). The parties are not told before it is listed."""
    if not permissions.can_request_hearing(actor, case):
        raise HearingError(
            _("Only the court’s clerks and judges request hearings of its open cases."), code="forbidden"
        )
    if purpose not in Hearing.Purpose.values:
        raise HearingError(_("Choose the purpose of the hearing."), code="purpose")
    if not 5 <= estimated_minutes <= MAX_DURATION.total_seconds() // 60:
        raise HearingError(_("The duration must be between 5 minutes and 12 hours."), code="duration")
    if wished_before is not None and wished_before < timezone.localdate():
        raise HearingError(_("The date before which the hearing should be held is already past."), code="past")
    with transaction.atomic():
        hearing = Hearing.objects.create(
            case=case,
            status=Hearing.Status.REQUESTED,
            purpose=purpose,
            estimated_minutes=estimated_minutes,
            wished_before=wished_before,
            request_notes=notes.strip(),
            created_by=actor,
        )
        _event(hearing, HearingEvent.Kind.REQUESTED, actor, str(Hearing.Purpose(purpose).label))
    logger.info("hearing %s of case %s requested by user %s", hearing.pk, case.pk, actor.pk)
    return hearing


def hearing_request_cancel(*, hearing: Hearing, actor: User, reason: str) -> Hearing:
    """Withdraw a request that was never listed (court staff), with a reason kept on the timeline. The parties were
    never told of it, so they are not told of its end."""
    if not permissions.can_request_hearing(actor, hearing.case):
        raise HearingError(_("Only the court’s clerks and judges cancel hearing requests."), code="forbidden")
    reason = reason.strip()
    if not reason:
        raise HearingError(_("Give the reason for cancelling the request."), code="reason")
    with transaction.atomic():
        updated = Hearing.objects.filter(pk=hearing.pk, status=Hearing.Status.REQUESTED).update(
            status=Hearing.Status.CANCELLED, updated_at=timezone.now()
        )
        if not updated:
            raise HearingError(_("Only a hearing request not yet listed can be cancelled this way."), code="status")
        hearing.refresh_from_db()
        _event(hearing, HearingEvent.Kind.CANCELLED, actor, reason)
    logger.info("hearing request %s cancelled by user %s", hearing.pk, actor.pk)
    return hearing


_TRANSITIONS: dict[str, tuple[tuple[str, ...], str]] = {
    Hearing.Status.POSTPONED: ((Hearing.Status.LISTED,), HearingEvent.Kind.POSTPONED),
    # A request never listed is cancelled by hearing_request_cancel: the parties were never told of it.
    Hearing.Status.CANCELLED: ((Hearing.Status.LISTED, Hearing.Status.POSTPONED), HearingEvent.Kind.CANCELLED),
    Hearing.Status.HELD: ((Hearing.Status.LISTED,), HearingEvent.Kind.HELD),
    Hearing.Status.CLOSED: ((Hearing.Status.HELD,), HearingEvent.Kind.CLOSED),
}


def hearing_transition(*, hearing: Hearing, to: str, actor: User, reason: str = "") -> Hearing:
    """Postpone, cancel, mark held or close a hearing (clerks of the court). A reason is required to postpone or
    cancel: the parties are told."""
    if not permissions.is_clerk_of(actor, hearing.case.court_id):
        raise HearingError(_("Only the court’s clerks change hearings."), code="forbidden")
    expected, kind = _TRANSITIONS[to]
    reason = reason.strip()
    if to in (Hearing.Status.POSTPONED, Hearing.Status.CANCELLED) and not reason:
        raise HearingError(_("Give the reason: the parties are told."), code="reason")
    with transaction.atomic():
        updated = Hearing.objects.filter(pk=hearing.pk, status__in=expected).update(
            status=to, sequence=hearing.sequence + 1, updated_at=timezone.now()
        )
        if not updated:
            raise HearingError(
                _("This hearing is now “%(status)s”: it cannot be changed that way.")
                % {"status": Hearing.Status(Hearing.objects.get(pk=hearing.pk).status).label},
                code="status",
            )
        hearing.refresh_from_db()
        _sync_counsel(hearing)
        _event(hearing, kind, actor, reason)
    changed = hearing
    _on_commit(
        lambda: (
            notifications.notify_hearing_cancelled
            if to == Hearing.Status.CANCELLED
            else notifications.notify_hearing_changed
        )(changed)
    )
    return hearing


# --- Postponement requests ------------------------------------------------------------------------------------------


def postponement_request(*, hearing: Hearing, actor: User, reasons: str) -> PostponementRequest:
    """A party or counsel asks for a listed hearing to be postponed. Exhibits are not attached here: the exhibits
    model is not in this branch."""
    if not permissions.can_request_postponement(actor, hearing.case):
        raise HearingError(_("Only the parties and their counsel may ask for a postponement."), code="forbidden")
    if hearing.status != Hearing.Status.LISTED or not hearing.is_upcoming:
        raise HearingError(_("Only an upcoming listed hearing can be postponed."), code="status")
    reasons = reasons.strip()
    if len(reasons) < 10:
        raise HearingError(_("Explain why the hearing should be postponed (at least 10 characters)."), code="reasons")
    try:
        with transaction.atomic():
            request = PostponementRequest.objects.create(hearing=hearing, requested_by=actor, reasons=reasons)
            _event(hearing, HearingEvent.Kind.POSTPONEMENT_REQUESTED, actor, reasons)
    except IntegrityError:
        raise HearingError(
            _("You have already asked for this hearing to be postponed; the court has not decided yet."),
            code="duplicate",
        ) from None
    _on_commit(lambda: notifications.notify_postponement_requested(request))
    return request


def _decide(request: PostponementRequest, *, actor: User, to: str, reason: str) -> None:
    updated = PostponementRequest.objects.filter(pk=request.pk, status=PostponementRequest.Status.PENDING).update(
        status=to, decided_by=actor, decided_at=timezone.now(), decision_reason=reason
    )
    if not updated:
        raise HearingError(_("This request has already been decided."), code="status")
    request.refresh_from_db()


def postponement_refuse(*, request: PostponementRequest, actor: User, reason: str) -> PostponementRequest:
    hearing = request.hearing
    if not permissions.can_decide_postponement(actor, hearing.case):
        raise HearingError(_("Only the court’s clerks and judges decide on postponements."), code="forbidden")
    reason = reason.strip()
    if not reason:
        raise HearingError(_("Give the reason for refusing: the parties are told."), code="reason")
    with transaction.atomic():
        _decide(request, actor=actor, to=PostponementRequest.Status.REFUSED, reason=reason)
        _event(hearing, HearingEvent.Kind.POSTPONEMENT_REFUSED, actor, reason)
    _on_commit(lambda: notifications.notify_postponement_decided(request))
    return request


def postponement_grant(
    *,
    request: PostponementRequest,
    actor: User,
    reason: str = "",
    room: Room | None = None,
    judge: User | None = None,
    starts_at: datetime.datetime | None = None,
    duration_minutes: int | None = None,
) -> PostponementRequest:
    """Grant: the hearing is postponed and, when a new slot is given (clerks only), relisted there with the conflict
    checks, all or nothing. Without a slot it stays postponed until a clerk lists it again."""
    hearing = request.hearing
    case = hearing.case
    if not permissions.can_decide_postponement(actor, case):
        raise HearingError(_("Only the court’s clerks and judges decide on postponements."), code="forbidden")
    with transaction.atomic():
        _decide(request, actor=actor, to=PostponementRequest.Status.GRANTED, reason=reason.strip())
        _event(hearing, HearingEvent.Kind.POSTPONEMENT_GRANTED, actor, reason.strip())
        Hearing.objects.filter(pk=hearing.pk, status=Hearing.Status.LISTED).update(
            status=Hearing.Status.POSTPONED, sequence=hearing.sequence + 1, updated_at=timezone.now()
        )
        hearing.refresh_from_db()
        _sync_counsel(hearing)
        _event(hearing, HearingEvent.Kind.POSTPONED, actor, reason.strip())
        if starts_at is not None:
            hearing_list(
                case=case,
                actor=actor,
                room=room or hearing.room,  # type: ignore[arg-type]
                judge=judge or hearing.judge,  # type: ignore[arg-type]
                starts_at=starts_at,
                duration_minutes=duration_minutes or hearing.duration_minutes,
                hearing=hearing,
            )
        # Close the other pending requests on the same hearing: they are answered by this decision.
        PostponementRequest.objects.filter(hearing=hearing, status=PostponementRequest.Status.PENDING).update(
            status=PostponementRequest.Status.GRANTED,
            decided_by=actor,
            decided_at=timezone.now(),
            decision_reason=reason,
        )
    _on_commit(lambda: notifications.notify_postponement_decided(request))
    if starts_at is None:
        postponed = hearing
        _on_commit(lambda: notifications.notify_hearing_changed(postponed))
    return request


# --- Calendar feeds -------------------------------------------------------------------------------------------------


def calendar_feed_create(*, user: User) -> str:
    """A new private feed address for ``user`` (the previous one stops working). The token is returned once and
    only its hash is kept."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
        CalendarFeed.objects.create(user=user, token_hash=hash_feed_token(token))
    logger.info("calendar feed (re)generated for user %s", user.pk)
    return token


def calendar_feed_revoke(*, user: User) -> int:
    revoked = CalendarFeed.objects.filter(user=user, revoked_at__isnull=True).update(revoked_at=timezone.now())
    logger.info("calendar feed revoked for user %s", user.pk)
    return revoked


# --- Case bundles ---------------------------------------------------------------------------------------------------


def case_bundle_request(*, case: Case, actor: User) -> CaseBundle:
    """Queue the build of the case bundle (a Celery task, through the outbox: queued even if the broker is down
    when the clerk asks); the page follows its progress. The build seals the bundle and marks it ready in one
    transaction, so a task redelivered after a crash either finds it ready or builds it from the start."""
    if not permissions.can_build_bundle(actor, case):
        raise HearingError(_("Only the court’s clerks and judges build case bundles."), code="forbidden")
    if CaseBundle.objects.filter(case=case, status__in=(CaseBundle.Status.QUEUED, CaseBundle.Status.BUILDING)).exists():
        raise HearingError(_("A bundle of this case is already being built."), code="busy")
    with transaction.atomic():
        bundle = CaseBundle.objects.create(case=case, requested_by=actor)
        outbox_enqueue(task="hearings.tasks.build_case_bundle", args=[bundle.pk])
    return bundle
