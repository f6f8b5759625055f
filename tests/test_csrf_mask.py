"""CSRF tokens are masked by justice.csrf_mask, in the form Django's own check reads."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.middleware import csrf
from django.test import Client, RequestFactory

from justice.csrf_mask import mask_cipher_secret, random_chars
from tests.accounts.factories import UserFactory

ALLOWED = set(csrf.CSRF_ALLOWED_CHARS)


def test_django_masks_every_token_with_it() -> None:
    """If Django stops looking the function up by this name, this fails and the module must follow it."""
    assert csrf._mask_cipher_secret is mask_cipher_secret  # type: ignore[attr-defined]
    request = RequestFactory().get("/")
    secret = csrf._get_new_csrf_string()
    request.META["CSRF_COOKIE"] = secret
    token = csrf.get_token(request)
    assert len(token) == csrf.CSRF_TOKEN_LENGTH and set(token) <= ALLOWED
    assert csrf._unmask_cipher_token(token) == secret  # type: ignore[attr-defined]


def test_django_unmasks_each_token_to_its_secret_and_no_two_masks_are_the_same() -> None:
    tokens = set()
    for _ in range(500):
        secret = csrf._get_new_csrf_string()
        token = mask_cipher_secret(secret)
        assert csrf._unmask_cipher_token(token) == secret  # type: ignore[attr-defined]
        tokens.add(token[: csrf.CSRF_SECRET_LENGTH])
    assert len(tokens) == 500
    assert csrf._unmask_cipher_token(mask_cipher_secret("a" * 32)) == "a" * 32  # type: ignore[attr-defined]
    assert csrf._unmask_cipher_token(mask_cipher_secret("9" * 32)) == "9" * 32  # type: ignore[attr-defined]


def test_the_mask_draws_each_character_uniformly() -> None:
    """320,000 characters: about 5,161 of each of the 62, give or take 71 (one standard deviation). Taking random
    bytes modulo 62 without dropping those from 248 up would give the first eight characters 6,250 each."""
    counts = Counter("".join(random_chars(32) for _ in range(10_000)))
    assert set(counts) == ALLOWED
    expected = 320_000 / 62
    assert all(abs(count - expected) < 430 for count in counts.values()), counts.most_common(3)


@pytest.mark.parametrize("secret", ["a" * 31, "a" * 33, "-" * 32, "é" * 32])
def test_a_secret_not_of_django_s_form_is_refused(secret: str) -> None:
    with pytest.raises(ValueError):
        mask_cipher_secret(secret)


@pytest.mark.django_db
def test_a_form_posted_with_its_page_s_token_passes_django_s_check_and_a_changed_one_does_not() -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory())
    page = client.get("/accessibility/").content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert tokens
    token = tokens[0]
    assert client.post("/i18n/setlang/", {"csrfmiddlewaretoken": token, "language": "en"}).status_code == 302
    shifted = token[:-1] + ("a" if token[-1] != "a" else "b")
    assert client.post("/i18n/setlang/", {"csrfmiddlewaretoken": shifted, "language": "en"}).status_code == 403
