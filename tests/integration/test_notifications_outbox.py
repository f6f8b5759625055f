"""Fault injection on the notification emails, with real services: Redis stopped while a filing is sent, and a
worker killed (``kill -9``) while it sends an email. Each email goes out exactly once.

The workers are real ``celery worker`` processes on the test's PostgreSQL database and Redis, writing their emails
to files (Django's file-based backend).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from filings import services
from filings.models import Filing
from justice.celery import app as celery_app
from justice.notifications.models import Notification
from justice.outbox.models import OutboxMessage
from tests.celery_pools import fresh_broker_pools
from tests.filings.conftest import make_jurisdiction
from tests.filings.factories import draft
from tests.integration.conftest import IntegrationEnv, _test_database_url
from tests.integration.mail_faults import MARKER

pytestmark = pytest.mark.integration

SEPARATOR = b"-" * 79 + b"\n"
WORKER_START_TIMEOUT = 90.0
EMAIL_TIMEOUT = 90.0
REDIS_SCRIPT = Path(settings.BASE_DIR) / "scripts" / "services" / "redis.sh"
# Seconds after which Redis hands a message not acknowledged (its worker died) to another worker.
VISIBILITY_TIMEOUT = 5


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        """``kill -9`` of the worker and of its children (the embedded beat)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


@dataclass
class Mailbox:
    path: Path

    def complete_messages(self) -> list[bytes]:
        """Messages written to the end. A message cut short stands for an SMTP transaction the server dropped."""
        messages: list[bytes] = []
        for file in sorted(self.path.iterdir()):
            chunks = file.read_bytes().split(SEPARATOR)
            messages += chunks[:-1]  # the last chunk is empty, or a message that was never finished
        return messages


@pytest.fixture
def worker_queue(integration_env: IntegrationEnv, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A queue of our own on the real Redis; this process publishes to it (no eager tasks)."""
    queue = f"justice-it-{uuid.uuid4().hex[:12]}"
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    monkeypatch.setitem(celery_app.conf, "broker_url", integration_env.redis_url)
    monkeypatch.setitem(celery_app.conf, "broker_transport_options", {})
    monkeypatch.setitem(celery_app.conf, "task_default_queue", queue)
    with fresh_broker_pools():
        yield queue


@pytest.fixture
def mailbox(tmp_path: Path) -> Mailbox:
    path = tmp_path / "mail"
    path.mkdir()
    return Mailbox(path)


@pytest.fixture
def start_worker(
    transactional_db: None, integration_env: IntegrationEnv, worker_queue: str, mailbox: Mailbox, tmp_path: Path
) -> Iterator[Callable[..., Worker]]:
    """Starts workers on the test's queue; each is stopped (or already killed) when the test ends."""
    workers: list[Worker] = []

    def start(*, beat: bool = False, env: dict[str, str] | None = None) -> Worker:
        n = len(workers)
        log_path = tmp_path / f"worker-{n}.log"
        command = [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "justice",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            f"--queues={worker_queue}",
            f"--hostname={worker_queue}-{n}@%h",
            "--without-gossip",
            "--without-mingle",
        ]
        if beat:
            command += ["--beat", f"--schedule={tmp_path / 'beat-schedule'}"]
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env={
                    **os.environ,
                    "DJANGO_SETTINGS_MODULE": "justice.settings.test",
                    "CELERY_BROKER_URL": integration_env.redis_url,
                    "CELERY_TASK_DEFAULT_QUEUE": worker_queue,
                    "CELERY_VISIBILITY_TIMEOUT": str(VISIBILITY_TIMEOUT),
                    "DATABASE_URL": _test_database_url(),
                    "EMAIL_FILE_PATH": str(mailbox.path),
                    **(env or {}),
                },
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: the kill reaches the embedded beat too
            )
        worker = Worker(process=process, log_path=log_path)
        workers.append(worker)
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        while " ready." not in worker.log():
            if process.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"The Celery worker did not start:\n{worker.log()[-5000:]}", pytrace=False)
            time.sleep(0.2)
        return worker

    try:
        yield start
    finally:
        for worker in workers:
            worker.stop()


def redis(action: str) -> None:
    subprocess.run([str(REDIS_SCRIPT), action], check=True, capture_output=True, timeout=60)


def wait_for(condition: Callable[[], bool], *, timeout: float, what: str, logs: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out waiting for {what}:\n{logs()[-6000:]}", pytrace=False)
        time.sleep(0.3)


def test_a_filing_sent_while_redis_is_down_is_accepted_and_emailed_once_redis_is_back(
    start_worker: Callable[..., Worker], mailbox: Mailbox, client: Client
) -> None:
    place = make_jurisdiction("DEMO")
    filing = draft()
    worker = start_worker(beat=True)
    client.force_login(filing.filer)
    redis("stop")
    try:
        started = time.monotonic()
        response = client.post(f"/filings/{filing.pk}/summary/")
        elapsed = time.monotonic() - started
        # Accepted: the filing is sent, its notification and email task are stored, waiting for the broker.
        assert response.status_code == 302 and response["Location"] == f"/filings/{filing.pk}/receipt/"
        filing.refresh_from_db()
        assert filing.status == Filing.Status.SUBMITTED
        notification = Notification.objects.get(recipient=place.police, filing=filing)
        assert notification.email_status == Notification.EmailStatus.PENDING
        (message,) = OutboxMessage.objects.all()
        assert message.is_pending and message.attempts == 1
        # Refused, or cut by the server as Redis goes down: either way a connection error, recorded for the relay.
        assert message.last_error.startswith("OperationalError") and "Connection" in message.last_error
        # The request did not hang on the broker (a generous bound: this machine is shared).
        assert elapsed < 10
        time.sleep(3)
        assert mailbox.complete_messages() == []
    finally:
        redis("start")

    def logs() -> str:
        return worker.log()

    # The beat's relay publishes the waiting task; the worker sends the email.
    wait_for(lambda: len(mailbox.complete_messages()) >= 1, timeout=EMAIL_TIMEOUT, what="the email", logs=logs)
    # Several more relay runs later, still one email.
    time.sleep(4 * settings.OUTBOX_RELAY_SECONDS)
    (email,) = mailbox.complete_messages()
    assert f"To: {place.police.email}".encode() in email
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    assert not OutboxMessage.objects.filter(published_at__isnull=True).exists()
    assert "justice.outbox.tasks.relay_outbox" in worker.log()


@pytest.mark.parametrize("fault", ["mid_message", "after_commit"])
def test_a_worker_killed_while_sending_an_email_leaves_exactly_one_email(
    start_worker: Callable[..., Worker],
    mailbox: Mailbox,
    tmp_path: Path,
    fault: str,
    django_capture_on_commit_callbacks,
) -> None:
    """Killed half-way through the message (nothing recorded: the next worker sends it), or after the sending is
    recorded but before the broker heard of it (the next worker gets the task again and sends nothing)."""
    place = make_jurisdiction("DEMO")
    faults = tmp_path / "faults"
    faults.mkdir()
    env = {
        "EMAIL_BACKEND": "tests.integration.mail_faults.StallingFileBackend",
        "JUSTICE_MAIL_FAULT": fault,
        "JUSTICE_MAIL_FAULT_DIR": str(faults),
    }
    first = start_worker(env=env)
    filing = draft()
    services.filing_submit(filing=filing, actor=filing.filer, assurance_level="low")  # nudged at once, through Redis
    notification = Notification.objects.get(recipient=place.police)
    wait_for(lambda: (faults / MARKER).exists(), timeout=EMAIL_TIMEOUT, what="the stall", logs=first.log)
    first.kill()
    assert first.process.returncode == -signal.SIGKILL
    notification.refresh_from_db()
    if fault == "mid_message":
        assert notification.email_status == Notification.EmailStatus.PENDING  # rolled back with the dead connection
        assert mailbox.complete_messages() == []
    else:
        assert notification.email_status == Notification.EmailStatus.SENT
        assert len(mailbox.complete_messages()) == 1

    second = start_worker(env=env)

    def redelivered() -> bool:
        return "send_notification_email" in second.log() and " succeeded in " in second.log()

    wait_for(redelivered, timeout=EMAIL_TIMEOUT, what="the redelivered task", logs=second.log)
    (email,) = mailbox.complete_messages()
    assert f"To: {place.police.email}".encode() in email
    notification.refresh_from_db()
    assert notification.email_status == Notification.EmailStatus.SENT
    expected = "True" if fault == "mid_message" else "False"  # whether the redelivered task sent the email
    assert "succeeded in" in second.log() and f": {expected}" in second.log()
