"""The periodic re-verification against a real S3 store (Ceph radosgw started by scripts/test-integration.sh): a
byte flipped in a stored object is found by the scheduled check, which blocks the item and alerts.

As in test_s3_storage, the object is overwritten in place in a bucket without Object Lock nor versioning (a
misconfigured store: the only way to alter stored bytes, which a locked bucket forbids)."""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest
from django.core import mail

from evidence.models import CustodyEvent, EvidenceItem
from evidence.tasks import reverify_evidence
from justice.accounts.models import Membership
from tests.accounts.factories import staff_member
from tests.evidence import corpus
from tests.evidence.factories import sealed_item
from tests.evidence.s3 import location_of, s3_options, use_bucket

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_a_byte_flipped_in_the_store_is_found_by_the_periodic_check(settings: Any) -> None:
    options = s3_options()
    s3 = boto3.client(
        "s3",
        endpoint_url=options["endpoint_url"],
        aws_access_key_id=options["access_key"],
        aws_secret_access_key=options["secret_key"],
        region_name=options["region_name"],
    )
    bucket = f"evidence-reverify-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    use_bucket(settings, bucket, object_lock=False)
    settings.ADMINS = [("Security", "security@justice.example.org")]
    officer = staff_member(Membership.Role.POLICE_OFFICER)
    content = corpus.text(lines=200_000)
    healthy = sealed_item(uploader=officer.user, organisation=officer.organisation, content=content, name="a.txt")
    damaged = sealed_item(uploader=officer.user, organisation=officer.organisation, content=content, name="b.txt")
    location = location_of(damaged)
    tampered = bytearray(content)
    tampered[len(content) // 2] ^= 0x01
    s3.put_object(Bucket=bucket, Key=location.key, Body=bytes(tampered))

    reverify_evidence.apply()

    damaged.refresh_from_db()
    healthy.refresh_from_db()
    assert damaged.status == EvidenceItem.Status.BLOCKED
    failure = damaged.custody_events.get(action=CustodyEvent.Action.VERIFICATION_FAILED)
    assert failure.detail["during"] == "verification" and failure.detail["found_size"] == len(content)
    assert failure.detail["found_sha256"] != damaged.seal.sha256
    assert healthy.status == EvidenceItem.Status.AVAILABLE
    assert healthy.custody_events.filter(action=CustodyEvent.Action.VERIFIED).count() == 1
    assert healthy.last_verified_at is not None and damaged.last_verified_at is not None
    (alert,) = mail.outbox
    assert str(damaged.pk) in alert.body and str(healthy.pk) not in alert.body
