"""Resumable uploads when the evidence store is S3 (real Ceph radosgw): chunks become a multipart upload in a staging
bucket without Object Lock, small bodies wait locally for a full part, and only an accepted file reaches the locked
evidence bucket. Run with ``scripts/test-integration.sh tests/evidence/test_tus_s3.py``.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from evidence.models import EvidenceItem, TusUpload
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.conftest import stored_files
from tests.evidence.test_s3_storage import locked_bucket, s3  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MiB = 1024 * 1024
PART = 5 * MiB


@pytest.fixture
def staging_bucket(s3: Any, settings: Any, locked_bucket: str) -> str:  # noqa: F811
    bucket = f"tus-staging-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    settings.EVIDENCE_TUS_S3_STAGING_BUCKET = bucket
    settings.EVIDENCE_TUS_S3_PART_SIZE = PART
    return bucket


@pytest.fixture
def citizen(client: Client) -> User:
    user = UserFactory()
    client.force_login(user)
    return user


def create(client: Client, length: int, **metadata: str) -> str:
    metadata.setdefault("filename", "audition.txt")
    response = client.post(
        "/evidence/uploads/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items()),
    )
    assert response.status_code == 201, response.content
    return str(response["Location"])


def patch(client: Client, url: str, offset: int, chunk: bytes) -> Any:
    return client.generic(
        "PATCH",
        url,
        chunk,
        content_type="application/offset+octet-stream",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_OFFSET=str(offset),
        HTTP_UPLOAD_CHECKSUM="sha256 " + base64.b64encode(hashlib.sha256(chunk).digest()).decode(),
    )


def versions(s3: Any, bucket: str) -> list[dict[str, Any]]:  # noqa: F811
    page = s3.list_object_versions(Bucket=bucket)
    return [*page.get("Versions", []), *page.get("DeleteMarkers", [])]


def multipart_uploads(s3: Any, bucket: str) -> list[dict[str, Any]]:  # noqa: F811
    return list(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def test_chunks_become_parts_of_at_least_5_mib_and_the_sealed_file_is_locked(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    staging_bucket: str,
    evidence_dirs: dict[str, Path],
) -> None:
    content = corpus.text(lines=450_000)
    assert len(content) > 2 * PART + MiB
    url = create(client, len(content))
    upload = TusUpload.objects.get()
    assert upload.backend == TusUpload.Backend.S3 and upload.s3_bucket == staging_bucket
    offset = 0
    # Bodies of 2 MiB: smaller than a part, so they wait locally until 5 MiB are there.
    for start in range(0, len(content), 2 * MiB):
        chunk = content[start : start + 2 * MiB]
        response = patch(client, url, offset, chunk)
        assert response.status_code == 204, response.content
        offset = int(response["Upload-Offset"])
        if offset == 6 * MiB:
            # Mid-way: one part of 6 MiB in S3 (the buffer went past 5 MiB), nothing in the locked bucket.
            [mpu] = multipart_uploads(s3, staging_bucket)
            parts = s3.list_parts(Bucket=staging_bucket, Key=mpu["Key"], UploadId=mpu["UploadId"])["Parts"]
            assert [part["Size"] for part in parts] == [6 * MiB]
            assert versions(s3, locked_bucket) == []
    upload.refresh_from_db()
    assert upload.state == TusUpload.State.SEALED
    assert all(part["Size"] >= PART for part in upload.s3_parts[:-1])
    item = EvidenceItem.objects.get()
    assert item.seal.sha256 == hashlib.sha256(content).hexdigest()
    location = item.seal.record_data["storage"]
    assert location["bucket"] == locked_bucket
    version = {"Bucket": locked_bucket, "Key": location["key"], "VersionId": location["version_id"]}
    assert s3.get_object_retention(**version)["Retention"]["Mode"] == "COMPLIANCE"
    assert hashlib.sha256(s3.get_object(**version)["Body"].read()).hexdigest() == item.seal.sha256
    # Staging is empty again: no object, no pending multipart upload, no local buffer.
    assert s3.list_objects_v2(Bucket=staging_bucket).get("KeyCount", 0) == 0
    assert multipart_uploads(s3, staging_bucket) == []
    assert stored_files(evidence_dirs) == []


def test_a_declared_sha256_mismatch_leaves_nothing_locked_and_nothing_staged(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    staging_bucket: str,
    evidence_dirs: dict[str, Path],
) -> None:
    content = corpus.text(lines=250_000)
    url = create(client, len(content), sha256=hashlib.sha256(b"something else").hexdigest())
    assert patch(client, url, 0, content[: 6 * MiB]).status_code == 204
    assert patch(client, url, 6 * MiB, content[6 * MiB :]).status_code == 204
    upload = TusUpload.objects.get()
    assert (upload.state, upload.error_code) == (TusUpload.State.REJECTED, "sha256_mismatch")
    assert EvidenceItem.objects.count() == 0
    assert versions(s3, locked_bucket) == []
    assert s3.list_objects_v2(Bucket=staging_bucket).get("KeyCount", 0) == 0
    assert multipart_uploads(s3, staging_bucket) == []
    assert stored_files(evidence_dirs) == []


def test_termination_aborts_the_multipart_upload(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    staging_bucket: str,
    evidence_dirs: dict[str, Path],
) -> None:
    content = corpus.text(lines=250_000)
    url = create(client, len(content))
    assert patch(client, url, 0, content[: 6 * MiB]).status_code == 204
    assert patch(client, url, 6 * MiB, content[6 * MiB : 7 * MiB]).status_code == 204
    assert len(multipart_uploads(s3, staging_bucket)) == 1
    response = client.delete(url, HTTP_TUS_RESUMABLE="1.0.0")
    assert response.status_code == 204
    assert multipart_uploads(s3, staging_bucket) == []
    assert TusUpload.objects.count() == 0
    assert stored_files(evidence_dirs) == []
