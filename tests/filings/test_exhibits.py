"""Exhibits of filings, end to end through the views: uploaded and sealed while drafting, numbered without gaps,
listed in a PDF exhibit list, accepted or rejected one by one by the clerk, kept by the copy of a rejected filing,
seen only by those who see the filing, and served on the other parties with dated receipts."""

from __future__ import annotations

import hashlib
import io
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from evidence.models import CustodyEvent, EvidenceItem
from filings import services
from filings.models import AssuranceLevel, Case, Exhibit, Filing, Mandate, Party, ServiceRecord
from justice.accounts.models import Membership, User
from tests.accounts.factories import UserFactory, set_session_assurance, staff_member
from tests.evidence import corpus
from tests.evidence.conftest import evidence_dirs  # noqa: F401  (autouse: a private store per test)
from tests.evidence.factories import sealed_item
from tests.filings.factories import civil_sections, draft, submitted

pytestmark = pytest.mark.django_db


def _file(name: str, content: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, corpus.pdf() if content is None else content)


def _signed_in(user: User, level: str = AssuranceLevel.SUBSTANTIAL) -> Client:
    client = Client()
    client.force_login(user)
    set_session_assurance(client, level)
    return client


def _upload(client: Client, filing: Filing, *files: SimpleUploadedFile, title: str = "", lang: str = "en") -> Any:
    return client.post(
        f"/filings/{filing.pk}/exhibits/", {"files": list(files), "title": title}, HTTP_ACCEPT_LANGUAGE=lang
    )


def _pdf_text(data: bytes) -> str:
    """The text drawn on the PDF's pages (reportlab writes it as literal strings in the content streams)."""
    with pikepdf.open(io.BytesIO(data)) as document:
        return "".join(page.Contents.read_bytes().decode("latin-1") for page in document.pages)


def _numbers(filing: Filing) -> list[tuple[int, str]]:
    return list(filing.exhibits.order_by("number").values_list("number", "title"))


def _referral_draft(filer: User, court: Any, **kw: Any) -> Filing:
    return draft(filer=filer, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=court), **kw)


def test_citizen_referral_with_exhibits_numbered_ordered_and_listed_in_a_pdf(place, citizen) -> None:
    filing = _referral_draft(citizen, place.court)
    client = _signed_in(citizen)
    assert client.get(f"/filings/{filing.pk}/summary/").status_code == 200

    lease = corpus.pdf(pages=2)
    response = _upload(client, filing, _file("bail.pdf", lease), title="Bail du 3 mars 2024")
    assert response.status_code == 302 and response["Location"] == f"/filings/{filing.pk}/exhibits/"
    assert _upload(client, filing, _file("quittance.pdf"), _file("courrier.pdf", corpus.pdf(pages=3))).status_code == 302
    assert _numbers(filing) == [(1, "Bail du 3 mars 2024"), (2, "quittance"), (3, "courrier")]
    first = filing.exhibits.get(number=1)
    # The exhibit is the sealed item itself, sent by the filer and sealed on the bytes received.
    assert first.item.uploaded_by == citizen and first.item.seal.sha256 == hashlib.sha256(lease).hexdigest()
    assert first.item.custody_events.filter(action=CustodyEvent.Action.SEALED).exists()

    # A refused file: a precise error naming it, in English and in French; the title typed stays; nothing added.
    for lang, expected in (("en", "is an archive"), ("fr", "est une archive")):
        refused = _upload(client, filing, _file("archive.zip", corpus.zip_archive()), title="Mes photos", lang=lang)
        page = refused.content.decode()
        assert refused.status_code == 400 and "archive.zip" in page and expected in page, page
        assert 'value="Mes photos"' in page
    assert filing.exhibits.count() == 3 and EvidenceItem.objects.count() == 3

    # Move the last one up, remove the first: numbers stay 1, 2 without gaps.
    third = filing.exhibits.get(number=3)
    assert client.post(f"/filings/{filing.pk}/exhibits/{third.pk}/move/", {"to": "up"}).status_code == 302
    assert _numbers(filing) == [(1, "Bail du 3 mars 2024"), (2, "courrier"), (3, "quittance")]
    assert client.post(f"/filings/{filing.pk}/exhibits/{first.pk}/remove/").status_code == 302
    assert _numbers(filing) == [(1, "courrier"), (2, "quittance")]
    assert EvidenceItem.objects.filter(pk=first.item_id).exists()  # the sealed original stays

    summary = client.get(f"/filings/{filing.pk}/summary/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "courrier.pdf" in summary and "quittance.pdf" in summary
    assert client.post(f"/filings/{filing.pk}/summary/")["Location"] == f"/filings/{filing.pk}/receipt/"
    filing.refresh_from_db()
    assert filing.status == Filing.Status.SUBMITTED

    # Sent: the list is frozen.
    later = _upload(client, filing, _file("tard.pdf"))
    assert later.status_code == 302 and filing.exhibits.count() == 2
    assert client.post(f"/filings/{filing.pk}/exhibits/{third.pk}/remove/").status_code == 302
    assert filing.exhibits.count() == 2

    # The exhibit list (PDF): number, title, file name, size, SHA-256 and seal time of each exhibit.
    for reader in (citizen, place.clerk):
        pdf = _signed_in(reader).get(f"/filings/{filing.pk}/exhibits/list.pdf", HTTP_ACCEPT_LANGUAGE="en")
        assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
        assert pdf["Content-Disposition"].startswith("attachment")
        text = _pdf_text(pdf.content)
        for exhibit in filing.exhibits.select_related("item__seal"):
            sha = exhibit.item.seal.sha256
            assert exhibit.title in text and exhibit.item.original_name in text
            assert sha[:32] in text and sha[32:] in text
        assert "Exhibit list" in text


def test_lawyer_referral_for_a_client_with_exhibits(place, citizen) -> None:
    filing = _referral_draft(place.lawyer, place.court, on_behalf_of=citizen, bar=place.bar)
    lawyer = _signed_in(place.lawyer)
    contract = corpus.pdf(pages=2)
    assert _upload(lawyer, filing, _file("contrat.pdf", contract), title="Contrat").status_code == 302
    exhibit = filing.exhibits.get()
    # Sealed as a member of the bar, yet not shared with the bar's other lawyers.
    assert exhibit.item.organisation == place.bar
    assert lawyer.post(f"/filings/{filing.pk}/summary/").status_code == 302

    client = _signed_in(citizen)
    detail = client.get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "contrat.pdf" in detail
    download = client.post(f"/filings/{filing.pk}/exhibits/{exhibit.pk}/download/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == contract
    assert exhibit.item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED, actor=citizen).exists()
    assert client.get(f"/evidence/{exhibit.item_id}/").status_code == 200

    colleague = staff_member(Membership.Role.LAWYER, organisation=place.bar).user
    outsider = _signed_in(colleague)
    assert outsider.get(f"/evidence/{exhibit.item_id}/").status_code == 404
    assert outsider.get(f"/filings/{filing.pk}/exhibits/list.pdf").status_code == 404
    assert outsider.post(f"/filings/{filing.pk}/exhibits/{exhibit.pk}/download/").status_code == 404
