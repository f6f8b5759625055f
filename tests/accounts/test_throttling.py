"""Sign-in throttling (allauth's rate limits), also for the admin, and the same answer for unknown addresses."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.accounts.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def without_tokens(html: str) -> str:
    """The page without its per-response secrets (CSRF token, CSP nonce)."""
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)
    return re.sub(r'nonce="[^"]+"', "", html)


def test_an_unknown_address_and_a_wrong_password_get_the_same_answer(client: Client) -> None:
    UserFactory(email="known@example.org")
    known = client.post("/account/login/", {"login": "known@example.org", "password": "wrong password 1234"})
    unknown = Client().post("/account/login/", {"login": "nobody@example.org", "password": "wrong password 1234"})
    assert known.status_code == unknown.status_code == 200
    assert without_tokens(known.content.decode()).replace("known@example.org", "X") == without_tokens(
        unknown.content.decode()
    ).replace("nobody@example.org", "X")


@pytest.mark.parametrize(("language", "expected"), [("en", "Too many failed login attempts"), ("fr", "Trop de")])
def test_repeated_failures_lock_the_account_for_a_while_even_with_the_right_password(
    client: Client, language: str, expected: str
) -> None:
    user = UserFactory()
    for _ in range(5):
        client.post("/account/login/", {"login": user.email, "password": "not the password 123"})
    response = client.post(
        "/account/login/", {"login": user.email, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE=language
    )
    assert response.status_code in (200, 429)
    assert expected in response.content.decode()
    assert client.get("/dashboard/").status_code == 302


def test_the_admin_signs_in_through_the_portal_sign_in(client: Client) -> None:
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    # Posting credentials to the admin's own form does not bypass the throttled sign-in.
    admin = UserFactory(is_staff=True, is_superuser=True)
    response = client.post("/admin/login/", {"username": admin.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert client.get("/admin/").status_code == 302
