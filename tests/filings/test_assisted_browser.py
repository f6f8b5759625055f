"""The pages of assisted filing in a real headless browser: axe's WCAG 2.1 AA rules on the clerk's form (with its
errors), the receipt to print and the citizen's claim page; and the receipt printed alone."""

from __future__ import annotations

import uuid

import pytest
from axe_playwright_python.sync_playwright import Axe

from filings.services.assisted import assisted_referral_file
from tests.filings.factories import civil_sections
from tests.portal.test_accessibility import WCAG_AA, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_counter_pages_are_accessible_and_the_receipt_prints_alone(live_server, page, place, citizen) -> None:
    """Assisted filing: the clerk's form (with its errors), the receipt to print, and the citizen's claim page pass
    axe's WCAG 2.1 AA rules; printed, the receipt keeps the code and drops the portal's header and buttons."""

    def accessible() -> None:
        results = Axe().run(page, options=WCAG_AA)
        assert results.violations_count == 0, f"{page.url}\n{results.generate_report()}"

    sign_in(page, live_server, place.clerk)
    page.goto(f"{live_server.url}/filings/assisted/new/")
    accessible()
    page.click("main form button.fr-btn[name=continue]:not([hidden])")
    page.wait_for_load_state()
    assert page.locator(".fr-message--error, .fr-alert--error").count() > 0
    accessible()

    filing, _code = assisted_referral_file(
        clerk=place.clerk,
        counter=place.court,
        idempotency_key=uuid.uuid4(),
        sections=civil_sections(court=place.court, claim_type=place.claim_type),
        identity_document="Passeport",
        consent=True,
    )
    page.goto(f"{live_server.url}/filings/assisted/{filing.pk}/receipt/")
    accessible()
    page.emulate_media(media="print")
    assert page.locator("header").first.is_hidden() and page.locator(".no-print").is_hidden()
    assert page.locator("#filing-number").is_visible()

    page.context.clear_cookies()
    page.emulate_media(media="screen")
    sign_in(page, live_server, citizen)
    page.goto(f"{live_server.url}/filings/claim/")
    accessible()
