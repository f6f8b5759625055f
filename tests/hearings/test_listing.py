"""Listing hearings: the court calendar, conflicts of room, judge and counsel refused with their reason and the next
free slots, the same rule held by the database itself, and the lifecycle of a hearing."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from hearings import services
from hearings.models import ClosedDay, CounselBooking, Hearing, HearingEvent, SittingHours
from tests.accounts.factories import UserFactory
from tests.hearings.conftest import Court, court_case, next_monday

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def listed(court: Court, case=None, *, room=None, judge=None, at=None, minutes=60) -> Hearing:
    return services.hearing_list(
        case=case or court_case(court.j),
        actor=court.j.clerk,
        room=room or court.room_a,
        judge=judge or court.j.judge,
        starts_at=at or next_monday(),
        duration_minutes=minutes,
    )


def test_listing_books_the_room_judge_and_counsel(court: Court) -> None:
    case = court_case(court.j, lawyer=court.j.lawyer)
    hearing = listed(court, case, minutes=90)
    assert hearing.status == Hearing.Status.LISTED
    assert hearing.duration_minutes == 90
    assert list(CounselBooking.objects.filter(hearing=hearing, active=True).values_list("lawyer", flat=True)) == [
        court.j.lawyer.pk
    ]
    assert list(hearing.events.values_list("kind", flat=True)) == [HearingEvent.Kind.LISTED]


def test_same_room_refused_with_the_conflict_named_and_next_slots(court: Court) -> None:
    first = listed(court, at=next_monday(10), minutes=60)
    with pytest.raises(services.ConflictError) as refused:
        listed(court, judge=court.judge2, at=next_monday(10, 30), minutes=60)
    assert len(refused.value.conflicts) == 1
    assert "Salle A" in refused.value.conflicts[0]
    assert first.case.reference in refused.value.conflicts[0]
    # Next free: right after the first hearing ends, on the 15-minute grid.
    assert refused.value.proposals[0] == next_monday(11)
    assert len(refused.value.proposals) == 3
    assert all(p >= next_monday(11) for p in refused.value.proposals)


def test_conflict_message_in_english_and_french(court: Court) -> None:
    listed(court)
    for language, expected in (("en", "is already taken"), ("fr", "est déjà occupée")):
        with translation.override(language), pytest.raises(services.ConflictError) as refused:
            listed(court, judge=court.judge2)
        assert expected in refused.value.conflicts[0]


def test_same_judge_refused(court: Court) -> None:
    listed(court, at=next_monday(14))
    with pytest.raises(services.ConflictError) as refused:
        listed(court, room=court.room_b, at=next_monday(14, 45))
    assert len(refused.value.conflicts) == 1
    assert str(court.j.judge) in refused.value.conflicts[0]


def test_same_counsel_in_another_case_refused(court: Court) -> None:
    lawyer = court.j.lawyer
    listed(court, court_case(court.j, lawyer=lawyer), at=next_monday(9))
    other = court_case(court.j, lawyer=lawyer)
    with pytest.raises(services.ConflictError) as refused:
        listed(court, other, room=court.room_b, judge=court.judge2, at=next_monday(9, 30))
    assert len(refused.value.conflicts) == 1
    assert str(lawyer) in refused.value.conflicts[0]
    # Counsel free again at 10:00: the next slot proposed.
    assert refused.value.proposals[0] == next_monday(10)
    # Without a common lawyer, the same slot is fine in another room with another judge.
    listed(court, court_case(court.j), room=court.room_b, judge=court.judge2, at=next_monday(9, 30))


def test_adjacent_hearings_do_not_conflict(court: Court) -> None:
    listed(court, at=next_monday(10))
    listed(court, at=next_monday(11))
    assert Hearing.objects.filter(status=Hearing.Status.LISTED).count() == 2


def test_sitting_hours_and_closed_days(court: Court) -> None:
    monday = next_monday().date()
    SittingHours.objects.create(court=court.j.court, weekday=0, opens=datetime.time(9), closes=datetime.time(12))
    SittingHours.objects.create(court=court.j.court, weekday=0, opens=datetime.time(14), closes=datetime.time(17))
    with translation.override("en"), pytest.raises(services.HearingError, match="sitting hours"):
        listed(court, at=next_monday(11, 30))
    listed(court, at=next_monday(14))
    ClosedDay.objects.create(court=court.j.court, date=monday + datetime.timedelta(days=7), reason="Pâques")
    with pytest.raises(services.HearingError, match="Pâques"):
        listed(court, at=next_monday(10, weeks=2))
    # Proposals skip the lunch break and closed days.
    listed(court, at=next_monday(9), minutes=180)
    with pytest.raises(services.ConflictError) as refused:
        listed(court, judge=court.judge2, at=next_monday(9))
    assert refused.value.proposals[0] == next_monday(15)


def test_only_the_court_clerks_list_and_only_its_rooms_and_judges(court: Court) -> None:
    case = court_case(court.j)
    for someone in (court.j.judge, court.j.office_clerk, court.j.lawyer, UserFactory()):
        with pytest.raises(services.HearingError):
            services.hearing_list(
                case=case,
                actor=someone,
                room=court.room_a,
                judge=court.j.judge,
                starts_at=next_monday(),
                duration_minutes=30,
            )
    with pytest.raises(services.HearingError):
        listed(court, case, judge=court.j.clerk)
    with pytest.raises(services.HearingError):
        listed(court, case, at=next_monday() - datetime.timedelta(days=30))


def test_database_refuses_overlaps_even_without_the_service(court: Court) -> None:
    hearing = listed(court, court_case(court.j, lawyer=court.j.lawyer))
    assert hearing.starts_at is not None and hearing.ends_at is not None
    fields: dict[str, Any] = {
        "case": court_case(court.j),
        "created_by": court.j.clerk,
        "status": Hearing.Status.LISTED,
        "starts_at": hearing.starts_at + datetime.timedelta(minutes=30),
        "ends_at": hearing.ends_at + datetime.timedelta(minutes=30),
    }
    for room, judge in ((court.room_a, court.judge2), (court.room_b, court.j.judge)):
        with pytest.raises(IntegrityError), transaction.atomic():
            Hearing.objects.create(room=room, judge=judge, **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        CounselBooking.objects.create(
            hearing=Hearing.objects.create(room=court.room_b, judge=court.judge2, **{**fields, "status": "postponed"}),
            lawyer=court.j.lawyer,
            starts_at=fields["starts_at"],
            ends_at=fields["ends_at"],
        )
    # Moving a hearing onto another by an update is refused too; a postponed one does not occupy its slot.
    other = Hearing.objects.create(room=court.room_a, judge=court.judge2, **{**fields, "status": "postponed"})
    with pytest.raises(IntegrityError), transaction.atomic():
        Hearing.objects.filter(pk=other.pk).update(status=Hearing.Status.LISTED)


def test_cancel_frees_the_slot_and_bumps_the_sequence(court: Court) -> None:
    hearing = listed(court, court_case(court.j, lawyer=court.j.lawyer))
    with pytest.raises(services.HearingError):
        services.hearing_transition(hearing=hearing, to=Hearing.Status.CANCELLED, actor=court.j.clerk, reason=" ")
    services.hearing_transition(hearing=hearing, to=Hearing.Status.CANCELLED, actor=court.j.clerk, reason="Désistement")
    assert hearing.status == Hearing.Status.CANCELLED
    assert hearing.sequence == 1
    assert not CounselBooking.objects.filter(hearing=hearing, active=True).exists()
    listed(court)  # the same slot, free again
    with pytest.raises(services.HearingError):
        services.hearing_transition(hearing=hearing, to=Hearing.Status.HELD, actor=court.j.clerk)


def test_relisting_moves_the_hearing_and_keeps_its_uid(court: Court) -> None:
    hearing = listed(court, court_case(court.j, lawyer=court.j.lawyer))
    uid = hearing.uid
    moved = services.hearing_list(
        case=hearing.case,
        actor=court.j.clerk,
        room=court.room_b,
        judge=court.j.judge,
        starts_at=next_monday(15),
        duration_minutes=30,
        hearing=hearing,
    )
    assert moved.uid == uid and moved.sequence == 1
    booking = CounselBooking.objects.get(hearing=hearing)
    assert booking.starts_at == next_monday(15) and booking.active
    # Its own old slot does not conflict with itself.
    services.hearing_list(
        case=hearing.case, actor=court.j.clerk, room=court.room_b, judge=court.j.judge, starts_at=next_monday(15, 15),
        duration_minutes=30, hearing=hearing,
    )  # fmt: skip
    assert [e.kind for e in hearing.events.all()] == ["listed", "changed", "changed"]
