"""A citizen completes the pre-complaint and the civil referral, and a clerk registers a referral, with the keyboard
only (tests/keyboard.py: Tab, Shift+Tab, arrows, Space, Enter and typing; no click), in headless Chromium, a visible
focus checked at each step and screenshots as artifacts."""

from __future__ import annotations

import pytest

from filings.models import Filing
from tests.keyboard import choose, fill, shot, submit, tab_to, type_date
from tests.portal.test_accessibility import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_pre_complaint_can_be_completed_with_the_keyboard_only(live_server, page, place, citizen, artifacts):
    sign_in(page, live_server, citizen)
    page.goto(f"{live_server.url}/filings/new/pre-complaint/")

    # 1. What happened: a select chosen with the arrow key, a text area typed in.
    tab_to(page, "#id_category")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.value") == "theft"
    fill(page, "#id_description", "Mon vélo a été volé devant la gare.")
    shot(page, artifacts, "1-offence")
    submit(page)

    # 2. When and where.
    assert "/edit/when_where/" in page.url
    type_date(page, "#id_date_from", day="02", month="03", year="2026")
    fill(page, "#id_time", "vers 18 h")
    fill(page, "#id_postcode", "45000")
    fill(page, "#id_commune", "Démo")
    fill(page, "#id_place", "Parvis de la gare")
    # Back up with Shift+Tab to check the date kept what was typed.
    tab_to(page, "#id_date_from", backwards=True)
    assert page.evaluate("document.activeElement.value") == "2026-03-02"
    shot(page, artifacts, "2-when-where")
    submit(page)

    # 3. The author: a radio group, moved through with the arrows.
    assert "/edit/suspect/" in page.url
    tab_to(page, "#id_suspect_known_0")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.id") == "id_suspect_known_1"
    assert page.is_checked("#id_suspect_known_1")
    shot(page, artifacts, "3-suspect")
    submit(page)

    # 4. Property and damage: Space ticks the first radio.
    assert "/edit/damage/" in page.url
    tab_to(page, "#id_has_damage_0")
    page.keyboard.press("Space")
    assert page.is_checked("#id_has_damage_0")
    fill(page, "#id_damage_description", "Vélo bleu, cadre n° 1234")
    fill(page, "#id_estimated_value", "450")
    shot(page, artifacts, "4-damage")
    submit(page)

    # 5. Victim and witnesses (names prefilled from the account).
    assert "/edit/people/" in page.url
    tab_to(page, "#id_victim_is_filer_0")
    page.keyboard.press("Space")
    type_date(page, "#id_victim_birth_date", day="17", month="05", year="1990")
    fill(page, "#id_victim_address", "3 rue des Lilas, 45000 Démo")
    shot(page, artifacts, "5-people")
    submit(page)

    # Summary, then the receipt.
    assert page.url.endswith("/summary/")
    shot(page, artifacts, "6-summary")
    submit(page, "main form button.fr-btn[type=submit]")
    assert page.url.endswith("/receipt/")
    assert page.locator("h1").inner_text() == "Accusé de réception"
    shot(page, artifacts, "7-receipt")

    filing = Filing.objects.get()
    assert (filing.status, filing.recipient) == (Filing.Status.SUBMITTED, place.unit)
    assert filing.content["when_where"]["date_from"] == "2026-03-02"
    assert filing.content["people"]["victim_birth_date"] == "1990-05-17"
    assert sorted(path.name for path in artifacts.glob("*.png"))[:7] == [
        "1-offence.png",
        "2-when-where.png",
        "3-suspect.png",
        "4-damage.png",
        "5-people.png",
        "6-summary.png",
        "7-receipt.png",
    ]


def test_a_clerk_reviews_and_registers_a_referral_with_the_keyboard_only(live_server, page, place, artifacts):
    """The clerk's main flow: from the queue to the filing, accept it, the case is registered."""
    from filings.models import AssuranceLevel
    from filings.services import filing_submit
    from tests.filings.factories import civil_sections, draft

    filing = draft(kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    filing = filing_submit(filing=filing, actor=filing.filer, assurance_level=AssuranceLevel.SUBSTANTIAL)
    sign_in(page, live_server, place.clerk)
    page.goto(f"{live_server.url}/filings/received/{place.court.pk}/")
    # From the queue to the filing: its link, followed with Enter.
    tab_to(page, f"main a[href='/filings/{filing.pk}/review/']")
    shot(page, artifacts, "clerk-1-queue")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The decision: the first radio (accept) ticked with Space, then the form sent with Enter.
    tab_to(page, "#id_decision_0")
    page.keyboard.press("Space")
    assert page.is_checked("#id_decision_0") and page.evaluate("document.activeElement.value") == "accepted"
    shot(page, artifacts, "clerk-2-decision")
    submit(page, "main form button.fr-btn[type=submit]")
    shot(page, artifacts, "clerk-3-registered")
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DOCKETED and filing.case is not None
    # Back to the queue, which says so.
    assert page.url.endswith(f"/filings/received/{place.court.pk}/")
    assert page.locator(".fr-alert--success").count() >= 1


def test_a_civil_referral_can_be_completed_with_the_keyboard_only(live_server, page, place, citizen, artifacts):
    from django.test import Client

    from filings.models import AssuranceLevel
    from tests.accounts.factories import set_session_assurance

    client = Client()
    client.force_login(citizen)
    set_session_assurance(client, AssuranceLevel.SUBSTANTIAL)  # as after a federated sign-in
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )
    claim_type = place.claim_type
    assert claim_type is not None
    page.goto(f"{live_server.url}/filings/new/civil-referral/")
    type_date(page, "#id_claimant-birth_date", day="17", month="05", year="1990")
    fill(page, "#id_claimant-address", "3 rue des Lilas, 45000 Démo")
    choose(page, "#id_claim-court", place.court.code)
    choose(page, "#id_claim-claim_type", claim_type.code)
    fill(page, "#id_claim-statement", "Mon ancien propriétaire ne me rend pas mon dépôt de garantie.")
    fill(page, "#id_claim-amount", "1200")
    tab_to(page, "#id_claim-legal_aid")
    page.keyboard.press("Space")
    assert page.is_checked("#id_claim-legal_aid")
    fill(page, "#id_respondents-0-name", "Bailleur SARL")
    fill(page, "#id_respondents-0-address", "1 avenue du Parc, 45000 Démo")
    shot(page, artifacts, "civil-1-form")
    submit(page, "main form button.fr-btn[name=continue]:not([hidden])")
    assert page.url.endswith("/summary/"), page.url
    shot(page, artifacts, "civil-2-summary")
    submit(page)
    assert page.url.endswith("/receipt/"), page.url
    shot(page, artifacts, "civil-3-receipt")
    filing = Filing.objects.get(filer=citizen)
    assert filing.status == Filing.Status.SUBMITTED and filing.recipient == place.court
    assert filing.content["claim"]["legal_aid"] is True
    assert filing.content["respondents"][0]["name"] == "Bailleur SARL"
