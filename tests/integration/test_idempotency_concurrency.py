"""Two copies of the same API request at the same moment, on PostgreSQL, each on its own connection: one filing is
created and both callers get its response; a concurrent copy with another body gets a 422."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from filings import services
from filings.api import views
from filings.models import AssuranceLevel, Filing
from justice.idempotency.models import IdempotencyRecord
from tests.accounts.factories import UserFactory, set_session_assurance
from tests.filings.conftest import Jurisdiction, make_jurisdiction
from tests.filings.factories import civil_sections

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def place() -> Jurisdiction:
    return make_jurisdiction("DEMO")


# Long enough for the second request to reach the insert of the key and wait on the first one's transaction.
HOLD_SECONDS = 1.0


def body(place: Any, amount: str = "1200.00") -> str:
    sections = civil_sections(court=place.court, claim_type=place.claim_type)
    sections["claim"]["amount"] = amount
    return json.dumps(sections)


def race(monkeypatch: pytest.MonkeyPatch, user: Any, bodies: list[str]) -> list[Any]:
    """Send the bodies at once with the same key; the first request holds its transaction open after creating
    the draft, so the others arrive while it is in progress."""
    original = services.filing_create_draft
    first_in = threading.Event()

    def slow_create(**kwargs: Any) -> Filing:
        filing = original(**kwargs)
        if not first_in.is_set():
            first_in.set()
            time.sleep(HOLD_SECONDS)
        return filing

    monkeypatch.setattr(views.services, "filing_create_draft", slow_create)
    results: list[Any] = [None] * len(bodies)

    def send(index: int, payload: str) -> None:
        client = Client()
        client.force_login(user)
        set_session_assurance(client, AssuranceLevel.LOW)
        if index:
            first_in.wait(timeout=10)
        results[index] = client.post(
            "/api/v1/filings/", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="same-key"
        )
        connection.close()

    threads = [threading.Thread(target=send, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def test_concurrent_copies_create_one_filing_and_get_the_same_response(monkeypatch, place) -> None:
    assert connection.vendor == "postgresql"
    user = UserFactory()
    first, second = race(monkeypatch, user, [body(place), body(place)])
    assert first.status_code == second.status_code == 201, (first.content, second.content)
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Filing.objects.filter(filer=user).count() == 1
    assert IdempotencyRecord.objects.filter(key="same-key").count() == 1


def test_a_concurrent_copy_with_another_body_is_refused(monkeypatch, place) -> None:
    user = UserFactory()
    first, second = race(monkeypatch, user, [body(place), body(place, amount="10")])
    assert (first.status_code, second.status_code) == (201, 422), (first.content, second.content)
    assert Filing.objects.filter(filer=user).count() == 1
