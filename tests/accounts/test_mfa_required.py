"""Staff (organisation members and site administrators) must use MFA; citizens may."""

from __future__ import annotations

import pytest
from django.test import Client

from justice.accounts.models import Membership
from tests.accounts.factories import UserFactory, enable_totp, staff_member
from tests.conftest import totp_now

pytestmark = pytest.mark.django_db

STAFF_ROLES = [
    Membership.Role.CLERK,
    Membership.Role.JUDGE,
    Membership.Role.PROSECUTOR,
    Membership.Role.POLICE_OFFICER,
    Membership.Role.LAWYER,
    Membership.Role.ORGANISATION_ADMIN,
]


@pytest.mark.parametrize("role", STAFF_ROLES)
@pytest.mark.parametrize("path", ["/dashboard/", "/account/access-log/", "/", "/admin/", "/account/email/"])
def test_staff_without_mfa_reach_nothing_but_the_mfa_setup(client: Client, role: str, path: str) -> None:
    member = staff_member(role, mfa=False)
    client.force_login(member.user)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/totp/activate/"


def test_staff_without_mfa_can_set_it_up_and_sign_out(client: Client, login_with_password) -> None:
    member = staff_member(Membership.Role.CLERK, mfa=False)
    response = login_with_password(client, member.user)
    response = client.get(response["Location"], follow=True, HTTP_ACCEPT_LANGUAGE="en")
    assert "set up two-factor authentication" in response.content.decode()
    # Changing MFA asks for the password again (allauth's reauthentication), then comes back.
    assert response.redirect_chain[-1][0] == "/account/reauthenticate/?next=%2Faccount%2F2fa%2Ftotp%2Factivate%2F"
    response = client.post(response.redirect_chain[-1][0], {"password": "correct horse battery staple 42"}, follow=True)
    assert response.redirect_chain[-1][0] == "/account/2fa/totp/activate/"
    # The secret shown on the page activates TOTP with a current code; the rest of the portal opens.
    secret = response.context["form"].secret
    response = client.post("/account/2fa/totp/activate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert client.post("/account/logout/").status_code == 302


def test_site_administrators_need_mfa_too(client: Client) -> None:
    admin = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin)
    assert client.get("/admin/")["Location"] == "/account/2fa/totp/activate/"
    enable_totp(admin)
    assert client.get("/admin/").status_code == 200


def test_citizens_are_not_forced_to_use_mfa(client: Client) -> None:
    client.force_login(UserFactory())
    assert client.get("/dashboard/").status_code == 200


def test_a_revoked_member_is_a_citizen_again_and_not_forced_to_use_mfa(client: Client) -> None:
    member = staff_member(Membership.Role.JUDGE, mfa=False)
    member.revoked_at = member.created_at
    member.save()
    client.force_login(member.user)
    assert client.get("/dashboard/").status_code == 200


def test_staff_sign_in_asks_for_the_second_factor(client: Client, login_with_password) -> None:
    member = staff_member(Membership.Role.CLERK, mfa=False)
    secret = enable_totp(member.user)
    response = client.post(
        "/account/login/", {"login": member.user.email, "password": "correct horse battery staple 42"}
    )
    assert response["Location"] == "/account/2fa/authenticate/"
    # Not signed in until the code is given.
    assert client.get("/dashboard/")["Location"].startswith("/account/login/")
    response = client.post("/account/2fa/authenticate/", {"code": "000000"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "Incorrect code" in response.content.decode()
    response = client.post("/account/2fa/authenticate/", {"code": totp_now(secret)})
    assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200


def test_recovery_codes_work_once_as_a_second_factor(client: Client) -> None:
    from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes

    member = staff_member(Membership.Role.CLERK)
    codes = RecoveryCodes.activate(member.user).generate_codes()
    client.post("/account/login/", {"login": member.user.email, "password": "correct horse battery staple 42"})
    assert client.post("/account/2fa/authenticate/", {"code": codes[0]}).status_code == 302
    client.logout()
    client.post("/account/login/", {"login": member.user.email, "password": "correct horse battery staple 42"})
    assert client.post("/account/2fa/authenticate/", {"code": codes[0]}).status_code == 200


def test_demo_accounts_see_their_code_only_in_demo_mode(client: Client, settings) -> None:
    member = staff_member(Membership.Role.CLERK, mfa=False)
    member.user.is_demo = True
    member.user.save()
    secret = enable_totp(member.user)
    client.post("/account/login/", {"login": member.user.email, "password": "correct horse battery staple 42"})
    settings.DEMO = True
    response = client.get("/account/2fa/authenticate/", HTTP_ACCEPT_LANGUAGE="en")
    assert f"Demo account: the current code is {totp_now(secret)}" in response.content.decode()
    settings.DEMO = False
    response = client.get("/account/2fa/authenticate/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Demo account" not in response.content.decode()


def test_staff_mfa_is_read_once_then_kept_until_an_authenticator_is_removed(
    client: Client, django_capture_on_commit_callbacks
) -> None:
    from allauth.mfa.models import Authenticator
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    member = staff_member(Membership.Role.CLERK)
    client.force_login(member.user)
    assert client.get("/dashboard/").status_code == 200
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/dashboard/").status_code == 200
    assert not [q for q in queries.captured_queries if "mfa_authenticator" in q["sql"]]
    # Removing the factor is seen at once, by every session of the person.
    with django_capture_on_commit_callbacks(execute=True):
        Authenticator.objects.filter(user=member.user).delete()
    other = Client()
    other.force_login(member.user)
    assert client.get("/dashboard/")["Location"] == "/account/2fa/totp/activate/"
    assert other.get("/dashboard/")["Location"] == "/account/2fa/totp/activate/"
    # Set up again, it is read again.
    enable_totp(member.user)
    assert client.get("/dashboard/").status_code == 200


def test_a_check_that_read_mfa_before_its_removal_does_not_keep_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from justice.accounts import middleware, permissions

    member = staff_member(Membership.Role.CLERK)

    def has_mfa_then_removed(user):
        # The database answers, then the removal is committed (and forgotten) before the check writes the cache.
        answer = permissions.has_mfa(user)
        user.authenticator_set.all().delete()
        middleware.forget_mfa_set_up(user.pk)
        return answer

    monkeypatch.setattr(middleware, "has_mfa", has_mfa_then_removed)
    assert middleware.mfa_set_up(member.user)
    monkeypatch.undo()
    assert not middleware.mfa_set_up(member.user)
