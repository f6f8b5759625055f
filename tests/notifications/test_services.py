"""Filing events notify the right people, once, on the portal and by an email that says only “something new”."""

from __future__ import annotations

import datetime

import pytest
from celery.exceptions import Retry
from django.core import mail
from django.utils import timezone

from filings import services
from filings.models import Filing
from justice.accounts.models import Membership
from justice.notifications.models import Kind, Notification
from justice.notifications.selectors import unread_count
from justice.notifications.services import notification_email_send, notify, recipient_language_record
from justice.notifications.tasks import send_notification_email
from justice.outbox.models import OutboxMessage
from tests.accounts.factories import UserFactory, staff_member
from tests.filings.factories import civil_sections, draft, submitted

pytestmark = pytest.mark.django_db

MAX_RETRIES = 8


def test_a_pre_complaint_sent_notifies_the_officers_of_its_unit_only(
    place, elsewhere, citizen, django_capture_on_commit_callbacks
) -> None:
    second_officer = staff_member(Membership.Role.POLICE_OFFICER, organisation=place.unit).user
    gone = staff_member(Membership.Role.POLICE_OFFICER, organisation=place.unit)
    gone.revoked_at = timezone.now()
    gone.save()
    with django_capture_on_commit_callbacks(execute=True):
        filing = submitted(filer=citizen)
    notified = set(Notification.objects.values_list("recipient", "kind", "filing"))
    assert notified == {
        (place.police.pk, Kind.FILING_SUBMITTED, filing.pk),
        (second_officer.pk, Kind.FILING_SUBMITTED, filing.pk),
    }
    assert sorted(message.to[0] for message in mail.outbox) == sorted([place.police.email, second_officer.email])
    assert set(Notification.objects.values_list("email_status", flat=True)) == {Notification.EmailStatus.SENT}
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()


def test_a_civil_referral_sent_notifies_the_clerks_of_the_court(place, citizen) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    assert list(Notification.objects.values_list("recipient", flat=True)) == [place.clerk.pk]
    assert filing.status == Filing.Status.SUBMITTED


def test_review_notifies_the_filer_and_the_client_of_a_lawyer(
    place, citizen, django_capture_on_commit_callbacks
) -> None:
    filing = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=citizen,
        bar=place.bar,
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    filing.refresh_from_db()
    rows = Notification.objects.filter(kind=Kind.FILING_DOCKETED)
    assert {n.recipient_id for n in rows} == {place.lawyer.pk, citizen.pk}
    assert {n.case_id for n in rows} == {filing.case_id}
    assert len(mail.outbox) == 2


@pytest.mark.parametrize(
    ("decision", "reason", "note", "kind"),
    [
        (Filing.Decision.REJECTED, "incomplete", "", Kind.FILING_REJECTED),
        (Filing.Decision.PARTIALLY_ACCEPTED, "", "Pièce 3 illisible", Kind.FILING_PARTIALLY_ACCEPTED),
        (Filing.Decision.ACCEPTED, "", "", Kind.FILING_DOCKETED),
    ],
)
def test_each_review_decision_gives_one_notification_of_its_kind(place, citizen, decision, reason, note, kind) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=filing, actor=place.clerk, decision=decision, rejection_reason=reason, note=note)
    assert list(Notification.objects.filter(recipient=citizen).values_list("kind", flat=True)) == [kind]


def test_a_confirmed_pre_complaint_notifies_its_filer(place, citizen) -> None:
    filing = submitted(filer=citizen)
    services.filing_review(filing=filing, actor=place.police, decision=Filing.Decision.ACCEPTED)
    notification = Notification.objects.get(recipient=citizen)
    assert (notification.kind, notification.filing_id, notification.case_id) == (Kind.FILING_ACCEPTED, filing.pk, None)


def test_a_failed_review_notifies_nobody(place, citizen) -> None:
    filing = submitted(filer=citizen)
    Notification.objects.all().delete()
    with pytest.raises(services.FilingError):
        services.filing_review(filing=filing, actor=place.police, decision=Filing.Decision.PARTIALLY_ACCEPTED, note="x")
    assert not Notification.objects.exists()
    assert not OutboxMessage.objects.filter(args=[]).exists()


def test_the_email_names_the_case_and_no_one_in_it(place, django_capture_on_commit_callbacks) -> None:
    citizen = UserFactory(first_name="Aurélie", last_name="Zéphyrin")
    sections = civil_sections(court=place.court)
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=sections)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    filing.refresh_from_db()
    (message,) = mail.outbox
    text = f"{message.subject}{message.body}"
    assert filing.case is not None and filing.case.reference in text
    notification = Notification.objects.get(recipient=citizen)
    assert f"http://127.0.0.1:8000/notifications/{notification.pk}/" in message.body
    for private in (
        "Aurélie",
        "Zéphyrin",
        "Camille",
        "Martin",
        sections["respondents"][0]["name"],
        "dépôt de garantie",
        place.clerk.last_name,
        place.court.name,
    ):
        assert private not in text
    assert message.subject.startswith("[Justice] Du nouveau")
    assert message.extra_headers["Message-ID"] == f"<notification-{notification.pk}@127.0.0.1>"


def test_the_email_is_in_the_language_the_recipient_reads_the_portal_in(
    place, citizen, django_capture_on_commit_callbacks
) -> None:
    recipient_language_record(user=place.police, language="en-gb")
    with django_capture_on_commit_callbacks(execute=True):
        submitted(filer=citizen)
    (message,) = mail.outbox
    assert message.subject.startswith("[Justice] Something new in your filing no. ")
    assert "Sign in to read it" in message.body
    recipient_language_record(user=place.police, language="fr")
    with django_capture_on_commit_callbacks(execute=True):
        submitted(filer=citizen)
    assert mail.outbox[1].subject.startswith("[Justice] Du nouveau dans votre dépôt n°")
    assert "Connectez-vous pour le lire" in mail.outbox[1].body


def test_an_email_is_sent_at_most_once_however_often_its_task_runs(
    place, citizen, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        submitted(filer=citizen)
    notification = Notification.objects.get()
    assert len(mail.outbox) == 1
    # A redelivered task, a republished outbox message: nothing more is sent.
    assert send_notification_email.apply(args=(notification.pk,)).get() is False
    assert notification_email_send(notification_id=notification.pk) is False
    assert len(mail.outbox) == 1
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT and notification.email_sent_at is not None


def test_a_refused_email_is_recorded_retried_then_given_up(place, citizen, settings) -> None:
    # A real SMTP connection to a port where nothing listens.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    submitted(filer=citizen)
    notification = Notification.objects.get()
    assert notification.email_status == Notification.EmailStatus.PENDING
    task = send_notification_email
    assert task.max_retries == MAX_RETRIES
    for attempt in range(MAX_RETRIES):
        with pytest.raises(Retry):
            task.apply(args=(notification.pk,), retries=attempt)
        notification.refresh_from_db()
        assert notification.email_status == Notification.EmailStatus.PENDING
        assert notification.email_attempts == attempt + 1
    with pytest.raises(ConnectionRefusedError):
        task.apply(args=(notification.pk,), retries=MAX_RETRIES)
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.FAILED
    assert notification.email_attempts == MAX_RETRIES + 1
    assert "ConnectionRefusedError" in notification.email_error
    # The portal keeps the notification; the filing was sent regardless.
    assert Filing.objects.get().status == Filing.Status.SUBMITTED


def test_a_missing_notification_is_not_an_error(db) -> None:
    assert notification_email_send(notification_id=123456) is False


def test_notify_refuses_an_unknown_kind_and_skips_inactive_people(place, citizen) -> None:
    filing = draft(filer=citizen)
    with pytest.raises(ValueError, match="Unknown notification kind"):
        notify(recipients=[citizen], target=filing, kind="something")
    inactive = UserFactory(is_active=False)
    assert (
        notify(recipients=[citizen, citizen, None, inactive], target=filing, kind=Kind.FILING_ACCEPTED)[0].recipient
        == citizen
    )
    assert Notification.objects.count() == 1


def test_the_retention_purge_takes_the_notifications_of_purged_pre_complaints(place, citizen) -> None:
    filing = submitted(filer=citizen)
    assert Notification.objects.filter(filing=filing).exists()
    assert unread_count(user=place.police) == 1  # now in the cache
    later = timezone.now() + datetime.timedelta(days=31)
    assert services.pre_complaint_purge_unconfirmed(now=later) == 1
    assert not Notification.objects.exists()
    assert unread_count(user=place.police) == 0
