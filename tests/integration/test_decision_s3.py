"""A decision issued against the real services (PostgreSQL, Ceph radosgw with Object Lock): the signed PDF is stored
write-once under retention, its seal's version id is the stored version's, and a party's download after step-up
returns exactly the sealed, validly signed bytes, re-checked against the seal as they stream out."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.test import Client
from django.urls import reverse

from evidence.models import CustodyEvent
from hearings import decisions
from justice.accounts.assurance import Level
from tests.accounts.factories import set_session_assurance
from tests.evidence.s3 import location_of, use_bucket
from tests.filings.conftest import make_jurisdiction
from tests.hearings.conftest import court_case
from tests.test_signing import signature_status

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def test_a_decision_issued_on_the_object_store_is_locked_and_downloads_intact(
    settings: Any, s3_client: Any, s3_bucket: str, sealing_certificate: Path
) -> None:
    use_bucket(settings, s3_bucket)
    j = make_jurisdiction("DEMO")
    case = court_case(j, lawyer=j.lawyer)
    fields = decisions.TemplateFields(title="Jugement", reasons="Motifs.", operative_part="Condamne le bailleur.")
    draft = decisions.decision_generate(case=case, actor=j.judge, fields=fields)
    decision = decisions.decision_issue(decision=draft, actor=j.clerk)
    item = decision.item
    assert item is not None
    location = location_of(item)
    assert location.backend == "s3" and location.version_id
    retention = s3_client.get_object_retention(Bucket=s3_bucket, Key=location.key, VersionId=location.version_id)
    assert retention["Retention"]["Mode"] == "COMPLIANCE"
    with pytest.raises(ClientError):
        s3_client.delete_object(Bucket=s3_bucket, Key=location.key, VersionId=location.version_id)

    party = case.parties.get(role="claimant").user
    assert party is not None
    client = Client()
    client.force_login(party)
    set_session_assurance(client, Level.SUBSTANTIAL)
    response = client.get(reverse("hearings:decision_download", args=[decision.pk]))
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)  # type: ignore[attr-defined]
    assert hashlib.sha256(pdf).hexdigest() == item.seal.sha256
    assert signature_status(pdf, sealing_certificate).bottom_line
    assert item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED, actor=party).count() == 1
