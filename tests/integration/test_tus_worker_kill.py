"""A Celery worker killed (SIGKILL) while it seals a resumable upload: after Redis redelivers the task to a new
worker, the item is sealed exactly once. With the local store, what the interrupted attempt left in the store is
cleared; with the S3 store, the new attempt reads the same (still unlocked) version again and seals it."""

from __future__ import annotations

import base64
import hashlib
import io
import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.conf import LazySettings
from django.db import connection

from evidence.models import CustodyEvent, EvidenceItem, LogEntry, LogHead, Seal, TusUpload
from evidence.tus import parse_checksum, parse_metadata, tus_upload_append, tus_upload_create
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.s3 import use_bucket
from tests.integration.conftest import CeleryWorker, IntegrationEnv, _test_database_url

pytestmark = pytest.mark.integration

TIMEOUT = 90.0


@pytest.fixture
def shared_evidence_dirs(tmp_path: Path, settings: LazySettings, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Evidence folders seen by the test and by the worker (through the environment the worker inherits)."""
    store, staging = tmp_path / "evidence", tmp_path / "staging"
    staging.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "evidence.storage.EvidenceFileSystemStorage", "OPTIONS": {"location": store}},
    }
    settings.EVIDENCE_STAGING_DIR = staging
    monkeypatch.setenv("EVIDENCE_STORE_DIR", str(store))
    monkeypatch.setenv("EVIDENCE_STAGING_DIR", str(staging))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "3")
    return {"store": store, "staging": staging}


@pytest.fixture
def log_lock() -> Iterator[psycopg.Connection[Any]]:
    """Another database session holding the transparency log's lock: the worker's sealing transaction waits on it
    at its very end, after the file is stored and the item, seal and custody rows are written."""
    LogHead.objects.get_or_create(pk=1)
    db = connection.settings_dict
    locker = psycopg.connect(
        host=db["HOST"], port=db["PORT"] or 5432, user=db["USER"], password=db["PASSWORD"] or None, dbname=db["NAME"]
    )
    locker.execute("SELECT size FROM evidence_loghead WHERE id = 1 FOR UPDATE")
    try:
        yield locker
    finally:
        locker.rollback()
        locker.close()


def wait_for(condition: Any, what: str, worker: CeleryWorker | None = None) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            log = worker.log()[-5000:] if worker else ""
            pytest.fail(f"Timed out waiting for {what}\n{log}", pytrace=False)
        time.sleep(0.2)


def waiting_on_lock() -> bool:
    # From the test's own (autocommit) session: inside a transaction, pg_stat_activity would be a frozen snapshot.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
            ["%evidence_loghead%"],
        )
        row = cursor.fetchone()
    return bool(row and row[0])


def start_worker(first: CeleryWorker, env: IntegrationEnv, log_path: Path) -> subprocess.Popen[bytes]:
    """A second worker on the same queue, with the same settings as the fixture's."""
    worker_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "justice.settings.test",
        "CELERY_BROKER_URL": env.redis_url,
        "DATABASE_URL": _test_database_url(),
        "EMAIL_FILE_PATH": str(first.mail_dir),
    }
    with log_path.open("wb") as log:
        return subprocess.Popen(
            first.process.args,
            cwd=Path(__file__).resolve().parents[2],
            env=worker_env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def test_a_worker_killed_while_sealing_leads_to_exactly_one_sealed_item(
    shared_evidence_dirs: dict[str, Path],
    celery_worker_process: CeleryWorker,
    integration_env: IntegrationEnv,
    log_lock: psycopg.Connection[Any],
    tmp_path: Path,
) -> None:
    content = corpus.text(lines=100_000)
    user = UserFactory()
    upload = tus_upload_create(
        user=user,
        length=len(content),
        metadata=parse_metadata(f"filename {base64.b64encode(b'audition.txt').decode()}"),
        channel=EvidenceItem.Channel.WEB,
    )
    # The last byte: the completion task goes through Redis to the worker.
    tus_upload_append(
        user=user, pk=upload.pk, offset=0, content_length=len(content), body=io.BytesIO(content), checksum=None
    )
    wait_for(waiting_on_lock, "the worker to reach the end of its sealing", celery_worker_process)
    # Stored, item written, not committed: kill it there.
    store = shared_evidence_dirs["store"]
    assert [path for path in store.rglob("*") if path.is_file()] != []
    celery_worker_process.process.kill()
    celery_worker_process.process.wait()
    log_lock.rollback()
    # Its database session dies with it, and takes the uncommitted item away.
    wait_for(lambda: not waiting_on_lock(), "the killed worker's transaction to end")
    upload.refresh_from_db()
    assert upload.state == TusUpload.State.RECEIVED
    assert EvidenceItem.objects.count() == 0

    second_log = tmp_path / "worker-2.log"
    second = start_worker(celery_worker_process, integration_env, second_log)
    try:

        def sealed() -> bool:
            upload.refresh_from_db()
            return upload.state == TusUpload.State.SEALED

        deadline = time.monotonic() + TIMEOUT
        while not sealed():
            if time.monotonic() > deadline or second.poll() is not None:
                pytest.fail(f"The task was not redelivered:\n{second_log.read_text()[-5000:]}", pytrace=False)
            time.sleep(0.2)
    finally:
        second.terminate()
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
    item = EvidenceItem.objects.get()
    assert upload.item == item and item.storage_key == upload.pk
    assert Seal.objects.count() == 1
    assert CustodyEvent.objects.filter(action=CustodyEvent.Action.SEALED).count() == 1
    assert LogEntry.objects.filter(kind=LogEntry.Kind.SEAL).count() == 1
    # One object in the store: the interrupted attempt's copy was removed before the new one was stored.
    assert len([path for path in store.rglob("*") if path.is_file()]) == 1
    assert "left by an interrupted attempt" in second_log.read_text()
    assert list((shared_evidence_dirs["staging"] / "tus").iterdir()) == []


@pytest.fixture
def shared_s3_bucket(
    tmp_path: Path, settings: LazySettings, monkeypatch: pytest.MonkeyPatch, s3_client: Any, s3_bucket: str
) -> str:
    """The S3 evidence bucket (Object Lock), and a staging folder, seen by the test and the worker."""
    staging = tmp_path / "staging"
    staging.mkdir()
    use_bucket(settings, s3_bucket)
    settings.EVIDENCE_STAGING_DIR = staging
    settings.EVIDENCE_TUS_S3_PART_SIZE = 5 * 1024 * 1024
    monkeypatch.setenv("EVIDENCE_S3_BUCKET", s3_bucket)
    monkeypatch.setenv("EVIDENCE_STAGING_DIR", str(staging))
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "3")
    return s3_bucket


def versions(s3_client: Any, bucket: str) -> list[dict[str, Any]]:
    page = s3_client.list_object_versions(Bucket=bucket)
    return [*page.get("Versions", []), *page.get("DeleteMarkers", [])]


@pytest.mark.parametrize("algorithm", [None, "md5"], ids=["read back", "hashed on arrival"])
def test_a_worker_killed_while_sealing_an_s3_upload_seals_the_same_version_once(
    algorithm: str | None,
    shared_s3_bucket: str,
    s3_client: Any,
    celery_worker_process: CeleryWorker,
    integration_env: IntegrationEnv,
    log_lock: psycopg.Connection[Any],
    tmp_path: Path,
) -> None:
    content = corpus.text(lines=400_000)
    assert len(content) > 10 * 1024 * 1024  # three parts
    user = UserFactory()
    upload = tus_upload_create(
        user=user,
        length=len(content),
        metadata=parse_metadata(f"filename {base64.b64encode(b'audition.txt').decode()}"),
        channel=EvidenceItem.Channel.WEB,
    )
    for start in range(0, len(content), 6 * 1024 * 1024):
        chunk = content[start : start + 6 * 1024 * 1024]
        # With an MD5 the store checks each part, which is hashed on its way: the completion does not read it back.
        checksum = f"md5 {base64.b64encode(hashlib.md5(chunk).digest()).decode()}" if algorithm else None  # noqa: S324
        tus_upload_append(
            user=user,
            pk=upload.pk,
            offset=start,
            content_length=len(chunk),
            body=io.BytesIO(chunk),
            checksum=parse_checksum(checksum) if checksum else None,
        )
    upload.refresh_from_db()
    assert (upload.hash_state is not None) == bool(algorithm)
    [received] = versions(s3_client, shared_s3_bucket)
    assert (received["Key"], received["VersionId"]) == (upload.s3_key, upload.s3_version_id)
    wait_for(waiting_on_lock, "the worker to reach the end of its sealing", celery_worker_process)
    # Read back, checked, item and seal written, not committed: kill it there.
    celery_worker_process.process.kill()
    celery_worker_process.process.wait()
    log_lock.rollback()
    wait_for(lambda: not waiting_on_lock(), "the killed worker's transaction to end")
    upload.refresh_from_db()
    assert upload.state == TusUpload.State.RECEIVED
    assert EvidenceItem.objects.count() == 0
    # The received version is still there, and still unlocked.
    assert [v["VersionId"] for v in versions(s3_client, shared_s3_bucket)] == [received["VersionId"]]
    with pytest.raises(s3_client.exceptions.ClientError):
        s3_client.get_object_retention(Bucket=shared_s3_bucket, Key=upload.s3_key, VersionId=upload.s3_version_id)

    second_log = tmp_path / "worker-2.log"
    second = start_worker(celery_worker_process, integration_env, second_log)
    try:

        def sealed() -> bool:
            upload.refresh_from_db()
            return upload.state == TusUpload.State.SEALED

        deadline = time.monotonic() + TIMEOUT
        while not sealed():
            if time.monotonic() > deadline or second.poll() is not None:
                pytest.fail(f"The task was not redelivered:\n{second_log.read_text()[-5000:]}", pytrace=False)
            time.sleep(0.2)
    finally:
        second.terminate()
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
    item = EvidenceItem.objects.get()
    assert upload.item == item and item.storage_key == upload.pk
    assert Seal.objects.count() == 1
    assert CustodyEvent.objects.filter(action=CustodyEvent.Action.SEALED).count() == 1
    assert LogEntry.objects.filter(kind=LogEntry.Kind.SEAL).count() == 1
    storage = item.seal.record_data["storage"]
    assert (storage["key"], storage["version_id"]) == (upload.s3_key, upload.s3_version_id)
    # Still one version in the bucket, the received one, now sealed and (just after the commit) locked.
    assert [(v["Key"], v["VersionId"]) for v in versions(s3_client, shared_s3_bucket)] == [
        (upload.s3_key, upload.s3_version_id)
    ]
    wait_for(lambda: EvidenceItem.objects.filter(retained_until__isnull=False).exists(), "the lock after the seal")
    retention = s3_client.get_object_retention(
        Bucket=shared_s3_bucket, Key=upload.s3_key, VersionId=upload.s3_version_id
    )
    assert retention["Retention"]["Mode"] == "COMPLIANCE"
    # No buffer left (the killed worker's staging copy of the file's ends waits for purge_stale_staging).
    assert list((tmp_path / "staging" / "tus").iterdir()) == []
