"""Postponement requests (asked by a party or counsel, decided by the court, all on the timeline) and calendar files:
``.ics`` that parse back with a stable UID, a growing SEQUENCE, CANCEL on cancellation, Europe/Paris with VTIMEZONE;
the private feed, whose address is stored hashed and can be revoked or regenerated."""

from __future__ import annotations

import icalendar
import pytest
from django.test import Client
from django.urls import reverse

from hearings import notifications, services
from hearings.models import CalendarFeed, Hearing, PostponementRequest
from tests.accounts.factories import UserFactory
from tests.hearings.conftest import Court, court_case, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def hearing(court: Court) -> Hearing:
    case = court_case(court.j, lawyer=court.j.lawyer)
    return services.hearing_list(
        case=case, actor=court.j.clerk, room=court.room_a, judge=court.j.judge, starts_at=next_monday(10),
        duration_minutes=60, to_bring="Pièce d’identité",
    )  # fmt: skip


def party_of(hearing: Hearing):
    return hearing.case.parties.get(role="claimant").user


def test_counsel_asks_the_others_are_told_the_judge_refuses(court: Court, hearing: Hearing) -> None:
    request = services.postponement_request(
        hearing=hearing, actor=court.j.lawyer, reasons="Je plaide ailleurs ce jour."
    )
    # The other people of the case are told; the requester is not.
    told = notifications.notify_postponement_requested(request)
    assert party_of(hearing) in told and court.j.lawyer not in told
    with pytest.raises(services.HearingError):
        services.postponement_request(hearing=hearing, actor=court.j.lawyer, reasons="Une seconde fois, même motif.")
    with pytest.raises(services.HearingError):
        services.postponement_refuse(request=request, actor=court.j.judge, reason="")
    for outsider in (UserFactory(), court.j.lawyer, court.j.prosecutor):
        with pytest.raises(services.HearingError):
            services.postponement_refuse(request=request, actor=outsider, reason="Non.")
    services.postponement_refuse(request=request, actor=court.j.judge, reason="Motif insuffisant.")
    request.refresh_from_db()
    assert request.status == PostponementRequest.Status.REFUSED and request.decided_by == court.j.judge
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.LISTED
    assert [e.kind for e in hearing.events.all()] == ["listed", "postponement_requested", "postponement_refused"]


def test_strangers_cannot_ask(court: Court, hearing: Hearing) -> None:
    for someone in (UserFactory(), court.j.clerk, court.j.judge):
        with pytest.raises(services.HearingError):
            services.postponement_request(hearing=hearing, actor=someone, reasons="Je ne suis pas partie.")
    with pytest.raises(services.HearingError):
        services.postponement_request(hearing=hearing, actor=party_of(hearing), reasons="court")


def test_grant_relists_with_the_conflict_checks(court: Court, hearing: Hearing) -> None:
    blocker = services.hearing_list(
        case=court_case(court.j), actor=court.j.clerk, room=court.room_a, judge=court.judge2,
        starts_at=next_monday(10, weeks=2), duration_minutes=60,
    )  # fmt: skip
    request = services.postponement_request(hearing=hearing, actor=party_of(hearing), reasons="Hospitalisation prévue.")
    with pytest.raises(services.ConflictError) as refused:
        services.postponement_grant(
            request=request,
            actor=court.j.clerk,
            reason="Justifié",
            starts_at=next_monday(10, weeks=2),
            duration_minutes=60,
        )
    assert "Salle A" in refused.value.conflicts[0]
    # All or nothing: still pending, still listed at its first date.
    request.refresh_from_db()
    hearing.refresh_from_db()
    assert request.status == PostponementRequest.Status.PENDING and hearing.status == Hearing.Status.LISTED
    services.postponement_grant(
        request=request, actor=court.j.clerk, reason="Justifié", starts_at=blocker.ends_at, duration_minutes=60
    )
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.LISTED and hearing.starts_at == blocker.ends_at
    assert [e.kind for e in hearing.events.all()] == [
        "listed", "postponement_requested", "postponement_granted", "postponed", "listed",
    ]  # fmt: skip
    assert hearing.sequence == 2


def test_grant_without_a_new_date_leaves_it_postponed(court: Court, hearing: Hearing) -> None:
    request = services.postponement_request(hearing=hearing, actor=party_of(hearing), reasons="Hospitalisation prévue.")
    services.postponement_grant(request=request, actor=court.j.judge, reason="Accordé")
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.POSTPONED
    assert not hearing.counsel_bookings.filter(active=True).exists()


def _event(data: bytes) -> tuple[icalendar.Calendar, icalendar.cal.Component]:
    calendar = icalendar.Calendar.from_ical(data)
    events = list(calendar.walk("VEVENT"))
    assert len(events) == 1
    return calendar, events[0]


def test_ics_parses_back_with_stable_uid_growing_sequence_and_cancel(court: Court, hearing: Hearing) -> None:
    client = Client()
    client.force_login(party_of(hearing))
    url = reverse("hearings:ics", args=[hearing.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    calendar, first = _event(response.content)
    assert str(calendar["METHOD"]) == "PUBLISH"
    timezones = list(calendar.walk("VTIMEZONE"))
    assert [str(tz["TZID"]) for tz in timezones] == ["Europe/Paris"]
    assert first["DTSTART"].params["TZID"] == "Europe/Paris"
    assert first.decoded("DTSTART") == next_monday(10)
    assert first.decoded("DTEND") == next_monday(11)
    assert "Salle A" in str(first["LOCATION"]) and "Pièce d’identité" in str(first["DESCRIPTION"])
    assert first.decoded("SEQUENCE") == 0

    services.hearing_list(
        case=hearing.case, actor=court.j.clerk, room=court.room_b, judge=court.j.judge, starts_at=next_monday(14),
        duration_minutes=30, hearing=hearing,
    )  # fmt: skip
    _calendar, moved = _event(client.get(url).content)
    assert str(moved["UID"]) == str(first["UID"])
    assert moved.decoded("SEQUENCE") == 1 and moved.decoded("DTSTART") == next_monday(14)

    hearing.refresh_from_db()
    services.hearing_transition(hearing=hearing, to=Hearing.Status.CANCELLED, actor=court.j.clerk, reason="Radiation")
    calendar, cancelled = _event(client.get(url).content)
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(cancelled["STATUS"]) == "CANCELLED" and str(cancelled["UID"]) == str(first["UID"])
    assert cancelled.decoded("SEQUENCE") == 2


def test_feed_token_hashed_revocable_and_regenerable(court: Court, hearing: Hearing) -> None:
    lawyer = court.j.lawyer
    client = Client()
    client.force_login(lawyer)
    response = client.post(reverse("hearings:feed_settings"), {"action": "create"})
    feed_url = response.context["feed_url"]
    token = feed_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert not CalendarFeed.objects.filter(token_hash=token).exists()  # only the hash is stored
    anonymous = Client()
    response = anonymous.get(reverse("hearings:feed", args=[token]))
    assert response.status_code == 200
    calendar = icalendar.Calendar.from_ical(response.content)
    assert [str(e["UID"]) for e in calendar.walk("VEVENT")] == [f"{hearing.uid}@audiences.justice.local"]
    assert anonymous.get(reverse("hearings:feed", args=["not-a-token"])).status_code == 404

    response = client.post(reverse("hearings:feed_settings"), {"action": "create"})
    new_token = response.context["feed_url"].rsplit("/", 1)[1].removesuffix(".ics")
    assert anonymous.get(reverse("hearings:feed", args=[token])).status_code == 404
    assert anonymous.get(reverse("hearings:feed", args=[new_token])).status_code == 200

    client.post(reverse("hearings:feed_settings"), {"action": "revoke"})
    assert anonymous.get(reverse("hearings:feed", args=[new_token])).status_code == 404
    assert CalendarFeed.objects.filter(user=lawyer, revoked_at__isnull=True).count() == 0


def test_feed_of_someone_else_shows_nothing_of_this_case(court: Court, hearing: Hearing) -> None:
    token = services.calendar_feed_create(user=UserFactory())
    calendar = icalendar.Calendar.from_ical(Client().get(reverse("hearings:feed", args=[token])).content)
    assert list(calendar.walk("VEVENT")) == []
    # The judge's feed holds the hearings they preside.
    token = services.calendar_feed_create(user=court.j.judge)
    calendar = icalendar.Calendar.from_ical(Client().get(reverse("hearings:feed", args=[token])).content)
    assert len(list(calendar.walk("VEVENT"))) == 1
    assert hearing.duration_minutes == 60
