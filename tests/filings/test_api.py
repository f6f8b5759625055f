"""API v1 of cases and filings: what each role sees (others' objects are 404), creating and sending a civil
referral with the assurance rule and translated errors, status codes after ECF 5, the receipt, idempotent retries,
bounded queries, and the committed OpenAPI schema."""

from __future__ import annotations

import copy
import datetime
import json
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from filings import services
from filings.models import AssuranceLevel, Filing
from justice.idempotency.models import IdempotencyRecord
from tests.accounts.factories import UserFactory, set_session_assurance
from tests.filings.factories import civil_sections, draft, submitted

pytestmark = pytest.mark.django_db


def api_client(user: Any, level: str = AssuranceLevel.LOW) -> Client:
    client = Client()
    client.force_login(user)
    set_session_assurance(client, level)
    return client


def referral_body(place: Any) -> dict[str, Any]:
    sections = civil_sections(court=place.court, claim_type=place.claim_type)
    return {"claimant": sections["claimant"], "claim": sections["claim"], "respondents": sections["respondents"]}


def post(client: Client, url: str, body: dict[str, Any] | None = None, **headers: Any) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def test_a_citizen_creates_sends_and_follows_a_civil_referral(place, citizen) -> None:
    client = api_client(citizen, AssuranceLevel.SUBSTANTIAL)
    response = post(client, "/api/v1/filings/", referral_body(place))
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["status"] == "draft" and created["ecf_review_status"] is None
    assert response["Location"] == f"/api/v1/filings/{created['id']}/"
    assert created["content"]["claim"]["court"] == place.court.code

    sent = post(client, created["links"]["submit"])
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "submitted" and sent.json()["ecf_review_status"] == "received"

    services.filing_review(
        filing=Filing.objects.get(), actor=place.clerk, decision="partially_accepted", note="Pièce 2"
    )
    status = client.get(f"/api/v1/filings/{created['id']}/status/").json()
    assert (status["status"], status["ecf_review_status"], status["ecf_docketing_status"]) == (
        "docketed",
        "partially-accepted",
        "docketed",
    )
    assert [entry["status"] for entry in status["history"]] == ["draft", "submitted", "partially_accepted", "docketed"]
    assert status["case"]["reference"].startswith(place.court.code)

    cases = client.get("/api/v1/cases/").json()
    assert [case["reference"] for case in cases["results"]] == [status["case"]["reference"]]
    receipt = client.get(f"/api/v1/filings/{created['id']}/receipt/", HTTP_ACCEPT="application/pdf")
    assert receipt.status_code == 200 and receipt["Content-Type"] == "application/pdf"
    assert receipt.content.startswith(b"%PDF") and "attachment" in receipt["Content-Disposition"]


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "at the “substantial” level"), ("fr", "au niveau « substantiel »")]
)
def test_sending_at_low_assurance_is_a_403_naming_the_level(place, citizen, language: str, expected: str) -> None:
    filing = draft(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    response = post(api_client(citizen), f"/api/v1/filings/{filing.pk}/submit/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert expected in response.json()["detail"]
    filing.refresh_from_db()
    assert filing.status == Filing.Status.DRAFT


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "the amount cannot exceed 5,000 €"), ("fr", "le montant ne peut pas dépasser 5 000 €")],
)
def test_validation_errors_are_precise_and_translated(place, citizen, language: str, expected: str) -> None:
    body = referral_body(place)
    body["claim"]["amount"] = "9000"
    body["respondents"].append({"name": "", "address": "1 rue"})
    response = post(api_client(citizen), "/api/v1/filings/", body, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 400
    errors = response.json()
    assert expected in errors["claim"]["amount"][0].replace("\u202f", " ").replace("\xa0", " ")
    assert list(errors["respondents"]) == ["1"] and "name" in errors["respondents"]["1"]
    assert not Filing.objects.exists()


def test_a_missing_section_is_named(place, citizen) -> None:
    body = referral_body(place)
    del body["claimant"]
    response = post(api_client(citizen), "/api/v1/filings/", body, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400 and "claimant" in response.json()


def test_each_role_sees_only_its_own_filings_and_cases(place, elsewhere, citizen) -> None:
    mine = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=mine, actor=place.clerk, decision="accepted")
    mine.refresh_from_db()
    my_draft = draft(filer=citizen)
    other_citizen = UserFactory()
    for user, filings, cases in (
        (citizen, {mine.pk, my_draft.pk}, {mine.case_id}),
        (other_citizen, set(), set()),
        (place.clerk, {mine.pk}, {mine.case_id}),
        (place.judge, {mine.pk}, {mine.case_id}),
        (elsewhere.clerk, set(), set()),
        (place.police, set(), set()),
        (place.lawyer, set(), set()),
    ):
        client = api_client(user)
        listed = {row["id"] for row in client.get("/api/v1/filings/").json()["results"]}
        assert listed == filings, user
        assert {row["id"] for row in client.get("/api/v1/cases/").json()["results"]} == cases, user
        for filing in (mine, my_draft):
            expected = 200 if filing.pk in filings else 404
            assert client.get(f"/api/v1/filings/{filing.pk}/").status_code == expected, user
            assert client.get(f"/api/v1/filings/{filing.pk}/status/").status_code == expected, user
        assert client.get(f"/api/v1/cases/{mine.case_id}/").status_code == (200 if cases else 404), user
    # Only the filer may send or get the receipt; another may not even learn the filing exists.
    assert (
        post(api_client(place.clerk, AssuranceLevel.HIGH), f"/api/v1/filings/{my_draft.pk}/submit/").status_code == 404
    )
    assert api_client(place.clerk).get(f"/api/v1/filings/{mine.pk}/receipt/").status_code == 404


def test_anonymous_callers_are_refused(place) -> None:
    assert Client().get("/api/v1/filings/").status_code == 401


def test_a_draft_has_no_receipt(citizen) -> None:
    filing = draft(filer=citizen)
    response = api_client(citizen).get(f"/api/v1/filings/{filing.pk}/receipt/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 409 and "not been sent" in response.json()["detail"]


def test_a_lawyer_files_for_a_client_who_then_sees_it(place, citizen) -> None:
    body = {**referral_body(place), "client": {"email": citizen.email, "bar": place.bar.code}}
    lawyer = api_client(place.lawyer, AssuranceLevel.SUBSTANTIAL)
    created = post(lawyer, "/api/v1/filings/", body)
    assert created.status_code == 201, created.content
    assert post(lawyer, created.json()["links"]["submit"]).status_code == 200
    seen = api_client(citizen).get("/api/v1/filings/").json()["results"]
    assert [row["id"] for row in seen] == [created.json()["id"]]
    wrong_bar = {**body, "client": {"email": citizen.email, "bar": "BAR-NOWHERE"}}
    assert post(lawyer, "/api/v1/filings/", wrong_bar, HTTP_ACCEPT_LANGUAGE="en").json() == {
        "client": {"bar": ["You are not a lawyer of this bar."]}
    }


# --- Idempotency ------------------------------------------------------------------------------------------------


def test_a_retried_create_with_the_same_key_creates_one_filing(place, citizen) -> None:
    client = api_client(citizen)
    first = post(client, "/api/v1/filings/", referral_body(place), HTTP_IDEMPOTENCY_KEY="key-1")
    # The same JSON with other spacing and key order is the same request.
    body = json.dumps(referral_body(place), indent=2, sort_keys=True)
    again = client.post("/api/v1/filings/", body, content_type="application/json", HTTP_IDEMPOTENCY_KEY='"key-1"')
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again["Location"] == first["Location"]
    assert again["Idempotent-Replayed"] == "true" and not first.has_header("Idempotent-Replayed")
    assert Filing.objects.count() == 1


def test_the_same_key_with_another_body_is_a_422(place, citizen) -> None:
    client = api_client(citizen)
    post(client, "/api/v1/filings/", referral_body(place), HTTP_IDEMPOTENCY_KEY="key-1")
    changed = referral_body(place)
    changed["claim"]["amount"] = "10"
    response = post(client, "/api/v1/filings/", changed, HTTP_IDEMPOTENCY_KEY="key-1", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_key_reused" and "different request" in response.json()["detail"]
    assert Filing.objects.count() == 1


def test_keys_are_per_caller_and_a_failed_request_leaves_the_key_free(place, citizen) -> None:
    other = api_client(UserFactory())
    assert post(other, "/api/v1/filings/", referral_body(place), HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    client = api_client(citizen)
    bad = copy.deepcopy(referral_body(place))
    bad["claim"]["amount"] = "9000"
    assert post(client, "/api/v1/filings/", bad, HTTP_IDEMPOTENCY_KEY="k").status_code == 400
    assert post(client, "/api/v1/filings/", referral_body(place), HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    assert Filing.objects.count() == 2 and IdempotencyRecord.objects.count() == 2


def test_an_invalid_key_is_refused(citizen) -> None:
    response = post(api_client(citizen), "/api/v1/filings/", {}, HTTP_IDEMPOTENCY_KEY="x" * 256)
    assert response.status_code == 400 and response.json()["code"] == "idempotency_key_invalid"


def test_a_retried_submit_replays_and_the_history_has_one_sending(place, citizen) -> None:
    filing = draft(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    client = api_client(citizen, AssuranceLevel.SUBSTANTIAL)
    first = post(client, f"/api/v1/filings/{filing.pk}/submit/", HTTP_IDEMPOTENCY_KEY="send-1")
    again = post(client, f"/api/v1/filings/{filing.pk}/submit/", HTTP_IDEMPOTENCY_KEY="send-1")
    assert first.status_code == again.status_code == 200 and again.json() == first.json()
    assert filing.events.filter(status=Filing.Status.SUBMITTED).count() == 1


# --- Performance and schema ------------------------------------------------------------------------------------


@pytest.mark.parametrize("rows", [3, 60])
def test_lists_take_a_bounded_number_of_queries(place, citizen, django_assert_max_num_queries, rows: int) -> None:
    for _ in range(rows):
        filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
        services.filing_review(filing=filing, actor=place.clerk, decision="accepted")
    for user in (citizen, place.clerk):
        client = api_client(user)
        client.get("/api/v1/")  # the first request of a session records it (allauth's user sessions)
        # Session, user, user session, memberships and MFA (staff), scope, count, page: whatever the rows.
        with django_assert_max_num_queries(14):
            response = client.get("/api/v1/filings/")
        assert response.json()["count"] == rows
        with django_assert_max_num_queries(14):
            response = client.get("/api/v1/cases/")
        assert response.json()["count"] == rows


def _cases_of(person: Any, place: Any, count: int) -> list[int]:
    """``count`` cases registered by the court of ``place`` where ``person`` is the claimant, newest last."""
    from django.utils import timezone

    from filings.models import Case, Party

    now = timezone.now()
    cases = Case.objects.bulk_create(
        Case(
            reference=f"API-{place.court.pk}-{n}",
            court=place.court,
            opened_by=place.clerk,
            year=2026,
            sequence=n,
            kind=Case.Kind.CIVIL,
            opened_at=now + datetime.timedelta(seconds=n),
        )
        for n in range(count)
    )
    Party.objects.bulk_create(Party(case=case, role=Party.Role.CLAIMANT, user=person) for case in cases)
    return [case.pk for case in cases]


def _case_counts(queries: Any) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "filings_case"')
    ]


@pytest.mark.parametrize("page", ["", "?page=1"])
def test_the_case_list_of_someone_whose_cases_fit_on_a_page_runs_no_count(place, citizen, page: str) -> None:
    cases = _cases_of(citizen, place, 50)
    client = api_client(citizen)
    client.get("/api/v1/")
    with CaptureQueriesContext(connection) as queries:
        listed = client.get(f"/api/v1/cases/{page}").json()
    assert _case_counts(queries) == []
    assert listed["count"] == 50 and listed["next"] is None and listed["previous"] is None
    assert [case["id"] for case in listed["results"]] == cases[::-1]
    assert set(listed["results"][0]) == {"id", "reference", "kind", "status", "court", "claim_type", "opened_at"}


def test_a_longer_case_list_is_counted_and_paginated_as_before(place, citizen) -> None:
    cases = _cases_of(citizen, place, 51)
    client = api_client(citizen)
    client.get("/api/v1/")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/api/v1/cases/").json()
    assert len(_case_counts(queries)) == 1
    assert first["count"] == 51 and first["next"] == "http://testserver/api/v1/cases/?page=2"
    assert first["previous"] is None and [case["id"] for case in first["results"]] == cases[:0:-1]
    second = client.get("/api/v1/cases/?page=2").json()
    assert second["count"] == 51 and second["next"] is None
    assert second["previous"] == "http://testserver/api/v1/cases/"
    assert [case["id"] for case in second["results"]] == cases[:1]
    assert client.get("/api/v1/cases/?page=last").json()["results"] == second["results"]
    assert client.get("/api/v1/cases/?page=3").status_code == 404
    assert client.get("/api/v1/cases/?page=x").status_code == 404


def test_a_case_reads_as_drfs_own_fields_would_give_it(place, citizen) -> None:
    from rest_framework import serializers as drf

    from filings.api.serializers import CaseSerializer
    from filings.models import Case

    first, _second = _cases_of(citizen, place, 2)
    Case.objects.filter(pk=first).update(claim_type=place.claim_type)
    for case in Case.objects.select_related("court", "claim_type"):
        serializer = CaseSerializer(case)
        generic = drf.ModelSerializer.to_representation(serializer, case)
        assert serializer.data == generic and list(serializer.data) == list(generic)
    assert {row["claim_type"] for row in api_client(citizen).get("/api/v1/cases/").json()["results"]} == {
        place.claim_type.code,
        None,
    }


def test_the_schema_is_valid_and_matches_the_committed_copy(tmp_path: Path) -> None:
    generated = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--lang", "en", "--file", str(generated))
    committed = Path(settings.BASE_DIR) / "docs" / "openapi.yaml"
    assert generated.read_text() == committed.read_text(), (
        "The API changed: regenerate docs/openapi.yaml with "
        "`python manage.py spectacular --validate --fail-on-warn --lang en --file docs/openapi.yaml`, and commit it."
    )


def test_the_schema_is_served(citizen) -> None:
    response = api_client(citizen).get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200 and "/api/v1/filings/{id}/submit/" in response.json()["paths"]


def test_police_see_their_units_pre_complaints_only(place, elsewhere, citizen) -> None:
    pre_complaint = submitted(filer=citizen, level=AssuranceLevel.LOW)
    for user, expected in ((place.police, 200), (elsewhere.police, 404), (place.clerk, 404), (place.office_clerk, 404)):
        client = api_client(user)
        listed = {row["id"] for row in client.get("/api/v1/filings/").json()["results"]}
        assert listed == ({pre_complaint.pk} if expected == 200 else set()), user
        assert client.get(f"/api/v1/filings/{pre_complaint.pk}/").status_code == expected, user
