"""The layout's parts that are the same for everyone who sees them are rendered once per process (see LAYOUT_CACHE):
kept under a key made of all they depend on, so that each page still shows its own language, its signed-in or
signed-out menu, its current page and the demo badge, and nothing of the person who rendered them first."""

from __future__ import annotations

import re

import pytest
from django.core.cache import caches
from django.template import engines
from django.test import Client

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_layout_cache() -> None:
    caches["layout"].clear()


def page(client: Client, path: str, language: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return response.content.decode()


def test_the_layout_is_kept_once_rendered_and_shown_the_same() -> None:
    person = UserFactory(first_name="Camille", last_name="Martin")
    client = Client()
    client.force_login(person)
    first = page(client, "/accessibility/", "fr")
    second = page(client, "/accessibility/", "fr")
    tokens = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"')
    assert tokens.sub("", first) == tokens.sub("", second)


def test_each_language_has_its_own_header_skip_links_and_footer() -> None:
    client = Client()
    client.force_login(UserFactory())
    french = page(client, "/accessibility/", "fr")
    english = page(client, "/accessibility/", "en")
    for text in ("Accès rapide", "Déposer, suivre et échanger", "Mon espace", "Accessibilité : partiellement conforme"):
        assert text in french and text not in english
    for text in ("Skip links", "File, follow and exchange", "My space", "Accessibility: partially compliant"):
        assert text in english and text not in french


def test_the_menu_follows_the_sign_in_and_the_current_page() -> None:
    anonymous = page(Client(), "/accessibility/", "en")
    assert "My space" not in anonymous
    client = Client()
    client.force_login(UserFactory(first_name="Camille", last_name="Martin"))
    signed_in = page(client, "/accessibility/", "en")
    assert "My space" in signed_in and "Camille Martin" in signed_in
    dashboard = page(client, "/dashboard/", "en")
    current = re.compile(r'href="/dashboard/" aria-current="page"')
    assert current.search(dashboard) and not current.search(signed_in)
    # Another person's page shows their own name, not the first one's.
    other = Client()
    other.force_login(UserFactory(first_name="Alix", last_name="Durand"))
    theirs = page(other, "/accessibility/", "en")
    assert "Alix Durand" in theirs and "Camille Martin" not in theirs


def test_the_demo_badge_follows_the_setting(settings) -> None:
    settings.DEMO = True
    assert ">Demo</span>" in page(Client(), "/accessibility/", "en")
    settings.DEMO = False
    assert ">Demo</span>" not in page(Client(), "/accessibility/", "en")


def test_the_scripts_are_django_dsfrs_with_each_responses_own_nonce() -> None:
    client = Client()
    nonces = []
    for _ in range(2):
        response = client.get("/accessibility/")
        policy = (
            response.headers.get("Content-Security-Policy") or response.headers["Content-Security-Policy-Report-Only"]
        )
        match = re.search(r"'nonce-([^']+)'", policy)
        assert match is not None
        nonce = match.group(1)
        markup = engines["django"].from_string("{% load dsfr_tags %}{% dsfr_js nonce=nonce %}").render({"nonce": nonce})
        assert markup.strip() and markup in response.content.decode()
        nonces.append(nonce)
    assert nonces[0] != nonces[1]
