"""Sensitive actions ask for a recent re-authentication; pages needing a level send low sessions to step up."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.test import Client
from django.utils import timezone

from justice.accounts.models import Membership
from tests.accounts.factories import PASSWORD, UserFactory, staff_member

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]


def test_a_sensitive_action_asks_to_authenticate_again_every_five_minutes(client: Client, login_with_password):
    member = staff_member(Membership.Role.CLERK)
    secret = decrypt(Authenticator.objects.get(user=member.user).data["secret"])
    with time_machine.travel(timezone.now(), tick=False) as clock:
        login_with_password(client, member.user, totp_secret=secret)
        # Showing the confirmation page is fine; performing the action needs a fresh proof (allauth's rule:
        # signing in does not count, re-authenticating does).
        assert client.get("/test/publish/").content == b"confirm"
        for _attempt in range(2):
            response = client.post("/test/publish/")
            assert response.status_code == 302
            assert response["Location"] == "/account/reauthenticate/?next=%2Ftest%2Fpublish%2F"
            # allauth then carries out the request that was interrupted.
            assert client.post(response["Location"], {"password": PASSWORD}).content == b"published"
            clock.shift(timedelta(minutes=4))
            assert client.post("/test/publish/").content == b"published"
            clock.shift(timedelta(minutes=2))


def test_a_sensitive_action_needs_a_sign_in(client: Client) -> None:
    assert client.post("/test/publish/")["Location"].startswith("/account/login/")


def test_a_low_session_is_sent_to_step_up_and_nothing_is_filed(client: Client, login_with_password) -> None:
    login_with_password(client, UserFactory())
    response = client.post("/test/complaint/", {"facts": "x", "place": "y", "kinds": ["fraud"]})
    assert response["Location"].startswith("/account/step-up/?level=substantial")
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    # No provider configured here: the page says so instead of offering a broken button.
    assert "Aucun fournisseur d’identité n’est disponible" in page


def test_step_up_does_not_redirect_elsewhere(client: Client, login_with_password, federation) -> None:
    login_with_password(client, UserFactory())
    page = client.get("/account/step-up/?level=substantial&next=https://evil.example/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "process=connect&amp;level=substantial&amp;next=%2Fdashboard%2F" in body
