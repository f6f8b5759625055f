"""Where evidence originals are kept: the ``evidence`` storage alias, private, never reachable by URL.

Locally (the embedded default) files go under ``var/evidence``, read-only once written. In production they go to an
S3 bucket with Object Lock: each object is written with a COMPLIANCE retention (nobody, not even the bucket owner,
can delete it or shorten its retention before the date) and can be put under legal hold. The seal records the
object's version id, and reads always ask for that version.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, storages
from django.utils import timezone
from storages.backends.s3 import S3Storage

READ_CHUNK_SIZE = 1024 * 1024


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

    def read_chunks(self, location: StorageLocation) -> Iterator[bytes]: ...


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

    def read_chunks(self, location: StorageLocation) -> Iterator[bytes]:
        with self.open(location.key, "rb") as stored:
            while chunk := stored.read(READ_CHUNK_SIZE):
                yield chunk


class ObjectLockError(RuntimeError):
    pass


class EvidenceS3Storage(S3Storage):
    """S3 store with Object Lock: COMPLIANCE retention on every object, checked after upload; reads by version id.

    ``object_lock`` (an option, on by default) may be turned off only for a bucket without Object Lock, which
    the integration tests use to show that tampering is caught on the way out.
    """

    backend_name = "s3"

    def get_default_settings(self) -> dict[str, Any]:
        defaults: dict[str, Any] = super().get_default_settings()
        return {**defaults, "object_lock": True}

    def url(self, name: str, parameters: Any = None, expire: Any = None, http_method: Any = None) -> str:
        raise NoPublicURLError("Evidence is only served through the access-checked download view.")

    def get_object_parameters(self, name: str) -> dict[str, Any]:
        params: dict[str, Any] = super().get_object_parameters(name)
        params["ContentType"] = "application/octet-stream"
        if self.object_lock:
            params.update({"ObjectLockMode": "COMPLIANCE", "ObjectLockRetainUntilDate": retain_until()})
        return params

    def store(self, *, key: str, content: File[Any]) -> StorageLocation:
        # Keys are fresh UUIDs; file_overwrite=False makes the storage refuse to reuse one.
        saved = self._normalize_name(self.save(key, content))
        client = self.connection.meta.client
        head = client.head_object(Bucket=self.bucket_name, Key=saved)
        # A bucket with Object Lock is always versioned: the version is what the seal points at, so that a later
        # write under the same key (a new version) can never stand in for the original.
        location = StorageLocation(
            backend=self.backend_name, bucket=self.bucket_name, key=saved, version_id=head.get("VersionId") or ""
        )
        if self.object_lock:
            self._ensure_locked(location, head)
        return location

    def _ensure_locked(self, location: StorageLocation, head: dict[str, Any]) -> None:
        """Some stores (Ceph radosgw before Quincy among them) drop the lock headers of multipart uploads: set the
        retention on the version explicitly when it is missing, then make sure it holds."""
        wanted = retain_until() - datetime.timedelta(minutes=5)
        if head.get("ObjectLockMode") == "COMPLIANCE" and head.get("ObjectLockRetainUntilDate", wanted) >= wanted:
            return
        if not location.version_id:
            raise ObjectLockError(f"bucket {location.bucket} is not versioned: it cannot hold locked evidence")
        client = self.connection.meta.client
        version = {"Bucket": location.bucket, "Key": location.key, "VersionId": location.version_id}
        client.put_object_retention(**version, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": retain_until()})
        retention = client.get_object_retention(**version)["Retention"]
        if retention.get("Mode") != "COMPLIANCE" or retention["RetainUntilDate"] < wanted:
            raise ObjectLockError(f"evidence object {location.key} could not be locked: {retention}")

    def read_chunks(self, location: StorageLocation) -> Iterator[bytes]:
        params: dict[str, Any] = {"Bucket": location.bucket, "Key": location.key}
        if location.version_id:
            params["VersionId"] = location.version_id
        body = self.connection.meta.client.get_object(**params)["Body"]
        try:
            yield from body.iter_chunks(READ_CHUNK_SIZE)
        finally:
            body.close()

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
