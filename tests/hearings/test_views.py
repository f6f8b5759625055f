"""Hearing pages role by role: parties and counsel of the case and the court's clerks and judges see the hearing;
only clerks list and change it; everyone else gets a 404. The agenda's queries do not grow with its hearings."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from hearings import services
from hearings.models import Hearing, PostponementRequest
from justice.accounts.models import Membership
from justice.audit.models import AccessEvent
from tests.accounts.factories import UserFactory, staff_member
from tests.filings.conftest import make_jurisdiction
from tests.hearings.conftest import Court, court_case, next_monday

pytestmark = pytest.mark.django_db


@pytest.fixture
def hearing(court: Court) -> Hearing:
    return services.hearing_list(
        case=court_case(court.j, lawyer=court.j.lawyer), actor=court.j.clerk, room=court.room_a, judge=court.j.judge,
        starts_at=next_monday(10), duration_minutes=60,
    )  # fmt: skip


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def people(court: Court, hearing: Hearing) -> dict[str, object]:
    elsewhere = make_jurisdiction("AILLEURS")
    return {
        "party": hearing.case.parties.get(role="claimant").user,
        "counsel": court.j.lawyer,
        "clerk": court.j.clerk,
        "judge": court.j.judge,
        "other_judge_same_court": court.judge2,
        "stranger": UserFactory(),
        "other_lawyer": staff_member(Membership.Role.LAWYER, organisation=court.j.bar).user,
        "other_court_clerk": elsewhere.clerk,
        "other_court_judge": elsewhere.judge,
        "police": court.j.police,
    }


SEES = {"party", "counsel", "clerk", "judge", "other_judge_same_court"}


def test_hearing_page_and_ics_role_by_role(court: Court, hearing: Hearing) -> None:
    for role, user in people(court, hearing).items():
        client = client_for(user)
        for url in (reverse("hearings:detail", args=[hearing.pk]), reverse("hearings:ics", args=[hearing.pk])):
            expected = 200 if role in SEES else 404
            assert client.get(url).status_code == expected, (role, url)


def test_case_page_shows_the_hearing_with_address_room_and_what_to_bring(court: Court, hearing: Hearing) -> None:
    court.j.court.address = "1 place de la Justice\n45000 Démo"
    court.j.court.save()
    page = client_for(hearing.case.parties.get(role="claimant").user).get(
        reverse("filings:case", args=[hearing.case.pk])
    )
    html = page.content.decode()
    assert "1 place de la Justice" in html and "Salle A" in html and "1er étage" in html
    assert reverse("hearings:ics", args=[hearing.pk]) in html
    assert reverse("hearings:list", args=[hearing.case.pk]) not in html  # parties do not list hearings


def test_only_clerks_list_and_change(court: Court, hearing: Hearing) -> None:
    for role, user in people(court, hearing).items():
        client = client_for(user)
        for url in (reverse("hearings:list", args=[hearing.case.pk]), reverse("hearings:change", args=[hearing.pk])):
            assert client.get(url).status_code == (200 if role == "clerk" else 404), (role, url)
        response = client.post(reverse("hearings:transition", args=[hearing.pk, "cancel"]), {"reason": "x"})
        assert response.status_code == (302 if role == "clerk" else 404), role
    hearing.refresh_from_db()
    assert hearing.status == Hearing.Status.CANCELLED


def test_listing_form_shows_the_conflict_and_the_next_slots(court: Court, hearing: Hearing) -> None:
    client = client_for(court.j.clerk)
    other = court_case(court.j)
    data = {
        "date": next_monday().date().isoformat(), "start": "10:30", "duration": "30",
        "room": court.room_a.pk, "judge": court.judge2.pk, "to_bring": "",
    }  # fmt: skip
    response = client.post(reverse("hearings:list", args=[other.pk]), data, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    html = response.content.decode()
    assert "Salle A" in html and hearing.case.reference in html
    assert response.context["proposals"][0] == next_monday(11)
    assert 'value="10:30"' in html  # what the clerk typed is kept
    data["start"] = "11:00"
    response = client.post(reverse("hearings:list", args=[other.pk]), data)
    assert response.status_code == 302
    assert Hearing.objects.filter(case=other, status=Hearing.Status.LISTED).count() == 1


def test_postponement_pages(court: Court, hearing: Hearing) -> None:
    party = hearing.case.parties.get(role="claimant").user
    url = reverse("hearings:postpone", args=[hearing.pk])
    assert client_for(UserFactory()).get(url).status_code == 404
    assert client_for(court.j.clerk).get(url).status_code == 404
    response = client_for(party).post(url, {"reasons": "court"})
    assert response.status_code == 400
    assert client_for(party).post(url, {"reasons": "Je serai à l’étranger."}).status_code == 302
    request = PostponementRequest.objects.get()
    decide = reverse("hearings:decide", args=[request.pk])
    for user in (party, court.j.lawyer, UserFactory(), make_jurisdiction("AILLEURS").judge):
        assert client_for(user).get(decide).status_code == 404
    judge = client_for(court.j.judge)
    assert judge.get(decide).status_code == 200
    assert judge.post(decide, {"decision": "refuse", "reason": ""}).status_code == 400
    assert judge.post(decide, {"decision": "refuse", "reason": "Non justifié"}).status_code == 302
    request.refresh_from_db()
    assert request.status == PostponementRequest.Status.REFUSED
    # The party sees in their access log that the judge read their request; their own reads are not recorded.
    client_for(party).get(reverse("hearings:detail", args=[hearing.pk]))
    assert set(
        AccessEvent.objects.filter(subject=party, object_type="hearings.hearing").values_list("actor", flat=True)
    ) == {court.j.judge.pk}
    timeline = client_for(party).get(reverse("filings:case", args=[hearing.case.pk])).content.decode()
    assert "Non justifié" in timeline and "Je serai à l’étranger." in timeline


def test_agenda_role_by_role_and_bounded_queries(court: Court, hearing: Hearing, django_assert_max_num_queries) -> None:
    url = reverse("hearings:agenda", args=[court.j.court.pk])
    for role, user in people(court, hearing).items():
        expected = 200 if role in {"clerk", "judge", "other_judge_same_court"} else 404
        assert client_for(user).get(url, {"day": next_monday().date().isoformat()}).status_code == expected, role
    client = client_for(court.j.clerk)
    day = next_monday().date().isoformat()
    client.get(url)  # the session's first request records it (allauth user sessions): not the agenda's cost
    with django_assert_max_num_queries(18):
        response = client.get(url, {"day": day, "span": "week"})
    assert len(response.context["hearings"]) == 1
    for n in range(8):
        services.hearing_list(
            case=court_case(court.j), actor=court.j.clerk, room=court.room_b if n % 2 else court.room_a,
            judge=court.judge2 if n % 2 else court.j.judge, starts_at=next_monday(11) + datetime.timedelta(days=n // 2),
            duration_minutes=45,
        )  # fmt: skip
        # Requests waiting to be listed: one more query for the list, whatever their number.
        services.hearing_request(case=court_case(court.j), actor=court.j.judge, purpose="merits", estimated_minutes=30)
    with django_assert_max_num_queries(18):
        response = client.get(url, {"day": day, "span": "week"})
    assert len(response.context["hearings"]) == 9
    with django_assert_max_num_queries(18):
        response = client.get(url, {"day": day, "span": "week", "room": str(court.room_b.pk)})
    assert {h.room_id for h in response.context["hearings"]} == {court.room_b.pk}
    response = client.get(url, {"day": day, "judge": str(court.j.judge.pk)})
    assert {h.judge_id for h in response.context["hearings"]} == {court.j.judge.pk}
    assert client.get(url, {"room": 999999}).status_code == 404


def test_docket_pdf(court: Court, hearing: Hearing) -> None:
    import io

    import pikepdf

    url = reverse("hearings:docket", args=[court.j.court.pk])
    assert client_for(UserFactory()).get(url).status_code == 404
    response = client_for(court.j.judge).get(url, {"day": next_monday().date().isoformat()})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    with pikepdf.open(io.BytesIO(response.content)) as pdf:
        assert len(pdf.pages) == 1
    assert response.content.startswith(b"%PDF")
