"""Submissions into a registered case: by a party or by the lawyer holding a mandate; the clerk accepts them into
the case file, which the other parties then see. Nobody else can send one."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from filings import services
from filings.models import AssuranceLevel, Case, Filing
from justice.audit.models import AccessEvent
from tests.accounts.factories import UserFactory, set_session_assurance
from tests.filings.factories import civil_sections, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(place, citizen) -> Case:
    """A case a lawyer opened for the citizen, their client."""
    filing = submitted(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=citizen,
        bar=place.bar,
    )
    services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    return Case.objects.get(filings=filing)


def test_the_lawyer_sends_a_submission_the_clerk_adds_it_to_the_case(client: Client, place, citizen, case) -> None:
    client.force_login(place.lawyer)
    set_session_assurance(client, AssuranceLevel.SUBSTANTIAL)
    assert "Send a submission" in client.get(f"/filings/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    form = client.get(f"/filings/cases/{case.pk}/submission/", HTTP_ACCEPT_LANGUAGE="en")
    assert form.status_code == 200 and case.reference in form.content.decode()
    response = client.post(
        f"/filings/cases/{case.pk}/submission/",
        {"idempotency_key": "", "title": "Conclusions", "statement": "Le dépôt de garantie est dû."},
    )
    submission = Filing.objects.get(kind=Filing.Kind.SUBMISSION)
    assert response["Location"] == f"/filings/{submission.pk}/summary/"
    assert (submission.case, submission.recipient) == (case, place.court)
    assert client.post(f"/filings/{submission.pk}/summary/")["Location"] == f"/filings/{submission.pk}/receipt/"

    # Not in the case file until accepted: the client does not see it yet.
    client_session = Client()
    client_session.force_login(citizen)
    assert client_session.get(f"/filings/{submission.pk}/").status_code == 404

    clerk = Client()
    clerk.force_login(place.clerk)
    assert clerk.post(f"/filings/{submission.pk}/review/", {"decision": "accepted"}).status_code == 302
    submission.refresh_from_db()
    assert submission.status == Filing.Status.DOCKETED and submission.case == case
    assert Case.objects.count() == 1  # joined the case, did not open another one
    assert client_session.get(f"/filings/{submission.pk}/").status_code == 200
    assert f"/filings/{submission.pk}/" in client_session.get(f"/filings/cases/{case.pk}/").content.decode()


def test_a_party_sends_one_too_and_outsiders_cannot(client: Client, place, elsewhere, citizen, case) -> None:
    client.force_login(citizen)
    assert client.get(f"/filings/cases/{case.pk}/submission/").status_code == 200
    # The judge sees the case but is not a party; others do not even see it.
    for outsider in (place.judge, place.clerk, elsewhere.lawyer, UserFactory()):
        client.force_login(outsider)
        assert client.get(f"/filings/cases/{case.pk}/submission/").status_code == 404
    with pytest.raises(services.FilingError):
        services.filing_create_draft(
            filer=place.judge, kind=Filing.Kind.SUBMISSION, idempotency_key=uuid.uuid4(), case=case
        )


def test_a_submission_needs_substantial_assurance(place, citizen, case) -> None:
    filing = services.filing_create_draft(
        filer=citizen,
        kind=Filing.Kind.SUBMISSION,
        idempotency_key=uuid.uuid4(),
        case=case,
        sections={"submission": {"title": "Observations", "statement": "Je maintiens ma demande."}},
    )
    with pytest.raises(services.FilingError) as refused:
        services.filing_submit(filing=filing, actor=citizen, assurance_level=AssuranceLevel.LOW)
    assert refused.value.code == "assurance"


def test_a_pre_complaint_is_confirmed_or_rejected_as_a_whole(client: Client, place, citizen) -> None:
    filing = submitted(filer=citizen, level=AssuranceLevel.LOW)
    with pytest.raises(services.FilingError) as refused:
        services.filing_review(filing=filing, actor=place.police, decision=Filing.Decision.PARTIALLY_ACCEPTED, note="x")
    assert refused.value.code == "decision"
    client.force_login(place.police)
    body = client.get(f"/filings/{filing.pk}/review/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Confirmed by the victim at the appointment" in body and "Accept in part" not in body


def test_a_judge_reading_the_case_is_in_the_clients_access_log_not_the_lawyers(client: Client, place, citizen,
                                                                                  case) -> None:  # fmt: skip
    client.force_login(place.judge)
    assert client.get(f"/filings/cases/{case.pk}/").status_code == 200
    event = AccessEvent.objects.get(subject=citizen, object_id=str(case.pk))
    assert (event.actor, event.actor_organisation, event.purpose) == (
        place.judge,
        place.court,
        "Traitement de l’affaire",
    )
    assert not AccessEvent.objects.filter(subject=place.lawyer).exists()
