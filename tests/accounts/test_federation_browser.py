"""Signing in with the identity provider in a real browser: the sign-in form posts to the portal, which redirects
to the provider — a redirect the Content Security Policy's form-action must allow."""

from __future__ import annotations

import subprocess
import sys

import pytest

from justice.accounts.models import User, VerifiedIdentity
from tests.sandbox_idp import CALLBACK_PATH, CLIENT_ID, CLIENT_SECRET, IDP_MANAGE, IDP_PASSWORD, idp_env

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_citizen_signs_in_with_the_provider_at_substantial_level(live_server, page, federation) -> None:
    # The live server listens on a random port: register its callback with the provider.
    subprocess.run(
        [sys.executable, str(IDP_MANAGE), "idp_seed", "--client-id", CLIENT_ID, "--client-secret", CLIENT_SECRET,
         "--redirect-uri", f"{live_server.url}{CALLBACK_PATH}"],
        env=idp_env(federation.log.parent), check=True, capture_output=True,
    )  # fmt: skip
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text) if "Content Security" in message.text else None)
    page.goto(f"{live_server.url}/account/login/")
    page.locator("main").get_by_role("button", name="Se connecter avec le fournisseur d’identité").click()
    page.wait_for_url(f"{federation.url}/**")
    page.fill("input[name=username]", "alix")
    page.fill("input[name=password]", IDP_PASSWORD)
    page.locator("main button[type=submit], form button[type=submit]").first.click()
    page.check("input[value=eidas2]")
    page.get_by_role("button", name="Autoriser / Allow").click()
    page.wait_for_url(f"{live_server.url}/dashboard/")
    assert violations == []
    assert page.locator("h1").first.inner_text() == "Mon espace"
    user = User.objects.get(verified_identity__isnull=False)
    assert VerifiedIdentity.objects.get(user=user).family_name
