"""Decisions end to end: the bench prepares (upload or template), the clerk issues: the signed PDF is what is
sealed, its PAdES signature validates against the sealing certificate, the parties and counsel are told; parties
download only at the ``substantial`` level (step-up), each download is a custody event and an access-log entry;
a certified copy carries the seal receipt reference on its first page and its own valid signature. Role by role,
everyone else gets a 404."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from evidence.models import CustodyEvent, EvidenceItem, LogEntry
from hearings import decisions
from hearings.models import Decision
from justice.accounts.assurance import Level
from justice.accounts.models import Membership
from justice.audit.models import AccessEvent
from justice.notifications.models import Kind, Notification
from justice.pdf import paragraph, render_pdf
from tests.accounts.factories import UserFactory, set_session_assurance, staff_member
from tests.filings.conftest import make_jurisdiction
from tests.hearings.conftest import Court, court_case
from tests.test_signing import signature_status

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("evidence_dirs")]

from tests.evidence.conftest import evidence_dirs  # noqa: E402, F401  (fixture: a private store per test)


def client_for(user, level: str | None = None) -> Client:
    client = Client()
    client.force_login(user)
    if level:
        set_session_assurance(client, level)
    return client


def judge_pdf() -> bytes:
    return render_pdf(
        title="Jugement",
        issuer="Tribunal judiciaire de Démo",
        blocks=[paragraph("Le tribunal condamne la partie défenderesse à payer 1 500 euros.")],
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def sealed(decision: Decision) -> EvidenceItem:
    assert decision.item is not None
    return decision.item


@pytest.fixture
def issued(court: Court) -> Decision:
    case = court_case(court.j, lawyer=court.j.lawyer)
    draft = decisions.decision_generate(
        case=case,
        actor=court.j.judge,
        fields=decisions.TemplateFields(
            title="Jugement", reasons="Le bailleur n’a pas restitué le dépôt.", operative_part="Condamne le bailleur."
        ),
    )
    return decisions.decision_issue(decision=draft, actor=court.j.clerk)


def test_upload_then_issue_signs_seals_the_signed_pdf_and_tells_the_parties(
    court: Court, sealing_certificate: Path
) -> None:
    case = court_case(court.j, lawyer=court.j.lawyer)
    party = case.parties.get(role="claimant").user
    judge = client_for(court.j.judge)
    response = judge.post(
        reverse("hearings:decision_new", args=[case.pk]),
        {"mode": "upload", "title": "Jugement", "file": _upload(judge_pdf())},
    )
    assert response.status_code == 302
    decision = Decision.objects.get(case=case)
    assert decision.status == Decision.Status.DRAFT and decision.source == Decision.Source.UPLOAD
    assert "1 500 euros" in decision.text

    # Judges prepare; clerks issue.
    assert judge.post(reverse("hearings:decision_issue", args=[decision.pk])).status_code == 404
    clerk = client_for(court.j.clerk)
    assert clerk.post(reverse("hearings:decision_issue", args=[decision.pk])).status_code == 302
    decision.refresh_from_db()
    assert decision.status == Decision.Status.ISSUED and decision.issued_by == court.j.clerk
    assert bytes(decision.draft_pdf) == b""

    item = decision.item
    assert item is not None and item.case_ref == case.reference and item.organisation == court.j.court
    assert item.custody_events.filter(action=CustodyEvent.Action.SEALED).count() == 1
    assert LogEntry.objects.filter(seal=item.seal).exists()

    # The party steps up, then downloads exactly the sealed bytes: the signed PDF, valid and covering the file.
    client = client_for(party, Level.SUBSTANTIAL)
    response = client.get(reverse("hearings:decision_download", args=[decision.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    pdf = body(response)
    assert hashlib.sha256(pdf).hexdigest() == item.seal.sha256
    status = signature_status(pdf, sealing_certificate)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    # The judge's upload is kept unchanged as the first revision of the signed file.
    assert pdf.startswith(judge_pdf()[:200])

    told = set(Notification.objects.filter(kind=Kind.DECISION_ISSUED, case=case).values_list("recipient", flat=True))
    assert party is not None and told == {party.pk, court.j.lawyer.pk}


def _upload(content: bytes, name: str = "jugement.pdf"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_party_download_needs_substantial_assurance_and_is_logged(court: Court, issued: Decision) -> None:
    party = issued.case.parties.get(role="claimant").user
    url = reverse("hearings:decision_download", args=[issued.pk])
    low = client_for(party)
    response = low.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:step_up"))
    assert "level=substantial" in response["Location"]
    assert not sealed(issued).custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).exists()

    set_session_assurance(low, Level.SUBSTANTIAL)
    assert low.get(url).status_code == 200
    downloads = sealed(issued).custody_events.filter(action=CustodyEvent.Action.DOWNLOADED)
    assert [event.actor for event in downloads] == [party]
    # Counsel's download shows in the party's access log (they read the party's decision).
    lawyer = client_for(court.j.lawyer, Level.SUBSTANTIAL)
    body(lawyer.get(url))
    assert AccessEvent.objects.filter(
        subject=party, actor=court.j.lawyer, action=AccessEvent.Action.DOWNLOAD, object_id=str(issued.pk)
    ).exists()
    assert sealed(issued).custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).count() == 2


def test_certified_copy_carries_the_seal_receipt_reference_and_a_valid_signature(
    court: Court, issued: Decision, sealing_certificate: Path
) -> None:
    party = issued.case.parties.get(role="claimant").user
    response = client_for(party, Level.SUBSTANTIAL).get(reverse("hearings:decision_certified_copy", args=[issued.pk]))
    assert response.status_code == 200
    copy = body(response)
    status = signature_status(copy, sealing_certificate)
    assert status.intact and status.valid and status.trusted and status.bottom_line
    first_page = PdfReader(io.BytesIO(copy)).pages[0].extract_text()
    reference = decisions.receipt_reference(sealed(issued))
    assert reference["log_index"]
    flat = "".join(first_page.split())
    assert str(sealed(issued).pk) in flat
    assert reference["sha256"] in flat
    assert f"{reference['log_index']}" in first_page
    assert (
        sealed(issued)
        .custody_events.filter(action=CustodyEvent.Action.DOWNLOADED, purpose__icontains="certified")
        .exists()
        or sealed(issued).custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).count() == 1
    )


def test_case_page_shows_the_decision_and_the_timeline_its_issue(court: Court, issued: Decision) -> None:
    party = issued.case.parties.get(role="claimant").user
    with CaptureQueriesContext(connection) as queries:
        page = client_for(party).get(reverse("filings:case", args=[issued.case_id])).content.decode()
    assert reverse("hearings:decision", args=[issued.pk]) in page and issued.title in page
    assert "Décision rendue" in page or "Decision issued" in page
    # The list shows a decision's title, status and date, the timeline when, what and the note: no file, seal,
    # author or actor is joined to read them.
    section = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith("SELECT")
        and q["sql"].split(" FROM ")[1].split()[0] in ('"hearings_decision"', '"hearings_hearingevent"')
    ]
    # The case has no hearing: no hearing event is read (only the decisions are).
    assert len(section) == 1
    assert not [sql for sql in section if '"accounts_user"' in sql or '"evidence_' in sql]


def test_drafts_are_the_benchs_and_issued_decisions_the_cases_role_by_role(court: Court) -> None:
    case = court_case(court.j, lawyer=court.j.lawyer)
    elsewhere = make_jurisdiction("AILLEURS")
    draft = decisions.decision_upload(
        case=case, actor=court.j.clerk, title="Ordonnance", content=judge_pdf(), name="o.pdf"
    )
    people = {
        "party": case.parties.get(role="claimant").user,
        "counsel": court.j.lawyer,
        "clerk": court.j.clerk,
        "judge": court.j.judge,
        "stranger": UserFactory(),
        "other lawyer": staff_member(Membership.Role.LAWYER, organisation=court.j.bar).user,
        "other court clerk": elsewhere.clerk,
        "other court judge": elsewhere.judge,
        "police": court.j.police,
        "prosecutor": court.j.prosecutor,
    }
    bench = {"clerk", "judge"}
    for role, user in people.items():
        client = client_for(user, Level.SUBSTANTIAL)
        page = client.get(reverse("hearings:decision", args=[draft.pk]))
        assert page.status_code == (200 if role in bench else 404), role
        assert client.get(reverse("hearings:decision_draft", args=[draft.pk])).status_code == (
            200 if role in bench else 404
        ), role
        assert client.get(reverse("hearings:decision_new", args=[case.pk])).status_code == (
            200 if role in bench else 404
        ), role
        if role != "clerk":
            assert client.post(reverse("hearings:decision_issue", args=[draft.pk])).status_code == 404, role
    decisions.decision_issue(decision=draft, actor=court.j.clerk)
    sees = bench | {"party", "counsel"}
    for role, user in people.items():
        client = client_for(user, Level.SUBSTANTIAL)
        for name in ("hearings:decision", "hearings:decision_download", "hearings:decision_certified_copy"):
            response = client.get(reverse(name, args=[draft.pk]))
            assert response.status_code == (200 if role in sees else 404), (role, name)
            if role not in sees:
                assert case.reference not in response.content.decode()


def test_bad_uploads_are_refused_with_a_reason_and_leave_nothing(court: Court) -> None:
    case = court_case(court.j)
    judge = client_for(court.j.judge)
    url = reverse("hearings:decision_new", args=[case.pk])
    for content, words in (
        (b"", "vide"),
        (b"GIF89a not a pdf", "n\u2019est pas un PDF"),
        (b"%PDF-1.7\n garbage", "endommag"),
    ):
        response = judge.post(url, {"mode": "upload", "title": "Jugement typed", "file": _upload(content, "x.pdf")})
        assert response.status_code == 400
        text = response.content.decode()
        assert words in text, text
        assert "Jugement typed" in text
    response = judge.post(url, {"mode": "template", "title": "Jugement"})
    assert response.status_code == 400
    assert not Decision.objects.exists()
    assert not EvidenceItem.objects.exists()


def test_an_issue_that_fails_leaves_the_draft_and_seals_nothing(court: Court, settings) -> None:
    case = court_case(court.j)
    draft = decisions.decision_upload(
        case=case, actor=court.j.judge, title="Jugement", content=judge_pdf(), name="j.pdf"
    )
    settings.SEALING_CERTIFICATE_FILE = "/nonexistent/sealing.pem"
    with pytest.raises(Exception, match="sealing certificate"):
        decisions.decision_issue(decision=draft, actor=court.j.clerk)
    draft.refresh_from_db()
    assert draft.status == Decision.Status.DRAFT and bytes(draft.draft_pdf)
    assert not EvidenceItem.objects.exists()
    assert not Notification.objects.filter(kind=Kind.DECISION_ISSUED).exists()


def test_issuing_twice_is_refused(court: Court, issued: Decision) -> None:
    with pytest.raises(decisions.DecisionError):
        decisions.decision_issue(decision=issued, actor=court.j.clerk)
    assert EvidenceItem.objects.filter(case_ref=issued.case.reference).exclude(derived_from__isnull=False).count() == 1


def test_a_party_steps_up_with_the_identity_provider_then_downloads(
    court: Court, federation, login_with_password, sealing_certificate: Path
) -> None:
    """The real step-up: a password session (low) is sent to the identity provider (sandbox OpenID Provider, a
    real process) and comes back to the download at ``substantial``."""
    from allauth.socialaccount.models import SocialAccount

    from tests.accounts.test_federation import federated_login

    federated_login(Client(), username="alix")
    party = SocialAccount.objects.get(uid="sbx-4be01d77").user
    party.set_password("correct horse battery staple 42")
    party.save()
    case = court_case(court.j, party_user=party)
    draft = decisions.decision_upload(
        case=case, actor=court.j.judge, title="Jugement", content=judge_pdf(), name="j.pdf"
    )
    decision = decisions.decision_issue(decision=draft, actor=court.j.clerk)
    url = reverse("hearings:decision_download", args=[decision.pk])

    client = Client()
    login_with_password(client, party)
    response = client.get(url)
    assert response.status_code == 302
    assert (
        response["Location"]
        == f"/account/step-up/?level=substantial&next=%2Fhearings%2Fdecisions%2F{decision.pk}%2Fdownload%2F"
    )
    assert not sealed(decision).custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).exists()
    response = federated_login(client, username="alix", process="connect", next_url=url)
    assert response.status_code == 302 and response["Location"] == url
    response = client.get(url)
    assert response.status_code == 200
    pdf = body(response)
    assert hashlib.sha256(pdf).hexdigest() == sealed(decision).seal.sha256
    assert signature_status(pdf, sealing_certificate).bottom_line
    (event,) = sealed(decision).custody_events.filter(action=CustodyEvent.Action.DOWNLOADED)
    assert event.actor == party
