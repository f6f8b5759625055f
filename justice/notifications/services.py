"""Writes of notifications: creating them (with their email, through the outbox), reading them, sending the email.

``notify`` is the one entry point for features: call it inside the transaction of the change it announces.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from filings.models import Case, Filing
from justice import versioned_cache
from justice.accounts.models import User
from justice.notifications.models import Kind, Notification, RecipientLanguage
from justice.notifications.selectors import UNREAD_SCOPE
from justice.notifications.wording import subject_of
from justice.outbox.services import Outgoing, outbox_enqueue_many

logger = logging.getLogger(__name__)

EMAIL_TASK = "justice.notifications.tasks.send_notification_email"


def unread_count_changed(*, user_ids: Iterable[int]) -> None:
    """The unread counts of ``user_ids`` change: their bells count again (see ``selectors.unread_count``)."""
    versioned_cache.changed(UNREAD_SCOPE, user_ids)


def notify(*, recipients: Iterable[User | None], target: Case | Filing, kind: str) -> list[Notification]:
    """Tell each recipient (once, whatever duplicates the iterable holds) that ``kind`` happened to ``target``.

    Writes the notifications and, for people with an email address, the email task in the outbox, in the caller's
    transaction: if the change rolls back, nobody is told; if it commits, the email will be sent even if the
    broker is down at that moment.
    """
    if kind not in Kind.values:
        raise ValueError(f"Unknown notification kind: {kind!r}")
    case: Case | None
    filing: Filing | None
    if isinstance(target, Case):
        case, filing = target, None
    else:
        filing = target
        case = target.case if target.status == Filing.Status.DOCKETED else None
    people: dict[int, User] = {}
    for person in recipients:
        # An API client's service account is software: nobody reads its notifications or its (.invalid) email.
        if person is not None and person.is_active and not person.is_service_account:
            people.setdefault(person.pk, person)
    if not people:
        return []
    now = timezone.now()
    with transaction.atomic():
        notifications = Notification.objects.bulk_create(
            Notification(
                recipient=person,
                kind=kind,
                case=case,
                filing=filing,
                created_at=now,
                email_status=Notification.EmailStatus.PENDING if person.email else Notification.EmailStatus.NOT_SENT,
            )
            for person in people.values()
        )
        outbox_enqueue_many(
            messages=[
                Outgoing(task=EMAIL_TASK, args=[notification.pk])
                for notification in notifications
                if notification.email_status == Notification.EmailStatus.PENDING
            ]
        )
        unread_count_changed(user_ids=people.keys())
    logger.info("notified %s people of %s on %s %s", len(notifications), kind, type(target).__name__, target.pk)
    return notifications


def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    if notification.recipient_id != user.pk:
        raise PermissionError("Only the recipient marks a notification read.")
    if notification.read_at is None:
        now = timezone.now()
        if Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now):
            unread_count_changed(user_ids=[user.pk])
        notification.read_at = now
    return notification


def notification_mark_all_read(*, user: User) -> int:
    count = Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())
    if count:
        unread_count_changed(user_ids=[user.pk])
    return count


def recipient_language_record(*, user: User, language: str) -> None:
    """Remember the language ``user`` reads the portal in (one upsert), for the emails they will receive."""
    codes = {code for code, _name in settings.LANGUAGES}
    language = language.split("-")[0]
    if language not in codes:
        return
    RecipientLanguage.objects.bulk_create(
        [RecipientLanguage(user=user, language=language, updated_at=timezone.now())],
        update_conflicts=True,
        unique_fields=["user"],
        update_fields=["language", "updated_at"],
    )


def _language_of(user: User) -> str:
    preference = RecipientLanguage.objects.filter(user=user).values_list("language", flat=True).first()
    return preference or settings.LANGUAGE_CODE


def notification_email_build(*, notification: Notification) -> EmailMessage:
    """The email in the recipient's language. It names the case or filing and links to the portal; what happened,
    and who the other parties are, is shown only after sign-in."""
    language = _language_of(notification.recipient)
    with translation.override(language):
        context = {
            "subject": subject_of(notification),
            "url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("notifications:open", args=[notification.pk]),
            "list_url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("notifications:list"),
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        body = render_to_string("notifications/email/body.txt", context)
    return EmailMessage(
        subject=settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + subject,
        body=body,
        to=[notification.recipient.email],
        # The same Message-ID at every attempt: a copy sent twice is recognisable as the same message.
        headers={"Message-ID": f"<notification-{notification.pk}@{urlsplit(settings.PORTAL_BASE_URL).hostname}>"},
    )


def notification_email_send(*, notification_id: int) -> bool:
    """Send the notification's email unless it was sent already. Returns whether this call sent it.

    The notification's row stays locked from the check to the record of the sending, so a redelivered task (after
    a worker was killed) or a second worker waits, then finds it sent. A worker killed while sending leaves
    nothing recorded (its transaction rolls back with the connection), so the redelivered task sends it: an email
    is lost only if the mail server accepted it and the worker died before the commit, a window of milliseconds.
    """
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(of=("self",))
            .select_related("recipient", "case", "filing")
            .filter(pk=notification_id)
            .first()
        )
        if notification is None or notification.email_status != Notification.EmailStatus.PENDING:
            return False
        message = notification_email_build(notification=notification)
        try:
            message.send()
        except OSError as error:  # smtplib's errors included
            failure = error
        else:
            Notification.objects.filter(pk=notification.pk).update(
                email_status=Notification.EmailStatus.SENT, email_sent_at=timezone.now(), email_error=""
            )
            logger.info("notification %s emailed to user %s", notification.pk, notification.recipient_id)
            return True
    Notification.objects.filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING).update(
        email_attempts=F("email_attempts") + 1, email_error=f"{type(failure).__name__}: {failure}"[:2000]
    )
    logger.warning("notification %s: email not sent (%s), will retry", notification_id, failure)
    raise failure


def notification_email_give_up(*, notification_id: int, error: BaseException) -> None:
    """After the last retry: the notification stays on the portal, its email is marked as failed."""
    Notification.objects.filter(pk=notification_id, email_status=Notification.EmailStatus.PENDING).update(
        email_status=Notification.EmailStatus.FAILED, email_error=f"{type(error).__name__}: {error}"[:2000]
    )
    logger.error("notification %s: email given up after retries: %s", notification_id, error)


def notification_purge_for_filings(*, filing_ids: Iterable[int]) -> int:
    """Delete the notifications about filings being deleted (retention of pre-complaints)."""
    notifications = Notification.objects.filter(filing__in=list(filing_ids))
    unread_count_changed(user_ids=notifications.filter(read_at__isnull=True).values_list("recipient_id", flat=True))
    deleted, _ = notifications.delete()
    return deleted
