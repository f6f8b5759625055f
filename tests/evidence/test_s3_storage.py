"""Evidence in a real S3 store with Object Lock (Ceph radosgw started by scripts/test-integration.sh).

Run with ``scripts/test-integration.sh tests/evidence``: it exports S3_ENDPOINT_URL, S3_ACCESS_KEY, S3_SECRET_KEY.
Locked objects cannot be removed, so each test gets fresh buckets and the throwaway cluster goes with them.
"""

from __future__ import annotations

import datetime
import io
import uuid
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.test import Client
from django.utils import timezone

from evidence.models import CustodyEvent, EvidenceItem
from evidence.services import EvidenceIntegrityError, evidence_verify
from evidence.storage import EvidenceS3Storage, evidence_storage
from justice.accounts.models import Membership, User
from tests.accounts.factories import staff_member
from tests.evidence import corpus
from tests.evidence.factories import sealed_item
from tests.evidence.s3 import location_of, s3_client, use_bucket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def s3() -> Any:
    return s3_client()


@pytest.fixture
def locked_bucket(s3: Any, settings: Any) -> str:
    """A bucket created with Object Lock (hence versioned), as production's evidence bucket."""
    bucket = f"evidence-locked-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    use_bucket(settings, bucket)
    settings.EVIDENCE_RETENTION_DAYS = 2
    return bucket


@pytest.fixture
def officer() -> Membership:
    return staff_member(Membership.Role.POLICE_OFFICER)


def download(client: Client, item: EvidenceItem) -> bytes:
    response: Any = client.post(f"/evidence/{item.pk}/download/", {"purpose": "Transmission au parquet"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def test_upload_seal_and_download_through_the_locked_store(
    client: Client, s3: Any, locked_bucket: str, officer: Membership
) -> None:
    # Over boto3's multipart threshold (8 MiB): the lock must hold for multipart uploads too.
    content = corpus.text(lines=400_000)
    assert len(content) > 12 * 1024 * 1024
    handle = io.BytesIO(content)
    handle.name = "audition.txt"
    client.force_login(officer.user)
    response = client.post("/evidence/upload/", {"files": [handle], "organisation": officer.organisation.pk})
    assert response.status_code == 302, response.content.decode()[-2000:]
    item = EvidenceItem.objects.get()

    location = location_of(item)
    assert location.backend == "s3" and location.bucket == locked_bucket and location.version_id
    assert location.key.endswith(str(item.storage_key))
    version = {"Bucket": locked_bucket, "Key": location.key, "VersionId": location.version_id}
    assert s3.head_object(**version)["ContentLength"] == len(content)
    retention = s3.get_object_retention(**version)["Retention"]
    assert retention["Mode"] == "COMPLIANCE"
    retain = retention["RetainUntilDate"]
    assert timezone.now() + datetime.timedelta(days=1) < retain < timezone.now() + datetime.timedelta(days=3)

    assert download(client, item) == content
    assert [e.action for e in item.custody_events.all()] == [
        CustodyEvent.Action.SEALED,
        CustodyEvent.Action.DOWNLOADED,
    ]


def test_a_compliance_locked_version_refuses_deletion_and_shorter_retention(
    client: Client, s3: Any, locked_bucket: str, officer: Membership
) -> None:
    content = corpus.pdf()
    item = sealed_item(uploader=officer.user, organisation=officer.organisation, content=content)
    location = location_of(item)
    version = {"Bucket": locked_bucket, "Key": location.key, "VersionId": location.version_id}

    with pytest.raises(ClientError) as refused:
        s3.delete_object(**version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError) as refused:
        s3.delete_object(**version, BypassGovernanceRetention=True)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    sooner = timezone.now() + datetime.timedelta(hours=1)
    with pytest.raises(ClientError) as refused:
        s3.put_object_retention(**version, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": sooner})
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    with pytest.raises(ClientError):
        s3.put_object_retention(**version, Retention={"Mode": "GOVERNANCE", "RetainUntilDate": sooner})

    # A plain DELETE only stacks a delete marker on top: the sealed version is still there, and still served.
    s3.delete_object(Bucket=locked_bucket, Key=location.key)
    client.force_login(officer.user)
    assert download(client, item) == content


def test_a_legal_hold_can_be_put_on_and_lifted(s3: Any, locked_bucket: str, officer: Membership) -> None:
    item = sealed_item(uploader=officer.user, organisation=officer.organisation)
    location = location_of(item)
    storage = evidence_storage()
    assert isinstance(storage, EvidenceS3Storage)
    version = {"Bucket": locked_bucket, "Key": location.key, "VersionId": location.version_id}
    storage.set_legal_hold(location, on=True)
    assert s3.get_object_legal_hold(**version)["LegalHold"]["Status"] == "ON"
    storage.set_legal_hold(location, on=False)
    assert s3.get_object_legal_hold(**version)["LegalHold"]["Status"] == "OFF"


def test_a_tampered_new_version_cannot_stand_in_for_the_sealed_one(
    client: Client, s3: Any, locked_bucket: str, officer: Membership
) -> None:
    """Object Lock forbids changing the sealed version; what an attacker with write access can do is put a new
    current version under the same key. Reads go by the sealed version id, so the portal never serves it."""
    content = corpus.pdf(pages=2)
    item = sealed_item(uploader=officer.user, organisation=officer.organisation, content=content)
    location = location_of(item)
    tampered = bytearray(content)
    tampered[20] ^= 0x01
    s3.put_object(Bucket=locked_bucket, Key=location.key, Body=bytes(tampered))
    assert s3.get_object(Bucket=locked_bucket, Key=location.key)["Body"].read() == bytes(tampered)

    client.force_login(officer.user)
    assert download(client, item) == content
    assert evidence_verify(item=item, actor=officer.user, purpose="Contrôle") is True
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.AVAILABLE


def test_a_byte_flipped_in_an_unlocked_store_is_detected_on_download(
    client: Client, s3: Any, settings: Any, officer: Membership
) -> None:
    """Without Object Lock nor versioning (a misconfigured bucket: here on purpose, to tamper with it), an
    object can be overwritten in place; the re-check on the way out catches it and blocks the item."""
    bucket = f"evidence-unlocked-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    use_bucket(settings, bucket, object_lock=False)
    content = corpus.text(lines=200_000)
    item = sealed_item(uploader=officer.user, organisation=officer.organisation, content=content, name="pv.txt")
    location = location_of(item)
    assert location.version_id == ""
    tampered = bytearray(content)
    tampered[5] ^= 0x01
    s3.put_object(Bucket=bucket, Key=location.key, Body=bytes(tampered))

    client.force_login(officer.user)
    response: Any = client.post(f"/evidence/{item.pk}/download/", {"purpose": "Transmission"})
    received = 0
    with pytest.raises(EvidenceIntegrityError):
        for chunk in response.streaming_content:
            received += len(chunk)
    assert received < len(content)
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.BLOCKED
    assert item.custody_events.filter(action=CustodyEvent.Action.VERIFICATION_FAILED).count() == 1


def test_nothing_reaches_the_locked_store_when_a_file_is_refused(client: Client, s3: Any, locked_bucket: str) -> None:
    user = User.objects.create_user("refused@example.org", "x" * 20)
    client.force_login(user)
    handle = io.BytesIO(corpus.pdf_with_appended_zip())
    handle.name = "statement.pdf"
    assert client.post("/evidence/upload/", {"files": [handle]}).status_code == 400
    assert s3.list_object_versions(Bucket=locked_bucket).get("Versions", []) == []
    assert EvidenceItem.objects.count() == 0
