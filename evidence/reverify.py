"""Periodic upkeep of the evidence store: re-reading stored items against their seals, and clearing staging.

The re-verification reads every item again, a bounded slice per run (items and bytes), those checked longest ago
first, so that over successive runs the whole store is covered and no run hogs the store or the worker. A
mismatch blocks the item, records ``verification_failed`` and alerts the administrators (error log and email).
"""

from __future__ import annotations

import contextlib
import datetime
import logging
import stat
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.core.mail import mail_admins
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from evidence.ingest import staging_dir
from evidence.models import EvidenceItem, TusUpload
from evidence.services import evidence_verify

logger = logging.getLogger(__name__)

# One run at a time (two would read the same items): the lock lapses on its own if a worker dies mid-run.
LOCK_KEY = "evidence-reverify-running"
LOCK_SECONDS = 6 * 60 * 60


@dataclass
class ReverifyReport:
    checked: int = 0
    bytes_read: int = 0
    failed: list[str] = field(default_factory=list)
    # Items that wait for a later run (beyond this run's limits), blocked ones left aside.
    waiting: int = 0
    skipped_running: bool = False

    @property
    def matched(self) -> int:
        return self.checked - len(self.failed)


def _candidates(limit: int) -> list[EvidenceItem]:
    """Never verified first (oldest seal first), then those verified longest ago. Two index-ordered queries
    rather than one ``NULLS FIRST`` ordering, which the index could not serve."""
    checkable = EvidenceItem.objects.exclude(status=EvidenceItem.Status.BLOCKED).select_related("seal")
    never = list(checkable.filter(last_verified_at__isnull=True).order_by("created_at", "pk")[:limit])
    if len(never) >= limit:
        return never
    oldest = checkable.filter(last_verified_at__isnull=False).order_by("last_verified_at", "pk")
    return never + list(oldest[: limit - len(never)])


def evidence_reverify(*, max_items: int, max_bytes: int) -> ReverifyReport:
    """Re-hash up to ``max_items`` stored items and about ``max_bytes`` bytes (at least one item per run)."""
    report = ReverifyReport()
    if not cache.add(LOCK_KEY, time.time(), LOCK_SECONDS):
        logger.warning("evidence re-verification already running: this run does nothing")
        report.skipped_running = True
        return report
    try:
        for item in _candidates(max_items):
            if report.checked and report.bytes_read + item.size > max_bytes:
                break
            # Recorded in the portal's language, whatever language the worker last served in.
            with translation.override(settings.LANGUAGE_CODE):
                purpose = str(_("Scheduled integrity check"))
            matched = evidence_verify(item=item, actor=None, purpose=purpose)
            EvidenceItem.objects.filter(pk=item.pk).update(last_verified_at=timezone.now())
            report.checked += 1
            report.bytes_read += item.size
            if not matched:
                report.failed.append(str(item.pk))
    finally:
        cache.delete(LOCK_KEY)
    report.waiting = EvidenceItem.objects.exclude(status=EvidenceItem.Status.BLOCKED).count() - report.checked
    logger.info(
        "evidence re-verification: %s items (%s bytes) checked, %s failed, %s waiting for a later run",
        report.checked,
        report.bytes_read,
        len(report.failed),
        report.waiting,
    )
    if report.failed:
        body = (
            f"The scheduled re-verification found {len(report.failed)} stored evidence item(s) whose bytes no longer "
            "match their seal. They are blocked (no download) and the failure is in their chain of custody:\n"
            + "\n".join(f"  {pk}" for pk in report.failed)
        )
        logger.error("ALERT %s", body)
        mail_admins(f"Evidence integrity: {len(report.failed)} item(s) failed re-verification", body)
    return report


def staging_purge(*, older_than: datetime.timedelta) -> int:
    """Remove staging files untouched for ``older_than``: left by uploads whose process crashed (a live upload
    writes its file continually, and a finished one no longer has it). A resumable upload's bytes are the
    exception: its sender may come back days later (a police transmission resumes for two weeks), so they stay as
    long as its row does (``tus_uploads_expire`` removes both). Returns how many files were removed."""
    root = staging_dir()
    cutoff = time.time() - older_than.total_seconds()
    removed = 0
    # Times taken before removing anything: emptying a folder refreshes its own.
    entries = []
    for path in root.rglob("*"):
        with contextlib.suppress(FileNotFoundError):
            entries.append((path, path.lstat()))
    tus_dir = root / "tus"  # resumable uploads' bytes, named after the upload (evidence.tus.data_path)
    resumable = {path.name[:36] for path, _status in entries if path.parent == tus_dir}
    kept = {str(pk) for pk in TusUpload.objects.filter(pk__in=_uuids(resumable)).values_list("pk", flat=True)}
    for path, status in sorted(entries, key=lambda entry: len(entry[0].parts), reverse=True):
        if status.st_mtime >= cutoff or (path.parent == tus_dir and path.name[:36] in kept):
            continue
        try:
            if stat.S_ISDIR(status.st_mode):
                if not any(path.iterdir()):
                    path.rmdir()
            else:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            continue
    if removed:
        logger.warning("removed %s stale staging file(s) older than %s from %s", removed, older_than, root)
    return removed


def _uuids(names: set[str]) -> list[uuid.UUID]:
    found = []
    for name in names:
        with contextlib.suppress(ValueError):
            found.append(uuid.UUID(name))
    return found
