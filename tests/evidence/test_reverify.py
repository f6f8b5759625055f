"""The periodic re-verification re-reads stored items against their seals, a bounded slice per run, oldest check
first; a corrupted item is blocked, recorded and alerted. Stale staging files of crashed uploads are removed."""

from __future__ import annotations

import datetime
import io
import logging
import os
import time
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from evidence.models import CustodyEvent, EvidenceItem
from evidence.reverify import evidence_reverify, staging_purge
from evidence.tasks import purge_stale_staging, reverify_evidence
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def uploader() -> User:
    return UserFactory()


def corrupt(item: EvidenceItem, evidence_dirs: dict[str, Path]) -> None:
    """Flip one byte of the stored original, as a failing disk or an intruder would."""
    path = evidence_dirs["store"] / item.seal.record_data["storage"]["key"]
    os.chmod(path, 0o600)
    with open(path, "r+b") as stored:
        stored.seek(3)
        byte = stored.read(1)
        stored.seek(3)
        stored.write(bytes([byte[0] ^ 0x01]))


def items(uploader: User, count: int) -> list[EvidenceItem]:
    made = []
    for n in range(count):
        with time_machine.travel(timezone.now() + datetime.timedelta(minutes=n)):
            made.append(sealed_item(uploader=uploader, content=corpus.text(lines=n + 1), name=f"pv{n}.txt"))
    return made


def test_each_run_checks_a_bounded_slice_oldest_check_first_and_records_it(uploader: User) -> None:
    first, second, third = items(uploader, 3)

    report = evidence_reverify(max_items=2, max_bytes=10**9)
    assert (report.checked, report.failed, report.waiting) == (2, [], 1)
    checked = set(EvidenceItem.objects.filter(last_verified_at__isnull=False).values_list("pk", flat=True))
    assert checked == {first.pk, second.pk}
    verified = first.custody_events.get(action=CustodyEvent.Action.VERIFIED)
    assert verified.actor is None and verified.purpose == "Contrôle périodique d’intégrité"

    # The next run starts with the one never checked, then the one checked longest ago.
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1)):
        evidence_reverify(max_items=2, max_bytes=10**9)
    third.refresh_from_db()
    first.refresh_from_db()
    second.refresh_from_db()
    assert third.last_verified_at is not None
    assert first.last_verified_at is not None and second.last_verified_at is not None
    assert first.last_verified_at > second.last_verified_at
    assert first.custody_events.filter(action=CustodyEvent.Action.VERIFIED).count() == 2


def test_the_byte_budget_stops_a_run_but_at_least_one_item_is_checked(uploader: User) -> None:
    items(uploader, 3)
    assert evidence_reverify(max_items=10, max_bytes=1).checked == 1
    smallest_two = sum(EvidenceItem.objects.order_by("created_at").values_list("size", flat=True)[1:3])
    assert evidence_reverify(max_items=10, max_bytes=smallest_two).checked == 2


def test_a_corrupted_item_is_blocked_recorded_and_alerted(
    uploader: User, evidence_dirs: dict[str, Path], caplog: pytest.LogCaptureFixture, settings: Any
) -> None:
    settings.ADMINS = [("Security", "security@justice.example.org")]
    healthy, damaged = items(uploader, 2)
    corrupt(damaged, evidence_dirs)

    with caplog.at_level(logging.ERROR):
        report = evidence_reverify(max_items=10, max_bytes=10**9)

    assert report.failed == [str(damaged.pk)] and report.matched == 1
    damaged.refresh_from_db()
    assert damaged.status == EvidenceItem.Status.BLOCKED
    failure = damaged.custody_events.get(action=CustodyEvent.Action.VERIFICATION_FAILED)
    assert failure.detail["during"] == "verification" and failure.detail["found_sha256"] != damaged.seal.sha256
    assert healthy.custody_events.filter(action=CustodyEvent.Action.VERIFIED).exists()
    assert any("ALERT" in record.message and str(damaged.pk) in record.message for record in caplog.records)
    (alert,) = mail.outbox
    assert alert.to == ["security@justice.example.org"] and str(damaged.pk) in alert.body
    # Blocked items are not read again: the failure stands until someone investigates.
    assert evidence_reverify(max_items=10, max_bytes=10**9).checked == 1


def test_the_command_prints_a_report_and_fails_when_an_item_no_longer_matches(
    uploader: User, evidence_dirs: dict[str, Path]
) -> None:
    _healthy, damaged = items(uploader, 2)
    out = StringIO()
    call_command("evidence_reverify", "--max-items", "1", stdout=out)
    assert "Checked 1 item(s)" in out.getvalue() and "1 matched their seal, 0 failed." in out.getvalue()
    assert "1 item(s) wait for a later run" in out.getvalue()

    corrupt(damaged, evidence_dirs)
    out = StringIO()
    with pytest.raises(CommandError, match="ALERT: 1 item"):
        call_command("evidence_reverify", stdout=out)
    assert f"FAILED {damaged.pk}" in out.getvalue()


def test_the_beat_task_uses_the_configured_limits(uploader: User, settings: Any) -> None:
    items(uploader, 3)
    settings.EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN = 2
    reverify_evidence()
    assert EvidenceItem.objects.filter(last_verified_at__isnull=False).count() == 2
    schedule = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"evidence.tasks.reverify_evidence", "evidence.tasks.purge_stale_staging"} <= schedule
    assert "evidence.tasks.rescan_pending_evidence" in schedule


def test_a_second_run_while_one_is_running_does_nothing(uploader: User) -> None:
    from django.core.cache import cache

    from evidence.reverify import LOCK_KEY

    items(uploader, 1)
    cache.add(LOCK_KEY, 1, 60)
    report = evidence_reverify(max_items=10, max_bytes=10**9)
    assert report.skipped_running and report.checked == 0


def test_stale_staging_files_are_removed_and_live_ones_kept(evidence_dirs: dict[str, Path]) -> None:
    staging = evidence_dirs["staging"]
    stale, live = staging / "evidence-crashed.part", staging / "evidence-live.part"
    nested = staging / "resumable" / "abandoned.bin"
    nested.parent.mkdir()
    for path in (stale, live, nested):
        path.write_bytes(b"partial upload")
    three_days_ago = time.time() - 3 * 24 * 3600
    for path in (stale, nested, nested.parent):
        os.utime(path, (three_days_ago, three_days_ago))

    assert staging_purge(older_than=datetime.timedelta(hours=48)) == 2
    assert [path.name for path in staging.rglob("*")] == ["evidence-live.part"]

    purge_stale_staging()
    assert live.exists()


def test_a_resumable_uploads_bytes_stay_while_its_upload_lives(evidence_dirs: dict[str, Path], uploader) -> None:
    """A police transmission may resume for two weeks: its bytes are not "stale" after two days; those of an
    upload that no longer exists are."""
    from evidence.models import TusUpload
    from evidence.tus import Metadata, data_path, tus_upload_append, tus_upload_create

    metadata = Metadata(filename="audition.mp4", filetype="", sha256="", case_ref="", organisation="")
    upload = tus_upload_create(user=uploader, length=1000, metadata=metadata, channel=EvidenceItem.Channel.WEB)
    tus_upload_append(
        user=uploader, pk=upload.pk, offset=0, body=io.BytesIO(b"x" * 400), content_length=400, checksum=None
    )
    kept = data_path(upload)
    gone = kept.with_name("0b7c1a52-9c1e-4a4e-8f0a-3c2d1e0f9a8b")  # an upload that no longer exists
    gone.write_bytes(b"left behind")
    three_days_ago = time.time() - 3 * 24 * 3600
    for path in (kept, gone):
        os.utime(path, (three_days_ago, three_days_ago))

    assert staging_purge(older_than=datetime.timedelta(hours=48)) == 1
    assert kept.exists() and not gone.exists()
    assert TusUpload.objects.get(pk=upload.pk).offset == 400
