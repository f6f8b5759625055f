"""Watching the transparency log: each new checkpoint must extend the previous one seen (consistency proof),
with a valid signature. A fork (two histories) or a bad signature is logged as an ALERT and raised.

The same check runs against the local database (beat task) or against a portal's public URLs (management
command ``translog_monitor --url``), which is what an outside auditor would run.
"""

from __future__ import annotations

import base64
import datetime
import json
import logging
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from evidence.checkpoint import Checkpoint as SignedCheckpoint
from evidence.checkpoint import CheckpointError, Verifier
from evidence.keys import log_verifiers
from evidence.merkle import ProofError, verify_consistency
from evidence.translog import hash_source, translog_checkpoint

logger = logging.getLogger(__name__)
LAST_SEEN_KEY = "evidence:translog:last-seen-checkpoint"
# The outcome of the local monitor's last run, for the clerks' status page.
LAST_RESULT_KEY = "evidence:translog:last-monitor-result"


class LogForkError(Exception):
    """The log's new checkpoint does not extend the one seen before, or is not properly signed."""


@dataclass(frozen=True)
class Observation:
    checkpoint: SignedCheckpoint
    note: str


def open_checkpoint(note: str, verifiers: list[Verifier]) -> SignedCheckpoint:
    for verifier in verifiers:
        try:
            return SignedCheckpoint.open(note, verifier, origin=settings.TRANSPARENCY_LOG_ORIGIN)
        except CheckpointError:
            continue
    raise LogForkError("the checkpoint is not signed by any of the log's keys")


def check_extends(older: SignedCheckpoint, newer: SignedCheckpoint, proof: list[bytes]) -> None:
    try:
        verify_consistency(older.size, newer.size, older.root, newer.root, proof)
    except ProofError as error:
        raise LogForkError(f"checkpoint {newer.size} does not extend checkpoint {older.size}: {error}") from None


def _alert(error: LogForkError) -> None:
    logger.error("ALERT transparency log: %s", error)


@dataclass(frozen=True)
class MonitorResult:
    ok: bool
    at: datetime.datetime
    size: int | None
    message: str


def _record(result: MonitorResult) -> None:
    cache.set(
        LAST_RESULT_KEY,
        {"ok": result.ok, "at": result.at.isoformat(), "size": result.size, "message": result.message},
        timeout=None,
    )


def last_monitor_result() -> MonitorResult | None:
    """What the local monitor found when it last ran (``None`` if it never ran, or the cache was emptied)."""
    value = cache.get(LAST_RESULT_KEY)
    if not isinstance(value, dict):
        return None
    return MonitorResult(
        ok=bool(value["ok"]),
        at=datetime.datetime.fromisoformat(value["at"]),
        size=value.get("size"),
        message=str(value.get("message", "")),
    )


def monitor_local_log() -> Observation:
    """Against this portal's database; the last seen checkpoint is kept in the cache (Redis in production)."""
    verifiers = log_verifiers()
    current = translog_checkpoint()
    last_note = cache.get(LAST_SEEN_KEY)
    try:
        newer = open_checkpoint(current.note, verifiers)
        if last_note:
            older = open_checkpoint(last_note, verifiers)
            if newer.size < older.size:
                raise LogForkError(f"the log shrank from {older.size} to {newer.size} entries")
            proof = hash_source(newer.size).consistency_proof(older.size) if older.size else []
            check_extends(older, newer, proof)
    except LogForkError as error:
        _alert(error)
        _record(MonitorResult(ok=False, at=timezone.now(), size=current.size, message=str(error)))
        raise
    cache.set(LAST_SEEN_KEY, current.note, timeout=None)
    _record(MonitorResult(ok=True, at=timezone.now(), size=newer.size, message=""))
    return Observation(newer, current.note)


def _fetch(url: str) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ValueError("the portal's URL must be http(s)")
    with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - scheme checked above
        body: bytes = response.read(1 << 20)
    return body


def monitor_remote_log(*, base_url: str, verifiers: list[Verifier], state: Path) -> Observation:
    """Against a portal's public endpoints, remembering the last checkpoint seen in ``state`` (a file)."""
    base = base_url.rstrip("/")
    note = _fetch(f"{base}/log/checkpoint").decode()
    try:
        newer = open_checkpoint(note, verifiers)
        if state.exists():
            older = open_checkpoint(state.read_text(), verifiers)
            if newer.size < older.size:
                raise LogForkError(f"the log shrank from {older.size} to {newer.size} entries")
            proof: list[bytes] = []
            if 0 < older.size < newer.size:
                answer = json.loads(_fetch(f"{base}/log/consistency?first={older.size}&second={newer.size}"))
                proof = [base64.b64decode(h) for h in answer["proof"]]
            if older.size:
                check_extends(older, newer, proof)
    except LogForkError as error:
        _alert(error)
        raise
    state.write_text(note)
    return Observation(newer, note)
