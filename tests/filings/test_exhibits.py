"""Exhibits of filings, end to end through the views: uploaded and sealed while drafting, numbered without gaps,
listed in a PDF exhibit list, accepted or rejected one by one by the clerk, kept by the copy of a rejected filing,
seen only by those who see the filing, and served on the other parties with dated receipts."""

from __future__ import annotations

import hashlib
import io
import threading
import time
import uuid
from typing import Any

import pikepdf
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from evidence.models import CustodyEvent, EvidenceItem
from filings import services
from filings.models import AssuranceLevel, Case, Exhibit, Filing, Mandate, Party, ServiceRecord
from justice.accounts.models import Membership, User
from tests.accounts.factories import UserFactory, enable_totp, set_session_assurance, staff_member
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


def _body(response: Any) -> bytes:
    return b"".join(response.streaming_content)


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
    assert (
        _upload(client, filing, _file("quittance.pdf"), _file("courrier.pdf", corpus.pdf(pages=3))).status_code == 302
    )
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
    assert download.status_code == 200 and _body(download) == contract
    assert exhibit.item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED, actor=citizen).exists()
    assert client.get(f"/evidence/{exhibit.item_id}/").status_code == 200

    colleague = staff_member(Membership.Role.LAWYER, organisation=place.bar).user
    outsider = _signed_in(colleague)
    assert outsider.get(f"/evidence/{exhibit.item_id}/").status_code == 404
    assert outsider.get(f"/filings/{filing.pk}/exhibits/list.pdf").status_code == 404
    assert outsider.post(f"/filings/{filing.pk}/exhibits/{exhibit.pk}/download/").status_code == 404


def _submitted_with_exhibits(filer: User, court: Any, count: int = 2, **kw: Any) -> Filing:
    filing = _referral_draft(filer, court, **kw)
    for n in range(count):
        item = sealed_item(uploader=filer, name=f"piece-{n + 1}.pdf", organisation=kw.get("bar"))
        services.exhibit_attach(filing=filing, actor=filer, item=item, title=f"Pièce {n + 1}")
    return services.filing_submit(filing=filing, actor=filer, assurance_level=AssuranceLevel.SUBSTANTIAL)


def test_clerk_accepts_in_part_exhibit_by_exhibit_and_the_filer_sees_why(place, citizen) -> None:
    filing = _submitted_with_exhibits(citizen, place.court, count=3)
    first, second, third = filing.exhibits.order_by("number")
    clerk = _signed_in(place.clerk)
    page = clerk.get(f"/filings/{filing.pk}/review/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "piece-1.pdf" in page and f'name="exhibit_{second.pk}"' in page

    # A rejected exhibit needs its reason; accepting the whole filing with a rejected exhibit is refused.
    missing_reason = clerk.post(
        f"/filings/{filing.pk}/review/",
        {"decision": "partially_accepted", f"exhibit_{second.pk}": "reject", "note": "Texte gardé"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    body = missing_reason.content.decode()
    assert missing_reason.status_code == 400 and "Indiquez pourquoi la pièce n° 2 est rejetée." in body
    assert "Texte gardé" in body
    whole = clerk.post(
        f"/filings/{filing.pk}/review/",
        {"decision": "accepted", f"exhibit_{second.pk}": "reject", f"exhibit_{second.pk}_reason": "Illisible"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert whole.status_code == 400 and "choose to accept the filing in part" in whole.content.decode()
    filing.refresh_from_db()
    assert filing.status == Filing.Status.SUBMITTED
    assert set(filing.exhibits.values_list("status", flat=True)) == {Exhibit.Status.RECEIVED}

    done = clerk.post(
        f"/filings/{filing.pk}/review/",
        {
            "decision": "partially_accepted",
            f"exhibit_{first.pk}": "accept",
            f"exhibit_{second.pk}": "reject",
            f"exhibit_{second.pk}_reason": "Pièce illisible : scannez-la de nouveau.",
            f"exhibit_{third.pk}": "accept",
        },
    )
    assert done.status_code == 302
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DOCKETED and filing.review_decision == Filing.Decision.PARTIALLY_ACCEPTED
    assert dict(filing.exhibits.values_list("number", "status")) == {1: "accepted", 2: "rejected", 3: "accepted"}

    detail = _signed_in(citizen).get(f"/filings/{filing.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Pièce illisible : scannez-la de nouveau." in detail and "Rejected" in detail


def test_a_rejected_filing_is_copied_and_sent_again_with_the_same_sealed_exhibits(place, citizen) -> None:
    filing = _submitted_with_exhibits(citizen, place.court, count=2)
    services.filing_review(
        filing=filing, actor=place.clerk, decision=Filing.Decision.REJECTED, rejection_reason="incomplete"
    )
    items_before = EvidenceItem.objects.count()
    client = _signed_in(citizen)
    response = client.post(f"/filings/{filing.pk}/copy/")
    copy = Filing.objects.get(copied_from=filing)
    assert response.status_code == 302 and copy.status == Filing.Status.DRAFT
    assert list(copy.exhibits.order_by("number").values_list("number", "title", "item")) == list(
        filing.exhibits.order_by("number").values_list("number", "title", "item")
    )
    assert set(copy.exhibits.values_list("status", flat=True)) == {Exhibit.Status.RECEIVED}
    # Reordered in the copy without touching the rejected filing's list.
    second = copy.exhibits.get(number=2)
    client.post(f"/filings/{copy.pk}/exhibits/{second.pk}/move/", {"to": "up"})
    assert _numbers(copy) == [(1, "Pièce 2"), (2, "Pièce 1")] and _numbers(filing) == [(1, "Pièce 1"), (2, "Pièce 2")]
    assert client.post(f"/filings/{copy.pk}/summary/")["Location"] == f"/filings/{copy.pk}/receipt/"
    copy.refresh_from_db()
    assert copy.status == Filing.Status.SUBMITTED and EvidenceItem.objects.count() == items_before
    # The clerk of the court reads the exhibits of the copy: the same sealed items.
    exhibit = copy.exhibits.get(number=1)
    download = _signed_in(place.clerk).post(f"/filings/{copy.pk}/exhibits/{exhibit.pk}/download/")
    assert download.status_code == 200
    _body(download)
    assert exhibit.item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED, actor=place.clerk).exists()


@pytest.fixture
def contested(place, citizen) -> Case:
    """A case the citizen's lawyer opened against a respondent who has an account and a lawyer of their own."""
    referral = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=citizen,
        bar=place.bar,
    )
    services.filing_review(filing=referral, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    case = Case.objects.get(filings=referral)
    respondent = case.parties.get(role=Party.Role.RESPONDENT)
    respondent.user = UserFactory(first_name="Dominique", last_name="Bailleur")
    respondent.save(update_fields=["user"])
    other_lawyer = staff_member(Membership.Role.LAWYER, organisation=place.bar).user
    mandate = Mandate.objects.create(lawyer=other_lawyer, bar=place.bar, client=respondent.user, party=respondent)
    Party.objects.create(
        case=case, role=Party.Role.COUNSEL, user=mandate.lawyer, organisation=place.bar, represents=respondent
    )
    return case


def _served_submission(place, case: Case, django_capture_on_commit_callbacks: Any) -> tuple[Filing, Exhibit, list]:
    lawyer = _signed_in(place.lawyer)
    lawyer.post(
        f"/filings/cases/{case.pk}/submission/",
        {"idempotency_key": "", "title": "Conclusions n° 1", "statement": "Le dépôt de garantie est dû."},
    )
    submission = Filing.objects.get(kind=Filing.Kind.SUBMISSION)
    assert _upload(lawyer, submission, _file("releve.pdf"), title="Relevé bancaire").status_code == 302
    assert lawyer.post(f"/filings/{submission.pk}/summary/").status_code == 302
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assert (
            _signed_in(place.clerk).post(f"/filings/{submission.pk}/review/", {"decision": "accepted"}).status_code
            == 302
        )
    return submission, submission.exhibits.get(), callbacks


def test_service_goes_sent_delivered_opened_with_dated_receipts_for_the_sender(
    place, citizen, contested, django_capture_on_commit_callbacks
) -> None:
    submission, exhibit, callbacks = _served_submission(place, contested, django_capture_on_commit_callbacks)
    respondent = contested.parties.get(role=Party.Role.RESPONDENT)
    counsel = contested.parties.get(role=Party.Role.COUNSEL, represents=respondent)
    records = {r.recipient_id: r for r in ServiceRecord.objects.filter(filing=submission)}
    # The other side is served (the respondent and their counsel), not the sender's own client.
    assert set(records) == {respondent.user_id, counsel.user_id}
    assert {r.status for r in records.values()} == {ServiceRecord.Status.SENT}
    assert all(r.sent_at is not None and r.delivered_at is None for r in records.values())

    for callback in callbacks:  # after the commit: placed in the recipients' space
        callback()
    records = {r.recipient_id: r for r in ServiceRecord.objects.filter(filing=submission)}
    assert {r.status for r in records.values()} == {ServiceRecord.Status.DELIVERED}

    served = _signed_in(respondent.user)
    page = served.get(f"/filings/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "releve.pdf" in page and "Dated receipts" not in page  # receipts are the sender's
    first = served.post(f"/filings/{submission.pk}/exhibits/{exhibit.pk}/download/")
    assert first.status_code == 200 and first["Content-Disposition"].startswith("attachment")
    _body(first)
    record = ServiceRecord.objects.get(filing=submission, recipient=respondent.user)
    assert record.status == ServiceRecord.Status.OPENED and record.opened_at is not None
    opened_at = record.opened_at
    _body(served.post(f"/filings/{submission.pk}/exhibits/{exhibit.pk}/download/"))
    record.refresh_from_db()
    assert record.opened_at == opened_at  # recorded once
    assert ServiceRecord.objects.get(recipient=counsel.user).status == ServiceRecord.Status.DELIVERED
    # The exhibit exchanged is the sealed item the lawyer sent, with every download in its chain of custody.
    assert exhibit.item.uploaded_by == place.lawyer
    assert exhibit.item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED, actor=respondent.user).count() == 2

    # The counsel opens it with the exhibit list.
    assert _signed_in(counsel.user).get(f"/filings/{submission.pk}/exhibits/list.pdf").status_code == 200
    assert ServiceRecord.objects.get(recipient=counsel.user).status == ServiceRecord.Status.OPENED

    receipts = _signed_in(place.lawyer).get(f"/filings/{submission.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Dated receipts, per recipient" in receipts and "Dominique Bailleur" in receipts and "Opened" in receipts


def test_only_those_who_see_the_case_reach_its_exhibits_list_and_served_documents(
    place, elsewhere, citizen, contested, django_capture_on_commit_callbacks
) -> None:
    submission, exhibit, _callbacks = _served_submission(place, contested, django_capture_on_commit_callbacks)
    same_bar_lawyer = staff_member(Membership.Role.LAWYER, organisation=place.bar).user
    outsiders = {
        "another citizen": UserFactory(),
        "lawyer without mandate (same bar)": same_bar_lawyer,
        "lawyer without mandate (other bar)": elsewhere.lawyer,
        "clerk of another court": elsewhere.clerk,
        "judge of another court": elsewhere.judge,
        "police officer": place.police,
    }
    for role, user in outsiders.items():
        client = _signed_in(user)
        for response in (
            client.get(f"/filings/{submission.pk}/"),
            client.get(f"/filings/{submission.pk}/exhibits/list.pdf"),
            client.post(f"/filings/{submission.pk}/exhibits/{exhibit.pk}/download/"),
            client.get(f"/evidence/{exhibit.item_id}/"),
            client.post(f"/evidence/{exhibit.item_id}/download/", {"purpose": "curiosité"}),
            client.get(f"/filings/{submission.pk}/exhibits/"),
        ):
            assert response.status_code == 404, role
    assert (
        not exhibit.item.custody_events.exclude(actor__in=[place.lawyer, place.clerk])
        .filter(action=CustodyEvent.Action.DOWNLOADED)
        .exists()
    )

    insiders = {
        "client of the sender": citizen,
        "judge of the court": place.judge,
        "clerk of the court": place.clerk,
        "respondent": contested.parties.get(role=Party.Role.RESPONDENT).user,
    }
    for role, user in insiders.items():
        client = _signed_in(user)
        assert client.get(f"/filings/{submission.pk}/exhibits/list.pdf").status_code == 200, role
        assert client.get(f"/evidence/{exhibit.item_id}/").status_code == 200, role
        download = client.post(f"/filings/{submission.pk}/exhibits/{exhibit.pk}/download/")
        assert download.status_code == 200, role
        _body(download)
    # Only parties are served: reading it as court staff or as the sender's client opens no service.
    assert set(
        ServiceRecord.objects.filter(status=ServiceRecord.Status.OPENED).values_list("recipient", flat=True)
    ) == {contested.parties.get(role=Party.Role.RESPONDENT).user_id}


def test_a_rejected_exhibit_stays_out_of_reach_of_the_other_parties(place, citizen, contested) -> None:
    filing = services.filing_create_draft(
        filer=place.lawyer,
        kind=Filing.Kind.SUBMISSION,
        idempotency_key=uuid.uuid4(),
        case=contested,
        sections={"submission": {"title": "Pièces", "statement": "Communication de pièces."}},
    )
    kept, refused = (
        services.exhibit_attach(filing=filing, actor=place.lawyer, item=sealed_item(uploader=place.lawyer), title=t)
        for t in ("Gardée", "Refusée")
    )
    services.filing_submit(filing=filing, actor=place.lawyer, assurance_level=AssuranceLevel.SUBSTANTIAL)
    services.filing_review(
        filing=filing,
        actor=place.clerk,
        decision=Filing.Decision.PARTIALLY_ACCEPTED,
        exhibit_decisions={refused.pk: services.ExhibitDecision(accepted=False, reason="Hors délai")},
    )
    respondent = _signed_in(contested.parties.get(role=Party.Role.RESPONDENT).user)
    assert respondent.post(f"/filings/{filing.pk}/exhibits/{kept.pk}/download/").status_code == 200
    assert respondent.post(f"/filings/{filing.pk}/exhibits/{refused.pk}/download/").status_code == 404
    assert respondent.get(f"/evidence/{refused.item_id}/").status_code == 404
    assert _signed_in(place.lawyer).post(f"/filings/{filing.pk}/exhibits/{refused.pk}/download/").status_code == 200


@pytest.mark.parametrize("page", ["detail", "exhibits", "review"])
def test_exhibit_lists_take_a_bounded_number_of_queries(place, citizen, page) -> None:
    def count_queries(exhibits: int) -> int:
        filing = _referral_draft(citizen, place.court)
        for n in range(exhibits):
            services.exhibit_attach(
                filing=filing, actor=citizen, item=sealed_item(uploader=citizen, name=f"p{n}.pdf"), title=f"P{n}"
            )
        reader = citizen
        if page == "review":
            services.filing_submit(filing=filing, actor=citizen, assurance_level=AssuranceLevel.SUBSTANTIAL)
            reader = place.clerk
        client = _signed_in(reader)
        url = {"detail": f"/filings/{filing.pk}/", "exhibits": f"/filings/{filing.pk}/exhibits/"}.get(
            page, f"/filings/{filing.pk}/review/"
        )
        client.get(url)  # the session set up and the bell counted, as on any page after the first
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    assert count_queries(2) == count_queries(12)


@pytest.mark.django_db(transaction=True)
def test_exhibits_added_at_the_same_time_get_consecutive_numbers(place, citizen) -> None:
    """Threads with a connection each attach to one draft at once. On PostgreSQL the draft's row lock makes them
    wait their turn; SQLite answers with a lock error instead, and the thread tries again, as a person would."""
    threads_count = 6
    filing = _referral_draft(citizen, place.court)
    items = [sealed_item(uploader=citizen, name=f"p{n}.pdf") for n in range(threads_count)]
    barrier = threading.Barrier(threads_count)
    errors: list[BaseException] = []

    def attach(item_pk: Any) -> None:
        try:
            item = EvidenceItem.objects.get(pk=item_pk)
            barrier.wait(timeout=30)
            for _attempt in range(300):
                try:
                    services.exhibit_attach(filing=Filing.objects.get(pk=filing.pk), actor=citizen, item=item)
                    return
                except (OperationalError, IntegrityError) as error:
                    if connection.vendor != "sqlite":
                        raise
                    del error
                    time.sleep(0.01)
            raise AssertionError("never got the lock")
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=attach, args=(item.pk,)) for item in items]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(filing.exhibits.values_list("number", flat=True)) == list(range(1, threads_count + 1))
    assert set(filing.exhibits.values_list("item", flat=True)) == {item.pk for item in items}


def test_the_site_admin_sees_exhibits_and_service_records_read_only(place, citizen) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    enable_totp(superuser)
    filing = _submitted_with_exhibits(citizen, place.court, count=2)
    client = Client()
    client.force_login(superuser)
    page = client.get(f"/admin/filings/filing/{filing.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200 and "piece-2.pdf" in page.content.decode()


def test_pre_complaint_exhibits_reach_the_police_unit_and_no_other(place, elsewhere, citizen) -> None:
    filing = draft(filer=citizen)
    client = _signed_in(citizen, AssuranceLevel.LOW)
    photo = corpus.pdf(pages=4)
    assert _upload(client, filing, _file("photo-velo.pdf", photo), title="Photo du vélo").status_code == 302
    assert client.post(f"/filings/{filing.pk}/summary/").status_code == 302
    exhibit = filing.exhibits.get()
    officer = _signed_in(place.police)
    assert "photo-velo.pdf" in officer.get(f"/filings/{filing.pk}/review/").content.decode()
    assert _body(officer.post(f"/filings/{filing.pk}/exhibits/{exhibit.pk}/download/")) == photo
    for outsider in (elsewhere.police, place.clerk, UserFactory()):
        other = _signed_in(outsider)
        assert other.post(f"/filings/{filing.pk}/exhibits/{exhibit.pk}/download/").status_code == 404
        assert other.get(f"/evidence/{exhibit.item_id}/").status_code == 404


def test_a_quarantined_exhibit_cannot_be_sent(place, citizen) -> None:
    filing = _referral_draft(citizen, place.court)
    exhibit = services.exhibit_attach(filing=filing, actor=citizen, item=sealed_item(uploader=citizen), title="Scan")
    EvidenceItem.objects.filter(pk=exhibit.item_id).update(status=EvidenceItem.Status.QUARANTINED)
    response = _signed_in(citizen).post(f"/filings/{filing.pk}/summary/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "Exhibits no. 1 cannot be sent" in response.content.decode()
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DRAFT


def test_a_party_s_own_submission_is_served_on_the_other_side_only(
    place, citizen, contested, django_capture_on_commit_callbacks
) -> None:
    filing = services.filing_create_draft(
        filer=citizen,
        kind=Filing.Kind.SUBMISSION,
        idempotency_key=uuid.uuid4(),
        case=contested,
        sections={"submission": {"title": "Observations", "statement": "Mes observations."}},
    )
    services.filing_submit(filing=filing, actor=citizen, assurance_level=AssuranceLevel.SUBSTANTIAL)
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    respondent = contested.parties.get(role=Party.Role.RESPONDENT)
    counsel = contested.parties.get(role=Party.Role.COUNSEL, represents=respondent)
    served = dict(ServiceRecord.objects.filter(filing=filing).values_list("recipient", "status"))
    # Not on the citizen's own lawyer, who acts for the same side.
    assert served == {respondent.user_id: "delivered", counsel.user_id: "delivered"}
