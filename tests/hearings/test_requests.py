"""Hearing requests: the court's staff record that a registered case needs a hearing (``requested``); it waits in
the agenda's "to be listed" list, oldest first, until a clerk lists it with the usual conflict checks; or it is
cancelled with a reason. The parties learn of it only once it is listed."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from filings.models import Case
from hearings import services
from hearings.models import Hearing, HearingEvent
from justice.accounts.models import User
from justice.notifications.models import Kind, Notification
from tests.accounts.factories import UserFactory
from tests.hearings.conftest import Court, court_case, next_monday

pytestmark = pytest.mark.django_db


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def request_form(**overrides: object) -> dict[str, object]:
    return {
        "purpose": Hearing.Purpose.MERITS,
        "estimated_minutes": 45,
        "wished_before": (timezone.localdate() + datetime.timedelta(days=40)).isoformat(),
        "notes": "Deux témoins à entendre.",
        **overrides,
    }


def test_a_judge_requests_a_clerk_lists_and_only_then_the_parties_are_told(
    court: Court, django_capture_on_commit_callbacks
) -> None:
    party = UserFactory()
    case = court_case(court.j, party_user=party, lawyer=court.j.lawyer)
    judge = signed_in(court.j.judge)
    with django_capture_on_commit_callbacks(execute=True):
        response = judge.post(reverse("hearings:request", args=[case.pk]), request_form())
    hearing = Hearing.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("hearings:detail", args=[hearing.pk])
    assert hearing.status == Hearing.Status.REQUESTED and hearing.created_by == court.j.judge
    assert (hearing.purpose, hearing.estimated_minutes, hearing.request_notes) == (
        "merits",
        45,
        "Deux témoins à entendre.",
    )
    assert hearing.starts_at is None and not hearing.counsel_bookings.exists()
    assert list(hearing.events.values_list("kind", flat=True)) == [HearingEvent.Kind.REQUESTED]
    assert not Notification.objects.exists()

    # The parties see nothing of it: not on the case page, not its own page, not in their calendar.
    for person in (party, court.j.lawyer):
        client = signed_in(person)
        assert client.get(reverse("hearings:detail", args=[hearing.pk])).status_code == 404
        page = client.get(reverse("filings:case", args=[case.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert reverse("hearings:detail", args=[hearing.pk]) not in page and "Hearing requested" not in page

    # The clerk lists it from the agenda's list, with the existing form prefilled with the estimated duration.
    clerk = signed_in(court.j.clerk)
    agenda = clerk.get(reverse("hearings:agenda", args=[court.j.court.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert reverse("hearings:change", args=[hearing.pk]) in agenda and "Hearing on the merits" in agenda
    form = clerk.get(reverse("hearings:change", args=[hearing.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert form.context["form"].initial["duration"] == 45 and "Deux témoins à entendre." in form.content.decode()
    start = next_monday(10)
    with django_capture_on_commit_callbacks(execute=True):
        listed = clerk.post(
            reverse("hearings:change", args=[hearing.pk]),
            {
                "date": start.date().isoformat(),
                "start": "10:00",
                "duration": 45,
                "room": court.room_a.pk,
                "judge": court.j.judge.pk,
                "to_bring": "",
            },
        )
    assert listed.status_code == 302
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.LISTED and hearing.starts_at == start
    assert hearing.pk not in [
        h.pk for h in clerk.get(reverse("hearings:agenda", args=[court.j.court.pk])).context["to_list"]
    ]
    told = set(Notification.objects.filter(kind=Kind.HEARING_LISTED).values_list("recipient", flat=True))
    assert told == {party.pk, court.j.lawyer.pk}
    assert signed_in(party).get(reverse("hearings:detail", args=[hearing.pk])).status_code == 200


def test_listing_a_request_keeps_the_conflict_checks(court: Court) -> None:
    taken = services.hearing_list(
        case=court_case(court.j),
        actor=court.j.clerk,
        room=court.room_a,
        judge=court.j.judge,
        starts_at=next_monday(10),
        duration_minutes=60,
    )
    case = court_case(court.j)
    request = services.hearing_request(case=case, actor=court.j.clerk, purpose="case_management", estimated_minutes=30)
    with pytest.raises(services.ConflictError) as refused:
        services.hearing_list(
            case=case,
            actor=court.j.clerk,
            room=court.room_a,
            judge=court.judge2,
            starts_at=next_monday(10, 30),
            duration_minutes=30,
            hearing=request,
        )
    assert taken.case.reference in refused.value.conflicts[0]
    request.refresh_from_db()
    assert request.status == Hearing.Status.REQUESTED


def test_the_to_be_listed_list_is_the_courts_oldest_first(court: Court) -> None:
    first = services.hearing_request(
        case=court_case(court.j), actor=court.j.clerk, purpose="merits", estimated_minutes=60
    )
    second = services.hearing_request(
        case=court_case(court.j), actor=court.j.judge, purpose="other", estimated_minutes=20
    )
    Hearing.objects.filter(pk=second.pk).update(created_at=first.created_at - datetime.timedelta(days=3))
    services.hearing_list(
        case=court_case(court.j),
        actor=court.j.clerk,
        room=court.room_a,
        judge=court.j.judge,
        starts_at=next_monday(),
        duration_minutes=60,
    )
    judge = signed_in(court.j.judge)
    page = judge.get(reverse("hearings:agenda", args=[court.j.court.pk]))
    assert [h.pk for h in page.context["to_list"]] == [second.pk, first.pk]
    # Judges see the list; only clerks list (the listing link is theirs).
    assert reverse("hearings:change", args=[first.pk]) not in page.content.decode()


def test_a_request_is_cancelled_with_a_reason_and_nobody_outside_the_court_is_told(
    court: Court, django_capture_on_commit_callbacks
) -> None:
    party = UserFactory()
    case = court_case(court.j, party_user=party)
    hearing = services.hearing_request(case=case, actor=court.j.clerk, purpose="interim", estimated_minutes=30)
    judge = signed_in(court.j.judge)
    url = reverse("hearings:request_cancel", args=[hearing.pk])
    judge.post(url, {"reason": "  "}, HTTP_ACCEPT_LANGUAGE="en")
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        response = judge.post(url, {"reason": "Les parties se sont désistées."})
    assert response.status_code == 302
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.CANCELLED
    assert hearing.events.filter(kind=HearingEvent.Kind.CANCELLED, note="Les parties se sont désistées.").exists()
    assert not Notification.objects.exists()
    # Cancelled requests leave the list; a listed hearing is not cancelled this way.
    assert not signed_in(court.j.clerk).get(reverse("hearings:agenda", args=[court.j.court.pk])).context["to_list"]
    with pytest.raises(services.HearingError):
        services.hearing_request_cancel(hearing=hearing, actor=court.j.clerk, reason="Encore")


def test_requests_are_for_the_courts_staff_and_open_cases_with_clear_errors(court: Court) -> None:
    case = court_case(court.j, lawyer=court.j.lawyer)
    for outsider in (court.j.lawyer, UserFactory()):
        assert signed_in(outsider).get(reverse("hearings:request", args=[case.pk])).status_code == 404
        with pytest.raises(services.HearingError):
            services.hearing_request(case=case, actor=outsider, purpose="merits", estimated_minutes=60)
    clerk = signed_in(court.j.clerk)
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    refused = clerk.post(
        reverse("hearings:request", args=[case.pk]),
        request_form(wished_before=past, estimated_minutes=3),
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    body = refused.content.decode()
    assert refused.status_code == 400 and "Deux témoins à entendre." in body
    assert "déjà passée" in body and not Hearing.objects.exists()
    # A closed case needs no hearing.
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    assert clerk.get(reverse("hearings:request", args=[case.pk])).status_code == 404
