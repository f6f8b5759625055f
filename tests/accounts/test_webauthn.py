"""Passkeys (WebAuthn) through the portal's views, with a software authenticator: add one, sign in with it."""

from __future__ import annotations

import json

import pytest
from allauth.mfa.models import Authenticator
from cryptography.hazmat.primitives.asymmetric import ec
from django.test import Client

from justice.accounts.assurance import Level, session_assurance
from justice.accounts.models import Membership
from justice.accounts.permissions import has_mfa
from tests.accounts.factories import PASSWORD, UserFactory, staff_member
from tests.accounts.webauthn_authenticator import SoftwareAuthenticator

pytestmark = pytest.mark.django_db


def add_passkey(client: Client, *, passwordless: bool = True) -> SoftwareAuthenticator:
    page = client.get("/account/2fa/webauthn/add/")
    # Adding an authenticator is a sensitive action: allauth asks for the password again first.
    assert page.status_code == 302 and page["Location"].startswith("/account/reauthenticate/")
    response = client.post(page["Location"], {"password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/account/2fa/webauthn/add/"
    page = client.get("/account/2fa/webauthn/add/")
    assert page.status_code == 200
    authenticator = SoftwareAuthenticator(origin="http://testserver")
    credential = authenticator.create(page.context["js_data"]["creation_options"])
    data = {"name": "Clé de test", "credential": json.dumps(credential)}
    if passwordless:
        data["passwordless"] = "on"
    response = client.post("/account/2fa/webauthn/add/", data)
    assert response.status_code == 302, response.content[:1000]
    return authenticator


def passkey_login(client: Client, authenticator: SoftwareAuthenticator, **sign_kwargs):
    options = client.get("/account/2fa/webauthn/login/", HTTP_ACCEPT="application/json").json()
    assertion = authenticator.get(options["request_options"], **sign_kwargs)
    return client.post("/account/2fa/webauthn/login/", {"credential": json.dumps(assertion)})


def test_a_citizen_adds_a_passkey_and_signs_in_with_it_alone(login_with_password) -> None:
    user = UserFactory()
    setup = Client()
    login_with_password(setup, user)
    authenticator = add_passkey(setup)
    stored = Authenticator.objects.get(user=user, type=Authenticator.Type.WEBAUTHN)
    assert stored.wrap().is_passwordless
    # Adding a passkey also hands out recovery codes.
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.RECOVERY_CODES).exists()

    client = Client()
    response = passkey_login(client, authenticator)
    assert response.status_code == 302
    dashboard = client.get("/dashboard/")
    assert dashboard.status_code == 200 and dashboard.wsgi_request.user == user
    # A local account stays "low" whatever its authenticator: it proves no identity.
    assert session_assurance(dashboard.wsgi_request).level == Level.LOW


def test_an_assertion_signed_with_another_key_is_refused(login_with_password) -> None:
    user = UserFactory()
    setup = Client()
    login_with_password(setup, user)
    authenticator = add_passkey(setup)
    client = Client()
    passkey_login(client, authenticator, key=ec.generate_private_key(ec.SECP256R1()))
    assert client.get("/dashboard/").status_code == 302


def test_a_passkey_satisfies_the_staff_mfa_requirement(client: Client, login_with_password) -> None:
    member = staff_member(Membership.Role.LAWYER, mfa=False)
    login_with_password(client, member.user)
    assert client.get("/dashboard/")["Location"] == "/account/2fa/totp/activate/"
    add_passkey(client, passwordless=False)
    assert has_mfa(member.user)
    assert client.get("/dashboard/").status_code == 200


def test_the_mfa_page_recommends_passkeys(client: Client, login_with_password) -> None:
    login_with_password(client, UserFactory())
    body = client.get("/account/2fa/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Passkeys are recommended" in body
