"""Sending a notification's email. Published through the outbox (``justice.outbox``), possibly more than once, and
redelivered if a worker dies: the service sends each email at most once."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from celery.utils.time import get_exponential_backoff_interval

from justice.notifications.services import notification_email_give_up, notification_email_send

RETRY_BACKOFF_SECONDS = 30
RETRY_BACKOFF_MAX_SECONDS = 3600


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=8, ignore_result=True)
def send_notification_email(self: Any, notification_id: int) -> bool:
    """Retried with a growing delay while the mail server refuses; after the last retry the email is marked as
    failed (the notification stays on the portal)."""
    try:
        return notification_email_send(notification_id=notification_id)
    except OSError as error:  # smtplib's errors included
        if self.request.retries >= self.max_retries:
            notification_email_give_up(notification_id=notification_id, error=error)
            raise
        countdown = get_exponential_backoff_interval(
            factor=RETRY_BACKOFF_SECONDS,
            retries=self.request.retries,
            maximum=RETRY_BACKOFF_MAX_SECONDS,
            full_jitter=True,
        )
        raise self.retry(exc=error, countdown=countdown) from error
