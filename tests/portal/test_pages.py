"""Home page, role dashboards and the language switch."""

from __future__ import annotations

import pytest
from django.test import Client

from justice.accounts.models import Membership
from tests.accounts.factories import UserFactory, staff_member

pytestmark = pytest.mark.django_db


def test_the_home_page_is_french_first(client: Client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="fr"' in body
    assert "Créer un compte" in body


def test_the_home_page_switches_to_english(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en"' in body
    assert "What you can do here" in body


def test_the_dashboard_needs_a_sign_in(client: Client) -> None:
    assert client.get("/dashboard/")["Location"].startswith("/account/login/")


def test_citizens_see_their_cases_empty_state(client: Client) -> None:
    client.force_login(UserFactory())
    body = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have no case yet" in body


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (Membership.Role.CLERK, "No filing is waiting for review"),
        (Membership.Role.JUDGE, "No hearing is scheduled for you"),
        (Membership.Role.PROSECUTOR, "No police procedure is waiting"),
        (Membership.Role.POLICE_OFFICER, "No pre-complaint for your unit"),
        (Membership.Role.LAWYER, "You represent no client yet"),
        (Membership.Role.ORGANISATION_ADMIN, "Manage members"),
    ],
)
def test_each_role_has_its_dashboard_section(client: Client, role: str, expected: str) -> None:
    member = staff_member(role)
    client.force_login(member.user)
    body = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert expected in body
    assert member.organisation.name in body
    assert "You have no case yet" not in body


def test_someone_with_two_memberships_sees_both(client: Client) -> None:
    clerk = staff_member(Membership.Role.CLERK)
    staff_member(Membership.Role.ORGANISATION_ADMIN, organisation=clerk.organisation).delete()
    Membership.objects.create(user=clerk.user, organisation=clerk.organisation, role=Membership.Role.ORGANISATION_ADMIN)
    client.force_login(clerk.user)
    body = client.get("/dashboard/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "No filing is waiting for review" in body and "Manage members" in body


def test_the_accessibility_statement_is_public(client: Client) -> None:
    response = client.get("/accessibility/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Accessibility statement" in response.content.decode()


def test_a_missing_page_answers_a_translated_404(client: Client, settings) -> None:
    response = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 404
    assert "Page non trouvée" in response.content.decode()
