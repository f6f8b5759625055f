"""Redis answers, and a task dispatched by the portal travels through it to a real Celery worker process."""

from __future__ import annotations

import email
import email.policy
import time
import uuid
from email.message import EmailMessage
from typing import Any

import pytest
import redis
from django.core.mail import EmailMessage as DjangoEmailMessage

from justice.accounts.models import Membership
from justice.accounts.services import invitation_create
from tests.accounts.factories import MembershipFactory
from tests.integration.conftest import CeleryWorker, IntegrationEnv

pytestmark = pytest.mark.integration

EMAIL_TIMEOUT = 60.0
# The file-based email backend ends every message with this line.
MESSAGE_SEPARATOR = b"-" * 79 + b"\n"


def test_redis_answers_ping_set_and_get(integration_env: IntegrationEnv) -> None:
    client = redis.Redis.from_url(integration_env.redis_url)
    try:
        key = f"justice-it:{uuid.uuid4().hex}"
        assert client.ping() is True
        assert client.set(key, "sealed", ex=60) is True
        assert client.get(key) == b"sealed"
        assert client.delete(key) == 1
        assert client.info("server")["redis_version"]
    finally:
        client.close()


def test_the_production_cache_backend_reads_and_writes_redis_from_several_threads(
    integration_env: IntegrationEnv,
) -> None:
    """The backend keeps its Redis client between calls (justice.redis_cache): every cache operation the portal
    uses still works, from threads sharing it."""
    from justice.redis_cache import KeptClientRedisCache

    cache: Any = KeptClientRedisCache(integration_env.redis_url, {"KEY_PREFIX": f"justice-it-{uuid.uuid4().hex}"})
    try:
        _cache_operations(cache)
    finally:
        for pool in cache._cache._pools.values():
            pool.disconnect()


def _cache_operations(cache: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor

    assert cache.add("version", "a", 60) is True
    assert cache.add("version", "b", 60) is False
    assert cache.get("version") == "a"
    cache.set_many({"count:1": 3, "count:2": 0}, 60)
    assert cache.get_many(["count:1", "count:2", "missing"]) == {"count:1": 3, "count:2": 0}
    assert cache.incr("count:1") == 4

    def round_trip(n: int) -> int:
        cache.set(f"thread:{n}", n, 60)
        return cache.get(f"thread:{n}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(round_trip, range(64))) == list(range(64))
    cache.delete_many(["version", "count:1", "count:2", *(f"thread:{n}" for n in range(64))])
    assert cache.get("version") is None


def wait_for_email(worker: CeleryWorker) -> EmailMessage:
    """The first email the worker writes, once completely written; fails with the worker's log otherwise."""
    deadline = time.monotonic() + EMAIL_TIMEOUT
    while time.monotonic() < deadline:
        for path in sorted(worker.mail_dir.iterdir()):
            content = path.read_bytes()
            if content.endswith(MESSAGE_SEPARATOR):
                message = email.message_from_bytes(content.split(MESSAGE_SEPARATOR)[0], policy=email.policy.default)
                assert isinstance(message, EmailMessage)
                return message
        if worker.process.poll() is not None:
            break
        time.sleep(0.2)
    pytest.fail(f"The worker sent no email within {EMAIL_TIMEOUT:.0f} s:\n{worker.log()[-5000:]}", pytrace=False)


def test_invitation_email_is_sent_by_a_celery_worker_through_redis(
    celery_worker_process: CeleryWorker, mailoutbox: list[DjangoEmailMessage]
) -> None:
    admin = MembershipFactory(role=Membership.Role.ORGANISATION_ADMIN)

    invitation, token = invitation_create(
        organisation=admin.organisation, email="greffe@example.org", role=Membership.Role.CLERK, actor=admin.user
    )

    message = wait_for_email(celery_worker_process)
    assert message["To"] == "greffe@example.org"
    body = message.get_content()
    assert f"/invitations/{token}/" in body
    assert admin.organisation.name in body
    # Sent by the worker, not by a task run eagerly in this process.
    assert mailoutbox == []
    assert "justice.accounts.tasks.send_invitation_email[" in celery_worker_process.log()
    invitation.refresh_from_db()
    assert invitation.is_pending
