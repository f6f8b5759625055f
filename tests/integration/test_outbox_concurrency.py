"""On PostgreSQL, relays running at the same time (the beat's, and the nudges of several web requests) share the
pending messages out: each is published once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from celery import shared_task
from django.db import connection, connections

from justice.outbox.models import OutboxMessage
from justice.outbox.services import outbox_relay

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MESSAGES = 200
RELAYS = 6
RUNS: list[int] = []
LOCK = threading.Lock()


@shared_task(name="tests.integration.outbox_record")
def outbox_record(number: int) -> None:
    with LOCK:
        RUNS.append(number)


def test_concurrent_relays_publish_each_message_once(settings) -> None:
    assert connection.vendor == "postgresql"
    settings.OUTBOX_RELAY_BATCH = 20  # many small batches, so the relays really overlap
    RUNS.clear()
    # Stored outside any transaction's commit hook: only the relays below publish them.
    OutboxMessage.objects.bulk_create(
        OutboxMessage(task_name="tests.integration.outbox_record", args=[n]) for n in range(MESSAGES)
    )
    start = threading.Barrier(RELAYS)
    errors: list[BaseException] = []

    def relay() -> None:
        try:
            start.wait()
            while outbox_relay().published:
                pass
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=relay) for _ in range(RELAYS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert Counter(RUNS) == Counter(range(MESSAGES))  # every message, none twice
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()
