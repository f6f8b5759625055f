"""The filing lifecycle through its services: each transition checks the state, the actor and the content, and
writes its history row in the same transaction."""

from __future__ import annotations

import datetime
import uuid

import pytest
import time_machine
from django.utils import translation

from filings import services
from filings.models import AssuranceLevel, Case, Filing, FilingEvent, Mandate, Party, RejectionReason
from filings.services import FilingError
from tests.accounts.factories import UserFactory
from tests.filings.factories import civil_sections, criminal_sections, draft, submitted

pytestmark = pytest.mark.django_db


def history(filing: Filing) -> list[tuple[str, str]]:
    return list(filing.events.order_by("pk").values_list("previous_status", "status"))


def test_a_draft_goes_to_the_police_unit_of_the_place_of_the_facts(place, citizen) -> None:
    filing = draft(filer=citizen)
    assert filing.status == Filing.Status.DRAFT
    assert filing.recipient == place.unit
    assert history(filing) == [("", "draft")]


def test_the_same_idempotency_key_creates_one_draft(place, citizen) -> None:
    key = uuid.uuid4()
    first = services.filing_create_draft(filer=citizen, kind=Filing.Kind.PRE_COMPLAINT, idempotency_key=key)
    second = services.filing_create_draft(filer=citizen, kind=Filing.Kind.PRE_COMPLAINT, idempotency_key=key)
    assert first.pk == second.pk
    assert Filing.objects.count() == 1
    # The key is per filer: someone else's identical key is another filing.
    services.filing_create_draft(filer=UserFactory(), kind=Filing.Kind.PRE_COMPLAINT, idempotency_key=key)
    assert Filing.objects.count() == 2


def test_a_key_reused_for_another_kind_is_refused(place, citizen) -> None:
    key = uuid.uuid4()
    services.filing_create_draft(filer=citizen, kind=Filing.Kind.PRE_COMPLAINT, idempotency_key=key)
    with pytest.raises(FilingError) as refused:
        services.filing_create_draft(filer=citizen, kind=Filing.Kind.COMPLAINT, idempotency_key=key)
    assert refused.value.code == "key_reused"


def test_official_filing_time_is_the_server_receipt_time(place, citizen) -> None:
    filing = draft(filer=citizen)
    with time_machine.travel("2026-04-01 09:30:00+02:00", tick=False):
        services.filing_submit(filing=filing, actor=citizen, assurance_level=AssuranceLevel.LOW)
    filing.refresh_from_db()
    assert filing.submitted_at == datetime.datetime(2026, 4, 1, 7, 30, tzinfo=datetime.UTC)
    assert filing.assurance_level == AssuranceLevel.LOW
    assert history(filing) == [("", "draft"), ("draft", "submitted")]
    assert filing.events.get(status="submitted").actor == citizen


def test_submitting_twice_is_one_submission(place, citizen) -> None:
    filing = draft(filer=citizen)
    services.filing_submit(filing=filing, actor=citizen, assurance_level=AssuranceLevel.LOW)
    first_time = Filing.objects.get(pk=filing.pk).submitted_at
    services.filing_submit(filing=filing, actor=citizen, assurance_level=AssuranceLevel.LOW)
    assert Filing.objects.get(pk=filing.pk).submitted_at == first_time
    assert FilingEvent.objects.filter(filing=filing, status="submitted").count() == 1


@pytest.mark.parametrize(
    ("kind", "level", "allowed"),
    [
        (Filing.Kind.PRE_COMPLAINT, AssuranceLevel.LOW, True),
        (Filing.Kind.COMPLAINT, AssuranceLevel.LOW, False),
        (Filing.Kind.COMPLAINT, AssuranceLevel.SUBSTANTIAL, True),
        (Filing.Kind.COMPLAINT, AssuranceLevel.HIGH, True),
        (Filing.Kind.COMPLAINT, "made-up", False),
        (Filing.Kind.CIVIL_REFERRAL, AssuranceLevel.LOW, False),
        (Filing.Kind.CIVIL_REFERRAL, AssuranceLevel.SUBSTANTIAL, True),
    ],
)
def test_low_assurance_sends_only_pre_complaints(place, citizen, kind: str, level: str, allowed: bool) -> None:
    sections = civil_sections(court=place.court) if kind == Filing.Kind.CIVIL_REFERRAL else criminal_sections()
    filing = draft(filer=citizen, kind=kind, sections=sections)
    if allowed:
        services.filing_submit(filing=filing, actor=citizen, assurance_level=level)
        assert Filing.objects.get(pk=filing.pk).status == Filing.Status.SUBMITTED
    else:
        with pytest.raises(FilingError) as refused:
            services.filing_submit(filing=filing, actor=citizen, assurance_level=level)
        assert refused.value.code == "assurance"
        assert Filing.objects.get(pk=filing.pk).status == Filing.Status.DRAFT


def test_an_incomplete_filing_is_refused_naming_the_missing_parts(place, citizen) -> None:
    sections = criminal_sections()
    del sections["people"]
    sections["suspect"] = {"suspect_known": "yes", "suspect_description": ""}
    filing = draft(filer=citizen, sections=sections)
    with pytest.raises(FilingError) as refused, translation.override("en"):
        services.filing_submit(filing=filing, actor=citizen, assurance_level=AssuranceLevel.LOW)
    assert refused.value.code == "incomplete"
    assert str(refused.value.message) == (
        "Some parts are missing or need correcting before you can send: The author, Victim and witnesses."
    )
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.DRAFT


def test_only_the_filer_sends_or_changes_a_draft(place, citizen) -> None:
    filing = draft(filer=citizen)
    intruder = UserFactory()
    with pytest.raises(FilingError):
        services.filing_submit(filing=filing, actor=intruder, assurance_level=AssuranceLevel.HIGH)
    with pytest.raises(FilingError):
        services.filing_update_draft(filing=filing, actor=intruder, sections={"offence": {}})
    with pytest.raises(FilingError):
        services.filing_cancel(filing=filing, actor=intruder)


def test_a_sent_filing_cannot_be_edited(place, citizen) -> None:
    filing = submitted(filer=citizen)
    with pytest.raises(FilingError) as refused:
        services.filing_update_draft(filing=filing, actor=citizen, sections={"offence": {"category": "fraud"}})
    assert refused.value.code == "not_draft"


def test_cancel_from_draft_or_submitted_but_not_after_review(place, citizen) -> None:
    services.filing_cancel(filing=draft(filer=citizen), actor=citizen)
    sent = submitted(filer=citizen)
    services.filing_cancel(filing=sent, actor=citizen, reason="Retrouvé mon vélo")
    assert history(sent)[-1] == ("submitted", "cancelled")
    assert sent.events.get(status=Filing.Status.CANCELLED).reason == "Retrouvé mon vélo"
    reviewed = submitted(filer=citizen)
    services.filing_review(filing=reviewed, actor=place.police, decision=Filing.Decision.ACCEPTED)
    with pytest.raises(FilingError) as refused:
        services.filing_cancel(filing=reviewed, actor=citizen)
    assert refused.value.code == "status"


def test_the_police_unit_confirms_a_pre_complaint_without_opening_a_case(place, citizen) -> None:
    filing = submitted(filer=citizen, level=AssuranceLevel.LOW)
    services.filing_review(filing=filing, actor=place.police, decision=Filing.Decision.ACCEPTED)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.ACCEPTED and filing.case is None
    assert filing.reviewed_by == place.police


def test_a_clerk_cannot_review_what_was_sent_elsewhere(place, elsewhere, citizen) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    for outsider in (elsewhere.clerk, place.police, place.judge, citizen):
        with pytest.raises(FilingError) as refused:
            services.filing_review(filing=filing, actor=outsider, decision=Filing.Decision.ACCEPTED)
        assert refused.value.code == "forbidden"
    assert Filing.objects.get(pk=filing.pk).status == Filing.Status.SUBMITTED


@pytest.mark.parametrize(
    ("decision", "reason", "note", "code"),
    [
        (Filing.Decision.REJECTED, "", "", "reason"),
        (Filing.Decision.REJECTED, RejectionReason.OTHER, "  ", "note"),
        (Filing.Decision.PARTIALLY_ACCEPTED, "", "", "note"),
        (Filing.Decision.ACCEPTED, RejectionReason.DUPLICATE, "", "reason"),
        ("maybe", "", "", "decision"),
    ],
)
def test_a_decision_needs_its_reasons(place, citizen, decision: str, reason: str, note: str, code: str) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    with pytest.raises(FilingError) as refused:
        services.filing_review(filing=filing, actor=place.clerk, decision=decision, rejection_reason=reason, note=note)
    assert refused.value.code == code


def test_accepting_a_referral_registers_the_case_with_its_parties(place, citizen) -> None:
    filing = submitted(
        filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court, respondents=2)
    )
    with time_machine.travel("2026-06-15 10:00:00+02:00", tick=False):
        services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DOCKETED
    assert history(filing)[-2:] == [("submitted", "accepted"), ("accepted", "docketed")]
    case = filing.case
    assert case is not None
    assert (case.reference, case.kind, case.court, case.claim_type) == (
        "TJ-DEMO-2026-000001",
        Case.Kind.CIVIL,
        place.court,
        place.claim_type,
    )
    roles = sorted((p.role, p.user_id, p.name) for p in case.parties.all())
    assert roles == [
        (Party.Role.CLAIMANT, citizen.pk, "Camille Martin"),
        (Party.Role.RESPONDENT, None, "Bailleur n° 1"),
        (Party.Role.RESPONDENT, None, "Bailleur n° 2"),
    ]


def test_accepting_a_complaint_registers_a_criminal_case_at_the_prosecutors_office(place, citizen) -> None:
    sections = criminal_sections(people={"victim_is_filer": "no", "victim_first_name": "Léa"})
    filing = submitted(filer=citizen, kind=Filing.Kind.COMPLAINT, sections=sections)
    assert filing.recipient == place.office
    services.filing_review(filing=filing, actor=place.office_clerk, decision=Filing.Decision.PARTIALLY_ACCEPTED,
                           note="Les faits de dégradation ne sont pas retenus.")  # fmt: skip
    case = Filing.objects.get(pk=filing.pk).case
    assert case is not None and case.kind == Case.Kind.CRIMINAL and case.court == place.office
    assert case.reference.startswith("PR-DEMO-")
    assert sorted((p.role, p.user_id, p.name) for p in case.parties.all()) == [
        (Party.Role.COMPLAINANT, citizen.pk, ""),
        (Party.Role.VICTIM, None, "Léa Martin"),
    ]
    assert Filing.objects.get(pk=filing.pk).review_decision == Filing.Decision.PARTIALLY_ACCEPTED


def test_case_numbers_follow_each_other_per_court_and_restart_each_year(place, elsewhere, citizen) -> None:
    def docket(court, when: str) -> str:
        filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=court))
        clerk = place.clerk if court == place.court else elsewhere.clerk
        with time_machine.travel(when, tick=False):
            services.filing_review(filing=filing, actor=clerk, decision=Filing.Decision.ACCEPTED)
        return Case.objects.get(filings=filing).reference

    assert docket(place.court, "2026-12-31 23:30:00+01:00") == "TJ-DEMO-2026-000001"
    assert docket(elsewhere.court, "2026-12-31 23:40:00+01:00") == "TJ-AILLEURS-2026-000001"
    assert docket(place.court, "2026-12-31 23:50:00+01:00") == "TJ-DEMO-2026-000002"
    # Past midnight in Paris (still 31 December in UTC): the court's new year starts at 1.
    assert docket(place.court, "2027-01-01 00:10:00+01:00") == "TJ-DEMO-2027-000001"


def test_a_rejected_filing_is_copied_once_into_a_new_draft_and_sent_again(place, citizen) -> None:
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(
        filing=filing, actor=place.clerk, decision=Filing.Decision.REJECTED, rejection_reason=RejectionReason.INCOMPLETE
    )
    copy = services.filing_copy_as_draft(filing=filing, actor=citizen)
    assert services.filing_copy_as_draft(filing=filing, actor=citizen).pk == copy.pk
    assert (copy.status, copy.content, copy.copied_from, copy.recipient) == (
        Filing.Status.DRAFT,
        filing.content,
        filing,
        place.court,
    )
    services.filing_submit(filing=copy, actor=citizen, assurance_level=AssuranceLevel.SUBSTANTIAL)
    assert Filing.objects.get(pk=copy.pk).status == Filing.Status.SUBMITTED
    with pytest.raises(FilingError):
        services.filing_copy_as_draft(filing=copy, actor=citizen)


def test_a_lawyer_files_for_a_client_under_a_mandate_that_follows_the_case(place, citizen) -> None:
    filing = draft(
        filer=place.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        sections=civil_sections(court=place.court),
        on_behalf_of=citizen,
        bar=place.bar,
    )
    mandate = filing.mandate
    assert mandate is not None and (mandate.lawyer, mandate.client, mandate.bar) == (place.lawyer, citizen, place.bar)
    services.filing_submit(filing=filing, actor=place.lawyer, assurance_level=AssuranceLevel.SUBSTANTIAL)
    services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    mandate.refresh_from_db()
    claimant = Party.objects.get(case__filings=filing, role=Party.Role.CLAIMANT)
    assert claimant.user == citizen and mandate.party == claimant
    counsel = Party.objects.get(case=claimant.case, role=Party.Role.COUNSEL)
    assert (counsel.user, counsel.organisation, counsel.represents) == (place.lawyer, place.bar, claimant)


def test_only_a_lawyer_of_the_bar_files_for_someone_else(place, elsewhere, citizen) -> None:
    for filer, bar in ((citizen, place.bar), (elsewhere.lawyer, place.bar), (place.lawyer, None)):
        with pytest.raises(FilingError) as refused:
            draft(filer=filer, kind=Filing.Kind.CIVIL_REFERRAL, sections={}, on_behalf_of=UserFactory(), bar=bar)
        assert refused.value.code == "forbidden"
    assert not Mandate.objects.exists() and not Filing.objects.exists()
