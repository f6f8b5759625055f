"""API credentials of an organisation's software: the OAuth2 token endpoint (client credentials), bearer tokens on
the real API, scopes, revocation and expiry taking effect at once, service accounts that can never sign in, and the
organisation administrator's pages (secret shown once, re-authentication to create and revoke)."""

from __future__ import annotations

import base64
import hashlib
import io
from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import time_machine
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import decrypt
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from rest_framework import exceptions

from justice.accounts import services
from justice.accounts.api_clients import scope_required
from justice.accounts.models import ApiAccessToken, ApiCall, ApiClient, ApiScope, Membership, Organisation, User
from justice.notifications.models import Notification, RecipientLanguage
from tests.accounts.factories import PASSWORD, OrganisationFactory, staff_member
from tests.filings.conftest import make_jurisdiction
from tests.filings.factories import criminal_sections, submitted

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/oauth/token/"
FORM = "application/x-www-form-urlencoded"


@pytest.fixture
def unit_admin() -> Membership:
    return staff_member(Membership.Role.ORGANISATION_ADMIN, kind=Organisation.Kind.POLICE_UNIT)


@pytest.fixture
def credentials(unit_admin: Membership) -> tuple[ApiClient, str]:
    return services.api_client_create(
        organisation=unit_admin.organisation,
        name="Logiciel de rédaction des procédures",
        scopes=[ApiScope.TRANSMISSIONS],
        actor=unit_admin.user,
    )


def basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def ask_token(
    body: str = "grant_type=client_credentials", *, auth: str | None = None, language: str = "en", **extra: Any
) -> Any:
    headers = {"Accept-Language": language, **({"Authorization": auth} if auth else {})}
    return Client().post(TOKEN_URL, body, content_type=extra.pop("content_type", FORM), headers=headers)


def token_for(client: ApiClient, secret: str) -> str:
    response = ask_token(auth=basic(client.client_id, secret))
    assert response.status_code == 200, response.content
    return str(response.json()["access_token"])


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Language": "en"}


# --- The token endpoint ---------------------------------------------------------------------------------------


def test_a_token_is_issued_with_http_basic_and_only_its_hash_is_stored(credentials) -> None:
    client, secret = credentials
    response = ask_token(auth=basic(client.client_id, secret))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store" and response["Pragma"] == "no-cache"
    body = response.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600 and body["scope"] == "transmissions"
    token = ApiAccessToken.objects.get()
    assert token.token_hash == hashlib.sha256(body["access_token"].encode()).hexdigest()
    assert body["access_token"] not in token.token_hash
    assert token.expires_at == token.created_at + timedelta(hours=1)
    # Every call is recorded, the token request included.
    call = ApiCall.objects.get()
    assert (call.client, call.method, call.path, call.status_code) == (client, "POST", TOKEN_URL, 200)


def test_a_token_is_issued_with_the_credentials_in_the_body(credentials) -> None:
    client, secret = credentials
    response = ask_token(f"grant_type=client_credentials&client_id={client.client_id}&client_secret={secret}")
    assert response.status_code == 200 and response.json()["scope"] == "transmissions"


@pytest.mark.parametrize(("language", "expected"), [("en", "wrong secret"), ("fr", "secret erroné")])
def test_a_wrong_secret_is_an_invalid_client(credentials, language: str, expected: str) -> None:
    client, secret = credentials
    response = ask_token(auth=basic(client.client_id, secret + "x"), language=language)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Basic realm="api"'
    assert response.json()["error"] == "invalid_client"
    assert expected in response.json()["error_description"]
    assert not ApiAccessToken.objects.exists()
    # The organisation's administrators see the attempt on the client's page.
    assert ApiCall.objects.get().status_code == 401


def test_an_unknown_client_is_an_invalid_client(credentials) -> None:
    _client, secret = credentials
    response = ask_token(auth=basic("pc_unknown", secret))
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    response = ask_token("grant_type=client_credentials")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    assert not ApiAccessToken.objects.exists() and not ApiCall.objects.exists()


def test_bad_requests_get_the_rfc_6749_error(credentials) -> None:
    client, secret = credentials
    auth = basic(client.client_id, secret)
    response = ask_token("grant_type=password", auth=auth)
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    response = ask_token("scope=transmissions", auth=auth)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    response = ask_token("grant_type=client_credentials&grant_type=client_credentials", auth=auth)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    response = ask_token('{"grant_type": "client_credentials"}', auth=auth, content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    both = f"grant_type=client_credentials&client_id={client.client_id}&client_secret={secret}"
    response = ask_token(both, auth=auth)
    assert response.status_code == 400 and response.json()["error"] == "invalid_request"
    assert Client().get(TOKEN_URL).status_code == 405
    assert not ApiAccessToken.objects.exists()


def test_scope_must_be_a_subset_of_the_clients(credentials) -> None:
    client, secret = credentials
    auth = basic(client.client_id, secret)
    assert ask_token("grant_type=client_credentials&scope=transmissions", auth=auth).json()["scope"] == "transmissions"
    for scope in ("admin", "transmissions admin", ""):
        response = ask_token(f"grant_type=client_credentials&scope={scope}", auth=auth, language="fr")
        assert response.status_code == 400 and response.json()["error"] == "invalid_scope", scope
        assert "transmissions" in response.json()["error_description"]


def test_the_token_endpoint_is_rate_limited(credentials) -> None:
    client, _secret = credentials
    statuses = [ask_token(auth=basic(client.client_id, "guess")).status_code for _attempt in range(31)]
    assert statuses[:30] == [401] * 30 and statuses[30] == 429


def test_revoked_or_expired_credentials_get_no_token(credentials, unit_admin) -> None:
    client, secret = credentials
    with time_machine.travel(client.expires_at + timedelta(seconds=1)):
        response = ask_token(auth=basic(client.client_id, secret))
        assert response.status_code == 401 and response.json()["error"] == "invalid_client"
    services.api_client_revoke(client=client, actor=unit_admin.user)
    response = ask_token(auth=basic(client.client_id, secret), language="fr")
    assert response.status_code == 401 and "révoqués" in response.json()["error_description"]


# --- Bearer tokens on the API ---------------------------------------------------------------------------------


def test_a_token_reads_the_real_api_as_its_organisation() -> None:
    place, elsewhere = make_jurisdiction("DEMO"), make_jurisdiction("AILLEURS")
    pre_complaint = submitted(filer=staff_member(Membership.Role.CLERK).user, sections=criminal_sections())
    assert pre_complaint.recipient == place.unit
    mine, my_secret = services.api_client_create(
        organisation=place.unit, name="LRP", scopes=[ApiScope.TRANSMISSIONS], actor=None
    )
    theirs, their_secret = services.api_client_create(
        organisation=elsewhere.unit, name="LRP", scopes=[ApiScope.TRANSMISSIONS], actor=None
    )
    response = Client().get("/api/v1/filings/", headers=bearer(token_for(mine, my_secret)))
    assert response.status_code == 200
    assert [filing["id"] for filing in response.json()["results"]] == [pre_complaint.pk]
    response = Client().get(f"/api/v1/filings/{pre_complaint.pk}/", headers=bearer(token_for(theirs, their_secret)))
    assert response.status_code == 404
    mine.refresh_from_db()
    assert mine.last_used_at is not None
    assert ApiCall.objects.filter(client=mine, path="/api/v1/filings/", status_code=200).count() == 1


def test_token_calls_open_no_session(credentials) -> None:
    """A program's calls carry no cookie: none is set, no session row is written, no language is recorded for its
    service account (each call used to leave a session behind, a row a tus PATCH)."""
    client, secret = credentials
    token = token_for(client, secret)
    for _ in range(3):
        response = Client().get("/api/v1/cases/", headers=bearer(token))
        assert response.status_code == 200
        assert not response.cookies, response.cookies
    assert not Session.objects.exists()
    assert not RecipientLanguage.objects.filter(user=client.user).exists()


def test_unknown_and_expired_tokens_are_refused_with_a_bearer_challenge(credentials) -> None:
    client, secret = credentials
    response = Client().get("/api/v1/cases/", headers=bearer("pct_not-a-token"))
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    token = token_for(client, secret)
    with time_machine.travel(timezone.now() + timedelta(hours=1, seconds=1)):
        response = Client().get("/api/v1/cases/", headers=bearer(token))
        assert response.status_code == 401 and "expired" in response.json()["detail"]
        assert 'error="invalid_token"' in response["WWW-Authenticate"]
    # Anonymous callers are told how to authenticate.
    response = Client().get("/api/v1/cases/")
    assert response.status_code == 401 and response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_revocation_stops_a_token_already_issued_at_its_next_call(credentials, unit_admin) -> None:
    client, secret = credentials
    token = token_for(client, secret)
    assert Client().get("/api/v1/cases/", headers=bearer(token)).status_code == 200
    services.api_client_revoke(client=client, actor=unit_admin.user)
    response = Client().get("/api/v1/cases/", headers=bearer(token))
    assert response.status_code == 401 and "revoked" in response.json()["detail"]
    assert not Membership.objects.active().filter(user=client.user).exists()
    assert ApiCall.objects.filter(client=client, status_code=401).exists()
    with pytest.raises(services.ApiClientError):
        services.api_client_revoke(client=client, actor=unit_admin.user)


def test_an_expired_client_stops_its_tokens(credentials) -> None:
    client, secret = credentials
    token = token_for(client, secret)
    ApiClient.objects.filter(pk=client.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert Client().get("/api/v1/cases/", headers=bearer(token)).status_code == 401


def test_last_used_is_written_at_most_once_a_minute(credentials) -> None:
    client, secret = credentials
    token = token_for(client, secret)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        Client().get("/api/v1/cases/", headers=bearer(token))
        first = ApiClient.objects.get(pk=client.pk).last_used_at
        clock.shift(timedelta(seconds=30))
        Client().get("/api/v1/cases/", headers=bearer(token))
        assert ApiClient.objects.get(pk=client.pk).last_used_at == first
        clock.shift(timedelta(seconds=31))
        Client().get("/api/v1/cases/", headers=bearer(token))
        assert ApiClient.objects.get(pk=client.pk).last_used_at == timezone.now()


def test_scope_required_binds_tokens_only(credentials) -> None:
    client, _secret = credentials
    permission = scope_required(ApiScope.TRANSMISSIONS)()
    token = ApiAccessToken(client=client, scope="transmissions")
    assert permission.has_permission(SimpleNamespace(auth=token), None)  # type: ignore[arg-type]
    # A person signed in with a session: scopes do not concern them.
    assert permission.has_permission(SimpleNamespace(auth=None), None)  # type: ignore[arg-type]
    token.scope = "something-else"
    with pytest.raises(exceptions.PermissionDenied) as refusal:
        permission.has_permission(SimpleNamespace(auth=token), None)  # type: ignore[arg-type]
    assert refusal.value.get_codes() == "insufficient_scope"
    with pytest.raises(ValueError, match="Unknown API scope"):
        scope_required("everything")


# --- Service accounts ---------------------------------------------------------------------------------------------


def test_the_service_account_is_a_member_that_can_never_sign_in(credentials, login_with_password) -> None:
    client, secret = credentials
    user = client.user
    assert user.is_service_account and not user.has_usable_password()
    assert user.email == f"{client.client_id}@api-clients.invalid"
    assert (
        Membership.objects.active()
        .filter(user=user, organisation=client.organisation, role=Membership.Role.POLICE_OFFICER)
        .exists()
    )
    browser = Client()
    assert browser.post("/account/login/", {"login": user.email, "password": secret}).status_code == 200
    assert "_auth_user_id" not in browser.session
    # Even if someone gave it a password and a verified address (through the admin, say), it cannot sign in.
    user.set_password(PASSWORD)
    user.save()
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    response = browser.post("/account/login/", {"login": user.email, "password": PASSWORD})
    assert "_auth_user_id" not in browser.session
    assert not response.get("Location", "").startswith("/dashboard")
    # No password reset email either.
    browser.post("/account/password/reset/", {"email": user.email})
    assert not any(user.email in message.to for message in mail.outbox)
    # Nor a session, nor the admin, even if a session were forged for it.
    browser.force_login(user)
    assert browser.get("/dashboard/")["Location"].startswith("/account/login/")
    assert "/admin/login/" in browser.get("/admin/")["Location"]


def test_service_accounts_are_not_listed_nor_revocable_as_members(credentials, unit_admin) -> None:
    client, _secret = credentials
    browser = Client()
    browser.force_login(unit_admin.user)
    page = browser.get(f"/organisations/{unit_admin.organisation.pk}/members/").content.decode()
    assert client.user.email not in page
    membership = Membership.objects.get(user=client.user)
    url = f"/organisations/{unit_admin.organisation.pk}/members/{membership.pk}/revoke/"
    assert browser.post(url).status_code == 404


def test_service_accounts_get_no_notifications(credentials) -> None:
    client, _secret = credentials
    place = make_jurisdiction("DEMO")
    Membership.objects.filter(user=client.user).update(organisation=place.unit)
    filing = submitted(filer=staff_member(Membership.Role.CLERK).user, sections=criminal_sections())
    recipients = set(Notification.objects.filter(filing=filing).values_list("recipient", flat=True))
    assert place.police.pk in recipients and client.user.pk not in recipients


# --- The organisation administrator's pages -----------------------------------------------------------------


def admin_client(membership: Membership, login_with_password: Any) -> Client:
    secret = decrypt(Authenticator.objects.get(user=membership.user, type=Authenticator.Type.TOTP).data["secret"])
    browser = Client()
    login_with_password(browser, membership.user, totp_secret=secret)
    return browser


def form_key(browser: Client, base: str) -> str:
    page = browser.get(base + "new/")
    assert page.status_code == 200
    return page.content.decode().split('name="form_key" value="')[1].split('"')[0]


def test_creating_credentials_asks_to_reauthenticate_then_shows_the_secret_once(
    unit_admin, login_with_password
) -> None:
    browser = admin_client(unit_admin, login_with_password)
    base = f"/organisations/{unit_admin.organisation.pk}/api-clients/"
    assert browser.get(base).status_code == 200
    key = form_key(browser, base)
    form = {"name": "Logiciel LRP", "scopes": ["transmissions"], "lifetime_days": "90", "form_key": key}
    response = browser.post(base + "new/", form)
    assert response.status_code == 302 and response["Location"].startswith("/account/reauthenticate/")
    assert not ApiClient.objects.exists()
    # allauth carries out the interrupted creation once the password is given again.
    response = browser.post(response["Location"], {"password": PASSWORD}, headers={"Accept-Language": "en"})
    assert response.status_code == 201 and response["Cache-Control"].startswith("no-store")
    page = response.content.decode()
    client = ApiClient.objects.get()
    secret = page.split('id="client-secret" type="text" value="')[1].split('"')[0]
    assert secret.startswith("pcs_") and len(secret) > 40
    assert client.secret_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in client.secret_hash
    assert "shown only once" in page and client.client_id in page
    assert client.expires_at.date() == (timezone.now() + timedelta(days=90)).date()
    assert client.created_by == unit_admin.user
    # Sending the form again (reloading the page) creates nothing more.
    response = browser.post(base + "new/", form)
    assert response.status_code == 302 and response["Location"] == base
    assert ApiClient.objects.count() == 1
    # The secret works, and is shown nowhere else.
    assert token_for(client, secret)
    for url in (base, f"{base}{client.pk}/"):
        assert secret not in browser.get(url).content.decode()


def test_the_form_refuses_bad_input_and_keeps_it(unit_admin, login_with_password) -> None:
    browser = admin_client(unit_admin, login_with_password)
    base = f"/organisations/{unit_admin.organisation.pk}/api-clients/"
    key = form_key(browser, base)
    response = browser.post(base + "new/", {"name": "Logiciel", "form_key": key})
    browser.post(response["Location"], {"password": PASSWORD})
    wrong = {"name": "Logiciel LRP", "lifetime_days": "731", "form_key": key}
    response = browser.post(base + "new/", wrong, headers={"Accept-Language": "fr"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Choisissez au moins une permission." in page and "730" in page and 'value="Logiciel LRP"' in page
    assert not ApiClient.objects.exists()


def test_revoking_asks_to_reauthenticate(credentials, unit_admin, login_with_password) -> None:
    client, secret = credentials
    browser = admin_client(unit_admin, login_with_password)
    url = f"/organisations/{unit_admin.organisation.pk}/api-clients/{client.pk}/revoke/"
    assert client.name in browser.get(url).content.decode()
    response = browser.post(url)
    assert response.status_code == 302 and response["Location"].startswith("/account/reauthenticate/")
    client.refresh_from_db()
    assert client.revoked_at is None
    response = browser.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    client.refresh_from_db()
    assert client.revoked_at is not None and client.revoked_by == unit_admin.user
    listing = browser.get(f"/organisations/{unit_admin.organisation.pk}/api-clients/").content.decode()
    assert "Révoqués" in listing or "Revoked" in listing
    assert ask_token(auth=basic(client.client_id, secret)).status_code == 401


@pytest.mark.parametrize("who", ["other admin", "member", "citizen"])
def test_only_the_organisations_admins_reach_its_credentials(credentials, unit_admin, who: str) -> None:
    client, _secret = credentials
    other = {
        "other admin": lambda: staff_member(Membership.Role.ORGANISATION_ADMIN, kind=Organisation.Kind.POLICE_UNIT),
        "member": lambda: staff_member(Membership.Role.POLICE_OFFICER, organisation=unit_admin.organisation),
        "citizen": lambda: None,
    }[who]()
    browser = Client()
    browser.force_login(other.user if other is not None else User.objects.create_user("x@example.org"))
    base = f"/organisations/{unit_admin.organisation.pk}/api-clients/"
    for method, url in (
        ("get", base),
        ("get", base + "new/"),
        ("post", base + "new/"),
        ("get", f"{base}{client.pk}/"),
        ("get", f"{base}{client.pk}/revoke/"),
        ("post", f"{base}{client.pk}/revoke/"),
    ):
        response = getattr(browser, method)(url)
        assert response.status_code == 404, (who, method, url)
        assert client.client_id not in response.content.decode()
    client.refresh_from_db()
    assert client.revoked_at is None


def test_the_detail_page_shows_the_calls(credentials, unit_admin) -> None:
    client, secret = credentials
    Client().get("/api/v1/cases/", headers=bearer(token_for(client, secret)))
    browser = Client()
    browser.force_login(unit_admin.user)
    page = browser.get(f"/organisations/{unit_admin.organisation.pk}/api-clients/{client.pk}/").content.decode()
    assert "GET /api/v1/cases/" in page and "POST /api/v1/oauth/token/" in page


def test_the_lifetime_is_bounded_and_scopes_come_from_the_catalogue(unit_admin) -> None:
    wrong: list[dict[str, Any]] = [
        {"lifetime_days": 731},
        {"lifetime_days": 0},
        {"scopes": ["everything"]},
        {"scopes": []},
    ]
    for kwargs in wrong:
        arguments: dict[str, Any] = {"scopes": [ApiScope.TRANSMISSIONS], **kwargs}
        with pytest.raises(services.ApiClientError):
            services.api_client_create(
                organisation=unit_admin.organisation, name="x", actor=unit_admin.user, **arguments
            )
    with pytest.raises(services.ApiClientError):
        services.api_client_create(
            organisation=OrganisationFactory(kind=Organisation.Kind.POLICE_UNIT),
            name="x",
            scopes=[ApiScope.TRANSMISSIONS],
            actor=unit_admin.user,
        )
    assert not ApiClient.objects.exists()


def test_purge_removes_expired_tokens_and_old_calls(credentials) -> None:
    client, secret = credentials
    token_for(client, secret)
    later = timezone.now() + timedelta(days=366)
    assert services.api_records_purge(now=later) == (1, 1)


# --- The command ---------------------------------------------------------------------------------------------


def test_the_command_prints_the_secret_once(unit_admin) -> None:
    out = io.StringIO()
    call_command(
        "api_client_create", organisation=unit_admin.organisation.code, name="Tests de bout en bout", days=7, stdout=out
    )
    lines = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    client = ApiClient.objects.get(client_id=lines["client_id"])
    assert client.created_by is None and client.scope == "transmissions"
    assert client.secret_hash == hashlib.sha256(lines["client_secret"].encode()).hexdigest()
    assert token_for(client, lines["client_secret"])
    with pytest.raises(CommandError, match="No organisation"):
        call_command("api_client_create", organisation="NOPE", name="x", stdout=io.StringIO())
