"""The case bundle: index page, the case file as the court sees it (accepted exhibits of the filings it took in, in
filing order then exhibit number, then the issued decisions), pages numbered, one bookmark per document; built by
the Celery task (eager here) with its progress recorded, and sealed as evidence."""

from __future__ import annotations

import datetime
import io
import tracemalloc
from pathlib import Path

import pikepdf
import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from evidence.ingest import stage_stream
from evidence.models import CustodyEvent, EvidenceItem
from evidence.services import evidence_ingest, verified_chunks
from evidence.workingcopy import working_copy_of
from filings.models import Case, Exhibit, Filing
from hearings.bundle import INDEX_LINES_PER_PAGE
from hearings.models import CaseBundle, Decision
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.conftest import evidence_dirs  # noqa: F401  (fixture: a private store per test)
from tests.evidence.factories import NO_LIMIT, chunked
from tests.filings.factories import draft
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


def filing_in(
    case: Case, filer: User, *, status: str = Filing.Status.DOCKETED, received: datetime.datetime | None = None
) -> Filing:
    """A filing of ``case`` in ``status``, received by the court at ``received`` (its official filing time)."""
    filing = draft(filer=filer)
    Filing.objects.filter(pk=filing.pk).update(
        case=case, status=status, submitted_at=None if status == Filing.Status.DRAFT else received or timezone.now()
    )
    filing.refresh_from_db()
    return filing


def exhibit(
    filing: Filing, number: int, content: bytes, *, name: str = "", status: str = Exhibit.Status.ACCEPTED
) -> Exhibit:
    item = deposit(uploader=filing.filer, reference="", content=content, name=name or f"piece-{number}.pdf")
    return Exhibit.objects.create(filing=filing, item=item, number=number, title=f"Pièce {number:02d}", status=status)


def issued_decision(case: Case, court: Court, content: bytes, *, at: datetime.datetime) -> Decision:
    item = deposit(uploader=court.j.clerk, reference=case.reference, content=content, name="decision.pdf")
    return Decision.objects.create(
        case=case,
        title="Jugement",
        status=Decision.Status.ISSUED,
        source=Decision.Source.UPLOAD,
        prepared_by=court.j.judge,
        issued_by=court.j.clerk,
        issued_at=at,
        item=item,
    )


def built(court: Court, case: Case) -> tuple[CaseBundle, bytes]:
    clerk = Client()
    clerk.force_login(court.j.clerk)
    clerk.post(reverse("hearings:bundle_build", args=[case.pk]))
    bundle = CaseBundle.objects.get()
    assert bundle.status == CaseBundle.Status.READY, bundle.error
    assert bundle.item is not None
    return bundle, b"".join(verified_chunks(item=bundle.item, during="test", requested_by=None))


def page_text(page: pikepdf.Page) -> bytes:
    contents = page.obj.Contents
    return b"".join(s.read_bytes() for s in contents) if isinstance(contents, pikepdf.Array) else contents.read_bytes()


def index_text(data: bytes) -> str:
    from pypdf import PdfReader

    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def test_bundle_of_fifty_documents(court: Court) -> None:
    party = UserFactory()
    case = court_case(court.j, party_user=party)
    pages_of = [1 + n % 3 for n in range(50)]
    filing = filing_in(case, party)
    exhibits = [exhibit(filing, n + 1, numbered_pdf(n + 1, pages)) for n, pages in enumerate(pages_of)]
    items = [e.item for e in exhibits]
    image = exhibit(filing, 51, corpus.png(), name="photo.png").item
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
        assert len(titles) == 51
        for n, title in enumerate(titles[1:], 1):
            assert title.startswith(f"{n}. ") and title.endswith(f": Pièce {n:02d}"), title
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
    filing = filing_in(case, party)
    good = exhibit(filing, 1, numbered_pdf(1, 1)).item
    bad = exhibit(filing, 2, numbered_pdf(2, 1)).item
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


def test_the_bundle_follows_the_case_file_filing_order_then_exhibit_number_then_decisions(court: Court) -> None:
    party = UserFactory()
    case = court_case(court.j, party_user=party)
    now = timezone.now()
    # Created first but received last: the official receipt time orders the filings, not their creation.
    late = filing_in(case, party, status=Filing.Status.PARTIALLY_ACCEPTED, received=now - datetime.timedelta(days=1))
    early = filing_in(case, party, received=now - datetime.timedelta(days=10))
    middle = filing_in(case, party, status=Filing.Status.ACCEPTED, received=now - datetime.timedelta(days=5))
    # Numbers added out of order within a filing: the exhibit number orders them.
    exhibit(early, 2, numbered_pdf(2, 1))
    exhibit(early, 1, numbered_pdf(1, 2))
    exhibit(early, 3, numbered_pdf(99, 1), status=Exhibit.Status.REJECTED)
    exhibit(early, 4, numbered_pdf(98, 1), status=Exhibit.Status.RECEIVED)
    exhibit(middle, 1, numbered_pdf(3, 1))
    exhibit(late, 1, numbered_pdf(4, 1))
    exhibit(late, 2, numbered_pdf(97, 1), status=Exhibit.Status.REJECTED)
    # Filings the court did not take in never appear, even with exhibits marked accepted.
    for status in (Filing.Status.DRAFT, Filing.Status.SUBMITTED, Filing.Status.REJECTED, Filing.Status.CANCELLED):
        exhibit(
            filing_in(case, party, status=status, received=now - datetime.timedelta(days=20)), 1, numbered_pdf(90, 1)
        )
    # Another case's accepted exhibit, and an item of this case that is no exhibit, stay out too.
    other = court_case(court.j, party_user=party)
    exhibit(filing_in(other, party, received=now - datetime.timedelta(days=30)), 1, numbered_pdf(91, 1))
    deposit(uploader=party, reference=case.reference, content=numbered_pdf(92, 1), name="loose.pdf")
    # Decisions come after the exhibits, in order of issue; a draft decision stays out.
    issued_decision(case, court, numbered_pdf(6, 1), at=now - datetime.timedelta(hours=1))
    issued_decision(case, court, numbered_pdf(5, 1), at=now - datetime.timedelta(days=2))
    Decision.objects.create(
        case=case,
        title="Projet",
        source=Decision.Source.UPLOAD,
        draft_pdf=numbered_pdf(96, 1),
        prepared_by=court.j.judge,
    )

    bundle, data = built(court, case)
    assert bundle.total == 6 and [s["kind"] for s in bundle.sources] == ["exhibit"] * 4 + ["decision"] * 2
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert len(pdf.pages) == 1 + 7 == bundle.pages
        with pdf.open_outline() as outline:
            entries = [(entry.title, pdf.pages.index(pikepdf.Page(entry.destination[0]))) for entry in outline.root]  # type: ignore[index]
        firsts = [page_text(pdf.pages[index]) for _title, index in entries[1:]]
        order = [int(text.split(b"(Document ")[1].split(b" ")[0]) for text in firsts]
        assert order == [1, 2, 3, 4, 5, 6]
        assert [index for _title, index in entries] == [0, 1, 3, 4, 5, 6, 7]
        assert [title.split(": ")[-1] for title, _index in entries[3:5]] == ["Pièce 01", "Pièce 01"]
        assert entries[5][0].endswith("Jugement") and entries[5][0].startswith("5. ")
        everything = b"".join(page_text(page) for page in pdf.pages)
        for absent in (b"Document 9", b"Document 1 page 3"):
            assert absent not in everything
        index = index_text(data)
        # The index lists each document with its filing, exhibit number, date, page and seal fingerprint.
        for source in bundle.sources:
            assert source["sha256"] in index
        assert early.submitted_at is not None
        assert f"{early}, " in index and timezone.localtime(early.submitted_at).strftime("%d/%m/%Y") in index


def test_photos_and_recordings_are_listed_as_not_printable_with_their_seal(court: Court) -> None:
    party = UserFactory()
    case = court_case(court.j, party_user=party)
    filing = filing_in(case, party)
    exhibit(filing, 1, numbered_pdf(1, 1))
    photo = exhibit(filing, 2, corpus.png(), name="photo.png").item
    recording = exhibit(filing, 3, corpus.wav(), name="audition.wav").item
    exhibit(filing, 4, numbered_pdf(4, 1))

    bundle, data = built(court, case)
    assert bundle.total == 4 and bundle.pages == 1 + 2
    listed = {s["item"]: s for s in bundle.sources}
    for item in (photo, recording):
        assert listed[str(item.pk)]["first_page"] == 0 and listed[str(item.pk)]["reason"]
        assert listed[str(item.pk)]["printed"] is None
    with pikepdf.open(io.BytesIO(data)) as pdf:
        index = index_text(data)
        assert photo.seal.sha256 in index and recording.seal.sha256 in index
        assert index.count(listed[str(photo.pk)]["reason"]) == 2
        with pdf.open_outline() as outline:
            titles = [entry.title for entry in outline.root]
        # Bookmarks for what is printed only, numbered as in the index.
        assert [title.split(".")[0] for title in titles[1:]] == ["1", "4"]
    # Listed items are in the chain of custody as listed, not included.
    assert CustodyEvent.objects.filter(
        item=photo, action=CustodyEvent.Action.VIEWED, purpose__contains=str(bundle.item_id)
    ).exists()


def test_a_pdf_exhibit_is_printed_from_its_working_copy(court: Court) -> None:
    party = UserFactory()
    case = court_case(court.j, party_user=party)
    original = exhibit(filing_in(case, party), 1, corpus.pdf_with_active_content()).item
    copy = working_copy_of(original)
    assert copy is not None

    bundle, data = built(court, case)
    assert bundle.sources[0]["printed"] == str(copy.pk) and bundle.sources[0]["sha256"] == original.seal.sha256
    with pikepdf.open(io.BytesIO(data)) as pdf:
        assert "/OpenAction" not in pdf.Root and "/Names" not in pdf.Root
    assert CustodyEvent.objects.filter(item=copy, action=CustodyEvent.Action.VIEWED).exists()
