"""Fixtures for the integration tests: the real PostgreSQL, Redis and Ceph radosgw started by
``scripts/test-integration.sh``, and a real Celery worker process.

Selecting an integration test without those services is an error, never a skip: a green run must mean the
services were really exercised.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError
from django.conf import settings
from django.db import connection

from justice.celery import app as celery_app
from tests.celery_pools import fresh_broker_pools

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

REQUIRED_VARIABLES = ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY")
WORKER_START_TIMEOUT = 60.0


@dataclass(frozen=True)
class IntegrationEnv:
    database_url: str
    redis_url: str
    s3_endpoint_url: str
    s3_access_key: str
    s3_secret_key: str


@pytest.fixture(scope="session", autouse=True)
def integration_env() -> IntegrationEnv:
    missing = [name for name in REQUIRED_VARIABLES if not os.environ.get(name)]
    if os.environ.get("JUSTICE_INTEGRATION") != "1":
        missing.append("JUSTICE_INTEGRATION=1")
    if missing:
        pytest.fail(
            f"Integration tests need the real services; missing: {', '.join(missing)}. "
            "Run them with scripts/test-integration.sh, or deselect them with -m 'not integration'.",
            pytrace=False,
        )
    return IntegrationEnv(
        database_url=os.environ["DATABASE_URL"],
        redis_url=os.environ["REDIS_URL"],
        s3_endpoint_url=os.environ["S3_ENDPOINT_URL"],
        s3_access_key=os.environ["S3_ACCESS_KEY"],
        s3_secret_key=os.environ["S3_SECRET_KEY"],
    )


@pytest.fixture(scope="session")
def s3_client(integration_env: IntegrationEnv) -> S3Client:
    return boto3.client(
        "s3",
        endpoint_url=integration_env.s3_endpoint_url,
        aws_access_key_id=integration_env.s3_access_key,
        aws_secret_access_key=integration_env.s3_secret_key,
        region_name="us-east-1",
        config=Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2}),
    )


@pytest.fixture
def s3_bucket(s3_client: S3Client) -> Iterator[str]:
    """A new bucket with Object Lock (hence versioning), like the production evidence bucket."""
    name = f"justice-it-{uuid.uuid4().hex[:16]}"
    s3_client.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
    yield name
    # Locked versions cannot be removed (that is the point); the store is thrown away when the run ends.
    for page in s3_client.get_paginator("list_object_versions").paginate(Bucket=name):
        for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]:
            with contextlib.suppress(ClientError):
                s3_client.delete_object(Bucket=name, Key=version["Key"], VersionId=version["VersionId"])
    with contextlib.suppress(ClientError):
        s3_client.delete_bucket(Bucket=name)


@dataclass(frozen=True)
class CeleryWorker:
    process: subprocess.Popen[bytes]
    log_path: Path
    mail_dir: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def _test_database_url() -> str:
    """The database pytest-django created (``test_<name>``), which the worker must use to see the test's rows."""
    db = connection.settings_dict
    user = quote(db["USER"] or "", safe="")
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    credentials = f"{user}{password}@" if user else ""
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}{db['HOST']}{port}/{db['NAME']}"


@pytest.fixture
def celery_worker_process(
    transactional_db: None, integration_env: IntegrationEnv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[CeleryWorker]:
    """A real ``celery worker`` on its own Redis queue, with the test database; tasks dispatched by the test go
    through Redis to it. Its emails land in ``mail_dir``.

    Depends on ``transactional_db`` so that the test's rows are committed (visible to the worker), and so that the
    worker stops before the tables are emptied after the test.
    """
    assert connection.vendor == "postgresql", "the worker needs the test database on a server, not SQLite"
    # A queue of our own: another worker on the same Redis cannot take our task.
    queue = f"justice-it-{uuid.uuid4().hex[:12]}"
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    log_path = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "justice.settings.test",
        "CELERY_BROKER_URL": integration_env.redis_url,
        "DATABASE_URL": _test_database_url(),
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    celery = Path(sys.executable).with_name("celery")
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                str(celery),
                "-A",
                "justice",
                "worker",
                "--pool=solo",
                "--concurrency=1",
                "--loglevel=INFO",
                f"--queues={queue}",
                f"--hostname={queue}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = CeleryWorker(process=process, log_path=log_path, mail_dir=mail_dir)
    # Tasks dispatched by this process go through Redis to the worker's queue, not run eagerly in-process. The
    # broker connection pools are built lazily from this configuration: start from fresh ones, closed at the end.
    try:
        with fresh_broker_pools():
            monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
            monkeypatch.setitem(celery_app.conf, "broker_url", integration_env.redis_url)
            monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
            monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
            # Wait until the worker listens on its queue, so the message has somewhere to go.
            deadline = time.monotonic() + WORKER_START_TIMEOUT
            while " ready." not in worker.log():
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"The Celery worker did not start:\n{worker.log()[-5000:]}", pytrace=False)
                time.sleep(0.2)
            yield worker
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
