"""Double submission through the pages: two clicks on the same form, or the same form sent from two tabs, create
one draft and send it once."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client

from filings.models import AssuranceLevel, Filing, FilingEvent
from tests.accounts.factories import set_session_assurance
from tests.filings.factories import civil_sections
from tests.filings.test_views_criminal import as_post

pytestmark = pytest.mark.django_db


def civil_post(place) -> dict[str, str]:
    sections = civil_sections(court=place.court, claim_type=place.claim_type)
    data = {f"claimant-{k}": v for k, v in as_post(sections["claimant"]).items()}
    data.update({f"claim-{k}": v for k, v in as_post(sections["claim"]).items() if k != "legal_aid"})
    data.update({"respondents-TOTAL_FORMS": "1", "respondents-INITIAL_FORMS": "0"})
    data.update({f"respondents-0-{k}": v for k, v in sections["respondents"][0].items()})
    return data


def test_two_clicks_on_a_new_referral_create_one_draft_and_send_it_once(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    set_session_assurance(client, AssuranceLevel.SUBSTANTIAL)
    page = client.get("/filings/new/civil-referral/").content.decode()
    key = re.search(r'name="idempotency_key" value="([0-9a-f-]+)"', page)
    assert key is not None
    data = {**civil_post(place), "idempotency_key": key.group(1), "continue": "1"}
    first = client.post("/filings/new/civil-referral/", data)
    second = client.post("/filings/new/civil-referral/", data)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    filing = Filing.objects.get()

    # The summary sent from two tabs: one sending, both land on the receipt.
    other_tab = Client()
    other_tab.force_login(citizen)
    set_session_assurance(other_tab, AssuranceLevel.SUBSTANTIAL)
    responses = [tab.post(f"/filings/{filing.pk}/summary/") for tab in (client, other_tab)]
    assert [r["Location"] for r in responses] == [f"/filings/{filing.pk}/receipt/"] * 2
    assert FilingEvent.objects.filter(filing=filing, status=Filing.Status.SUBMITTED).count() == 1


def test_two_clicks_on_the_first_step_of_a_pre_complaint_create_one_draft(client: Client, place, citizen) -> None:
    client.force_login(citizen)
    key = str(uuid.uuid4())
    data = {"idempotency_key": key, "category": "theft", "description": "Vol de vélo"}
    responses = [client.post("/filings/new/pre-complaint/", data) for _ in range(2)]
    assert responses[0]["Location"] == responses[1]["Location"]
    assert Filing.objects.count() == 1
