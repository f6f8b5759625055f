"""The case bundle: index page, every document of the case in order, pages numbered, one bookmark per document;
built by the Celery task (eager here) with its progress recorded, and sealed as evidence."""

from __future__ import annotations

import io
import tracemalloc
from pathlib import Path

import pikepdf
import pytest
from django.test import Client
from django.urls import reverse

from evidence.ingest import stage_stream
from evidence.models import CustodyEvent, EvidenceItem
from evidence.services import evidence_ingest
from hearings.bundle import INDEX_LINES_PER_PAGE
from hearings.models import CaseBundle
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.conftest import evidence_dirs  # noqa: F401  (fixture: a private store per test)
from tests.evidence.factories import NO_LIMIT, chunked
from tests.hearings.conftest import Court, court_case

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("evidence_dirs")]


def numbered_pdf(number: int, pages: int) -> bytes:
    """A PDF whose pages say which document they belong to, with some weight (to make memory growth visible)."""
    document = pikepdf.new()
    for page in range(pages):
        document.add_blank_page()
        text = f"BT /F1 12 Tf 72 720 Td (Document {number} page {page + 1}) Tj ET ".encode()
        filler = b"% " + b"x" * 80_000 + b"\n"
        document.pages[-1].Contents = document.make_stream(filler + text)
    out = io.BytesIO()
    document.save(out, compress_streams=False)
    return out.getvalue()


def deposit(*, uploader, reference: str, content: bytes, name: str) -> EvidenceItem:
    staged = stage_stream(chunked(content), sent_name=name, max_bytes=NO_LIMIT)
    return evidence_ingest(
        upload=staged, uploader=uploader, organisation=None, channel=EvidenceItem.Channel.WEB, case_ref=reference
    )


def test_bundle_of_fifty_documents(court: Court) -> None:
    party = UserFactory()
    case = court_case(court.j, party_user=party)
    pages_of = [1 + n % 3 for n in range(50)]
    items = [
        deposit(
            uploader=party, reference=case.reference, content=numbered_pdf(n + 1, pages), name=f"piece-{n + 1:02d}.pdf"
        )
        for n, pages in enumerate(pages_of)
    ]
    image = deposit(uploader=party, reference=case.reference, content=corpus.png(), name="photo.png")
    deposit(uploader=party, reference="TJ-AUTRE-2026-000001", content=corpus.pdf(), name="other-case.pdf")
    sources_size = sum(item.size for item in items)

    clerk = Client()
    clerk.force_login(court.j.clerk)
    for outsider in (party, court.j.lawyer, UserFactory()):
        someone = Client()
        someone.force_login(outsider)
        assert someone.post(reverse("hearings:bundle_build", args=[case.pk])).status_code == 404
    tracemalloc.start()
    try:
        response = clerk.post(reverse("hearings:bundle_build", args=[case.pk]))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    bundle = CaseBundle.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("hearings:bundle", args=[bundle.pk])
    assert bundle.status == CaseBundle.Status.READY, bundle.error
    assert (bundle.done, bundle.total) == (51, 51)
    # The documents are never held whole in Python memory: the peak stays well below their total size.
    assert sources_size > 6_000_000
    assert peak < sources_size / 2, (peak, sources_size)

    page = clerk.get(reverse("hearings:bundle", args=[bundle.pk]))
    assert page.status_code == 200 and reverse("evidence:detail", args=[bundle.item_id]) in page.content.decode()

    item = bundle.item
    assert item is not None and item.media_type == "application/pdf" and item.case_ref == case.reference
    assert item.seal.sha256
    path = item.seal.record_data["storage"]
    assert path
    from evidence.services import verified_chunks

    data = b"".join(verified_chunks(item=item, during="test", requested_by=None))
    index_pages = -(-51 // INDEX_LINES_PER_PAGE)
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == index_pages + sum(pages_of) == bundle.pages
        with pdf.open_outline() as outline:
            titles = [entry.title for entry in outline.root]
            destinations = [entry.destination for entry in outline.root]
        assert titles[0] == "Index" or titles[0] == "Sommaire"
        assert titles[1:] == [f"{n + 1}. piece-{n + 1:02d}.pdf" for n in range(50)]
        # Each bookmark opens the first page of its document, in order.
        first_pages = [index_pages + sum(pages_of[:n]) for n in range(50)]
        for destination, expected in zip(destinations[1:], first_pages, strict=True):
            assert pdf.pages.index(pikepdf.Page(destination[0])) == expected  # type: ignore[index]
        first_doc = (
            pdf.pages[index_pages].Contents.read_bytes()
            if not isinstance(pdf.pages[index_pages].Contents, pikepdf.Array)
            else b"".join(s.read_bytes() for s in pdf.pages[index_pages].Contents)
        )
        assert b"Document 1 page 1" in first_doc
        last = pdf.pages[-1]
        stamped = (
            b"".join(s.read_bytes() for s in last.Contents)
            if isinstance(last.Contents, pikepdf.Array)
            else last.Contents.read_bytes()
        )
        assert f"({len(pdf.pages)} / {len(pdf.pages)}) Tj".encode() in stamped
    # The image is listed in the index, not included; every source records its use in the chain of custody.
    assert [s["first_page"] for s in bundle.sources if s["item"] == str(image.pk)] == [0]
    assert CustodyEvent.objects.filter(item__in=[*items, image], action=CustodyEvent.Action.VIEWED).count() == 51


def test_bundle_of_an_empty_case_is_just_the_index(court: Court) -> None:
    case = court_case(court.j)
    judge = Client()
    judge.force_login(court.j.judge)
    judge.post(reverse("hearings:bundle_build", args=[case.pk]))
    bundle = CaseBundle.objects.get()
    assert bundle.status == CaseBundle.Status.READY and bundle.pages == 1


def test_a_tampered_source_fails_the_bundle_and_seals_nothing(court: Court, evidence_dirs: dict[str, Path]) -> None:  # noqa: F811
    party = UserFactory()
    case = court_case(court.j, party_user=party)
    good = deposit(uploader=party, reference=case.reference, content=numbered_pdf(1, 1), name="a.pdf")
    bad = deposit(uploader=party, reference=case.reference, content=numbered_pdf(2, 1), name="b.pdf")
    stored = evidence_dirs["store"] / bad.seal.record_data["storage"]["key"]
    stored.write_bytes(stored.read_bytes().replace(b"Document 2", b"Document 3", 1))
    clerk = Client()
    clerk.force_login(court.j.clerk)
    clerk.post(reverse("hearings:bundle_build", args=[case.pk]))
    bundle = CaseBundle.objects.get()
    assert bundle.status == CaseBundle.Status.FAILED and bundle.item is None
    assert EvidenceItem.objects.count() == 2  # nothing new sealed
    assert not CustodyEvent.objects.filter(item=good, action=CustodyEvent.Action.VIEWED).exists()
    bad.refresh_from_db()
    assert bad.status == EvidenceItem.Status.BLOCKED
