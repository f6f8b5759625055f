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


def test_the_header_tools_show_each_persons_own_values_escaped_and_a_valid_token() -> None:
    """The tools' markup is kept with marks for the person's values: each page puts in its own name, its own address
    to come back to after a change of language, its own CSRF token (a form posted with it is accepted) and its own
    unread count, escaped as the template escapes them."""
    from justice.notifications.models import Kind
    from justice.notifications.services import notify
    from tests.filings.factories import draft

    first = UserFactory(first_name="<b>Camille</b>", last_name="Martin & fils")
    client = Client(enforce_csrf_checks=True)
    client.force_login(first)
    mine = page(client, '/accessibility/?q="><script>', "en")
    assert "&lt;b&gt;Camille&lt;/b&gt; Martin &amp; fils" in mine and "<b>Camille" not in mine
    assert 'name="next" value="/accessibility/?q=%22%3E%3Cscript%3E"' in mine
    assert "\x00" not in mine and "unread:" not in mine
    token = re.search(r'"/i18n/setlang/"[^>]*>\s*<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)"', mine)
    assert token is not None
    changed = client.post("/i18n/setlang/", {"csrfmiddlewaretoken": token.group(1), "language": "fr", "next": "/"})
    assert changed.status_code == 302
    # Another person, with two unread notifications, on the notifications' page: their own values, nothing of the first.
    second = UserFactory(first_name="Alix", last_name="Durand")
    filing = draft(filer=second)
    for _ in range(2):
        notify(recipients=[second], target=filing, kind=Kind.FILING_ACCEPTED)
    other = Client()
    other.force_login(second)
    theirs = page(other, "/notifications/", "en")
    assert "Alix Durand" in theirs and "Camille" not in theirs
    assert '<span class="fr-sr-only">, unread: 2</span>' in theirs
    assert 'href="/notifications/" aria-current="page"' in theirs
    assert 'href="/notifications/" aria-current="page"' not in page(other, "/accessibility/", "en")


def test_the_pagination_is_kept_per_language_page_count_and_query_and_shows_each_lists_own() -> None:
    from django.core.paginator import Paginator
    from django.utils import translation

    layout = caches["layout"]
    tag = engines["django"].from_string("{% load layout %}{% pagination %}")

    def render(number: int, count: int, query: str = "", language: str = "en") -> str:
        with translation.override(language):
            return tag.render({"page_obj": Paginator(range(count), 10).page(number), "query": query})

    middle = render(2, 30, "status=accepted&kind=complaint")
    assert 'href="?status=accepted&amp;kind=complaint&amp;page=1">Previous page<' in middle
    assert 'href="?status=accepted&amp;kind=complaint&amp;page=3">Next page<' in middle
    assert 'aria-current="page" title="Page 2">2<' in middle
    assert render(2, 30, "status=accepted&kind=complaint") == middle
    assert layout.get("layout-pagination:en:2:3:status=accepted&kind=complaint") == middle
    # Each of what the markup depends on gives its own.
    assert "Page suivante" in render(2, 30, "status=accepted&kind=complaint", "fr")
    last = render(3, 30, "status=accepted&kind=complaint")
    assert "Next page" not in last and "page=2" in last
    assert "Next page" not in render(2, 20, "status=accepted&kind=complaint")
    assert "kind=police_transmission&amp;page=3" in render(2, 30, "kind=police_transmission")
    assert render(1, 10) == ""  # one page: no pagination
    # A query longer than the cache keeps is rendered each time.
    long_query = "q=" + "x" * 300
    assert f"?{long_query}&amp;page=3" in render(2, 30, long_query)
    assert not any(long_query in str(key) for key in layout._cache)  # type: ignore[attr-defined]
