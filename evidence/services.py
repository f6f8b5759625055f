"""Writes to evidence: ingest (check, store, seal), custody records, downloads re-checked against the seal.

Each function records who acted, in the same transaction as the change: a seal comes with its ``sealed`` custody
event, a download with its ``downloaded`` event, a failed re-check with ``verification_failed`` and a blocked item.
"""

from __future__ import annotations

import datetime
import hashlib
import itertools
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from botocore.exceptions import ClientError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from evidence import permissions
from evidence.custody import custody_record
from evidence.ingest import IngestError, StagedUpload, inspect, too_large_error
from evidence.models import CustodyEvent, EvidenceItem, Seal, TusUpload
from evidence.scan import NOTE_KEY as SCAN_NOTE_KEY
from evidence.scan import scan_dispatch, scan_status_at_seal
from evidence.seal import DEFAULT_ASSURANCE_LEVEL, seal_record
from evidence.selectors import acting_organisation
from evidence.storage import StorageLocation, StoreUnavailableError, evidence_storage, open_stream
from evidence.translog import custody_leaf, seal_leaf, translog_append
from justice.accounts.models import Membership, Organisation, User
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


class EvidenceIntegrityError(Exception):
    """The stored bytes are not the sealed ones: the transfer is cut before the last chunk leaves."""


def _submitter_role(*, uploader: User, organisation: Organisation | None) -> str:
    if organisation is None:
        return permissions.CITIZEN_ROLE
    roles = set(Membership.objects.active().filter(user=uploader, organisation=organisation).values_list("role"))
    # Several roles in one organisation: name the first in the order of Membership.Role.
    return next(role for role in Membership.Role.values if (role,) in roles)


def submitter_upload_limit(*, uploader: User, organisation: Organisation | None) -> int:
    """The largest file ``uploader`` may send acting for ``organisation`` (``None``: in a personal capacity)."""
    return permissions.role_upload_limit(_submitter_role(uploader=uploader, organisation=organisation))


def storage_key_name(key: uuid.UUID) -> str:
    return _storage_key(key)


def _storage_key(key: uuid.UUID) -> str:
    # Two hex digits of fan-out keep directories (and S3 listings) small.
    return f"{key.hex[:2]}/{key}"


def evidence_ingest(
    *,
    upload: StagedUpload,
    uploader: User,
    organisation: Organisation | None,
    channel: str,
    case_ref: str = "",
    derived_from: EvidenceItem | None = None,
    storage_key: uuid.UUID | None = None,
    stored: StorageLocation | None = None,
) -> EvidenceItem:
    """Check ``upload`` (staged and hashed as it arrived), store it write-once and seal it.

    A refused file raises :class:`IngestError` before anything is stored. The staging file is gone afterwards
    either way. ``storage_key`` fixes the object's name in advance (a resumable upload uses its own id, so that a
    retry after a crash can recognise what an interrupted attempt left in the store).

    ``stored``: the bytes are already in the store, at this location under ``storage_key`` (a resumable upload
    written there part by part, not locked yet); ``upload`` was hashed from that very version, and may hold only
    what the checks read (see :func:`evidence.ingest.stage_for_inspection`). The seal adopts the location instead
    of storing the file again; on a refusal the caller removes the version.
    """
    try:
        if stored is not None and (storage_key is None or stored.key.rsplit("/", 1)[-1] != str(storage_key)):
            raise ValueError(f"the stored object {stored.key} is not under the item's storage key {storage_key}")
        if stored is None and not upload.whole:
            raise ValueError("only part of this upload was staged: it cannot be stored from staging")
        if not permissions.can_upload_evidence(uploader):
            raise IngestError(_("Sign in to send evidence."), code="forbidden")
        if organisation is not None and not permissions.can_upload_for(uploader, organisation):
            raise IngestError(_("You are not a member of this organisation."), code="forbidden")
        if not upload.sha256 or upload.received_at is None:
            raise ValueError("evidence_ingest takes a finished StagedUpload (from the upload handler or stage_stream)")
        role = _submitter_role(uploader=uploader, organisation=organisation)
        # The transfer was capped at the largest limit of the uploader's roles; the role acted in may allow less.
        role_limit = permissions.role_upload_limit(role)
        if upload.received > role_limit:
            raise too_large_error(upload.display_name, role_limit)
        inspection = inspect(upload)
        status, antivirus_note = scan_status_at_seal()
        item = EvidenceItem(
            size=upload.received,
            media_type=inspection.media_type,
            original_name=upload.display_name,
            uploaded_by=uploader,
            organisation=organisation,
            case_ref=case_ref,
            channel=channel,
            status=status,
            derived_from=derived_from,
            inspection={**inspection.notes, SCAN_NOTE_KEY: antivirus_note},
            created_at=upload.received_at,
        )
        if storage_key is not None:
            item.storage_key = storage_key
        storage = evidence_storage()
        with transaction.atomic():
            location = stored or storage.store(key=_storage_key(item.storage_key), content=upload)
            try:
                item.save(force_insert=True)
                seal = Seal.objects.create(
                    item=item,
                    sha256=upload.sha256,
                    size=upload.received,
                    sealed_at=upload.received_at,
                    record=seal_record(
                        evidence_id=str(item.pk),
                        sha256=upload.sha256,
                        size=upload.received,
                        media_type=inspection.media_type,
                        user_id=uploader.pk,
                        role=role,
                        organisation_code=organisation.code if organisation else None,
                        assurance_level=DEFAULT_ASSURANCE_LEVEL,
                        channel=channel,
                        received_at=upload.received_at,
                        location=location,
                    ),
                )
                sealed = CustodyEvent.objects.create(
                    item=item,
                    action=CustodyEvent.Action.SEALED,
                    actor=uploader,
                    organisation=organisation,
                    purpose=str(
                        _("Submission of the evidence")
                        if derived_from is None
                        else _("Working copy made by the portal from the original item")
                    ),
                    detail={
                        "sha256": seal.sha256,
                        "channel": channel,
                        **({"derived_from": str(derived_from.pk)} if derived_from is not None else {}),
                    },
                    created_at=upload.received_at,
                )
                # Last, so the log's lock is held only for the end of the transaction.
                translog_append(seal_leaf(seal), custody_leaf(sealed))
                if status == EvidenceItem.Status.PENDING_SCAN:
                    transaction.on_commit(partial(scan_dispatch, item_id=item.pk))
            except BaseException:
                # The object is written (and may be locked): say where, so that it can be found and accounted for.
                logger.exception("evidence object stored at %s but its seal was not recorded", location)
                raise
    finally:
        upload.close()
    transaction.on_commit(lambda: evidence_lock(item), robust=True)
    logger.info("evidence %s sealed (sha256 %s, %s bytes) for user %s", item.pk, upload.sha256, item.size, uploader.pk)
    if derived_from is None and item.media_type == "application/pdf":
        from evidence.workingcopy import working_copy_make_safely

        # The original is sealed and committed whatever happens to its working copy.
        working_copy_make_safely(original=item)
    return item


def evidence_lock(item: EvidenceItem) -> None:
    """Put the sealed object under its retention, once the seal is committed (see EvidenceS3Storage.store).
    A failure is logged and left to the ``lock_evidence_objects`` beat task, which retries."""
    try:
        until = evidence_storage().lock(_location(item))
    except StoreUnavailableError:
        logger.warning("evidence %s sealed but not locked yet: the object store is unavailable", item.pk)
        return
    if until is not None:
        EvidenceItem.objects.filter(pk=item.pk).update(retained_until=until)
        item.retained_until = until


def evidence_lock_pending(*, limit: int = 500) -> int:
    """Lock the objects of items sealed but not yet locked (the store was down right after their commit)."""
    storage = evidence_storage()
    if getattr(storage, "backend_name", "") != "s3" or not getattr(storage, "object_lock", False):
        return 0
    pending = EvidenceItem.objects.filter(retained_until__isnull=True).select_related("seal").order_by("created_at")
    locked = 0
    for item in pending[:limit]:
        evidence_lock(item)
        locked += item.retained_until is not None
    return locked


def evidence_remove_orphans(*, older_than: datetime.datetime) -> int:
    """Remove what a crash or an outage left in the store without a seal (see the storages' remove_orphans).

    A resumable upload's parts and assembled version are under the key of the item it will become (its own id):
    they are left alone while its row exists, however old (a police transmission may resume for days), and
    become orphans once it is terminated or has expired."""

    def is_known(keys: list[uuid.UUID]) -> set[uuid.UUID]:
        sealed = EvidenceItem.objects.filter(storage_key__in=keys).values_list("storage_key", flat=True)
        uploading = TusUpload.objects.filter(pk__in=keys).values_list("pk", flat=True)
        return {*sealed, *uploading}

    return evidence_storage().remove_orphans(is_known=is_known, older_than=older_than)


def evidence_record_view(*, item: EvidenceItem, actor: User, purpose: str) -> CustodyEvent:
    return custody_record(
        item=item,
        action=CustodyEvent.Action.VIEWED,
        actor=actor,
        organisation=acting_organisation(user=actor, item=item),
        purpose=purpose,
    )


@dataclass(frozen=True)
class Download:
    item: EvidenceItem
    filename: str
    content_type: str
    size: int
    chunks: Iterator[bytes]


def evidence_download(*, item: EvidenceItem, actor: User, purpose: str) -> Download:
    """Record the download and hand back the bytes, re-hashed as they stream out (see :func:`verified_chunks`)."""
    if not permissions.can_download_evidence(actor, item):
        raise ApplicationError(unavailable_message(item), code="unavailable")
    purpose = purpose.strip()
    if not purpose:
        raise ApplicationError(_("Say why you download this item: it is recorded in its chain of custody."))
    # Reach the store before recording anything: when it is down, the caller gets StoreUnavailableError (a
    # retryable answer) and the chain of custody no download that never happened.
    chunks = verified_chunks(item=item, during="download", requested_by=actor)
    first = next(chunks, b"")
    custody_record(
        item=item,
        action=CustodyEvent.Action.DOWNLOADED,
        actor=actor,
        organisation=acting_organisation(user=actor, item=item),
        purpose=purpose,
    )
    return Download(
        item=item,
        filename=item.original_name,
        content_type=item.media_type,
        size=item.seal.size,
        chunks=itertools.chain([first], chunks),
    )


def unavailable_message(item: EvidenceItem) -> str:
    if item.status == EvidenceItem.Status.BLOCKED:
        return str(
            _(
                "This item is blocked: its stored bytes no longer match its seal. The incident is recorded in its "
                "chain of custody and the portal's administrators have been alerted."
            )
        )
    if item.status == EvidenceItem.Status.QUARANTINED:
        return str(_("This item is quarantined: it may contain malicious software and cannot be downloaded."))
    if item.status == EvidenceItem.Status.PENDING_SCAN:
        return str(
            _(
                "This item is waiting for its antivirus scan and cannot be downloaded yet. Come back in a few "
                "minutes: it becomes available as soon as the scan finds it clean."
            )
        )
    return str(_("You cannot download this item."))


def _location(item: EvidenceItem) -> StorageLocation:
    storage = item.seal.record_data["storage"]
    return StorageLocation(
        backend=storage["backend"], bucket=storage["bucket"], key=storage["key"], version_id=storage["version_id"]
    )


def verified_chunks(*, item: EvidenceItem, during: str, requested_by: User | None) -> Iterator[bytes]:
    """The stored bytes, hashed as they are read. The last chunk is held back until the hash and size match the
    seal: on a mismatch it is never sent, so no one ever receives a complete altered file; the item is blocked,
    the failure recorded and an error logged (alert), then :class:`EvidenceIntegrityError` cuts the transfer."""
    seal = item.seal
    digest = hashlib.sha256()
    size = 0
    held: bytes | None = None
    try:
        for chunk in open_stream(_location(item)):
            digest.update(chunk)
            size += len(chunk)
            if size > seal.size:
                break
            if held is not None:
                yield held
            held = chunk
    except (FileNotFoundError, ClientError) as error:
        if isinstance(error, ClientError) and error.response.get("Error", {}).get("Code") not in {
            "NoSuchKey",
            "NoSuchVersion",
            "404",
        }:
            raise
        _integrity_failure(item=item, during=during, requested_by=requested_by, found_sha256="", found_size=-1)
        raise EvidenceIntegrityError(f"evidence {item.pk}: stored object missing") from error
    if size == seal.size and digest.hexdigest() == seal.sha256:
        if held is not None:
            yield held
        return
    _integrity_failure(
        item=item, during=during, requested_by=requested_by, found_sha256=digest.hexdigest(), found_size=size
    )
    raise EvidenceIntegrityError(f"evidence {item.pk}: stored bytes do not match the seal")


def _integrity_failure(
    *, item: EvidenceItem, during: str, requested_by: User | None, found_sha256: str, found_size: int
) -> None:
    with transaction.atomic():
        EvidenceItem.objects.filter(pk=item.pk).update(status=EvidenceItem.Status.BLOCKED)
        custody_record(
            item=item,
            action=CustodyEvent.Action.VERIFICATION_FAILED,
            actor=None,
            organisation=None,
            purpose=str(_("Automatic integrity check")),
            detail={
                "during": during,
                "requested_by": requested_by.pk if requested_by else None,
                "expected_sha256": item.seal.sha256,
                "expected_size": item.seal.size,
                # Only as far as it was read: reading stops once the size passes the sealed one.
                "found_sha256": found_sha256,
                "found_size": found_size,
            },
        )
    item.status = EvidenceItem.Status.BLOCKED
    logger.error(
        "ALERT evidence %s failed its integrity check during %s: expected sha256 %s (%s bytes), read %s (%s bytes); "
        "item blocked",
        item.pk,
        during,
        item.seal.sha256,
        item.seal.size,
        found_sha256 or "nothing",
        found_size,
    )


def evidence_verify(*, item: EvidenceItem, actor: User | None, purpose: str) -> bool:
    """Re-read the whole stored original and compare it with its seal; records ``verified`` or, on a mismatch,
    blocks the item and records ``verification_failed``. Returns whether it matched."""
    try:
        for _chunk in verified_chunks(item=item, during="verification", requested_by=actor):
            pass
    except EvidenceIntegrityError:
        return False
    custody_record(
        item=item,
        action=CustodyEvent.Action.VERIFIED,
        actor=actor,
        organisation=acting_organisation(user=actor, item=item) if actor else None,
        purpose=purpose,
        detail={"sha256": item.seal.sha256},
    )
    return True
