"""Public pages of the transparency log, open to anyone without an account: the web verifier, and the log's
checkpoints and proofs (plain text and JSON, cacheable, rate-limited; hashes only, no personal data)."""

from __future__ import annotations

import base64
import binascii

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from evidence.keys import log_verifiers
from evidence.models import Checkpoint, LogEntry
from evidence.translog import hash_source, translog_checkpoint
from justice.ratelimit import rate_limited

# Requests per minute and address to the log's public endpoints: ample for monitors and verifiers.
PUBLIC_LOG_RATE = 120


def verify_page(request: HttpRequest) -> HttpResponse:
    """Drop a file and its receipt; the check runs in the browser and the file is never uploaded."""
    messages = {
        "ok_title": _("The file is authentic"),
        "ok": _(
            "Its SHA-256 fingerprint {sha256} is the one sealed on {sealed_at}; the seal is entry {index} of the "
            "transparency log, whose checkpoint of {size} entries is signed by the portal's key."
        ),
        "failed_title": _("The check failed"),
        "missing_title": _("Two files are needed"),
        "missing": _("Choose the file to check and its seal receipt (.json)."),
        "reasons": {
            "hash_mismatch": _("The file is not the one that was sealed: its fingerprint differs."),
            "size_mismatch": _("The file is not the one that was sealed: its size differs."),
            "bad_inclusion": _("The receipt's proof does not match the log: the receipt was altered."),
            "bad_checkpoint": _("The log's checkpoint is not signed by the portal's key: the receipt was altered."),
            "malformed_receipt": _("This is not a valid seal receipt of the portal."),
            "malformed_record": _("The seal record in the receipt is damaged."),
            "bad_key": _("The public key is not valid."),
            "error": _("The check could not be completed."),
        },
    }
    return render(
        request,
        "evidence/verify.html",
        {"public_key": log_verifiers()[0].encode(), "verify_messages": messages},
    )


def _plain(text: str, *, max_age: int) -> HttpResponse:
    response = HttpResponse(text, content_type="text/plain; charset=utf-8")
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _json(data: dict[str, object], *, max_age: int) -> JsonResponse:
    response = JsonResponse(data)
    patch_cache_control(response, public=True, max_age=max_age)
    return response


def _error(message: str, status: int = 400) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@rate_limited("translog", limit=PUBLIC_LOG_RATE)
@require_GET
def latest_checkpoint(request: HttpRequest) -> HttpResponse:
    """The latest signed checkpoint (C2SP tlog-checkpoint); one is signed on demand when the log has grown."""
    return _plain(translog_checkpoint().note, max_age=30)


@rate_limited("translog", limit=PUBLIC_LOG_RATE)
@require_GET
def checkpoint_at(request: HttpRequest, size: int) -> HttpResponse:
    checkpoint = Checkpoint.objects.filter(size=size).first()
    if checkpoint is None:
        raise Http404
    # A checkpoint never changes: it may be cached for ever.
    return _plain(checkpoint.note, max_age=31536000)


def _size(request: HttpRequest, name: str) -> int:
    value = request.GET.get(name, "")
    if not value.isdigit():
        raise ValueError(f"{name} must be a whole number")
    return int(value)


@rate_limited("translog", limit=PUBLIC_LOG_RATE)
@require_GET
def consistency_proof(request: HttpRequest) -> HttpResponse:
    """Proof that the log at ``first`` leaves is a prefix of the log at ``second`` leaves (RFC 9162 2.1.4)."""
    try:
        first, second = _size(request, "first"), _size(request, "second")
        if not 0 < first <= second:
            raise ValueError("0 < first <= second is required")
    except ValueError as error:
        return _error(str(error))
    if not Checkpoint.objects.filter(size=second).exists():
        return _error("second must be the size of a published checkpoint", status=404)
    proof = hash_source(second).consistency_proof(first)
    return _json(
        {"first": first, "second": second, "proof": [base64.b64encode(h).decode() for h in proof]},
        max_age=31536000,
    )


@rate_limited("translog", limit=PUBLIC_LOG_RATE)
@require_GET
def inclusion_proof(request: HttpRequest) -> HttpResponse:
    """Where a leaf (given by its hash, hex or base64) stands in the log at ``tree_size``, with the proof."""
    try:
        size = _size(request, "tree_size")
        text = request.GET.get("leaf_hash", "")
        wanted = bytes.fromhex(text) if len(text) == 64 else base64.b64decode(text, validate=True)
        if len(wanted) != 32:
            raise ValueError("leaf_hash must be a SHA-256 hash")
    except (ValueError, binascii.Error) as error:
        return _error(str(error))
    if not Checkpoint.objects.filter(size=size).exists():
        return _error("tree_size must be the size of a published checkpoint", status=404)
    index = LogEntry.objects.filter(leaf_hash=wanted, index__lt=size).values_list("index", flat=True).first()
    if index is None:
        return _error("no such leaf in the log at that size", status=404)
    proof = hash_source(size).inclusion_proof(index)
    return _json(
        {"leaf_index": index, "tree_size": size, "proof": [base64.b64encode(h).decode() for h in proof]},
        max_age=31536000,
    )
