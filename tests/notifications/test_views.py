"""The bell in the header, the list of notifications, marking them read, following them; each person sees only
their own (anyone else's is a 404)."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from filings import services
from filings.models import Filing
from justice.notifications.models import Kind, Notification, RecipientLanguage
from justice.notifications.services import notify
from tests.accounts.factories import UserFactory
from tests.filings.factories import civil_sections, submitted

pytestmark = pytest.mark.django_db


def test_the_bell_announces_the_unread_count_and_links_to_the_list(client: Client, place, citizen) -> None:
    filing = submitted(filer=citizen)
    services.filing_review(filing=filing, actor=place.police, decision=Filing.Decision.ACCEPTED)
    client.force_login(citizen)
    page = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'href="/notifications/"' in page
    assert '<span class="fr-sr-only">, unread: 1</span>' in page
    page = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<span class="fr-sr-only">, non lues : 1</span>' in page
    client.post("/notifications/read-all/")
    page = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "unread:" not in page and 'href="/notifications/"' in page


def test_the_bell_costs_one_query(client: Client, place, citizen, django_assert_num_queries) -> None:
    from django.template import Context, Template
    from django.test import RequestFactory

    from justice.notifications.context_processors import notifications

    for _ in range(30):
        submitted(filer=citizen)  # thirty notifications for the officer
    request = RequestFactory().get("/")
    request.user = place.police
    context = notifications(request)
    with django_assert_num_queries(1):
        rendered = Template("{{ notification_bell.unread }} {{ notification_bell.unread }}").render(Context(context))
    assert rendered == "30 30"
    with django_assert_num_queries(0):  # the next page reads the count from the cache
        assert Template("{{ notification_bell.unread }}").render(Context(notifications(request))) == "30"


def _bell_count_queries(queries: CaptureQueriesContext) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if 'FROM "notifications_notification"' in q["sql"]]


def _bell(client: Client) -> str:
    page = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    found = re.search(r'<span class="fr-sr-only">, unread: (\d+)</span>', page)
    assert 'href="/notifications/"' in page
    return found.group(1) if found else "none"


def test_the_bell_is_counted_once_then_read_from_the_cache(client: Client, place, citizen) -> None:
    filing = submitted(filer=citizen)
    services.filing_review(filing=filing, actor=place.police, decision=Filing.Decision.ACCEPTED)
    client.force_login(citizen)
    assert _bell(client) == "1"  # the session is now set up, its language recorded
    notify(recipients=[citizen], target=filing, kind=Kind.FILING_ACCEPTED)
    with CaptureQueriesContext(connection) as first:
        assert _bell(client) == "2"
    assert len(_bell_count_queries(first)) == 1
    with CaptureQueriesContext(connection) as second:
        assert _bell(client) == "2"
    assert _bell_count_queries(second) == []
    assert len(second.captured_queries) == len(first.captured_queries) - 1


def test_the_bell_shows_a_new_notification_and_reading_at_once(
    client: Client, place, citizen, django_capture_on_commit_callbacks
) -> None:
    client.force_login(citizen)
    assert _bell(client) == "none"  # nothing unread: cached as such
    first = submitted(filer=citizen)
    services.filing_review(filing=first, actor=place.police, decision=Filing.Decision.ACCEPTED)
    assert _bell(client) == "1"
    with django_capture_on_commit_callbacks(execute=True):
        second = submitted(filer=citizen)
        services.filing_review(
            filing=second, actor=place.police, decision=Filing.Decision.REJECTED, rejection_reason="incomplete"
        )
    assert _bell(client) == "2"
    notification = Notification.objects.filter(recipient=citizen).order_by("pk").first()
    assert notification is not None
    client.get(f"/notifications/{notification.pk}/")  # followed from the list or the email: read
    assert _bell(client) == "1"
    client.post(f"/notifications/{notification.pk}/read/")  # already read: nothing changes
    assert _bell(client) == "1"
    client.post("/notifications/read-all/")
    assert _bell(client) == "none"
    notify(recipients=[citizen], target=first, kind=Kind.FILING_ACCEPTED)
    assert _bell(client) == "1"


def test_a_count_taken_before_a_notification_commits_is_not_served_after(
    client: Client, place, citizen, django_capture_on_commit_callbacks
) -> None:
    """Another request may count between the notification's insert and its commit, without seeing it, and store
    that count: the commit moves the bell to a new version, so that count is never read."""
    from django.core.cache import cache

    from justice import versioned_cache
    from justice.notifications.selectors import UNREAD_SCOPE, unread_version_key

    filing = submitted(filer=citizen)
    client.force_login(citizen)
    assert _bell(client) == "none"
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[citizen], target=filing, kind=Kind.FILING_ACCEPTED)
        version = cache.get(unread_version_key(citizen.pk))
        # What the other request stored:
        cache.set(versioned_cache.value_key(UNREAD_SCOPE, citizen.pk), (version, 0))
    assert _bell(client) == "1"


def test_each_person_has_their_own_count(client: Client, place, citizen) -> None:
    other = UserFactory()
    filing = submitted(filer=citizen)
    notify(recipients=[citizen], target=filing, kind=Kind.FILING_ACCEPTED)
    client.force_login(other)
    assert _bell(client) == "none"
    client.force_login(citizen)
    assert _bell(client) == "1"
    client.force_login(other)
    assert _bell(client) == "none"


def test_the_list_is_paginated_with_a_bounded_number_of_queries(
    client: Client, place, citizen, django_assert_max_num_queries
) -> None:
    for _ in range(45):
        submitted(filer=citizen)
    client.force_login(place.police)
    client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en")  # the session is now set up, its language recorded
    # What every page of a staff member costs (session, session tracking, staff MFA check: 10), then the page's
    # count and rows (the filings and their recipients joined), and the bell.
    with django_assert_max_num_queries(13):
        response = client.get("/notifications/?page=2", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert len(response.context["rows"]) == 20
    body = response.content.decode()
    assert f"{place.unit.name} received Pre-complaint no." in body
    assert "Next page" in body


def test_following_a_notification_marks_it_read_and_opens_its_case(client: Client, place, citizen) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    filing.refresh_from_db()
    notification = Notification.objects.get(recipient=citizen)
    client.force_login(citizen)
    listing = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert filing.case is not None
    assert f"was accepted and registered in case {filing.case.reference}" in listing
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == f"/filings/cases/{filing.case_id}/"
    notification.refresh_from_db()
    assert notification.is_read
    assert client.get(response["Location"]).status_code == 200


def test_a_staff_notification_opens_the_filing_to_review(client: Client, place, citizen) -> None:
    filing = submitted(filer=citizen)
    notification = Notification.objects.get(recipient=place.police)
    client.force_login(place.police)
    response = client.get(f"/notifications/{notification.pk}/")
    assert response["Location"] == f"/filings/{filing.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_mark_one_and_mark_all_read(client: Client, place, citizen) -> None:
    for _ in range(3):
        submitted(filer=citizen)
    first, *_rest = Notification.objects.filter(recipient=place.police).order_by("pk")
    client.force_login(place.police)
    response = client.post(f"/notifications/{first.pk}/read/", {"page": "1"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response["Location"] == "/notifications/?page=1"
    assert Notification.objects.filter(read_at__isnull=True).count() == 2
    response = client.post("/notifications/read-all/", HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Notifications marked as read: 2." in response.content.decode()
    assert not Notification.objects.filter(read_at__isnull=True).exists()
    assert client.get(f"/notifications/{first.pk}/read/").status_code == 405


def test_someone_elses_notification_is_a_404(client: Client, place, citizen) -> None:
    submitted(filer=citizen)
    theirs = Notification.objects.get(recipient=place.police)
    for intruder in (citizen, place.clerk, UserFactory()):
        client.force_login(intruder)
        assert client.get(f"/notifications/{theirs.pk}/").status_code == 404
        assert client.post(f"/notifications/{theirs.pk}/read/").status_code == 404
        assert client.post("/notifications/read-all/").status_code == 302
        assert str(theirs.pk) not in client.get("/notifications/").content.decode().split("notifications/")[-1][:5]
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_anonymous_visitors_are_sent_to_sign_in(client: Client) -> None:
    for url in ("/notifications/", "/notifications/1/"):
        assert client.get(url)["Location"].startswith("/account/login/")
    assert client.post("/notifications/read-all/")["Location"].startswith("/account/login/")


def test_the_language_a_person_reads_in_is_kept_for_their_emails(client: Client, citizen) -> None:
    client.force_login(citizen)
    client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert RecipientLanguage.objects.get(user=citizen).language == "en"
    client.post("/i18n/setlang/", {"language": "fr", "next": "/notifications/"})
    client.get("/notifications/")
    assert RecipientLanguage.objects.get(user=citizen).language == "fr"


def test_the_list_says_when_there_is_nothing(client: Client, citizen) -> None:
    client.force_login(citizen)
    page = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You have no notifications yet." in page and "Mark all as read" not in page


def test_notify_is_open_to_other_features(place, citizen) -> None:
    filing = submitted(filer=citizen)
    (notification,) = notify(recipients=[citizen], target=filing, kind=Kind.APPOINTMENT_PROPOSED)
    assert notification.filing == filing and notification.case is None
