"""Each role's dashboard lists the real filings and cases where they now exist (numbers, kinds, dates: no one else's
names, which stay on pages whose reads are recorded), and the demo data routes the demo town."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.test import Client

from filings import services
from filings.models import Filing, PostcodeRoute
from justice.audit.models import AccessEvent
from tests.filings.factories import civil_sections, criminal_sections, draft, submitted

pytestmark = pytest.mark.django_db

from tests.evidence.conftest import evidence_dirs  # noqa: E402, F401  (fixture: a private store per test)


def page(client: Client, user, url: str = "/dashboard/") -> str:
    client.force_login(user)
    return client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_a_citizen_sees_their_filings_and_cases(client: Client, place, citizen) -> None:
    assert "You have no case yet" in page(client, citizen)
    referral = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=referral, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    pending = draft(filer=citizen)
    body = page(client, citizen)
    assert "You have no case yet" not in body
    assert Filing.objects.get(pk=referral.pk).case.reference in body  # type: ignore[union-attr]
    assert f"/filings/{pending.pk}/" in body
    assert "File a pre-complaint" in body


def test_a_clerk_sees_how_many_filings_wait_without_names(client: Client, place, citizen) -> None:
    assert "No filing is waiting for review" in page(client, place.clerk)
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    submitted(filer=citizen, sections=criminal_sections())  # to the police unit, not the court
    body = page(client, place.clerk)
    assert "Waiting for review: 1" in body and f"/filings/{filing.pk}/review/" in body
    # The full name: the clerk's own (random) name in the header may share a surname with the citizen.
    assert citizen.get_full_name() not in body and citizen.email not in body
    assert f"/filings/received/{place.court.pk}/" in body
    assert not AccessEvent.objects.exists()


def test_the_police_see_their_units_pre_complaints(client: Client, place, elsewhere, citizen) -> None:
    submitted(filer=citizen, sections=criminal_sections())
    assert "Pre-complaints waiting for an appointment: 1" in page(client, place.police)
    assert "No pre-complaint for your unit" in page(client, elsewhere.police)


def test_judges_clerks_and_prosecutors_see_their_court_or_offices_cases(
    client: Client, place, elsewhere, citizen
) -> None:
    referral = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    complaint = submitted(filer=citizen, kind=Filing.Kind.COMPLAINT, sections=criminal_sections())
    services.filing_review(filing=referral, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    services.filing_review(filing=complaint, actor=place.office_clerk, decision=Filing.Decision.ACCEPTED)
    civil_ref = Filing.objects.get(pk=referral.pk).case.reference  # type: ignore[union-attr]
    criminal_ref = Filing.objects.get(pk=complaint.pk).case.reference  # type: ignore[union-attr]
    judge = page(client, place.judge)
    assert civil_ref in judge and criminal_ref not in judge and "No hearing is scheduled for you" in judge
    prosecutor = page(client, place.prosecutor)
    assert criminal_ref in prosecutor and civil_ref not in prosecutor
    assert civil_ref not in page(client, elsewhere.judge)
    # The clerk finds the court's cases below the queue, and goes from there to their hearings and decisions.
    clerk = page(client, place.clerk)
    assert civil_ref in clerk and criminal_ref not in clerk
    assert criminal_ref in page(client, place.office_clerk)
    assert civil_ref not in page(client, elsewhere.clerk)


def test_a_lawyer_sees_the_clients_case(client: Client, place, citizen) -> None:
    assert "You represent no client yet" in page(client, place.lawyer)
    filing = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=citizen,
        bar=place.bar,
    )
    assert f"/filings/{filing.pk}/" in page(client, place.lawyer)
    services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    assert Filing.objects.get(pk=filing.pk).case.reference in page(client, place.lawyer)  # type: ignore[union-attr]


@pytest.mark.usefixtures("evidence_dirs")
def test_seed_demo_routes_the_demo_town_and_a_demo_citizen_can_file(client: Client, settings) -> None:
    settings.DEMO = True
    call_command("seed_demo")
    call_command("seed_demo")
    route = PostcodeRoute.objects.get(postcode="45000", commune="")
    assert (route.police_unit.code, route.prosecutor_office.code) == ("CP-DEMO", "PR-DEMO")  # type: ignore[union-attr]
    from justice.accounts.models import User

    citizen = User.objects.get(email="citoyen@demo.justice.localhost")
    filing = submitted(filer=citizen, sections=criminal_sections(), level="low")
    assert filing.recipient == route.police_unit


def test_court_staff_reach_the_hearings_agenda_and_the_counter_from_their_space(client: Client, place) -> None:
    agenda = f'href="/hearings/courts/{place.court.pk}/agenda/"'
    client.force_login(place.clerk)
    page = client.get("/dashboard/").content.decode()
    assert agenda in page and 'href="/filings/assisted/new/"' in page
    assert client.get(f"/hearings/courts/{place.court.pk}/agenda/").status_code == 200
    client.force_login(place.judge)
    assert agenda in client.get("/dashboard/").content.decode()
    # The clerk of a prosecutor's office has neither.
    client.force_login(place.office_clerk)
    assert "/hearings/courts/" not in client.get("/dashboard/").content.decode()
