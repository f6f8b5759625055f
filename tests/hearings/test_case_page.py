"""The case's page (with its hearings section) runs the same queries whatever the number of its parties, filings,
hearings and decisions, and shows each of them: counsel with the client they represent, hearings with their room."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from filings.models import Party
from hearings import decisions, services
from tests.accounts.factories import UserFactory
from tests.hearings.conftest import Court, court_case, next_monday

pytestmark = pytest.mark.django_db

# The session, its user and roles (middleware), the case, its parties, its registered filings, the access-log insert,
# its hearings, its decisions and the hearings' events (only when there are hearings); the bell's unread count is in
# the cache after the first request. Counsel's access is checked through the mandate (one query) and so is whether
# they may file into the case (another).
CASE_PAGE_QUERIES = 10
COUNSEL_QUERIES = CASE_PAGE_QUERIES + 2
CLERK_QUERIES = CASE_PAGE_QUERIES + 1  # the clerk builds the case bundle: its last bundles are listed


def enlarge(court: Court, case, *, n: int) -> None:
    """``n`` more parties (one with an account, represented by counsel) and ``n`` hearings, one decision per hearing."""
    for i in range(n):
        person = UserFactory()
        client_party = Party.objects.create(case=case, role=Party.Role.CLAIMANT, user=person)
        counsel = UserFactory()
        Party.objects.create(
            case=case, role=Party.Role.COUNSEL, user=counsel, organisation=court.j.bar, represents=client_party
        )
        services.hearing_list(
            case=case,
            actor=court.j.clerk,
            room=court.room_a if i % 2 else court.room_b,
            judge=court.j.judge,
            starts_at=next_monday(at=9 + i % 6, weeks=1 + i // 6),
            duration_minutes=30,
            to_bring="Convocation et carte",
        )
        draft = decisions.decision_generate(
            case=case,
            actor=court.j.judge,
            fields=decisions.TemplateFields(title=f"Jugement {i}", reasons="Motifs.", operative_part="Dispositif."),
        )
        decisions.decision_issue(decision=draft, actor=court.j.clerk)


def case_page(user, case) -> tuple[str, int]:
    client = Client()
    client.force_login(user)
    url = reverse("filings:case", args=[case.pk])
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")  # the session's first request records it and its language
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode(), len(queries.captured_queries)


@pytest.mark.parametrize("more", [1, 4])
def test_the_case_page_runs_the_same_queries_whatever_its_rows(court: Court, more: int) -> None:
    party_user = UserFactory(first_name="Camille", last_name="Martin")
    case = court_case(court.j, party_user=party_user, lawyer=court.j.lawyer)
    enlarge(court, case, n=more)
    for reader, expected in (
        (party_user, CASE_PAGE_QUERIES),
        (court.j.lawyer, COUNSEL_QUERIES),
        (court.j.clerk, CLERK_QUERIES),
    ):
        body, queries = case_page(reader, case)
        assert queries == expected, reader
        assert f"for {party_user}" in body  # the counsel's line names the client, linked from the parties read
        assert "Salle B" in body and ("Salle A" in body) == (more > 1)  # the rooms of the hearings listed
        assert "Next hearing" in body and "Convocation et carte" in body
        assert "Jugement 0" in body and f"Jugement {more - 1}" in body


def test_a_case_without_hearings_or_decisions_reads_neither(court: Court) -> None:
    """Whether the case has any is read with the case: most have none yet, and their page asks no more."""
    party_user = UserFactory()
    case = court_case(court.j, party_user=party_user)
    Party.objects.create(case=case, role=Party.Role.RESPONDENT, user=UserFactory())  # recorded as read, as above
    body, queries = case_page(party_user, case)
    assert queries == CASE_PAGE_QUERIES - 3  # no hearings, no hearing events, no decisions
    assert "No hearing has been listed yet." in body and "No decision has been issued yet." in body
    # A decision alone: the decisions are read, still no hearing.
    draft = decisions.decision_generate(
        case=case,
        actor=court.j.judge,
        fields=decisions.TemplateFields(title="Ordonnance", reasons="Motifs.", operative_part="Dispositif."),
    )
    decisions.decision_issue(decision=draft, actor=court.j.clerk)
    body, queries = case_page(party_user, case)
    assert queries == CASE_PAGE_QUERIES - 2
    assert "Ordonnance" in body and "No hearing has been listed yet." in body
    # A hearing too: both are read again, with the hearing's events.
    services.hearing_list(
        case=case,
        actor=court.j.clerk,
        room=court.room_a,
        judge=court.j.judge,
        starts_at=next_monday(at=10, weeks=1),
        duration_minutes=30,
        to_bring="",
    )
    body, queries = case_page(party_user, case)
    assert queries == CASE_PAGE_QUERIES
    assert "Next hearing" in body and "Salle A" in body and "Ordonnance" in body


def test_a_counsel_of_another_case_is_linked_to_the_client_by_a_query(court: Court) -> None:
    """Whom a counsel represents is normally a party of the same case; were it not, it is still shown."""
    party_user = UserFactory(first_name="Alix", last_name="Durand")
    case = court_case(court.j, party_user=party_user)
    other = court_case(court.j)
    client_elsewhere = other.parties.get(role=Party.Role.CLAIMANT)
    Party.objects.create(
        case=case, role=Party.Role.COUNSEL, user=court.j.lawyer, organisation=court.j.bar, represents=client_elsewhere
    )
    body, _ = case_page(party_user, case)
    assert f"for {client_elsewhere.display_name}" in body
