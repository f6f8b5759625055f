"""Citizens' self sign-up: weak passwords and existing addresses get clear answers, and what was typed is kept."""

from __future__ import annotations

import pytest
from django.core import mail
from django.test import Client

from justice.accounts.models import User
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This password is too short. It must contain at least 12 characters."),
        ("fr", "Ce mot de passe est trop court. Il doit contenir au minimum 12 caractères."),
    ],
)
def test_a_weak_password_is_refused_in_each_language_and_the_email_is_kept(
    client: Client, language: str, expected: str
) -> None:
    response = client.post(
        "/account/signup/",
        {"email": "camille@example.org", "password1": "abc12", "password2": "abc12"},
        HTTP_ACCEPT_LANGUAGE=language,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert expected in body
    assert 'value="camille@example.org"' in body
    assert not User.objects.filter(email="camille@example.org").exists()


def test_a_new_citizen_must_verify_their_email(client: Client) -> None:
    response = client.post(
        "/account/signup/",
        {"email": "new@example.org", "password1": "un long mot de passe sûr", "password2": "un long mot de passe sûr"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/confirm-email/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new@example.org"]
    # Not signed in until the address is confirmed.
    assert client.get("/dashboard/")["Location"].startswith("/account/login/")


def test_signing_up_with_an_existing_address_tells_its_owner_not_the_stranger(client: Client) -> None:
    """The page does not reveal that the address has an account (a justice portal must not let anyone test
    whether a person uses it); the owner of the address gets an email saying so."""
    UserFactory.create(email="taken@example.org")
    response = client.post(
        "/account/signup/",
        {
            "email": "Taken@Example.org",
            "password1": "un long mot de passe sûr",
            "password2": "un long mot de passe sûr",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/account/confirm-email/"
    assert User.objects.filter(email__iexact="taken@example.org").count() == 1
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["Taken@Example.org"] or mail.outbox[0].to == ["taken@example.org"]
    assert "already" in mail.outbox[0].body.lower() or "déjà" in mail.outbox[0].body.lower()
