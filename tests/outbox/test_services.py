"""The outbox keeps tasks with the transaction that calls for them, and publishes each one once the broker takes
it, however long the broker was away."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from justice.celery import app as celery_app
from justice.outbox import tasks
from justice.outbox.models import OutboxMessage
from justice.outbox.services import Outgoing, outbox_enqueue, outbox_enqueue_many, outbox_purge_published, outbox_relay
from tests.celery_pools import fresh_broker_pools

pytestmark = pytest.mark.django_db

RUNS: list[tuple[object, ...]] = []


@shared_task(name="tests.outbox.record_run")
def record_run(*args: object, **kwargs: object) -> None:
    RUNS.append((*args, *sorted(kwargs.items())))


@pytest.fixture(autouse=True)
def no_runs() -> Iterator[None]:
    RUNS.clear()
    yield
    RUNS.clear()


@pytest.fixture
def broker_down(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A real Redis URL where nothing listens: connecting is refused, as when Redis is stopped."""
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", "redis://127.0.0.1:9/0")
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
    with fresh_broker_pools():
        yield


def test_a_task_enqueued_in_a_committed_transaction_runs_after_the_commit(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        message = outbox_enqueue(task=record_run, args=[1, "a"], kwargs={"b": 2})
        assert RUNS == []  # not before the commit
    assert len(callbacks) == 1
    assert RUNS == [(1, "a", ("b", 2))]
    message.refresh_from_db()
    assert message.published_at is not None and message.attempts == 0


def test_a_task_enqueued_in_a_rolled_back_transaction_never_runs(django_capture_on_commit_callbacks) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        outbox_enqueue(task="tests.outbox.record_run", args=[1])
        raise RuntimeError("the business change failed")
    assert callbacks == [] and RUNS == []
    assert not OutboxMessage.objects.exists()


def test_several_tasks_of_one_change_are_nudged_together(django_capture_on_commit_callbacks) -> None:
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        outbox_enqueue_many(messages=[Outgoing(task=record_run, args=[n]) for n in range(3)])
    assert len(callbacks) == 1
    assert sorted(RUNS) == [(0,), (1,), (2,)]


def test_with_the_broker_down_the_change_commits_and_the_task_waits(
    broker_down: None, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox_enqueue(task=record_run, args=[7])
    # The nudge failed quietly: the caller's change is committed, the message is still pending.
    message.refresh_from_db()
    assert message.is_pending and message.attempts == 1
    assert "OperationalError" in message.last_error
    assert message.available_at > timezone.now()
    assert RUNS == []


def test_the_relay_publishes_what_waited_once_the_broker_is_back(
    broker_down: None, monkeypatch, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        message = outbox_enqueue(task=record_run, args=[8])
    message.refresh_from_db()
    assert message.is_pending and message.attempts == 1
    # Not yet due: the relay leaves it alone.
    assert outbox_relay().failed == []
    message.refresh_from_db()
    assert message.attempts == 1
    # The broker is back (tasks run in-process again), and the wait is over.
    monkeypatch.setitem(celery_app.conf, "task_always_eager", True)
    OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now() - datetime.timedelta(seconds=1))
    assert tasks.relay_outbox.delay().get() == 1
    assert RUNS == [(8,)]
    # Published once: another run of the relay finds nothing to do.
    assert outbox_relay().published == []
    assert RUNS == [(8,)]


def test_the_wait_between_attempts_grows_and_is_capped(broker_down: None, settings) -> None:
    settings.OUTBOX_MAX_BACKOFF_SECONDS = 60
    message = outbox_enqueue(task=record_run)
    waits = []
    for _ in range(8):
        OutboxMessage.objects.filter(pk=message.pk).update(available_at=timezone.now())
        before = timezone.now()
        assert outbox_relay().failed == [message.pk]
        message.refresh_from_db()
        waits.append(round((message.available_at - before).total_seconds()))
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    assert message.attempts == 8


def test_an_unknown_task_is_still_published_by_name(broker_down: None, monkeypatch) -> None:
    """Another service's task, not registered here: sent by name; with the broker down, it waits like any other."""
    message = outbox_enqueue(task="elsewhere.tasks.do_something", args=[1])
    message.refresh_from_db()
    assert message.is_pending and message.task_name == "elsewhere.tasks.do_something"


def test_published_messages_are_forgotten_after_the_keeping_period(settings) -> None:
    settings.OUTBOX_KEEP_PUBLISHED_DAYS = 7
    old = outbox_enqueue(task=record_run)
    recent = outbox_enqueue(task=record_run)
    pending = OutboxMessage.objects.create(task_name="tests.outbox.record_run")
    now = timezone.now()
    OutboxMessage.objects.filter(pk=old.pk).update(published_at=now - datetime.timedelta(days=8))
    OutboxMessage.objects.filter(pk=recent.pk).update(published_at=now - datetime.timedelta(days=6))
    assert outbox_purge_published(now=now) == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, pending.pk}
