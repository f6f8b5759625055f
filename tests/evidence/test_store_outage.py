"""The object store stops (radosgw killed) before or in the middle of an upload, or right after a seal commits.

Run with scripts/test-integration.sh: radosgw is really killed (SIGKILL) and restarted by scripts/services/ceph.sh;
the monitor and the OSD keep running. The user gets a retryable 503 with a clear message; the database never
points at a missing object; what the outage left in the store is gone after the cleanup; a seal committed while
the store went down gets its lock once it is back.
"""

from __future__ import annotations

import html
import io
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from evidence.models import CustodyEvent, EvidenceItem, LogEntry, Seal
from evidence.services import evidence_lock_pending
from evidence.storage import evidence_storage
from justice.accounts.models import Membership
from tests.accounts.factories import staff_member
from tests.evidence import corpus
from tests.evidence.conftest import stored_files
from tests.evidence.factories import sealed_item
from tests.evidence.s3 import s3_client, use_bucket

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]


def radosgw(action: str) -> None:
    subprocess.run([ROOT / "scripts/services/ceph.sh", action], check=True, timeout=180, env=os.environ)


@pytest.fixture
def store_comes_back() -> Iterator[None]:
    yield
    radosgw("start-rgw")


@pytest.fixture
def bucket(s3: Any, settings: Any) -> str:
    name = f"evidence-outage-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    use_bucket(settings, name)
    settings.EVIDENCE_RETENTION_DAYS = 2
    return name


@pytest.fixture
def s3() -> Any:
    return s3_client()


@pytest.fixture
def officer() -> Membership:
    return staff_member(Membership.Role.POLICE_OFFICER)


def upload(client: Client, officer: Membership, content: bytes, name: str) -> Any:
    handle = io.BytesIO(content)
    handle.name = name
    client.force_login(officer.user)
    return client.post(
        "/evidence/upload/",
        {"files": [handle], "organisation": officer.organisation.pk, "case_ref": "PV 2026/118"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )


def versions_and_uploads(s3: Any, bucket: str) -> tuple[list[Any], list[Any]]:
    versions = s3.list_object_versions(Bucket=bucket)
    uploads = s3.list_multipart_uploads(Bucket=bucket)
    return [*versions.get("Versions", []), *versions.get("DeleteMarkers", [])], uploads.get("Uploads", [])


def assert_nothing_recorded() -> None:
    assert not EvidenceItem.objects.exists()
    assert not Seal.objects.exists()
    assert not CustodyEvent.objects.exists()
    assert not LogEntry.objects.exists()


def test_store_down_before_the_upload_answers_a_retryable_503(
    client: Client, bucket: str, officer: Membership, evidence_dirs: dict[str, Path], store_comes_back: None
) -> None:
    radosgw("stop-rgw")

    response = upload(client, officer, corpus.text(lines=100), "audition.txt")

    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    page = html.unescape(response.content.decode())
    assert "Le stockage des pièces est momentanément indisponible" in page
    assert 'value="PV 2026/118"' in page  # what the officer typed is kept
    assert_nothing_recorded()
    assert stored_files(evidence_dirs) == []  # the staging file is gone too


def test_store_killed_mid_upload_leaves_nothing_after_the_cleanup(
    client: Client,
    s3: Any,
    bucket: str,
    officer: Membership,
    evidence_dirs: dict[str, Path],
    store_comes_back: None,
) -> None:
    # Over the multipart threshold (8 MiB): radosgw dies right after the first part is in.
    content = corpus.text(lines=400_000)
    assert len(content) > 12 * 1024 * 1024
    client_events = evidence_storage().connection.meta.client.meta.events  # type: ignore[attr-defined]
    killed: list[str] = []

    def kill_after_first_part(**_: Any) -> None:
        if not killed:
            killed.append("radosgw")
            radosgw("stop-rgw")

    client_events.register("after-call.s3.UploadPart", kill_after_first_part)
    try:
        response = upload(client, officer, content, "video-audition.txt")
    finally:
        client_events.unregister("after-call.s3.UploadPart", kill_after_first_part)

    assert killed and response.status_code == 503
    assert_nothing_recorded()
    assert stored_files(evidence_dirs) == []

    radosgw("start-rgw")
    versions, uploads = versions_and_uploads(s3, bucket)
    assert versions == []  # the object never completed: only its parts are there
    assert uploads, "the interrupted multipart upload should still be in the store before the cleanup"
    out = io.StringIO()
    call_command("evidence_store_cleanup", hours=0, stdout=out)
    assert out.getvalue().startswith(f"removed {len(uploads)} orphan")
    assert versions_and_uploads(s3, bucket) == ([], [])


def test_an_unsealed_object_is_removed_and_sealed_ones_stay_locked(s3: Any, bucket: str, officer: Membership) -> None:
    item = sealed_item(
        uploader=officer.user, organisation=officer.organisation, content=corpus.text(lines=20), name="pv.txt"
    )
    sealed_key = item.seal.record_data["storage"]["key"]
    # A write whose seal never committed (the database failed after the store answered).
    orphan = uuid.uuid4()
    s3.put_object(Bucket=bucket, Key=f"{orphan.hex[:2]}/{orphan}", Body=b"unsealed")

    call_command("evidence_store_cleanup", hours=0, stdout=io.StringIO())

    versions, _ = versions_and_uploads(s3, bucket)
    assert [version["Key"] for version in versions] == [sealed_key]
    retention = s3.get_object_retention(
        Bucket=bucket, Key=sealed_key, VersionId=item.seal.record_data["storage"]["version_id"]
    )
    assert retention["Retention"]["Mode"] == "COMPLIANCE"


def test_a_seal_committed_as_the_store_goes_down_is_locked_when_it_is_back(
    s3: Any, bucket: str, officer: Membership, store_comes_back: None
) -> None:
    client_events = evidence_storage().connection.meta.client.meta.events  # type: ignore[attr-defined]

    def store_dies(**_: Any) -> None:
        radosgw("stop-rgw")

    client_events.register("before-call.s3.PutObjectRetention", store_dies)
    try:
        item = sealed_item(
            uploader=officer.user, organisation=officer.organisation, content=corpus.text(lines=20), name="pv.txt"
        )
    finally:
        client_events.unregister("before-call.s3.PutObjectRetention", store_dies)

    item.refresh_from_db()
    assert item.retained_until is None  # sealed, recorded, but not locked yet
    radosgw("start-rgw")
    assert evidence_lock_pending() == 1
    item.refresh_from_db()
    assert item.retained_until is not None
    storage = item.seal.record_data["storage"]
    retention = s3.get_object_retention(Bucket=bucket, Key=storage["key"], VersionId=storage["version_id"])
    assert retention["Retention"]["Mode"] == "COMPLIANCE"
