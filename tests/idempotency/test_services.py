"""Idempotency keys expire: after IDEMPOTENCY_KEY_TTL_HOURS a key is free again, and the beat task forgets the
expired responses (and only those)."""

from __future__ import annotations

import datetime
import json

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from filings.models import Filing
from justice.accounts.models import User
from justice.idempotency.models import IdempotencyRecord
from justice.idempotency.services import request_fingerprint
from justice.idempotency.tasks import purge_expired_idempotency_keys
from tests.accounts.factories import UserFactory
from tests.filings.conftest import Jurisdiction, make_jurisdiction
from tests.filings.factories import civil_sections

pytestmark = pytest.mark.django_db


@pytest.fixture
def place() -> Jurisdiction:
    return make_jurisdiction("DEMO")


def create(user: User, place: Jurisdiction, key: str) -> int:
    client = Client()
    client.force_login(user)
    body = json.dumps(civil_sections(court=place.court, claim_type=place.claim_type))
    response = client.post("/api/v1/filings/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)
    return response.status_code


def test_an_expired_key_is_free_again_and_the_task_forgets_only_expired_ones(place, settings) -> None:
    settings.IDEMPOTENCY_KEY_TTL_HOURS = 24
    user = UserFactory()
    assert create(user, place, "old") == 201
    later = timezone.now() + datetime.timedelta(hours=25)
    with time_machine.travel(later):
        assert create(user, place, "recent") == 201
        # The old key has expired: the same request is done again.
        assert create(user, place, "old") == 201
        assert Filing.objects.count() == 3
    with time_machine.travel(later + datetime.timedelta(hours=1)):
        IdempotencyRecord.objects.filter(key="old").update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
        assert purge_expired_idempotency_keys() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["recent"]


def test_the_fingerprint_compares_json_by_value_and_tells_paths_apart() -> None:
    same = request_fingerprint(method="post", path="/a/", body=b'{"a": 1, "b": [1, 2]}')
    assert same == request_fingerprint(method="POST", path="/a/", body=b'{"b":[1,2],"a":1}')
    assert same != request_fingerprint(method="POST", path="/b/", body=b'{"a": 1, "b": [1, 2]}')
    assert same != request_fingerprint(method="POST", path="/a/", body=b'{"a": 1, "b": [2, 1]}')
