"""The acknowledgement of receipt of a filing, as a PDF sealed by the portal: the official filing time in it cannot
be changed unnoticed; only the filer (and the client of a lawyer) may download it."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client
from pyhanko.pdf_utils.misc import PdfReadError

from filings.models import Filing
from tests.accounts.factories import UserFactory
from tests.filings.factories import civil_sections, submitted
from tests.test_signing import signature_status

pytestmark = pytest.mark.django_db


def test_the_filer_downloads_a_sealed_receipt_covering_the_whole_file(
    place, citizen, sealing_certificate: Path
) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    client = Client()
    client.force_login(citizen)
    page = client.get(f"/filings/{filing.pk}/receipt/")
    assert f'href="/filings/{filing.pk}/receipt.pdf"' in page.content.decode()

    response = client.get(f"/filings/{filing.pk}/receipt.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    status = signature_status(response.content, sealing_certificate)
    assert status.bottom_line and status.coverage is not None and status.coverage.name == "ENTIRE_FILE"
    tampered = bytearray(response.content)
    tampered[len(tampered) // 3] ^= 0x01
    try:
        intact = signature_status(bytes(tampered), sealing_certificate).bottom_line
    except PdfReadError:  # the byte broke the file's structure: refused before the signature is even checked
        intact = False
    assert not intact


def test_nobody_else_gets_it(place, citizen) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    for user in (UserFactory(), place.clerk, place.judge):
        client = Client()
        client.force_login(user)
        assert client.get(f"/filings/{filing.pk}/receipt.pdf").status_code == 404
