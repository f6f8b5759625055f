"""The bell, the list of notifications and the appointment pages pass axe-core's WCAG 2.1 AA rules in a real
headless browser, with their errors shown too."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from filings import services
from filings.models import Filing
from tests.filings.factories import submitted
from tests.filings.test_accessibility import assert_accessible, assert_errors_accessible
from tests.portal.test_accessibility import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_days(days: int) -> datetime.datetime:
    return timezone.now().replace(microsecond=0, second=0) + datetime.timedelta(days=days)


def test_the_victims_notifications_and_appointment_pages(live_server, page, place, citizen) -> None:
    filing = submitted(filer=citizen, level="low")
    slots = services.appointment_propose(
        filing=filing,
        actor=place.police,
        slots=[services.ProposedSlot(starts_at=in_days(n), place="Commissariat, accueil") for n in (2, 3)],
    )
    sign_in(page, live_server, citizen)
    base = live_server.url
    assert_accessible(page, f"{base}/notifications/")
    # The count is in the link's accessible name (the visual badge is hidden from screen readers).
    assert page.get_by_role("link", name=re.compile(r"^Notifications\s*, non lues : 1$")).count() >= 1
    assert_accessible(page, f"{base}/filings/{filing.pk}/receipt/")
    assert_accessible(page, f"{base}/filings/{filing.pk}/appointment/")
    page.click("main form button[type=submit]")  # nothing chosen
    page.wait_for_load_state()
    assert_errors_accessible(page)
    services.appointment_pick(filing=filing, actor=citizen, slot_id=slots[0].pk)
    assert_accessible(page, f"{base}/filings/{filing.pk}/appointment/")
    assert_accessible(page, f"{base}/filings/{filing.pk}/")


def test_the_units_appointment_pages(live_server, page, place, citizen) -> None:
    filing = submitted(filer=citizen, level="low")
    assert filing.kind == Filing.Kind.PRE_COMPLAINT
    sign_in(page, live_server, place.police)
    base = live_server.url
    assert_accessible(page, f"{base}/notifications/")
    assert_accessible(page, f"{base}/filings/{filing.pk}/review/")
    assert_accessible(page, f"{base}/filings/{filing.pk}/appointment/propose/")
    page.fill("#id_slots-0-date", "2020-01-01")
    page.fill("#id_slots-0-time", "10:00")
    page.fill("#id_slots-0-place", "Accueil")
    page.click("main form button[type=submit]")
    page.wait_for_load_state()
    assert_errors_accessible(page)
