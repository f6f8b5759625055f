"""Demo data exists only with the DEMO setting on."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from filings.models import Room
from justice.accounts.management.commands.seed_demo import ACCOUNTS, DEMO_PASSWORD
from justice.accounts.models import Membership, Organisation, User
from justice.accounts.permissions import has_mfa
from tests.conftest import totp_now

pytestmark = pytest.mark.django_db


def test_seed_demo_refuses_without_the_demo_setting(settings) -> None:
    settings.DEMO = False
    with pytest.raises(CommandError):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_seed_demo_creates_one_account_per_role_and_is_idempotent(settings) -> None:
    settings.DEMO = True
    call_command("seed_demo")
    call_command("seed_demo")
    assert Organisation.objects.count() == 4
    assert set(Organisation.objects.values_list("kind", flat=True)) == set(Organisation.Kind.values)
    assert Room.objects.filter(court__code="TJ-DEMO").count() == 2
    assert User.objects.filter(is_demo=True).count() == len(ACCOUNTS)
    roles = set(Membership.objects.active().values_list("role", flat=True))
    assert roles == set(Membership.Role.values)
    for user in User.objects.filter(memberships__isnull=False).distinct():
        assert has_mfa(user)


@pytest.mark.parametrize(("email", "role"), [(email, role) for email, _f, _l, _o, role in ACCOUNTS])
def test_every_demo_account_can_sign_in_with_the_printed_credentials(settings, email: str, role: str | None) -> None:
    from allauth.mfa.models import Authenticator
    from allauth.mfa.utils import decrypt

    settings.DEMO = True
    call_command("seed_demo")
    client = Client()
    response = client.post("/account/login/", {"login": email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    if role is not None:
        assert response["Location"] == "/account/2fa/authenticate/"
        page = client.get("/account/2fa/authenticate/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        secret = decrypt(Authenticator.objects.get(user__email=email, type="totp").data["secret"])
        code = totp_now(secret)
        assert f"the current code is {code}" in page
        response = client.post("/account/2fa/authenticate/", {"code": code})
        assert response.status_code == 302
    assert client.get("/dashboard/").status_code == 200
