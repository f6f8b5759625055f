"""Assisted filing: a clerk files a referral at the counter for a citizen, with consent and a checked identity,
prints a receipt with a one-time code; the citizen later claims the case with it. Bad codes, lockout, expiry,
reuse and a new code."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from filings import services
from filings.models import AssistedFiling, Filing, Party
from filings.services.assisted import assisted_filing_claim
from tests.accounts.factories import UserFactory
from tests.filings.test_double_submission import civil_post

pytestmark = pytest.mark.django_db


def counter_post(place, **overrides: str | None) -> dict[str, str]:
    data = {
        **civil_post(place),
        "counter": str(place.court.pk),
        "identity_document": "Carte nationale d’identité",
        "consent": "on",
        "idempotency_key": "4f9c2a10-8b1e-4d7e-9a55-0c6f1e2d3b4a",
        "continue": "1",
    }
    return {k: v for k, v in {**data, **overrides}.items() if v is not None}


def file_at_counter(place) -> tuple[Client, Filing, str]:
    clerk = Client()
    clerk.force_login(place.clerk)
    response = clerk.post("/filings/assisted/new/", counter_post(place))
    assert response.status_code == 302, response.content.decode()[:3000]
    filing = Filing.objects.get()
    assert response["Location"] == f"/filings/assisted/{filing.pk}/receipt/"
    page = clerk.get(response["Location"], HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    code = re.search(r'id="claim-code">([A-Z0-9-]+)<', page)
    assert code is not None, page
    assert 'media="print"' in page and "filings/print.css" in page
    # Shown once: the code is only kept hashed.
    assert "claim-code" not in clerk.get(response["Location"]).content.decode()
    assert code.group(1).replace("-", "") not in AssistedFiling.objects.get().claim_code_hash
    return clerk, filing, code.group(1)


def claim(user, filing: Filing, code: str, language: str = "en") -> tuple[int, str]:
    client = Client()
    client.force_login(user)
    response = client.post("/filings/claim/", {"filing_number": filing.pk, "code": code}, HTTP_ACCEPT_LANGUAGE=language)
    return response.status_code, response.content.decode()


def test_a_clerk_files_at_the_counter_and_the_citizen_claims_the_case(place, citizen) -> None:
    _clerk, filing, code = file_at_counter(place)
    assisted = AssistedFiling.objects.get()
    assert (filing.status, filing.filer, filing.recipient, filing.assurance_level) == (
        Filing.Status.SUBMITTED,
        place.clerk,
        place.court,
        "substantial",
    )
    assert (assisted.clerk, assisted.counter, assisted.identity_document) == (
        place.clerk,
        place.court,
        "Carte nationale d’identité",
    )
    assert assisted.consent_given_at and "en mon nom" in assisted.consent_statement
    # Registered before it is claimed: the clerk who filed is not a party, the citizen is known by name.
    services.filing_review(filing=filing, actor=place.clerk, decision="accepted")
    filing.refresh_from_db()
    claimant = Party.objects.get(case=filing.case, role=Party.Role.CLAIMANT)
    assert claimant.user is None and claimant.name == "Camille Martin"

    status, _page = claim(citizen, filing, code.lower().replace("-", " "))
    assert status == 302
    claimant.refresh_from_db()
    filing.refresh_from_db()
    assert claimant.user == citizen and filing.on_behalf_of == citizen
    client = Client()
    client.force_login(citizen)
    mine = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert filing.case is not None and filing.case.reference in mine
    assert client.get(f"/filings/cases/{filing.case_id}/").status_code == 200
    assert client.get(f"/filings/{filing.pk}/receipt/").status_code == 200
    # Single use.
    status, page = claim(UserFactory(), filing, code)
    assert status == 400 and "already used" in page


def test_claimed_before_registration_the_citizen_becomes_the_claimant(place, citizen) -> None:
    _clerk, filing, code = file_at_counter(place)
    assert claim(citizen, filing, code)[0] == 302
    services.filing_review(filing=filing, actor=place.clerk, decision="accepted")
    filing.refresh_from_db()
    assert Party.objects.get(case=filing.case, role=Party.Role.CLAIMANT).user == citizen


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "do not match a filing waiting to be claimed"), ("fr", "ne correspondent à aucun dépôt")],
)
def test_wrong_codes_are_refused_then_lock_the_code(place, citizen, language: str, expected: str) -> None:
    _clerk, filing, code = file_at_counter(place)
    for _ in range(5):
        status, page = claim(citizen, filing, "AAAA-BBBB-CCCC", language)
        assert status == 400 and expected in page
    assert AssistedFiling.objects.get().claim_failures == 5
    status, page = claim(citizen, filing, code, "en")
    assert status == 400 and "Too many wrong codes" in page
    # A new code from the clerk unlocks it; the old one is void.
    clerk = Client()
    clerk.force_login(place.clerk)
    clerk.post(f"/filings/assisted/{filing.pk}/new-code/")
    page = clerk.get(f"/filings/assisted/{filing.pk}/receipt/").content.decode()
    new_code = re.search(r'id="claim-code">([A-Z0-9-]+)<', page)
    assert new_code is not None and new_code.group(1) != code
    assert claim(citizen, filing, code)[0] == 400
    assert claim(citizen, filing, new_code.group(1))[0] == 302


def test_an_unknown_filing_number_is_refused_like_a_wrong_code(place, citizen) -> None:
    _clerk, filing, code = file_at_counter(place)
    status, page = claim(citizen, Filing(pk=filing.pk + 100), code)
    assert status == 400 and "do not match a filing waiting to be claimed" in page


def test_an_expired_code_is_refused(place, citizen) -> None:
    _clerk, filing, code = file_at_counter(place)
    later = timezone.now() + datetime.timedelta(days=91)
    with time_machine.travel(later), pytest.raises(services.FilingError) as refused:
        assisted_filing_claim(user=citizen, filing_number=filing.pk, code=code)
    assert refused.value.code == "expired"
    assert AssistedFiling.objects.get().claimed_at is None


def test_claim_attempts_are_rate_limited(place, citizen) -> None:
    _clerk, filing, _code = file_at_counter(place)
    statuses = [claim(citizen, filing, "AAAA-BBBB-CCCC")[0] for _ in range(11)]
    assert statuses[-1] == 429
    # Only attempts count: the form itself is still shown (to the matrix's many roles from one address, too).
    viewer = Client()
    viewer.force_login(citizen)
    assert viewer.get("/filings/claim/").status_code == 200


def test_without_consent_nothing_is_filed_and_what_was_typed_is_kept(place) -> None:
    clerk = Client()
    clerk.force_login(place.clerk)
    response = clerk.post("/filings/assisted/new/", counter_post(place, consent=None), HTTP_ACCEPT_LANGUAGE="fr")
    page = response.content.decode()
    assert response.status_code == 400
    assert "Le citoyen doit accepter que le dépôt soit fait en son nom." in page
    assert "Bailleur n° 1" in page
    assert not Filing.objects.exists()


def test_two_clicks_file_once(place) -> None:
    clerk = Client()
    clerk.force_login(place.clerk)
    first = clerk.post("/filings/assisted/new/", counter_post(place))
    second = clerk.post("/filings/assisted/new/", counter_post(place))
    assert first["Location"] == second["Location"] and Filing.objects.count() == 1


def test_only_clerks_of_a_court_file_at_the_counter(place, elsewhere, citizen) -> None:
    _clerk, filing, _code = file_at_counter(place)
    for user in (citizen, place.police, place.lawyer, place.judge, place.office_clerk):
        client = Client()
        client.force_login(user)
        assert client.get("/filings/assisted/new/").status_code == 404, user
    other = Client()
    other.force_login(elsewhere.clerk)
    assert other.get(f"/filings/assisted/{filing.pk}/receipt/").status_code == 404
    assert other.post(f"/filings/assisted/{filing.pk}/new-code/").status_code == 404
