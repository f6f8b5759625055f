"""Identity federation end to end, against the sandbox OpenID Provider running as a real process.

The portal (Django test client) and the provider (requests, like a browser) exchange real redirects, codes and
tokens; the provider's misbehaving test identities issue wrong ID tokens that the portal must refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.test import Client

from justice.accounts.assurance import Level, session_assurance
from justice.accounts.models import User, VerifiedIdentity
from tests.accounts.factories import UserFactory
from tests.sandbox_idp import PROVIDER_ID, SandboxIdP, authenticate_at_idp, portal_path

pytestmark = pytest.mark.django_db

LOGIN_URL = f"/account/oidc/{PROVIDER_ID}/login/"


def start(client: Client, *, level: str = "substantial", process: str = "login", next_url: str = "/dashboard/") -> str:
    """Press "Sign in with the identity provider": returns the provider's authorization URL."""
    response = client.post(f"{LOGIN_URL}?level={level}&next={next_url}", {"process": process})
    assert response.status_code == 302, response.content[:500]
    return response["Location"]


def federated_login(
    client: Client,
    *,
    username: str,
    level: str = "substantial",
    acr: str | None = None,
    language: str = "en",
    **start_kwargs: str,
):
    """The whole round trip: portal → provider (sign in, consent) → portal's callback; returns its response."""
    callback = authenticate_at_idp(start(client, level=level, **start_kwargs), username=username, acr=acr)
    assert callback.startswith("http://testserver/account/oidc/sandbox/login/callback/")
    return client.get(portal_path(callback), HTTP_ACCEPT_LANGUAGE=language)


def signed_in(client: Client) -> Any:
    response = client.get("/dashboard/")
    return response.wsgi_request.user if response.status_code == 200 else None


def test_the_authorization_request_asks_for_the_level_with_pkce_state_and_nonce(client, federation: SandboxIdP):
    url = start(client, level="high")
    assert url.startswith(f"{federation.issuer}/authorize/")
    query = parse_qs(urlsplit(url).query)
    assert query["acr_values"] == ["eidas3"]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["nonce"][0]) >= 32 and len(query["state"][0]) >= 16
    assert set(query["scope"][0].split()) == {"openid", "profile", "email"}


def test_nothing_in_the_request_can_lower_the_level_asked_for(client, federation):
    response = client.post(
        f"{LOGIN_URL}?level=low&auth_params=acr_values%3Deidas1%26nonce%3Dchosen", {"process": "login"}
    )
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["acr_values"] == ["eidas2"]
    assert query["nonce"] != ["chosen"]


def test_a_substantial_login_creates_the_account_with_verified_claims_and_records_the_level(client, federation):
    response = federated_login(client, username="alix")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"
    user = signed_in(client)
    assert user is not None and user.email == "alix.dubois@idp.sandbox.localhost"
    assert (user.first_name, user.last_name) == ("Alix Jeanne", "DUBOIS")
    identity = VerifiedIdentity.objects.get(user=user)
    assert identity.provider == PROVIDER_ID and identity.subject == "sbx-4be01d77"
    assert identity.birth_date == date(1975, 11, 30)
    assert (identity.birth_place, identity.birth_country) == ("Lyon 3e (69)", "France")
    assert identity.level == Level.SUBSTANTIAL
    assert SocialAccount.objects.get(user=user).uid == "sbx-4be01d77"
    # The session carries its level and when it was obtained.
    response = client.get("/account/identity/", HTTP_ACCEPT_LANGUAGE="en")
    assurance = session_assurance(response.wsgi_request)
    assert assurance.level == Level.SUBSTANTIAL and assurance.obtained_at is not None
    body = response.content.decode()
    assert "Level of assurance: substantial." in body
    assert "Lyon 3e (69), France" in body and "Alix Jeanne" in body
    # Shown, never editable ("tell us once").
    assert "<input" not in body.split('id="verified-identity"')[1].split("</section>")[0]


def test_a_high_login_records_high(client, federation):
    federated_login(client, username="noa", level="high")
    response = client.get("/account/identity/")
    assert session_assurance(response.wsgi_request).level == Level.HIGH


@pytest.mark.parametrize(
    ("level", "chosen", "language", "expected"),
    [
        ("substantial", "eidas1", "en", "at a lower level of assurance than the one required (substantial)"),
        ("high", "eidas2", "en", "at a lower level of assurance than the one required (high)"),
        ("substantial", "eidas1", "fr", "à un niveau de garantie inférieur à celui requis (substantiel)"),
    ],
)
def test_a_login_whose_acr_is_lower_than_requested_is_refused(client, federation, level, chosen, language, expected):
    response = federated_login(client, username="noa", level=level, acr=chosen, language=language)
    assert response.status_code == 403
    assert expected in response.content.decode()
    assert signed_in(client) is None
    assert not User.objects.filter(email="noa.leroy@idp.sandbox.localhost").exists()


@pytest.mark.parametrize(
    ("identity", "reason"),
    [
        ("tamper-bad-signature", "Signature verification failed"),
        ("tamper-wrong-audience", "Audience doesn't match"),
        ("tamper-wrong-nonce", "federated sign-in refused: nonce"),
        ("tamper-expired", "Signature has expired"),
    ],
)
def test_a_tampered_id_token_is_refused(client, federation, caplog, identity, reason):
    response = federated_login(client, username=identity)
    assert reason in caplog.text
    assert response.status_code in (401, 403)
    body = response.content.decode()
    assert "could not be verified" in body
    assert signed_in(client) is None
    assert not User.objects.filter(email__startswith=identity).exists()
    assert not SocialAccount.objects.exists()


def test_a_callback_with_a_forged_state_is_refused(client, federation):
    callback = authenticate_at_idp(start(client), username="alix")
    parts = urlsplit(callback)
    forged = parts.query.replace("state=", "state=x")
    response = client.get(f"{parts.path}?{forged}")
    assert response.status_code in (400, 401, 403)
    assert signed_in(client) is None


def test_a_federated_identity_is_not_linked_to_a_local_account_without_signing_into_it(client, federation):
    local = UserFactory(email="citoyen@demo.justice.localhost", first_name="Cam", last_name="Martin")
    federated_login(client, username="camille")
    # Not signed into the local account that has the same email address.
    user = signed_in(client)
    assert user is None or user.pk != local.pk
    assert not SocialAccount.objects.filter(user=local).exists()
    assert not VerifiedIdentity.objects.filter(user=local).exists()


def test_a_signed_in_person_links_their_identity_from_the_identity_page(client, federation, login_with_password):
    local = UserFactory(email="citoyen@demo.justice.localhost")
    login_with_password(client, local)
    page = client.get("/account/identity/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Level of assurance: low." in page and "Link my identity" in page
    response = federated_login(client, username="camille", process="connect", next_url="/account/identity/")
    assert response.status_code == 302 and response["Location"] == "/account/identity/"
    assert SocialAccount.objects.get(user=local).uid == "sbx-7f3a9c21"
    local.refresh_from_db()
    assert (local.first_name, local.last_name) == ("Camille Marie", "MARTIN")
    assert VerifiedIdentity.objects.get(user=local).birth_date == date(1988, 4, 12)
    response = client.get("/account/identity/")
    assert session_assurance(response.wsgi_request).level == Level.SUBSTANTIAL


def test_an_identity_linked_to_another_account_is_not_taken_over(client, federation, login_with_password):
    federated_login(Client(), username="alix")
    owner = SocialAccount.objects.get(uid="sbx-4be01d77").user
    other = UserFactory()
    login_with_password(client, other)
    response = federated_login(client, username="alix", process="connect")
    assert response.status_code == 403
    assert "already linked to another account" in response.content.decode()
    assert SocialAccount.objects.get(uid="sbx-4be01d77").user == owner
    assert session_assurance(client.get("/dashboard/").wsgi_request).level == Level.LOW


@pytest.mark.urls("tests.accounts.urls")
def test_step_up_returns_to_the_page_with_the_draft_intact(client, federation, login_with_password):
    # A person with a linked identity, signed in with their local password: the session is low.
    federated_login(Client(), username="alix")
    user = SocialAccount.objects.get(uid="sbx-4be01d77").user
    user.set_password("correct horse battery staple 42")
    user.save()
    login_with_password(client, user)
    draft = {"facts": "On m’a volé mon vélo devant la gare.", "place": "Orléans", "kinds": ["theft", "threat"]}
    response = client.post("/test/complaint/", draft)
    assert response.status_code == 302
    assert response["Location"] == "/account/step-up/?level=substantial&next=%2Ftest%2Fcomplaint%2F"
    page = client.get(response["Location"], HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirm my identity with the identity provider" in page
    # The button of the step-up page starts a federated authentication that comes back to the page.
    response = federated_login(client, username="alix", process="connect", next_url="/test/complaint/")
    assert response.status_code == 302 and response["Location"] == "/test/complaint/"
    assert client.get("/dashboard/").wsgi_request.user == user  # same session, still signed in
    page = client.get("/test/complaint/")
    assert page.context["form"].initial == draft
    body = page.content.decode()
    assert "On m’a volé mon vélo devant la gare." in body and 'value="Orléans"' in body
    # Submitting now goes through; the draft was handed back once only.
    assert client.post("/test/complaint/", draft).status_code == 200
    assert client.get("/test/complaint/").context["form"].initial == {}


def test_the_sign_in_page_offers_the_identity_provider_when_one_is_configured(client, federation):
    body = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in with the identity provider" in body
    body = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Se connecter avec le fournisseur d’identité" in body


def test_without_an_identity_provider_the_sign_in_page_offers_none(client):
    body = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Sign in with the identity provider" not in body
