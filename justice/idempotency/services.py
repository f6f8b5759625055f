"""Idempotent API writes (after the IETF draft “The Idempotency-Key HTTP Header Field”).

A client that sends ``Idempotency-Key: <key>`` with a POST may retry it safely: the first response is stored with
the work it did, in the same transaction, and a retry from the same caller with the same request gets that response
back (marked ``Idempotent-Replayed: true``) while nothing is done twice. The same key with another request is a 422.
Two copies of the request at the same time are serialised by the unique constraint: the second waits for the first
and replays its response.

Use on a DRF view's handler::

    @idempotent()
    def post(self, request): ...

API clients of an organisation (police software) pass their own ``caller``, e.g.
``@idempotent(caller=lambda request: f"client:{request.auth.application_id}")``.
"""

from __future__ import annotations

import datetime
import functools
import hashlib
import json
import logging
import re
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http.request import RawPostDataException
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from justice.idempotency.models import IdempotencyRecord

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
# Headers of the first response given back with its replays.
KEPT_HEADERS = ("Location",)
# Visible ASCII, as a plain token or a structured-field string (the draft's form: "…" in double quotes).
VALID_KEY = re.compile(r"[\x21-\x7e]{1,255}")

INVALID_KEY = _("The Idempotency-Key header must be 1 to 255 visible ASCII characters, for example a UUID.")
KEY_REUSED = _(
    "This Idempotency-Key was already used for a different request (another address or body). Use a new key for "
    "each new request; send the same key only to retry the very same request."
)


def user_caller(request: Request) -> str:
    """The caller of a request made in a person's session."""
    return f"user:{request.user.pk}"


def request_fingerprint(*, method: str, path: str, body: bytes) -> str:
    """What makes two requests “the same”: method, path and body (JSON compared by value, not by spacing or key
    order)."""
    try:
        canonical = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    except ValueError:
        canonical = body
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def parse_key(value: str) -> str | None:
    """The key of a header value, or None when it is not a valid key."""
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return value if VALID_KEY.fullmatch(value) else None


def _ttl() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_TTL_HOURS)


def _replay(record: IdempotencyRecord) -> Response:
    response = Response(record.response_body, status=record.status_code)
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def _body(request: Request) -> bytes:
    try:
        return request.body
    except RawPostDataException:
        # The body was already parsed (a form): compare what it contained.
        return json.dumps(request.data, sort_keys=True, cls=JSONEncoder).encode()


def idempotency_run(*, caller: str, key: str, fingerprint: str, run: Callable[[], Response]) -> Response:
    """``run()`` once per (caller, key): its successful response is stored with its work, in one transaction;
    a failed one (an error status, an exception) stores nothing and leaves the key free for a corrected retry."""
    with transaction.atomic():
        now = timezone.now()
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    caller=caller,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=0,
                    created_at=now,
                    expires_at=now + _ttl(),
                )
        except IntegrityError:
            # Either long done, or done by a concurrent request we waited for: both committed, both readable now.
            existing = IdempotencyRecord.objects.select_for_update().get(caller=caller, key=key)
            if existing.expires_at <= now:
                existing.delete()
                record = IdempotencyRecord.objects.create(
                    caller=caller,
                    key=key,
                    fingerprint=fingerprint,
                    status_code=0,
                    created_at=now,
                    expires_at=now + _ttl(),
                )
            elif existing.fingerprint != fingerprint:
                logger.info("idempotency key reused with another request by %s", caller)
                return Response({"detail": KEY_REUSED, "code": "idempotency_key_reused"}, status=422)
            else:
                logger.info("idempotent replay for %s", caller)
                return _replay(existing)
        response = run()
        if not status.is_success(response.status_code):
            transaction.set_rollback(True)
            return response
        record.status_code = response.status_code
        record.response_body = getattr(response, "data", None)
        record.response_headers = {name: response[name] for name in KEPT_HEADERS if response.has_header(name)}
        record.save(update_fields=["status_code", "response_body", "response_headers"])
    return response


def idempotent(
    caller: Callable[[Request], str] = user_caller,
) -> Callable[[Callable[..., Response]], Callable[..., Response]]:
    """Decorate a DRF handler (``post``) so that it honours the ``Idempotency-Key`` header when one is sent."""

    def decorator(handler: Callable[..., Response]) -> Callable[..., Response]:
        @functools.wraps(handler)
        def wrapped(view: Any, request: Request, *args: Any, **kwargs: Any) -> Response:
            header = request.headers.get(HEADER)
            if header is None:
                return handler(view, request, *args, **kwargs)
            key = parse_key(header)
            if key is None:
                return Response({"detail": INVALID_KEY, "code": "idempotency_key_invalid"}, status=400)
            fingerprint = request_fingerprint(method=request.method or "", path=request.path, body=_body(request))
            return idempotency_run(
                caller=caller(request),
                key=key,
                fingerprint=fingerprint,
                run=lambda: handler(view, request, *args, **kwargs),
            )

        return wrapped

    return decorator


def idempotency_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Forget the responses whose keys have expired; returns how many."""
    deleted, _detail = IdempotencyRecord.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
