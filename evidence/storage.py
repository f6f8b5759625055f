"""Where evidence originals are kept: the ``evidence`` storage alias, private, never reachable by URL.

Locally (the embedded default) files go under ``var/evidence``, read-only once written. In production they go to an
S3 bucket with Object Lock: each sealed object is put under a COMPLIANCE retention (nobody, not even the bucket
owner, can delete it or shorten its retention before the date) and can be put under legal hold. The seal records the
object's version id, and reads always ask for that version.

The retention is set just after the seal commits, not with the write: an object whose seal never commits (the
database or the process failed in between) must stay deletable, or the store would keep unaccounted copies of
personal data for years. ``remove_orphans`` deletes such objects (and unfinished multipart uploads) once they are
old enough; a beat task locks any sealed object the store was too unavailable to lock at once.

A resumable upload writes its parts straight into the S3 store, as a multipart upload under the key of the item it
will become (``multipart_*``): its bytes cross the store once, and the seal adopts the version the last part
completes. Until then that version is unlocked like any other, so a refused file can be deleted (:meth:`discard`).
"""

from __future__ import annotations

import datetime
import logging
import os
import queue
import threading
import uuid
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone
from storages.backends.s3 import S3Storage

logger = logging.getLogger(__name__)

READ_CHUNK_SIZE = 1024 * 1024


# Given storage keys, says which are accounted for: an evidence item's, or a resumable upload's still going on (used
# to tell sealed objects and uploads in progress from orphans).
KnownKeys = Callable[[list[uuid.UUID]], set[uuid.UUID]]


class PartBody(Protocol):
    """What a part is read from: a file, or a stream that can only tell where it is (see evidence.tus)."""

    def read(self, size: int = -1, /) -> bytes: ...

    def tell(self) -> int: ...

    def seek(self, offset: int, whence: int = 0, /) -> int: ...


class StoreUnavailableError(RuntimeError):
    """The object store did not answer (down, unreachable, overloaded): retry later; nothing was kept."""


# S3 error codes that mean "try again", as opposed to a refusal that retrying cannot change.
_RETRYABLE_CODES = {"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "503", "500"}


@contextmanager
def store_errors(action: str) -> Iterator[None]:
    """Turn the store's transient failures into :class:`StoreUnavailableError`; other errors pass through."""
    try:
        yield
    except ClientError as error:
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in _RETRYABLE_CODES or status >= 500:
            raise StoreUnavailableError(f"object store failed while {action}: {code or status}") from error
        raise
    except BotoCoreError as error:
        # Connection refused or reset, timeouts, truncated responses: the store is down or unreachable.
        raise StoreUnavailableError(f"object store unreachable while {action}: {error}") from error


@dataclass(frozen=True)
class StorageLocation:
    """Where exactly an original lives; part of the seal record."""

    backend: str
    bucket: str
    key: str
    version_id: str

    def as_record(self) -> dict[str, str]:
        return {"backend": self.backend, "bucket": self.bucket, "key": self.key, "version_id": self.version_id}


@runtime_checkable
class EvidenceStorage(Protocol):
    def store(self, *, key: str, content: File[Any]) -> StorageLocation: ...

    def lock(self, location: StorageLocation) -> datetime.datetime | None: ...

    def read_chunks(self, location: StorageLocation) -> Iterator[bytes]: ...

    def remove_orphans(self, *, is_known: KnownKeys, older_than: datetime.datetime) -> int: ...


class NoPublicURLError(NotImplementedError):
    pass


class EvidenceFileSystemStorage(FileSystemStorage):
    """Local store of the embedded default. Not write-once: files are made read-only, which stops mistakes, not
    an administrator; production uses :class:`EvidenceS3Storage`."""

    backend_name = "filesystem"

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("file_permissions_mode", 0o440)
        kwargs.setdefault("directory_permissions_mode", 0o750)
        kwargs["base_url"] = None
        super().__init__(**kwargs)

    def url(self, name: str | None) -> str:
        raise NoPublicURLError("Evidence is only served through the access-checked download view.")

    def store(self, *, key: str, content: File[Any]) -> StorageLocation:
        if self.exists(key):
            raise FileExistsError(f"evidence object {key} already exists")
        saved = self.save(key, content)
        return StorageLocation(backend=self.backend_name, bucket="", key=saved, version_id="")

    def lock(self, location: StorageLocation) -> datetime.datetime | None:
        # Files are read-only from the moment they are written; there is no retention date to set.
        return None

    def read_chunks(self, location: StorageLocation) -> Iterator[bytes]:
        with self.open(location.key, "rb") as stored:
            while chunk := stored.read(READ_CHUNK_SIZE):
                yield chunk

    def remove_orphans(self, *, is_known: KnownKeys, older_than: datetime.datetime) -> int:
        """Delete files older than ``older_than`` that no evidence item points at (a crash between the write and
        the commit of the seal). Returns how many were removed."""
        removed = 0
        cutoff = older_than.timestamp()
        for directory, _dirs, files in os.walk(self.location):
            candidates: dict[uuid.UUID, str] = {}
            for name in files:
                path = os.path.join(directory, name)
                key = _key_of(name)
                if key is not None and os.stat(path).st_mtime < cutoff:
                    candidates[key] = path
            known = is_known(list(candidates)) if candidates else set()
            for key, path in candidates.items():
                if key not in known:
                    os.remove(path)
                    logger.warning("removed orphan evidence file %s (no item points at it)", path)
                    removed += 1
        return removed


class ObjectLockError(RuntimeError):
    pass


class EvidenceS3Storage(S3Storage):
    """S3 store with Object Lock: COMPLIANCE retention on every object, checked after upload; reads by version id.

    ``object_lock`` (an option, on by default) may be turned off only for a bucket without Object Lock, which
    the integration tests use to show that tampering is caught on the way out.
    """

    backend_name = "s3"

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self._parts_clients = threading.local()

    def get_default_settings(self) -> dict[str, Any]:
        defaults: dict[str, Any] = super().get_default_settings()
        return {**defaults, "object_lock": True}

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        raise NoPublicURLError("Evidence is only served through the access-checked download view.")

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        params: dict[str, Any] = super().get_object_parameters(name)
        params["ContentType"] = "application/octet-stream"
        return params

    def store(self, *, key: str, content: File[Any]) -> StorageLocation:
        """Write the object, not yet locked: the lock is set by :meth:`lock` once the seal is committed, so that a
        write whose seal never commits leaves an object that :meth:`remove_orphans` can still delete."""
        with store_errors("storing an evidence object"):
            # Keys are fresh UUIDs; file_overwrite=False makes the storage refuse to reuse one.
            saved = self._normalize_name(self.save(key, content))
            head = self.connection.meta.client.head_object(Bucket=self.bucket_name, Key=saved)
        if self.object_lock and not head.get("VersionId"):
            raise ObjectLockError(f"bucket {self.bucket_name} is not versioned: it cannot hold locked evidence")
        # A bucket with Object Lock is always versioned: the version is what the seal points at, so that a later
        # write under the same key (a new version) can never stand in for the original.
        return StorageLocation(
            backend=self.backend_name, bucket=self.bucket_name, key=saved, version_id=head.get("VersionId") or ""
        )

    def object_name(self, key: str) -> str:
        """The name in the bucket of the object stored under ``key`` (the storage's ``location`` prefix added)."""
        name: str = self._normalize_name(key)
        return name

    @property
    def parts_client(self) -> Any:
        """The client of resumable uploads' multipart uploads (one per thread, like ``connection``).

        Their parts are sent without a hash computed here: no signed payload (botocore signs over http), no
        flexible checksum (CRC32, which radosgw 16.2 ignores anyway), and a Content-MD5 only when the sender gave the
        chunk's MD5 (evidence.tus passes it on, and the store checks the part against it as it arrives). Without it,
        the completion reads the assembled version back and hashes every byte against the declared SHA-256 before
        anything is sealed, which catches whatever a per-part hash would; computing one here would cost a hash per
        byte on each side (a part's upload about 1.6x slower, see benchmarks/README.md).
        """
        client = getattr(self._parts_clients, "client", None)
        if client is None:
            config: Any = self.client_config
            s3_options: Any = {**(config.s3 or {}), "payload_signing_enabled": False}
            client = self._create_session().client(
                "s3",
                region_name=self.region_name,
                use_ssl=self.use_ssl,
                endpoint_url=self.endpoint_url,
                config=config.merge(Config(s3=s3_options, request_checksum_calculation="when_required")),
                verify=self.verify,
            )
            self._parts_clients.client = client
        return client

    def multipart_begin(self, *, name: str) -> str:
        """Start a multipart upload of the object ``name``; returns its upload id."""
        with store_errors("starting a multipart upload"):
            upload_id: str = self.parts_client.create_multipart_upload(
                Bucket=self.bucket_name, Key=name, ContentType="application/octet-stream"
            )["UploadId"]
        return upload_id

    def multipart_put_part(
        self, *, name: str, upload_id: str, number: int, body: PartBody, length: int, content_md5: str | None = None
    ) -> str:
        """Send part ``number`` (``length`` bytes read from ``body``, a file or a stream); returns its ETag. With
        ``content_md5`` (base64), the store refuses a part whose bytes do not have that MD5 (BadDigest)."""
        md5 = {"ContentMD5": content_md5} if content_md5 else {}
        with store_errors("sending a part of a multipart upload"):
            etag: str = self.parts_client.upload_part(
                Bucket=self.bucket_name,
                Key=name,
                UploadId=upload_id,
                PartNumber=number,
                Body=body,
                ContentLength=length,
                **md5,
            )["ETag"]
        return etag

    def multipart_finish(self, *, name: str, upload_id: str, parts: list[dict[str, Any]]) -> StorageLocation:
        """Assemble the parts into the object: a new version, not locked (see :meth:`lock`)."""
        with store_errors("completing a multipart upload"):
            done = self.parts_client.complete_multipart_upload(
                Bucket=self.bucket_name,
                Key=name,
                UploadId=upload_id,
                MultipartUpload={"Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts]},
            )
        if self.object_lock and not done.get("VersionId"):
            raise ObjectLockError(f"bucket {self.bucket_name} is not versioned: it cannot hold locked evidence")
        return StorageLocation(
            backend=self.backend_name, bucket=self.bucket_name, key=name, version_id=done.get("VersionId") or ""
        )

    def multipart_abort(self, *, name: str, upload_id: str) -> None:
        with store_errors("aborting a multipart upload"):
            self.parts_client.abort_multipart_upload(Bucket=self.bucket_name, Key=name, UploadId=upload_id)

    def discard(self, location: StorageLocation) -> None:
        """Delete a version that was never sealed (hence never locked): the store refuses a locked one."""
        params: dict[str, Any] = {"Bucket": location.bucket, "Key": location.key}
        if location.version_id:
            # Deleting a version removes it for good; without one, S3 would only add a delete marker.
            params["VersionId"] = location.version_id
        with store_errors("deleting an unsealed evidence object"):
            self.connection.meta.client.delete_object(**params)

    def lock(self, location: StorageLocation) -> datetime.datetime | None:
        """Put the sealed version under COMPLIANCE retention and check that it holds; returns the date."""
        if not self.object_lock:
            return None
        until = retain_until()
        client = self.connection.meta.client
        version = {"Bucket": location.bucket, "Key": location.key, "VersionId": location.version_id}
        with store_errors("locking an evidence object"):
            client.put_object_retention(**version, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
            retention = client.get_object_retention(**version)["Retention"]
        if retention.get("Mode") != "COMPLIANCE" or retention["RetainUntilDate"] < until - datetime.timedelta(
            seconds=1
        ):
            raise ObjectLockError(f"evidence object {location.key} could not be locked: {retention}")
        return until

    def read_chunks(self, location: StorageLocation) -> Iterator[bytes]:
        params: dict[str, Any] = {"Bucket": location.bucket, "Key": location.key}
        if location.version_id:
            params["VersionId"] = location.version_id
        with store_errors("reading an evidence object"):
            body = self.connection.meta.client.get_object(**params)["Body"]
        try:
            with store_errors("reading an evidence object"):
                yield from body.iter_chunks(READ_CHUNK_SIZE)
        finally:
            body.close()

    def remove_orphans(self, *, is_known: KnownKeys, older_than: datetime.datetime) -> int:
        """Abort multipart uploads started before ``older_than`` (a transfer cut by a crash or an outage) and
        delete the versions of objects, whose keys ``is_known`` does not know (no evidence item, no resumable
        upload still going on). Sealed objects are locked: they are never candidates, and the store would refuse
        anyway. Returns how many uploads and versions were removed."""
        client = self.connection.meta.client
        removed = 0
        with store_errors("cleaning up the evidence store"):
            for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=self.bucket_name):
                uploads = [upload for upload in page.get("Uploads", []) if upload["Initiated"] < older_than]
                known = is_known([key for u in uploads if (key := _key_of(u["Key"])) is not None])
                for upload in uploads:
                    if _key_of(upload["Key"]) in known:
                        continue
                    client.abort_multipart_upload(
                        Bucket=self.bucket_name, Key=upload["Key"], UploadId=upload["UploadId"]
                    )
                    logger.warning("aborted unfinished upload of evidence object %s", upload["Key"])
                    removed += 1
            for page in client.get_paginator("list_object_versions").paginate(Bucket=self.bucket_name):
                versions = [
                    version
                    for version in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
                    if version["LastModified"] < older_than and _key_of(version["Key"]) is not None
                ]
                known = is_known([key for v in versions if (key := _key_of(v["Key"])) is not None])
                for version in versions:
                    if _key_of(version["Key"]) not in known:
                        client.delete_object(
                            Bucket=self.bucket_name, Key=version["Key"], VersionId=version["VersionId"]
                        )
                        logger.warning("removed orphan evidence object %s (no item points at it)", version["Key"])
                        removed += 1
        return removed

    def set_legal_hold(self, location: StorageLocation, *, on: bool) -> None:
        """A legal hold keeps the version from deletion whatever its retention date, until it is lifted."""
        params: dict[str, Any] = {
            "Bucket": location.bucket,
            "Key": location.key,
            "LegalHold": {"Status": "ON" if on else "OFF"},
        }
        if location.version_id:
            params["VersionId"] = location.version_id
        self.connection.meta.client.put_object_legal_hold(**params)


def _key_of(name: str) -> uuid.UUID | None:
    """The item's storage key from an object name (``ab/<uuid>``); None for anything else in the store."""
    try:
        return uuid.UUID(name.rsplit("/", 1)[-1])
    except ValueError:
        return None


def read_ahead(chunks: Iterator[bytes], *, depth: int = 4) -> Generator[bytes, None, None]:
    """``chunks``, read by a thread of their own up to ``depth`` chunks ahead of the consumer.

    Reading a stored object and hashing it then overlap instead of taking turns (both release the GIL): the
    completion of a resumable upload reads its version back about 1.5x faster. The first chunk is read by the
    caller, so that the request is made by the caller's client (``connection`` is one per thread, and making one
    takes a while). An error of the reader is raised in the consumer; a consumer that stops early stops the reader
    (and ``chunks`` is closed).
    """
    ready: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def close_source() -> None:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()

    def deliver(item: tuple[str, Any]) -> bool:
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def reader() -> None:
        try:
            for chunk in chunks:
                if not deliver(("chunk", chunk)):
                    break
            else:
                deliver(("end", None))
        except BaseException as error:  # handed over to the consumer, raised there
            deliver(("error", error))
        finally:
            close_source()

    first = next(chunks, None)
    if first is None:
        return
    thread: threading.Thread | None = None
    try:
        yield first
        thread = threading.Thread(target=reader, name="evidence-read-ahead", daemon=True)
        thread.start()
        while True:
            kind, value = ready.get()
            if kind == "chunk":
                yield value
            elif kind == "error":
                raise value
            else:
                return
    finally:
        stop.set()
        if thread is None:
            close_source()
        else:
            thread.join()


def retain_until() -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=settings.EVIDENCE_RETENTION_DAYS)


def evidence_storage() -> EvidenceStorage:
    storage = storages["evidence"]
    if not isinstance(storage, EvidenceStorage):
        raise TypeError("STORAGES['evidence'] must be one of evidence.storage's storage classes.")
    return storage


def open_stream(location: StorageLocation) -> Iterator[bytes]:
    storage = evidence_storage()
    if getattr(storage, "backend_name", None) != location.backend:
        raise RuntimeError(
            f"evidence object {location.key} is in a {location.backend} store, but STORAGES['evidence'] is another"
        )
    return storage.read_chunks(location)
