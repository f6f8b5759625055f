"""The exhibit pages pass axe-core's WCAG 2.1 AA rules in a real headless browser: the draft's exhibit list with
its actions, a refused file, the review form with a decision per exhibit, and the sender's dated receipts."""

from __future__ import annotations

import uuid

import pytest

from filings import services
from filings.models import AssuranceLevel, Case, Filing, Mandate, Party, ServiceRecord
from justice.accounts.models import Membership
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence import corpus
from tests.evidence.conftest import evidence_dirs  # noqa: F401  (autouse: a private store per test)
from tests.evidence.factories import sealed_item
from tests.filings.factories import civil_sections, submitted
from tests.filings.test_accessibility import assert_accessible, assert_errors_accessible
from tests.portal.test_accessibility import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_exhibit_pages(live_server, page, place, citizen, tmp_path) -> None:
    base = live_server.url
    draft = services.filing_create_draft(
        filer=citizen,
        kind=Filing.Kind.CIVIL_REFERRAL,
        idempotency_key=uuid.uuid4(),
        sections=civil_sections(court=place.court),
    )
    for n in range(3):
        services.exhibit_attach(
            filing=draft, actor=citizen, item=sealed_item(uploader=citizen, name=f"p{n}.pdf"), title=f"Pièce {n}"
        )
    sign_in(page, live_server, citizen)
    assert_accessible(page, f"{base}/filings/{draft.pk}/exhibits/")
    assert_accessible(page, f"{base}/filings/{draft.pk}/summary/")
    archive = tmp_path / "archive.zip"
    archive.write_bytes(corpus.zip_archive())
    page.goto(f"{base}/filings/{draft.pk}/exhibits/")
    page.set_input_files("#id_files", str(archive))
    page.fill("#id_title", "Photos")
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_load_state()
    assert_errors_accessible(page)

    services.filing_submit(filing=draft, actor=citizen, assurance_level=AssuranceLevel.SUBSTANTIAL)
    sign_in(page, live_server, place.clerk)
    assert_accessible(page, f"{base}/filings/{draft.pk}/review/")

    # A served submission: the sender's page with its dated receipts.
    referral = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=UserFactory(),
        bar=place.bar,
    )
    services.filing_review(filing=referral, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    case = Case.objects.get(filings=referral)
    respondent = case.parties.get(role=Party.Role.RESPONDENT)
    respondent.user = UserFactory()
    respondent.save(update_fields=["user"])
    other = staff_member(Membership.Role.LAWYER, organisation=place.bar).user
    Mandate.objects.create(lawyer=other, bar=place.bar, client=respondent.user, party=respondent)
    Party.objects.create(case=case, role=Party.Role.COUNSEL, user=other, organisation=place.bar, represents=respondent)
    submission = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.SUBMISSION,
        case=case,
        sections={"submission": {"title": "Conclusions", "statement": "Texte."}},
    )
    services.filing_review(filing=submission, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    assert ServiceRecord.objects.filter(filing=submission).count() == 2
    sign_in(page, live_server, place.lawyer)
    assert_accessible(page, f"{base}/filings/{submission.pk}/")
