"""A Celery worker killed (SIGKILL) while it builds and seals a case bundle: after Redis redelivers the task to a
new worker, the bundle is sealed exactly once, and the copy the interrupted attempt left in the store is an orphan
that the store cleanup removes."""

from __future__ import annotations

import datetime
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest
from django.utils import timezone

from evidence.models import EvidenceItem, LogEntry, Seal
from evidence.services import evidence_remove_orphans
from hearings.models import CaseBundle
from hearings.services import case_bundle_request
from tests.filings.conftest import make_jurisdiction
from tests.hearings.conftest import court_case
from tests.integration.conftest import CeleryWorker, IntegrationEnv
from tests.integration.test_tus_worker_kill import (  # noqa: F401  (fixtures)
    log_lock,
    shared_evidence_dirs,
    start_worker,
    wait_for,
    waiting_on_lock,
)

pytestmark = pytest.mark.integration

TIMEOUT = 120.0


def stored(store: Path) -> list[Path]:
    return [path for path in store.rglob("*") if path.is_file()]


def test_a_worker_killed_while_building_a_bundle_leads_to_exactly_one_sealed_bundle(
    shared_evidence_dirs: dict[str, Path],  # noqa: F811
    celery_worker_process: CeleryWorker,
    integration_env: IntegrationEnv,
    log_lock: psycopg.Connection[Any],  # noqa: F811
    tmp_path: Path,
) -> None:
    place = make_jurisdiction("DEMO")
    case = court_case(place)
    store = shared_evidence_dirs["store"]
    bundle = case_bundle_request(case=case, actor=place.clerk)
    # The worker builds the PDF, stores it and writes the item, then waits for the log's lock to seal: kill it there.
    wait_for(waiting_on_lock, "the worker to reach the sealing of the bundle", celery_worker_process)
    assert len(stored(store)) == 1
    celery_worker_process.process.kill()
    celery_worker_process.process.wait()
    log_lock.rollback()
    wait_for(lambda: not waiting_on_lock(), "the killed worker's transaction to end")
    bundle.refresh_from_db()
    assert bundle.status == CaseBundle.Status.BUILDING and bundle.item_id is None
    assert EvidenceItem.objects.count() == 0

    second_log = tmp_path / "worker-2.log"
    second = start_worker(celery_worker_process, integration_env, second_log)
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            bundle.refresh_from_db()
            if bundle.status == CaseBundle.Status.READY:
                break
            if time.monotonic() > deadline or second.poll() is not None or bundle.status == CaseBundle.Status.FAILED:
                pytest.fail(f"The bundle was not rebuilt:\n{second_log.read_text()[-5000:]}", pytrace=False)
            time.sleep(0.3)
        # A few more seconds: a second redelivery would seal a second bundle now.
        time.sleep(5)
    finally:
        second.terminate()
        try:
            second.wait(timeout=20)
        except subprocess.TimeoutExpired:
            second.kill()
            second.wait()
    item = EvidenceItem.objects.get()
    assert bundle.item == item
    assert Seal.objects.count() == 1
    assert LogEntry.objects.filter(kind=LogEntry.Kind.SEAL).count() == 1
    # The interrupted attempt's object has no row: the cleanup takes it away, and keeps the sealed bundle.
    assert len(stored(store)) == 2
    assert evidence_remove_orphans(older_than=timezone.now() + datetime.timedelta(seconds=1)) == 1
    (kept,) = stored(store)
    assert kept.stat().st_size == item.size
