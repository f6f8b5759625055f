"""The S3 store (Ceph radosgw) keeps files for django-storages and enforces Object Lock in COMPLIANCE mode: a locked
version can be neither deleted nor have its retention shortened, whoever asks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError
from django.core.files.base import ContentFile
from storages.backends.s3 import S3Storage

from tests.integration.conftest import IntegrationEnv

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

pytestmark = pytest.mark.integration

EVIDENCE = "%PDF-1.7\nprocès-verbal n° 2025/001\n%%EOF\n".encode()


def put_locked(s3_client: S3Client, bucket: str, key: str, retain_until: datetime) -> str:
    """Store ``EVIDENCE`` under COMPLIANCE retention; returns the version id."""
    response = s3_client.put_object(
        Bucket=bucket,
        Key=key,
        Body=EVIDENCE,
        # S3 requires an integrity checksum (Content-MD5 or an x-amz-checksum) on puts that set a retention.
        ChecksumAlgorithm="SHA256",
        ObjectLockMode="COMPLIANCE",
        ObjectLockRetainUntilDate=retain_until,
    )
    return response["VersionId"]


def in_one_hour() -> datetime:
    # The store keeps whole seconds; dropping microseconds lets the test compare dates exactly.
    return (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)


def test_bucket_has_object_lock_and_versioning(s3_client: S3Client, s3_bucket: str) -> None:
    lock = s3_client.get_object_lock_configuration(Bucket=s3_bucket)["ObjectLockConfiguration"]
    assert lock["ObjectLockEnabled"] == "Enabled"
    assert s3_client.get_bucket_versioning(Bucket=s3_bucket)["Status"] == "Enabled"


def test_django_storages_saves_and_reads_back_a_file(
    integration_env: IntegrationEnv, s3_client: S3Client, s3_bucket: str
) -> None:
    storage = S3Storage(
        bucket_name=s3_bucket,
        endpoint_url=integration_env.s3_endpoint_url,
        access_key=integration_env.s3_access_key,
        secret_key=integration_env.s3_secret_key,
        region_name="us-east-1",
        file_overwrite=False,
    )

    name = storage.save("evidence/record.pdf", ContentFile(EVIDENCE))

    assert storage.exists(name)
    assert storage.size(name) == len(EVIDENCE)
    with storage.open(name, "rb") as stored:
        assert stored.read() == EVIDENCE
    # Read through another client: the bytes are in the store, not in some local cache.
    assert s3_client.get_object(Bucket=s3_bucket, Key=name)["Body"].read() == EVIDENCE
    assert storage.save("evidence/record.pdf", ContentFile(b"other")) != name


def test_compliance_locked_version_cannot_be_deleted(s3_client: S3Client, s3_bucket: str) -> None:
    retain_until = in_one_hour()
    version_id = put_locked(s3_client, s3_bucket, "evidence/sealed.pdf", retain_until)
    retention = s3_client.get_object_retention(Bucket=s3_bucket, Key="evidence/sealed.pdf", VersionId=version_id)
    assert retention["Retention"]["Mode"] == "COMPLIANCE"
    assert retention["Retention"]["RetainUntilDate"] == retain_until

    with pytest.raises(ClientError) as refused:
        s3_client.delete_object(Bucket=s3_bucket, Key="evidence/sealed.pdf", VersionId=version_id)

    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    stored = s3_client.get_object(Bucket=s3_bucket, Key="evidence/sealed.pdf", VersionId=version_id)
    assert stored["Body"].read() == EVIDENCE


@pytest.mark.parametrize("bypass_governance", [False, True], ids=["plain", "bypass-governance"])
def test_compliance_retention_cannot_be_shortened(s3_client: S3Client, s3_bucket: str, bypass_governance: bool) -> None:
    retain_until = in_one_hour()
    version_id = put_locked(s3_client, s3_bucket, "evidence/sealed.pdf", retain_until)

    with pytest.raises(ClientError) as refused:
        s3_client.put_object_retention(
            Bucket=s3_bucket,
            Key="evidence/sealed.pdf",
            VersionId=version_id,
            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": retain_until - timedelta(minutes=30)},
            BypassGovernanceRetention=bypass_governance,
        )

    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    retention = s3_client.get_object_retention(Bucket=s3_bucket, Key="evidence/sealed.pdf", VersionId=version_id)
    assert retention["Retention"] == {"Mode": "COMPLIANCE", "RetainUntilDate": retain_until}
