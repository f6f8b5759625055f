"""Time stamps of the transparency log's checkpoints from the configured RFC 3161 authority (``TSA_URL``).

A checkpoint is signed whether or not the authority answers; its token is added when it does, and the beat task
(``evidence.tasks.sign_checkpoint``) retries the checkpoints still without one. Each reply is checked (status,
nonce, imprint = the signed note, signature chaining to ``TSA_CA_CERTIFICATES_FILE``) before it is stored.
"""

from __future__ import annotations

import logging
import urllib.error
import urllib.request
from pathlib import Path

from cryptography import x509
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction

from evidence.models import Checkpoint, CheckpointTimestamp
from evidence.timestamp import TimestampError, check_timestamp, load_certificates, timestamp_request

logger = logging.getLogger(__name__)
# A reply is a token and a certificate or two: anything much larger is not a time-stamp reply.
MAX_REPLY_BYTES = 256 * 1024


class TimestampUnavailable(Exception):
    """The authority could not be reached or gave no valid token; the checkpoint waits for the next attempt."""


def tsa_configured() -> bool:
    return bool(settings.TSA_URL)


def tsa_chain() -> tuple[str, list[x509.Certificate]]:
    """The PEM text and certificates of the authority's chain, from ``TSA_CA_CERTIFICATES_FILE``."""
    if not settings.TSA_CA_CERTIFICATES_FILE:
        raise ImproperlyConfigured("TSA_URL is set: set TSA_CA_CERTIFICATES_FILE to the authority's CA chain (PEM).")
    try:
        pem = Path(settings.TSA_CA_CERTIFICATES_FILE).read_text()
        return pem, load_certificates(pem.encode())
    except (OSError, TimestampError) as error:
        raise ImproperlyConfigured(f"Cannot read TSA_CA_CERTIFICATES_FILE: {error}") from error


def _ask(url: str, query: bytes) -> bytes:
    if not url.startswith(("https://", "http://")):
        raise ImproperlyConfigured("TSA_URL must be an http(s) URL.")
    request = urllib.request.Request(  # noqa: S310 - scheme checked above
        url, data=query, headers={"Content-Type": "application/timestamp-query"}, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=settings.TSA_TIMEOUT_SECONDS) as response:  # noqa: S310
            body: bytes = response.read(MAX_REPLY_BYTES + 1)
    except (urllib.error.URLError, OSError) as error:
        raise TimestampUnavailable(f"the time-stamping authority did not answer: {error}") from error
    if len(body) > MAX_REPLY_BYTES:
        raise TimestampUnavailable("the time-stamping authority's reply is too large")
    return body


def checkpoint_timestamp_obtain(*, checkpoint: Checkpoint) -> CheckpointTimestamp:
    """Ask the authority for a token over the checkpoint's note, check it and store it (idempotent)."""
    existing = CheckpointTimestamp.objects.filter(checkpoint=checkpoint).first()
    if existing is not None:
        return existing
    pem, chain = tsa_chain()
    request = timestamp_request(checkpoint.note)
    reply = _ask(settings.TSA_URL, request.as_bytes())
    try:
        stamped = check_timestamp(reply, checkpoint.note, trusted=chain, chain=chain, request=request)
    except TimestampError as error:
        raise TimestampUnavailable(f"the time-stamping authority's reply was refused: {error}") from error
    try:
        with transaction.atomic():
            timestamp = CheckpointTimestamp.objects.create(
                checkpoint=checkpoint,
                response=reply,
                certificates=pem,
                authority=stamped.authority[:500],
                stamped_at=stamped.time,
            )
    except IntegrityError:  # another worker stored one meanwhile: theirs is as good
        return CheckpointTimestamp.objects.get(checkpoint=checkpoint)
    logger.info("checkpoint at size %s time-stamped at %s", checkpoint.size, stamped.time.isoformat())
    return timestamp


def checkpoint_timestamp_try(*, checkpoint: Checkpoint) -> CheckpointTimestamp | None:
    """Like :func:`checkpoint_timestamp_obtain`, but an unreachable authority is logged, not raised."""
    if not tsa_configured():
        return None
    try:
        return checkpoint_timestamp_obtain(checkpoint=checkpoint)
    except TimestampUnavailable as error:
        logger.warning("checkpoint at size %s left without a time stamp for now: %s", checkpoint.size, error)
        return None


def checkpoints_timestamp_missing(*, limit: int = 20) -> int:
    """Time-stamp the newest checkpoints still without a token; returns how many were stamped."""
    if not tsa_configured():
        return 0
    stamped = 0
    for checkpoint in Checkpoint.objects.filter(timestamp__isnull=True).order_by("-size")[:limit]:
        if checkpoint_timestamp_try(checkpoint=checkpoint) is None:
            break  # the authority is down: the next beat tries again
        stamped += 1
    return stamped
