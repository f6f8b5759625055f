"""The filing pages pass axe-core's WCAG 2.1 AA rules in a real headless browser, with their errors shown too."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from filings import services
from filings.models import Filing, RejectionReason
from tests.filings.factories import civil_sections, criminal_sections, draft, submitted
from tests.portal.test_accessibility import WCAG_AA, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def assert_accessible(page, url: str) -> None:
    """Like the portal's check, but the page must really be there (not a 404, nor a redirect to sign in)."""
    response = page.goto(url)
    assert response is not None and response.status == 200 and response.url == url, url
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, f"{url}\n{results.generate_report()}"


def assert_errors_accessible(page) -> None:
    assert page.locator(".fr-message--error, .fr-alert--error").count() > 0
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()


def test_a_citizens_filing_pages(live_server, page, place, citizen) -> None:
    sign_in(page, live_server, citizen)
    base = live_server.url
    for path in ("/filings/new/pre-complaint/", "/filings/new/complaint/", "/filings/new/civil-referral/"):
        assert_accessible(page, base + path)
    pending = draft(filer=citizen)
    for section in ("offence", "when_where", "suspect", "damage", "people"):
        assert_accessible(page, f"{base}/filings/{pending.pk}/edit/{section}/")
    assert_accessible(page, f"{base}/filings/{pending.pk}/summary/")
    sent = submitted(filer=citizen, sections=criminal_sections(), level="low")
    assert_accessible(page, f"{base}/filings/{sent.pk}/receipt/")
    assert_accessible(page, f"{base}/filings/{sent.pk}/cancel/")
    referral = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(
        filing=referral,
        actor=place.clerk,
        decision=Filing.Decision.REJECTED,
        rejection_reason=RejectionReason.INCOMPLETE,
        note="Joignez le bail.",
    )
    assert_accessible(page, f"{base}/filings/{referral.pk}/")
    accepted = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=accepted, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    accepted.refresh_from_db()
    assert_accessible(page, f"{base}/filings/cases/{accepted.case_id}/")
    assert_accessible(page, f"{base}/filings/cases/{accepted.case_id}/submission/")
    assert_accessible(page, f"{base}/filings/")
    assert_accessible(page, f"{base}/dashboard/")


def test_a_step_and_the_civil_referral_with_errors(live_server, page, place, citizen) -> None:
    sign_in(page, live_server, citizen)
    page.goto(f"{live_server.url}/filings/new/pre-complaint/")
    page.click("main button[type=submit]:not([name])")
    page.wait_for_load_state()
    assert_errors_accessible(page)

    pending = draft(filer=citizen)
    page.goto(f"{live_server.url}/filings/{pending.pk}/edit/suspect/")
    page.click("label[for=id_suspect_known_0]")
    page.fill("#id_suspect_description", "")
    page.click("main button[type=submit]:not([name])")
    page.wait_for_load_state()
    assert_errors_accessible(page)

    page.goto(f"{live_server.url}/filings/new/civil-referral/")
    page.fill("#id_claim-amount", "-3")
    page.click("main button[name=add_respondent]")
    page.wait_for_load_state()
    assert page.locator("#id_respondents-1-name").count() == 1
    results = Axe().run(page, options=WCAG_AA)
    assert results.violations_count == 0, results.generate_report()
    page.click("main button[type=submit][name=continue]:not([hidden])")
    page.wait_for_load_state()
    assert_errors_accessible(page)


def test_the_clerks_queue_and_review_pages(live_server, page, place, citizen) -> None:
    for _ in range(3):
        submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    filing = Filing.objects.first()
    assert filing is not None
    sign_in(page, live_server, place.clerk)
    base = live_server.url
    assert_accessible(page, f"{base}/dashboard/")
    assert_accessible(page, f"{base}/filings/received/{place.court.pk}/")
    assert_accessible(page, f"{base}/filings/received/{place.court.pk}/?status=rejected")
    assert_accessible(page, f"{base}/filings/{filing.pk}/review/")
    page.click("label[for=id_decision_2]")  # reject, without a reason
    page.click("main form[method=post] button[type=submit]")
    page.wait_for_load_state()
    assert_errors_accessible(page)


def test_a_lawyers_form_for_a_client(live_server, page, place) -> None:
    sign_in(page, live_server, place.lawyer)
    assert_accessible(page, f"{live_server.url}/filings/new/civil-referral/for-a-client/")
    assert_accessible(page, f"{live_server.url}/dashboard/")
