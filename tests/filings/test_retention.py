"""An unconfirmed pre-complaint is deleted 30 days after it was sent, by a nightly Celery beat task; confirmed
pre-complaints and other filings are kept."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from celery.schedules import crontab
from django.conf import settings
from django.utils import timezone

from filings import services
from filings.models import AssuranceLevel, Filing, FilingEvent
from filings.tasks import purge_unconfirmed_pre_complaints
from justice.celery import app
from tests.filings.factories import civil_sections, draft, submitted

pytestmark = pytest.mark.django_db

SENT = datetime.datetime(2026, 3, 10, 10, 0, tzinfo=datetime.UTC)


def at(days: float) -> datetime.datetime:
    return SENT + datetime.timedelta(days=days)


def test_the_purge_is_scheduled_every_night_in_celery_beat() -> None:
    entry = settings.CELERY_BEAT_SCHEDULE["purge-unconfirmed-pre-complaints"]
    assert entry["task"] == purge_unconfirmed_pre_complaints.name
    assert entry["task"] in app.tasks
    assert isinstance(entry["schedule"], crontab)
    assert settings.PRE_COMPLAINT_RETENTION_DAYS == 30


def test_an_unconfirmed_pre_complaint_is_deleted_after_thirty_days(place, citizen) -> None:
    with time_machine.travel(SENT, tick=False):
        unconfirmed = submitted(filer=citizen, level=AssuranceLevel.LOW)
        confirmed = submitted(filer=citizen, level=AssuranceLevel.LOW)
        referral = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    with time_machine.travel(at(2), tick=False):
        services.filing_review(filing=confirmed, actor=place.police, decision=Filing.Decision.ACCEPTED)

    with time_machine.travel(at(29.9), tick=False):
        assert purge_unconfirmed_pre_complaints.delay().get() == 0
    assert Filing.objects.filter(pk=unconfirmed.pk).exists()

    with time_machine.travel(at(30.1), tick=False):
        assert purge_unconfirmed_pre_complaints.delay().get() == 1
    assert not Filing.objects.filter(pk=unconfirmed.pk).exists()
    assert not FilingEvent.objects.filter(filing_id=unconfirmed.pk).exists()
    assert set(Filing.objects.values_list("pk", flat=True)) == {confirmed.pk, referral.pk}

    with time_machine.travel(at(31), tick=False):
        assert purge_unconfirmed_pre_complaints.delay().get() == 0  # idempotent


def test_drafts_rejected_and_cancelled_pre_complaints_go_too(place, citizen) -> None:
    with time_machine.travel(SENT, tick=False):
        forgotten_draft = draft(filer=citizen)
        rejected = submitted(filer=citizen, level=AssuranceLevel.LOW)
        services.filing_review(
            filing=rejected, actor=place.police, decision=Filing.Decision.REJECTED, rejection_reason="duplicate"
        )
        cancelled = submitted(filer=citizen, level=AssuranceLevel.LOW)
        services.filing_cancel(filing=cancelled, actor=citizen)
    with time_machine.travel(at(20), tick=False):
        copy = services.filing_copy_as_draft(filing=rejected, actor=citizen)
        recent_draft = draft(filer=citizen)
    with time_machine.travel(at(31), tick=False):
        assert services.pre_complaint_purge_unconfirmed() == 3
    remaining = Filing.objects.all()
    assert set(remaining) == {copy, recent_draft}
    copy.refresh_from_db()
    assert copy.copied_from is None and copy.content == rejected.content
    assert not Filing.objects.filter(pk__in=[forgotten_draft.pk, cancelled.pk]).exists()


def test_the_receipt_and_the_filing_page_say_when_it_will_be_deleted(client, place, citizen) -> None:
    with time_machine.travel(SENT, tick=False):
        filing = submitted(filer=citizen, level=AssuranceLevel.LOW)
    client.force_login(citizen)
    page = client.get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    deadline = timezone.localtime(at(30))
    assert f"If it is not confirmed by {deadline:%B} {deadline.day}, {deadline.year}" in page
