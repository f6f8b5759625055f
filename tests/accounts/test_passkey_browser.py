"""A passkey added and used in a real browser: headless Chromium with its virtual authenticator (DevTools' WebAuthn
domain), against the portal served by a live server. Runs with the browser tests of `make test-integration`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def passkey_page(chromium: Any) -> Iterator[Any]:
    """A page of the shared headless Chromium, with DevTools' virtual authenticator attached."""
    context = chromium.new_context(locale="en-GB")
    page = context.new_page()
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield page
    context.close()


def test_a_passkey_is_added_then_used_to_sign_in_in_chromium(passkey_page: Any, live_server: Any) -> None:
    page = passkey_page
    user = UserFactory()
    base = live_server.url
    assert base.startswith("http://localhost:")  # WebAuthn refuses IP addresses as relying party

    page.goto(f"{base}/account/login/")
    page.fill("input[name=login]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/account/login/'] button[type=submit]")
    page.wait_for_url(f"{base}/dashboard/")

    page.goto(f"{base}/account/2fa/webauthn/add/")
    page.wait_for_url("**/account/reauthenticate/**")
    page.fill("input[name=password]", PASSWORD)
    page.click("main form button[type=submit]")
    page.wait_for_url(f"{base}/account/2fa/webauthn/add/")
    page.click("label[for=id_passwordless]")  # DSFR draws the checkbox on its label
    page.click("#mfa_webauthn_add")
    page.wait_for_url(lambda url: "/webauthn/add/" not in url)
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.WEBAUTHN).count() == 1

    page.context.clear_cookies()
    page.goto(f"{base}/account/login/")
    page.click("#passkey_login")
    page.wait_for_url(f"{base}/dashboard/")
    assert user.email in page.content() or user.get_full_name() in page.content()
