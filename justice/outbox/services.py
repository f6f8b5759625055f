"""Writing tasks to the outbox, and relaying them to the broker.

``outbox_enqueue`` is called inside the transaction of a business change: the task is stored with the change, or
not at all. After the commit, a nudge publishes the new rows at once; the relay (a beat task every few seconds)
publishes whatever the nudge could not, for example while the broker was down. A row may be published twice (a
relay that dies between publishing and recording it), never zero times: tasks sent through the outbox must be
idempotent.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from celery import Task
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError

from justice.celery import app as celery_app
from justice.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Outgoing:
    """A task to enqueue: its registered name (or the task itself) and JSON-serialisable arguments."""

    task: str | Task
    args: Sequence[Any] = ()
    kwargs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def task_name(self) -> str:
        return self.task if isinstance(self.task, str) else self.task.name


@dataclass
class RelayResult:
    published: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)


def outbox_enqueue(
    *, task: str | Task, args: Sequence[Any] = (), kwargs: Mapping[str, Any] | None = None
) -> OutboxMessage:
    """Store one task to run once the current transaction commits (see ``outbox_enqueue_many``)."""
    return outbox_enqueue_many(messages=[Outgoing(task=task, args=args, kwargs=kwargs or {})])[0]


def outbox_enqueue_many(*, messages: Iterable[Outgoing]) -> list[OutboxMessage]:
    """Store tasks in the caller's transaction; after it commits, try to publish them at once. If the transaction
    rolls back, the tasks go with it; if the broker is unreachable, the relay publishes them later."""
    now = timezone.now()
    rows = OutboxMessage.objects.bulk_create(
        OutboxMessage(
            task_name=message.task_name,
            args=list(message.args),
            kwargs=dict(message.kwargs),
            created_at=now,
            available_at=now,
        )
        for message in messages
    )
    ids = [row.pk for row in rows]
    if ids:
        transaction.on_commit(partial(_nudge, ids))
    return rows


def _nudge(ids: list[int]) -> None:
    """Publish the rows just committed. Never fails the request that wrote them: the relay will retry."""
    try:
        outbox_relay(ids=ids)
    except Exception:
        logger.exception("outbox: could not publish messages %s now; the relay will retry", ids)


def _backoff(attempts: int) -> datetime.timedelta:
    return datetime.timedelta(seconds=min(2**attempts, settings.OUTBOX_MAX_BACKOFF_SECONDS))


def _publish(message: OutboxMessage, *, connection: Any) -> None:
    options: dict[str, Any] = {"task_id": str(message.task_id), "retry": False}
    if connection is not None:
        options["connection"] = connection
    task = celery_app.tasks.get(message.task_name)
    if task is None:
        # A web process imports a task module only when something uses it: load every app's tasks, once.
        celery_app.loader.import_default_modules()
        task = celery_app.tasks.get(message.task_name)
    if task is not None:
        # apply_async honours the task's own routing and options (and runs it in-process when tasks are eager).
        task.apply_async(args=message.args, kwargs=message.kwargs, **options)
    else:
        celery_app.send_task(message.task_name, args=message.args, kwargs=message.kwargs, **options)


def _broker_connection() -> Any:
    """A connection that fails fast: the default one retries for seconds, which a web request cannot wait."""
    if celery_app.conf.task_always_eager:
        return None
    connection = celery_app.connection_for_write()
    try:
        connection.ensure_connection(max_retries=1, interval_start=0, interval_step=1, timeout=5)
    except Exception:
        connection.release()
        raise
    return connection


def outbox_relay(*, ids: Sequence[int] | None = None, limit: int | None = None) -> RelayResult:
    """Publish pending messages (only ``ids`` if given) whose next attempt is due, oldest first.

    Rows are locked while they are published and skipped by a concurrent relay (PostgreSQL), so two relays do not
    publish the same row. If the broker refuses, the remaining rows wait for a later attempt with a growing delay.
    """
    now = timezone.now()
    result = RelayResult()
    pending = OutboxMessage.objects.filter(published_at__isnull=True, available_at__lte=now)
    if ids is not None:
        pending = pending.filter(pk__in=list(ids))
    with transaction.atomic():
        rows = list(
            pending.select_for_update(skip_locked=True).order_by("available_at", "pk")[
                : limit or settings.OUTBOX_RELAY_BATCH
            ]
        )
        if not rows:
            return result
        try:
            connection = _broker_connection()
        except OperationalError as error:
            _record_failure(rows, error=error, now=now)
            result.failed = [row.pk for row in rows]
            logger.warning("outbox: broker unreachable, %s messages wait: %s", len(rows), error)
            return result
        try:
            for index, row in enumerate(rows):
                try:
                    _publish(row, connection=connection)
                except OperationalError as error:
                    # The broker went away: the rest would fail the same way.
                    _record_failure(rows[index:], error=error, now=now)
                    result.failed += [r.pk for r in rows[index:]]
                    logger.warning("outbox: broker refused %s messages: %s", len(rows) - index, error)
                    break
                except Exception as error:
                    _record_failure([row], error=error, now=now)
                    result.failed.append(row.pk)
                    logger.exception("outbox: message %s (%s) could not be published", row.pk, row.task_name)
                else:
                    result.published.append(row.pk)
        finally:
            if connection is not None:
                connection.release()
        OutboxMessage.objects.filter(pk__in=result.published).update(published_at=timezone.now())
    if result.published:
        logger.info("outbox: published %s messages", len(result.published))
    return result


def _record_failure(rows: Sequence[OutboxMessage], *, error: Exception, now: datetime.datetime) -> None:
    for row in rows:
        row.attempts += 1
        row.last_error = f"{type(error).__name__}: {error}"[:2000]
        row.available_at = now + _backoff(row.attempts)
    OutboxMessage.objects.bulk_update(rows, ["attempts", "last_error", "available_at"])


def outbox_purge_published(*, now: datetime.datetime | None = None) -> int:
    """Forget messages published more than ``OUTBOX_KEEP_PUBLISHED_DAYS`` ago."""
    cutoff = (now or timezone.now()) - datetime.timedelta(days=settings.OUTBOX_KEEP_PUBLISHED_DAYS)
    deleted, _ = OutboxMessage.objects.filter(published_at__lt=cutoff).delete()
    return deleted
