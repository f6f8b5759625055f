"""Resumable uploads (tus 1.0.0: core, creation, checksum, termination, expiration) of evidence.

With the local store (the embedded default) chunks go to a file on the private staging disk; when the last byte has
arrived, a Celery task makes one streaming pass over it (SHA-256, the usual ingest checks) and stores and seals it
through :func:`evidence.services.evidence_ingest`.

With the S3 store, chunks go straight into the evidence bucket, as a multipart upload under the key of the item the
file will become (the upload's id). A chunk sent with a checksum that can be a part on its own (at least 5 MiB, or
the file's last bytes) streams into its part as it arrives; other request bodies wait in a local buffer file until a
part is full. The last part completes the object, a version not yet locked, which the Celery task checks and seals
where it is (a refused file's version is deleted):

- when every chunk came with an MD5 checksum and went into a part of its own, the store checked each part against
  the sender's MD5 as it arrived, and the file's SHA-256 was computed on the way, its state kept with the upload
  between requests (evidence.hashstate); the first and last bytes, all the checks read of most files, were kept
  locally as they passed. Nothing is read back, unless the checks need the whole file (PDF, images, an archive
  record at the end), which is then read once;
- otherwise (other checksums, small chunks, uploads begun before this), the task reads that version once: SHA-256
  of every byte, on local disk only what the checks read.

Every function here that changes an upload is a service: views, the API and tasks call them.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import datetime
import fcntl
import hashlib
import io
import logging
import os
import re
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from evidence import permissions, services, transmissions
from evidence.hashstate import HashStateUnavailableError, ResumableSHA256, available
from evidence.ingest import (
    STAGING_CHUNK_SIZE,
    IngestError,
    StagedUpload,
    clean_display_name,
    magic_window,
    stage_ends,
    stage_existing,
    stage_for_inspection,
    stage_stream,
    staging_dir,
)
from evidence.models import TusUpload
from evidence.storage import (
    EvidenceFileSystemStorage,
    EvidenceS3Storage,
    StorageLocation,
    StoreUnavailableError,
    evidence_storage,
    read_ahead,
)
from justice.accounts.models import Organisation, User
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)

TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,checksum,termination,expiration"
# Algorithms of the checksum extension, by their names in the Upload-Checksum header.
CHECKSUM_ALGORITHMS: dict[str, Callable[[], Any]] = {
    "sha1": hashlib.sha1,
    "sha256": hashlib.sha256,
    "sha512": hashlib.sha512,
    "md5": hashlib.md5,
}
S3_MIN_PART_SIZE = 5 * 1024 * 1024
S3_MAX_PART_SIZE = 5 * 1024 * 1024 * 1024
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# What the S3 store raises when it is down or refuses a request: the sender is told to try again later.
STORE_ERRORS = (StoreUnavailableError, BotoCoreError, ClientError)


class TusError(ApplicationError):
    """A tus request refused: ``status`` is the HTTP status, ``message`` the translated explanation."""

    def __init__(self, message: Any, *, status: int, code: str = "invalid") -> None:
        super().__init__(message, code=code)
        self.status = status


@dataclass(frozen=True)
class Metadata:
    filename: str
    filetype: str
    sha256: str
    case_ref: str
    organisation: str
    transmission: str = ""


def parse_metadata(header: str) -> Metadata:
    """Upload-Metadata: comma-separated ``key base64(value)`` pairs, keys unique."""
    values: dict[str, str] = {}
    for pair in filter(None, (part.strip() for part in header.split(","))):
        key, _sep, encoded = pair.partition(" ")
        if not key or key in values:
            raise TusError(_("The upload metadata (Upload-Metadata) is malformed."), status=400, code="metadata")
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            raise TusError(
                _("The upload metadata “%(key)s” is not valid base64-encoded UTF-8.") % {"key": key},
                status=400,
                code="metadata",
            ) from None
    filename = values.get("filename") or values.get("name") or ""
    if not filename.strip():
        raise TusError(
            _("Give the file’s name in the upload metadata (filename)."), status=400, code="metadata_filename"
        )
    sha256 = values.get("sha256", "").strip().lower()
    if sha256 and not SHA256_HEX.fullmatch(sha256):
        raise TusError(
            _("The declared SHA-256 (metadata sha256) must be 64 hexadecimal characters."),
            status=400,
            code="metadata_sha256",
        )
    case_ref = values.get("case_ref", "").strip()
    if len(case_ref) > 64:
        raise TusError(_("The case reference may have at most 64 characters."), status=400, code="metadata_case_ref")
    return Metadata(
        filename=filename,
        filetype=values.get("filetype", values.get("type", ""))[:100],
        sha256=sha256,
        case_ref=case_ref,
        organisation=values.get("organisation", "").strip(),
        transmission=values.get("transmission", "").strip(),
    )


def encode_metadata(upload: TusUpload) -> str:
    pairs = {"filename": upload.filename, "filetype": upload.filetype, "sha256": upload.expected_sha256}
    return ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in pairs.items() if value)


@dataclass(frozen=True)
class Checksum:
    algorithm: str
    digest: bytes


def parse_checksum(header: str) -> Checksum:
    algorithm, _sep, encoded = header.strip().partition(" ")
    algorithm = algorithm.lower()
    if algorithm not in CHECKSUM_ALGORITHMS:
        raise TusError(
            _("The checksum algorithm “%(algorithm)s” is not supported; use one of: %(supported)s.")
            % {"algorithm": algorithm, "supported": ", ".join(CHECKSUM_ALGORITHMS)},
            status=400,
            code="checksum_algorithm",
        )
    try:
        digest = base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise TusError(
            _("The checksum (Upload-Checksum) is not valid base64."), status=400, code="checksum_format"
        ) from None
    return Checksum(algorithm=algorithm, digest=digest)


def _lifetime() -> datetime.timedelta:
    return datetime.timedelta(hours=settings.EVIDENCE_TUS_LIFETIME_HOURS)


def _uses_s3() -> bool:
    return isinstance(evidence_storage(), EvidenceS3Storage)


def _local_dir() -> Path:
    path = staging_dir() / "tus"
    path.mkdir(mode=0o700, exist_ok=True)
    return path


def data_path(upload: TusUpload) -> Path:
    """Local backend: the bytes received so far. S3 backend: those waiting to make the next part."""
    if upload.backend == TusUpload.Backend.S3:
        return _local_dir() / f"{upload.pk}.part{len(upload.s3_parts) + 1}"
    return _local_dir() / str(upload.pk)


def _s3_storage() -> EvidenceS3Storage:
    storage = evidence_storage()
    if not isinstance(storage, EvidenceS3Storage):
        raise TypeError("this upload's chunks are in S3, but STORAGES['evidence'] is not an S3 store")
    return storage


def stored_location(upload: TusUpload) -> StorageLocation:
    """S3 backend, once the last part is in: the version the parts were assembled into."""
    return StorageLocation(
        backend=EvidenceS3Storage.backend_name,
        bucket=upload.s3_bucket,
        key=upload.s3_key,
        version_id=upload.s3_version_id,
    )


def _unavailable(error: Exception) -> TusError:
    logger.error("resumable upload: storage unavailable: %s", error)
    return TusError(
        _("The storage of uploads is unavailable for the moment: nothing was lost, send this part again later."),
        status=503,
        code="storage_unavailable",
    )


# --- services ---------------------------------------------------------------------------------------------------


def tus_upload_create(*, user: User, length: int, metadata: Metadata, channel: str, language: str = "fr") -> TusUpload:
    """Open a resumable upload of ``length`` bytes, after checking what can be checked before any byte arrives."""
    if not permissions.can_upload_evidence(user):
        raise TusError(_("Sign in to send evidence."), status=403, code="forbidden")
    name = clean_display_name(metadata.filename)
    organisation: Organisation | None = None
    if metadata.organisation:
        if metadata.organisation.isdigit():
            organisation = Organisation.objects.filter(pk=int(metadata.organisation)).first()
        if organisation is None or not permissions.can_upload_for(user, organisation):
            raise TusError(_("You are not a member of this organisation."), status=403, code="forbidden")
    limit = services.submitter_upload_limit(uploader=user, organisation=organisation)
    if length > limit:
        raise TusError(
            _(
                "The file “%(name)s” (%(size)s) is larger than the %(limit)s you may send: nothing was sent. Split "
                "the file or reduce its size."
            )
            % {"name": name, "size": filesizeformat(length), "limit": filesizeformat(limit)},
            status=413,
            code="too_large",
        )
    if length == 0:
        raise TusError(_("The file “%(name)s” is empty.") % {"name": name}, status=400, code="empty")
    upload = TusUpload(
        user=user,
        organisation=organisation,
        case_ref=metadata.case_ref,
        channel=channel,
        filename=name,
        filetype=metadata.filetype,
        expected_sha256=metadata.sha256,
        length=length,
        language=language[:8],
        backend=TusUpload.Backend.S3 if _uses_s3() else TusUpload.Backend.LOCAL,
        expires_at=timezone.now() + _lifetime(),
    )
    if metadata.transmission:
        try:
            transmissions.upload_attach(upload=upload, user=user, transmission_id=metadata.transmission)
        except transmissions.TransmissionError as error:
            status = {"not_found": 404, "already_received": 409, "status": 409, "expired": 410}.get(error.code, 400)
            raise TusError(error.message, status=status, code=error.code) from None
    if upload.backend == TusUpload.Backend.S3:
        # Under the key of the item it will become: once complete, the seal adopts the object where it is.
        storage = _s3_storage()
        upload.s3_bucket = storage.bucket_name
        upload.s3_key = storage.object_name(services.storage_key_name(upload.pk))
        try:
            upload.s3_upload_id = storage.multipart_begin(name=upload.s3_key)
        except STORE_ERRORS as error:
            raise _unavailable(error) from error
        if available():
            upload.hash_state = ResumableSHA256().state()
    data_path(upload).touch(mode=0o600, exist_ok=False)
    try:
        upload.save(force_insert=True)
    except BaseException:
        _discard_data(upload)
        raise
    logger.info("resumable upload %s created by user %s: %s bytes", upload.pk, user.pk, length)
    return upload


def tus_upload_get(*, user: User, pk: Any) -> TusUpload:
    """The caller's own upload; anyone else's is :class:`TusUpload.DoesNotExist`, like a missing one."""
    return TusUpload.objects.get(pk=pk, user=user)


def check_not_expired(upload: TusUpload) -> None:
    if upload.state == TusUpload.State.RECEIVING and upload.expires_at <= timezone.now():
        raise TusError(_("This upload has expired: start it again from the beginning."), status=410, code="expired")


def tus_upload_append(
    *,
    user: User,
    pk: Any,
    offset: int,
    content_length: int,
    body: IO[bytes],
    checksum: Checksum | None,
) -> TusUpload:
    """Append the request body at ``offset``.

    The body is read outside any database transaction (a long one would hold SQLite's lock against every other
    writer for the whole transfer); a lock on the upload's staging file keeps two requests from interleaving, and
    the offset is compared again when the new one is recorded. With a checksum, the chunk is kept only if it
    matches (else 460 and it is discarded), and in S3 it streams into a part of its own when it can (see
    :func:`_streams`); without one, whatever arrived before an interruption is kept, so that the client resumes
    from there.
    """
    upload = TusUpload.objects.get(pk=pk, user=user)
    with _exclusive(upload):
        upload.refresh_from_db()
        _check_appendable(upload, offset=offset, content_length=content_length)
        # A checksummed chunk is kept whole or not at all: in S3 it may then go straight into a part.
        if checksum is not None and _streams(upload, content_length):
            part, hash_state = _stream_part(upload, body, content_length, checksum)
            received = content_length
        else:
            part, hash_state = None, None
            received = _receive(upload, body, content_length, checksum)
        with transaction.atomic():
            current = TusUpload.objects.select_for_update().get(pk=upload.pk)
            if current.offset != upload.offset or current.state != upload.state:
                # Changed meanwhile by another server: what was just written is not counted, the client asks again.
                _check_appendable(current, offset=offset, content_length=content_length)
            upload.offset += received
            # Never shortened: a transmission's files may resume until the transmission expires.
            upload.expires_at = max(upload.expires_at, timezone.now() + _lifetime())
            complete = upload.offset == upload.length
            upload.hash_state = hash_state
            if part:
                upload.s3_parts = [*upload.s3_parts, part]
            elif upload.backend == TusUpload.Backend.S3:
                upload.buffered += received
                if upload.buffered >= settings.EVIDENCE_TUS_S3_PART_SIZE or (complete and upload.buffered):
                    _s3_flush_part(upload)
            if complete and upload.backend == TusUpload.Backend.S3:
                _s3_complete(upload)
            if complete:
                upload.state = TusUpload.State.RECEIVED
                upload_id = upload.pk
                transaction.on_commit(lambda: _enqueue_completion(upload_id))
            upload.save()
    return upload


def _check_appendable(upload: TusUpload, *, offset: int, content_length: int) -> None:
    check_not_expired(upload)
    if upload.state != TusUpload.State.RECEIVING:
        raise TusError(_("This upload is complete: no more bytes can be added to it."), status=403, code="complete")
    if offset != upload.offset:
        raise TusError(
            _("The offset %(sent)s does not match the %(offset)s bytes already received: ask for the offset.")
            % {"sent": offset, "offset": upload.offset},
            status=409,
            code="offset",
        )
    if upload.offset + content_length > upload.length:
        raise TusError(
            _("This part would go beyond the declared length of %(length)s bytes: it is refused.")
            % {"length": upload.length},
            status=400,
            code="beyond_length",
        )


@contextlib.contextmanager
def _exclusive(upload: TusUpload) -> Iterator[None]:
    """One request at a time per upload (on this server): a second one is told to wait (423)."""
    with open(_local_dir() / f"{upload.pk}.lock", "a+b") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise TusError(
                _(
                    "Another request is already sending bytes to this upload: wait for it to end, then ask for the "
                    "offset."
                ),
                status=423,
                code="locked",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _enqueue_completion(upload_id: uuid.UUID) -> None:
    from evidence.tasks import complete_tus_upload

    complete_tus_upload.delay(str(upload_id))


def _receive(upload: TusUpload, body: IO[bytes], content_length: int, checksum: Checksum | None) -> int:
    """Write up to ``content_length`` bytes of ``body`` after what is kept, in bounded pieces; returns the count."""
    path = data_path(upload)
    path.touch(mode=0o600, exist_ok=True)
    kept = upload.buffered if upload.backend == TusUpload.Backend.S3 else upload.offset
    digest = CHECKSUM_ALGORITHMS[checksum.algorithm]() if checksum else None
    received = 0
    with open(path, "r+b") as stream:
        # Drop whatever a failed request may have left past the kept bytes.
        stream.truncate(kept)
        stream.seek(kept)
        try:
            while received < content_length:
                chunk = body.read(min(STAGING_CHUNK_SIZE, content_length - received))
                if not chunk:
                    break
                if digest is not None:
                    digest.update(chunk)
                stream.write(chunk)
                received += len(chunk)
        except OSError as error:
            # The client went away: without a checksum the bytes received are good to keep (the client resumes
            # from the offset); with one they cannot be checked, so they go.
            logger.info("resumable upload %s interrupted after %s bytes: %s", upload.pk, received, error)
            if digest is not None:
                stream.truncate(kept)
                raise _interrupted() from error
            stream.flush()
            return received
        if (
            digest is not None
            and checksum is not None
            and (received != content_length or digest.digest() != checksum.digest)
        ):
            stream.truncate(kept)
            _log_mismatch(upload, checksum, received)
            raise _checksum_mismatch(checksum)
        stream.flush()
    return received


def _interrupted() -> TusError:
    return TusError(_("The transfer was interrupted."), status=400, code="interrupted")


def _checksum_mismatch(checksum: Checksum) -> TusError:
    return TusError(
        _(
            "This part does not match its checksum (%(algorithm)s): it was damaged on the way and was not kept. "
            "Send it again."
        )
        % {"algorithm": checksum.algorithm},
        status=460,
        code="checksum_mismatch",
    )


def _log_mismatch(upload: TusUpload, checksum: Checksum, size: int) -> None:
    logger.warning(
        "resumable upload %s: %s checksum mismatch at offset %s, part of %s bytes discarded",
        upload.pk,
        checksum.algorithm,
        upload.offset,
        size,
    )


def _streams(upload: TusUpload, content_length: int) -> bool:
    """Whether a checksummed request body goes straight into a part of its own: in S3, nothing waiting in the
    buffer, and a size S3 accepts for a part (at least 5 MiB unless it ends the file)."""
    return (
        upload.backend == TusUpload.Backend.S3
        and upload.buffered == 0
        and 0 < content_length <= S3_MAX_PART_SIZE
        and (content_length >= S3_MIN_PART_SIZE or upload.offset + content_length == upload.length)
    )


class _PartStream:
    """A request body on its way into a part, as the file the store's client reads: taken from the request in
    pieces of :data:`STAGING_CHUNK_SIZE`, hashed as they pass. With an MD5 checksum, the store checks the part
    against it (Content-MD5); with another one, it is checked here, before the last piece goes: on a mismatch, or
    if the sender goes away, reading fails, so the store never completes the part. ``fault`` then says what the
    sender is told.

    ``running``: the SHA-256 of the file so far, carried on over this chunk. ``ends``: a file descriptor where the
    bytes of the file's first and last :func:`magic_window` go, at their offsets (all the checks read of most files).
    """

    def __init__(
        self,
        body: IO[bytes],
        *,
        start: int,
        length: int,
        total: int,
        checksum: Checksum,
        running: ResumableSHA256 | None = None,
        ends: int | None = None,
    ) -> None:
        self._body = body
        self._start = start
        self._length = length
        self._checksum = checksum
        self._digest = None if checksum.algorithm == "md5" else CHECKSUM_ALGORITHMS[checksum.algorithm]()
        self._running = running
        self._ends = ends
        window = magic_window()
        self._windows = ((0, min(window, total)), (max(0, total - window), total))
        self._piece = memoryview(b"")
        self._taken = 0  # from the request
        self._given = 0  # to the store's client
        self.fault: TusError | None = None

    def read(self, size: int = -1, /) -> bytes:
        if size < 0:
            return b"".join(iter(lambda: self.read(STAGING_CHUNK_SIZE), b""))
        if not self._piece:
            self._take()
        given, self._piece = self._piece[:size], self._piece[size:]
        self._given += len(given)
        return bytes(given)

    def _take(self) -> None:
        if self.fault is not None:
            raise self.fault
        if self._taken == self._length:
            return
        try:
            piece = self._body.read(min(STAGING_CHUNK_SIZE, self._length - self._taken))
        except OSError as error:
            self.fault = _interrupted()
            raise self.fault from error
        if not piece:
            self.fault = _interrupted()
            raise self.fault
        if self._digest is not None:
            self._digest.update(piece)
        if self._running is not None:
            self._running.update(piece)
        if self._ends is not None:
            self._keep_ends(piece)
        self._taken += len(piece)
        if self._taken == self._length and self._digest is not None and self._digest.digest() != self._checksum.digest:
            self.fault = _checksum_mismatch(self._checksum)
            raise self.fault
        self._piece = memoryview(piece)

    def _keep_ends(self, piece: bytes) -> None:
        at = self._start + self._taken
        for low, high in self._windows:
            first, last = max(at, low), min(at + len(piece), high)
            if first < last:
                os.pwrite(self._ends, piece[first - at : last - at], first)  # type: ignore[arg-type]

    def tell(self) -> int:
        return self._given

    def seek(self, offset: int, whence: int = io.SEEK_SET, /) -> int:
        """Only where it already is (the store's client rewinds a body before a retry: this one cannot)."""
        if (offset, whence) not in {(self._given, io.SEEK_SET), (0, io.SEEK_CUR)}:
            raise io.UnsupportedOperation("a request body cannot be read twice")
        return self._given


def ends_path(upload: TusUpload) -> Path:
    """S3 backend: the first and last bytes of the file, kept as they pass (a sparse file; see :class:`_PartStream`)."""
    return _local_dir() / f"{upload.pk}.ends"


def _stream_part(
    upload: TusUpload, body: IO[bytes], content_length: int, checksum: Checksum
) -> tuple[dict[str, Any], bytes | None]:
    """Send the request body as the upload's next part, checked against ``checksum`` on the way; returns the part,
    and the SHA-256 state to keep (None unless the store checked this part and every one before).

    Nothing is recorded here: a part the row does not list is never assembled (the next attempt sends the same
    number again, replacing it). On a mismatch or an interruption, the store does not keep the part."""
    number = len(upload.s3_parts) + 1
    store_checks = checksum.algorithm == "md5"
    running = None
    if store_checks and upload.hash_state is not None:
        try:
            running = ResumableSHA256(bytes(upload.hash_state))
        except HashStateUnavailableError as error:
            logger.warning(
                "resumable upload %s: its SHA-256 cannot go on here (%s): read back at the end", upload.pk, error
            )
    ends = os.open(ends_path(upload), os.O_WRONLY | os.O_CREAT, 0o600) if running is not None else None
    reader = _PartStream(
        body,
        start=upload.offset,
        length=content_length,
        total=upload.length,
        checksum=checksum,
        running=running,
        ends=ends,
    )
    try:
        etag = _s3_storage().multipart_put_part(
            name=upload.s3_key,
            upload_id=upload.s3_upload_id,
            number=number,
            body=reader,
            length=content_length,
            content_md5=base64.b64encode(checksum.digest).decode() if store_checks else None,
        )
    except (*STORE_ERRORS, TusError) as error:
        if reader.fault is None and _is_bad_digest(error):
            reader.fault = _checksum_mismatch(checksum)
        if reader.fault is None:
            raise _unavailable(error) from error
        if reader.fault.code == "checksum_mismatch":
            _log_mismatch(upload, checksum, content_length)
        else:
            logger.info("resumable upload %s interrupted on its way to the store: %s", upload.pk, error)
        raise reader.fault from error
    finally:
        if ends is not None:
            os.close(ends)
    part = {"PartNumber": number, "ETag": etag, "Size": content_length}
    # The part's ETag is the MD5 the store found: anything else, and this part is not taken as checked.
    if running is None or etag.strip('"') != checksum.digest.hex():
        return part, None
    return part, running.state()


def _is_bad_digest(error: BaseException) -> bool:
    return isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") in {
        "BadDigest",
        "InvalidDigest",
    }


def _s3_flush_part(upload: TusUpload) -> None:
    """Send the buffered bytes as the next part (the buffer is at least 5 MiB, or holds the last bytes).

    Each part has a buffer file of its own, removed only once the new state is committed: if anything fails
    before, the row rolls back to the previous part and its buffer is still whole.
    """
    path = data_path(upload)
    number = len(upload.s3_parts) + 1
    try:
        with open(path, "rb") as stream:
            etag = _s3_storage().multipart_put_part(
                name=upload.s3_key, upload_id=upload.s3_upload_id, number=number, body=stream, length=upload.buffered
            )
    except STORE_ERRORS as error:
        raise _unavailable(error) from error
    upload.s3_parts = [*upload.s3_parts, {"PartNumber": number, "ETag": etag, "Size": upload.buffered}]
    upload.buffered = 0
    transaction.on_commit(lambda: path.unlink(missing_ok=True))


def _s3_complete(upload: TusUpload) -> None:
    """Assemble the parts: the version they make is the one the completion reads and the seal points at."""
    try:
        location = _s3_storage().multipart_finish(
            name=upload.s3_key, upload_id=upload.s3_upload_id, parts=upload.s3_parts
        )
    except STORE_ERRORS as error:
        raise _unavailable(error) from error
    upload.s3_version_id = location.version_id


def tus_upload_terminate(*, user: User, pk: Any) -> None:
    """Termination: the sender abandons an upload; its bytes are removed. A file already received stays."""
    with transaction.atomic():
        upload = TusUpload.objects.select_for_update().get(pk=pk, user=user)
        if upload.state in {TusUpload.State.RECEIVED, TusUpload.State.SEALED}:
            raise TusError(
                _("This upload is complete and its file has been handed over for sealing: it cannot be cancelled."),
                status=409,
                code="complete",
            )
        # Deleted through a queryset, so that the instance keeps its id for the removal of its bytes.
        TusUpload.objects.filter(pk=upload.pk).delete()
        transaction.on_commit(lambda: _discard_data(upload))
    logger.info("resumable upload %s terminated by user %s", pk, user.pk)


def tus_uploads_expire(*, now: datetime.datetime | None = None) -> int:
    """Remove unfinished uploads past their expiry, bytes and rows, and refusals kept as long; returns how many."""
    now = now or timezone.now()
    removed = 0
    candidates = TusUpload.objects.filter(
        expires_at__lte=now, state__in=(TusUpload.State.RECEIVING, TusUpload.State.REJECTED)
    ).values_list("pk", flat=True)
    for pk in list(candidates):
        with transaction.atomic():
            upload = (
                TusUpload.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, expires_at__lte=now, state__in=(TusUpload.State.RECEIVING, TusUpload.State.REJECTED))
                .first()
            )
            if upload is None:
                continue
            TusUpload.objects.filter(pk=upload.pk).delete()
            transaction.on_commit(lambda upload=upload: _discard_data(upload))  # type: ignore[misc]
            removed += 1
    if removed:
        logger.info("%s expired resumable uploads removed", removed)
    return removed


def _discard_data(upload: TusUpload) -> None:
    """Remove what ``upload`` left that no item holds: its local file or buffer; in S3, the multipart upload of an
    unfinished upload, or the (never locked) version of a refused file. A sealed upload's version is its item's."""
    for path in _local_dir().glob(f"{upload.pk}*"):
        path.unlink(missing_ok=True)
    if upload.backend != TusUpload.Backend.S3 or not upload.s3_upload_id or upload.state == TusUpload.State.SEALED:
        return
    storage = _s3_storage()
    try:
        if upload.state == TusUpload.State.RECEIVING:
            storage.multipart_abort(name=upload.s3_key, upload_id=upload.s3_upload_id)
        else:
            storage.discard(stored_location(upload))
    except STORE_ERRORS as error:
        # Its key belongs to no item and, once the row is gone, to no upload: the store's cleanup removes it.
        logger.warning("resumable upload %s: its bytes were not removed from the store yet: %s", upload.pk, error)


def _stage_received(upload: TusUpload) -> StagedUpload:
    """The received bytes, hashed. From S3, when every part was checked by the store against the sender's MD5 and
    hashed on its way (see :func:`_stream_part`): that SHA-256, and the first and last bytes kept locally, unless
    the checks need the whole file; otherwise one read of the assembled version, of which only what the checks
    read is kept on local disk. Locally, the file itself (linked, not copied), in one read pass."""
    if upload.backend == TusUpload.Backend.S3:
        staged, read_whole = _stage_hashed_on_arrival(upload)
        if staged is not None:
            logger.info("resumable upload %s: hashed on arrival, not read back", upload.pk)
            return staged
        location = stored_location(upload)
        storage = _s3_storage()

        def read() -> Iterator[bytes]:
            return read_ahead(storage.read_chunks(location))

        try:
            if read_whole:
                return stage_stream(read(), sent_name=upload.filename, max_bytes=upload.length)
            return stage_for_inspection(read, sent_name=upload.filename, max_bytes=upload.length)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") not in {"NoSuchKey", "NoSuchVersion", "404"}:
                raise
            logger.error("resumable upload %s: its received file %s is missing from the store", upload.pk, location)
            raise IngestError(
                _("The file “%(name)s” was received but is no longer in the store: nothing was kept. Send it again.")
                % {"name": upload.filename},
                code="missing",
            ) from error
    return stage_existing(data_path(upload), sent_name=upload.filename, max_bytes=upload.length)


def _stage_hashed_on_arrival(upload: TusUpload) -> tuple[StagedUpload | None, bool]:
    """The file staged from what was kept as it arrived, or None; and whether it must be read whole (hashed on
    arrival, but the checks read every byte of it)."""
    if upload.hash_state is None or not ends_path(upload).exists():
        return None, False
    try:
        sha256 = ResumableSHA256(bytes(upload.hash_state)).hexdigest()
    except HashStateUnavailableError as error:
        logger.warning("resumable upload %s: its SHA-256 cannot be finished here (%s): read back", upload.pk, error)
        return None, False
    staged = stage_ends(ends_path(upload), sent_name=upload.filename, length=upload.length, sha256=sha256)
    return staged, staged is None


def _clear_interrupted_attempt(upload: TusUpload) -> None:
    """Local store: a previous attempt may have moved the file into the store and died before its transaction
    committed (the row is still RECEIVED and no item has this key): that leftover is removed. (In S3 the file is
    sealed where the upload put it: there is no second copy to clear, and the new attempt reads the same version.)"""
    storage = evidence_storage()
    if not isinstance(storage, EvidenceFileSystemStorage):
        return
    name = services.storage_key_name(upload.pk)
    if storage.exists(name):
        logger.warning("resumable upload %s: removing %s left by an interrupted attempt", upload.pk, name)
        storage.delete(name)


def tus_upload_complete(*, upload_id: Any) -> TusUpload:
    """Check, store and seal a fully received upload: once, whatever the number of deliveries of the task.

    The row stays locked from the first read to the commit that creates the item and marks the upload sealed; a
    worker killed half-way leaves it RECEIVED (its transaction rolled back) and the redelivered task starts over
    (from S3: reading the same version again, still unlocked, and sealing it once). A refusal (checks, declared
    SHA-256) is recorded on the row with its reason; nothing is kept (in S3, the version is deleted).
    """
    with transaction.atomic():
        upload = (
            TusUpload.objects.select_for_update(of=("self",)).select_related("user", "organisation").get(pk=upload_id)
        )
        if upload.state != TusUpload.State.RECEIVED:
            logger.info("resumable upload %s is %s: nothing to do", upload.pk, upload.state)
            return upload
        logger.info("resumable upload %s: checking and sealing %s bytes", upload.pk, upload.length)
        with translation.override(upload.language):
            try:
                staged = _stage_received(upload)
                try:
                    if staged.received != upload.length:
                        raise IngestError(
                            _("The file “%(name)s” is incomplete: %(received)s bytes of %(length)s were received.")
                            % {"name": upload.filename, "received": staged.received, "length": upload.length},
                            code="incomplete",
                        )
                    if upload.expected_sha256 and staged.sha256 != upload.expected_sha256:
                        raise IngestError(
                            _(
                                "The file “%(name)s” is not the one announced: its SHA-256 fingerprint is %(found)s, "
                                "not %(declared)s as declared. It was damaged or replaced on the way; nothing was "
                                "kept. Send it again."
                            )
                            % {"name": upload.filename, "found": staged.sha256, "declared": upload.expected_sha256},
                            code="sha256_mismatch",
                        )
                    entry = transmissions.upload_check(upload=upload, staged=staged)
                except BaseException:
                    staged.close()
                    raise
                _clear_interrupted_attempt(upload)
                item = services.evidence_ingest(
                    upload=staged,
                    uploader=upload.user,
                    organisation=upload.organisation,
                    channel=upload.channel,
                    case_ref=upload.case_ref,
                    storage_key=upload.pk,
                    stored=stored_location(upload) if upload.backend == TusUpload.Backend.S3 else None,
                )
            except IngestError as error:
                upload.state = TusUpload.State.REJECTED
                upload.error_code = error.code
                upload.error_message = str(error.message)
                upload.expires_at = timezone.now() + _lifetime()
                upload.save()
                transaction.on_commit(lambda: _discard_data(upload))
                logger.info("resumable upload %s refused (%s): %s", upload.pk, error.code, upload.error_message)
                return upload
        if entry is not None:
            entry.item = item
            entry.save(update_fields=["item"])
        upload.state = TusUpload.State.SEALED
        upload.item = item
        upload.sha256 = item.seal.sha256
        upload.save()
        transaction.on_commit(lambda: _discard_data(upload))
    logger.info("resumable upload %s sealed as evidence %s", upload.pk, item.pk)
    return upload


def tus_status(upload: TusUpload) -> dict[str, Any]:
    """What the status endpoint says of an upload: state, progress, refusal reason, the item once sealed."""
    from django.urls import reverse

    return {
        "id": str(upload.pk),
        "state": upload.state,
        "state_label": str(TusUpload.State(upload.state).label),
        "offset": upload.offset,
        "length": upload.length,
        "filename": upload.filename,
        "error": upload.error_message or None,
        "error_code": upload.error_code or None,
        "item_url": reverse("evidence:detail", args=[upload.item_id]) if upload.item_id else None,
        "sha256": upload.sha256 or None,
    }
