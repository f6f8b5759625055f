"""A passkey added and used in a real browser: headless Chromium with its virtual authenticator (DevTools' WebAuthn
domain), against the portal served by a live server. Runs with the integration suite (`make test-integration`),
whose machines have Chromium; Playwright drives the system's /usr/bin/chromium, it never downloads a browser.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from allauth.mfa.models import Authenticator
from django.db import connections

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture
def page(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself are synchronous.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
        context = browser.new_context(locale="en-GB")
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
        # Queries made while Playwright's loop runs use connections of their own (asgiref's context-local
        # storage): close them, or the test database cannot be dropped at the end of the run.
        connections.close_all()
        browser.close()


def test_a_passkey_is_added_then_used_to_sign_in_in_chromium(page: Any, live_server: Any) -> None:
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
