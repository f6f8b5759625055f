"""Police transmissions: a unit sends a procedure (records and digital exhibits) to a prosecutor's office.

1. The unit announces a **manifest** (:func:`transmission_create`): procedure number, offence, persons, and each
   file with its kind, size and SHA-256. The manifest is immutable; its SHA-256 (of its canonical JSON, see
   :func:`manifest_document`) is fixed at creation.
2. Each file comes by a resumable upload (tus) naming the transmission in its metadata. When a file is complete it
   is checked against its manifest entry before anything is stored (:func:`upload_check`, called by
   :func:`evidence.tus.tus_upload_complete`): a file the manifest does not announce, a size or a SHA-256 that
   differs, or a second copy of a file already received is refused with its reason; a matching file is sealed.
   An interrupted transmission resumes where it stopped until ``expires_at``.
3. The unit submits (:func:`transmission_submit`). Every entry must have its sealed file and nothing unexpected may
   be pending; otherwise the refusal lists what is wrong file by file (:func:`transmission_report`). On success,
   in one transaction: a ``transmitted`` custody event per file, a signed checkpoint covering them, the signed
   acknowledgement (:func:`acknowledgement_document`), and a filing in the office's queue.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from evidence import permissions
from evidence.checkpoint import sign_note
from evidence.custody import custody_record
from evidence.ingest import IngestError, StagedUpload, clean_display_name
from evidence.keys import log_signer
from evidence.models import (
    CustodyEvent,
    LogEntry,
    PersonRole,
    Transmission,
    TransmissionItem,
    TusUpload,
)
from evidence.translog import translog_checkpoint
from justice.accounts.models import Membership, Organisation, User
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)

MANIFEST_FORMAT = "justice-transmission-manifest/1"
ACKNOWLEDGEMENT_FORMAT = "justice-transmission-acknowledgement/1"
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
# Roles that act for a police unit, and for a prosecutor's office receiving its procedures.
SENDER_ROLES = (Membership.Role.POLICE_OFFICER,)
RECEIVER_ROLES = (Membership.Role.PROSECUTOR, Membership.Role.CLERK)


class TransmissionError(ApplicationError):
    """A refused request; ``errors`` says what is wrong, field by field or file by file, when there is more."""

    def __init__(self, message: Any, *, code: str = "invalid", errors: Any = None) -> None:
        super().__init__(message, code=code)
        self.errors = errors


# --- who may do what --------------------------------------------------------------------------------------------


def sending_units(user: User) -> QuerySet[Organisation]:
    """The police units ``user`` sends procedures for (an officer, or the API client of the unit)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.POLICE_UNIT,
        pk__in=Membership.objects.active().filter(user=user, role__in=SENDER_ROLES).values("organisation"),
    )


def receiving_offices(user: User) -> QuerySet[Organisation]:
    """The prosecutor's offices whose inbox ``user`` reads (prosecutors and clerks)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.PROSECUTOR_OFFICE,
        pk__in=Membership.objects.active().filter(user=user, role__in=RECEIVER_ROLES).values("organisation"),
    )


def transmission_list(*, user: User) -> QuerySet[Transmission]:
    """The transmissions ``user`` may see: those of their unit, and those acknowledged to their office."""
    if not user.is_authenticated or not user.is_active:
        return Transmission.objects.none()
    return Transmission.objects.filter(
        Q(sender__in=sending_units(user))
        | Q(recipient__in=receiving_offices(user), status=Transmission.Status.ACKNOWLEDGED)
    ).select_related("sender", "recipient", "created_by", "filing", "filing__case")


def transmission_get(*, user: User, pk: Any) -> Transmission:
    """One of :func:`transmission_list`; anything else is ``Transmission.DoesNotExist``, like a missing one."""
    try:
        return transmission_list(user=user).get(pk=pk)
    except (ValueError, ValidationError):
        raise Transmission.DoesNotExist from None


def can_send_for(user: User, unit: Organisation) -> bool:
    return sending_units(user).filter(pk=unit.pk).exists()


# --- manifest ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ManifestEntry:
    name: str
    kind: str
    size: int
    sha256: str
    description: str = ""


def file_size_limit() -> int:
    """The largest file a manifest may announce: the limit of the police officer's role."""
    return permissions.role_upload_limit(Membership.Role.POLICE_OFFICER)


def _lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.TRANSMISSION_RESUME_DAYS)


def check_persons(persons: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The persons of a manifest, cleaned; raises with the position of the first wrong entry."""
    cleaned = []
    for position, person in enumerate(persons, start=1):
        name = str(person.get("name", "")).strip()
        role = str(person.get("role", "")).strip()
        birth = str(person.get("birth_date") or "").strip()
        if not name or len(name) > 200:
            raise TransmissionError(
                _("Person no. %(n)s: give a name of 1 to 200 characters.") % {"n": position}, code="persons"
            )
        if role not in PersonRole.values:
            raise TransmissionError(
                _("Person no. %(n)s: the role must be one of %(roles)s.")
                % {"n": position, "roles": ", ".join(PersonRole.values)},
                code="persons",
            )
        if birth:
            date = parse_date(birth) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", birth) else None
            if date is None or date >= timezone.localdate():
                raise TransmissionError(
                    _("Person no. %(n)s: the date of birth must be a past date written YYYY-MM-DD.") % {"n": position},
                    code="persons",
                )
        cleaned.append({"name": name, "role": role, "birth_date": birth})
    return cleaned


def check_entries(entries: Iterable[ManifestEntry], *, limit: int) -> list[ManifestEntry]:
    """The files of a manifest, checked: at least one, names unique once cleaned, known kinds, sizes within the
    sender's limit, SHA-256 in hexadecimal. Raises with every wrong entry named."""
    cleaned: list[ManifestEntry] = []
    problems: list[str] = []
    seen: set[str] = set()
    for position, entry in enumerate(entries, start=1):
        name = clean_display_name(entry.name or "")
        sha256 = (entry.sha256 or "").strip().lower()
        if not name:
            problems.append(_("File no. %(n)s: give its name.") % {"n": position})
        elif name != entry.name:
            problems.append(
                _("File no. %(n)s: “%(name)s” is not a plain file name (no folders, no control characters).")
                % {"n": position, "name": entry.name}
            )
        elif name in seen:
            problems.append(_("File no. %(n)s: the name “%(name)s” is used twice.") % {"n": position, "name": name})
        seen.add(name)
        if entry.kind not in TransmissionItem.Kind.values:
            problems.append(
                _("File no. %(n)s: the kind must be one of %(kinds)s.")
                % {"n": position, "kinds": ", ".join(TransmissionItem.Kind.values)}
            )
        if entry.size <= 0:
            problems.append(_("File no. %(n)s: the size must be a positive number of bytes.") % {"n": position})
        elif entry.size > limit:
            problems.append(
                _("File no. %(n)s: %(size)s is more than the %(limit)s a file may have.")
                % {"n": position, "size": filesizeformat(entry.size), "limit": filesizeformat(limit)}
            )
        if not SHA256_HEX.fullmatch(sha256):
            problems.append(_("File no. %(n)s: the SHA-256 must be 64 hexadecimal characters.") % {"n": position})
        cleaned.append(ManifestEntry(name, entry.kind, entry.size, sha256, (entry.description or "").strip()[:300]))
    if not cleaned:
        problems.append(_("A transmission needs at least one file."))
    if len(cleaned) > settings.TRANSMISSION_MAX_FILES:
        problems.append(_("A transmission may have at most %(max)s files.") % {"max": settings.TRANSMISSION_MAX_FILES})
    if problems:
        raise TransmissionError(" ".join(problems), code="items", errors=problems)
    return cleaned


def manifest_document(transmission: Transmission) -> dict[str, Any]:
    """The manifest as announced, in the form whose canonical JSON (:func:`canonical_json`) is hashed."""
    return {
        "format": MANIFEST_FORMAT,
        "sender": transmission.sender.code,
        "recipient": transmission.recipient.code,
        "procedure_number": transmission.procedure_number,
        "offence": transmission.offence,
        "summary": transmission.summary,
        "persons": transmission.persons,
        "items": [
            {
                "name": entry.name,
                "kind": entry.kind,
                "size": entry.size,
                "sha256": entry.sha256,
                "description": entry.description,
            }
            for entry in transmission.items.order_by("position")
        ],
    }


def canonical_json(document: Any) -> str:
    """Keys sorted, no spaces, UTF-8 as is: what is hashed and signed (a client recomputes it the same way)."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def transmission_create(
    *,
    user: User,
    sender: Organisation | None,
    recipient: Organisation,
    procedure_number: str,
    offence: str,
    summary: str = "",
    persons: Iterable[Mapping[str, Any]] = (),
    entries: Iterable[ManifestEntry],
    channel: str,
    source_filing: Any = None,
) -> Transmission:
    """Open a transmission with its manifest. ``sender`` may be omitted when ``user`` acts for one unit only."""
    units = list(sending_units(user))
    if sender is None:
        if len(units) != 1:
            raise TransmissionError(
                _("Say which police unit sends this procedure (you act for several, or for none)."), code="sender"
            )
        sender = units[0]
    if sender not in units:
        raise TransmissionError(_("You do not send procedures for this unit."), code="forbidden")
    if recipient.kind != Organisation.Kind.PROSECUTOR_OFFICE:
        raise TransmissionError(
            _("“%(name)s” is not a prosecutor's office: procedures go to a prosecutor's office.")
            % {"name": recipient.name},
            code="recipient",
        )
    procedure_number = procedure_number.strip()
    offence = offence.strip()
    if not procedure_number or len(procedure_number) > 64:
        raise TransmissionError(_("Give the procedure number (at most 64 characters)."), code="procedure_number")
    if not offence or len(offence) > 300:
        raise TransmissionError(_("Give the offence (at most 300 characters)."), code="offence")
    people = check_persons(persons)
    files = check_entries(entries, limit=file_size_limit())
    now = timezone.now()
    with transaction.atomic():
        transmission = Transmission.objects.create(
            sender=sender,
            recipient=recipient,
            created_by=user,
            channel=channel,
            procedure_number=procedure_number,
            offence=offence,
            summary=summary.strip()[:5000],
            persons=people,
            created_at=now,
            expires_at=now + _lifetime(),
            source_filing=source_filing,
        )
        TransmissionItem.objects.bulk_create(
            TransmissionItem(
                transmission=transmission,
                position=position,
                name=entry.name,
                kind=entry.kind,
                size=entry.size,
                sha256=entry.sha256,
                description=entry.description,
            )
            for position, entry in enumerate(files, start=1)
        )
        transmission.manifest_sha256 = hashlib.sha256(
            canonical_json(manifest_document(transmission)).encode()
        ).hexdigest()
        transmission.save(update_fields=["manifest_sha256"])
    logger.info(
        "transmission %s opened by user %s for unit %s to office %s: %s files, %s bytes",
        transmission.pk,
        user.pk,
        sender.pk,
        recipient.pk,
        len(files),
        sum(entry.size for entry in files),
    )
    return transmission


# --- files ------------------------------------------------------------------------------------------------------


def upload_attach(*, upload: TusUpload, user: User, transmission_id: str) -> None:
    """Point a new upload at its transmission and manifest entry (by file name), before it is saved. Refuses an
    upload to a transmission the user may not send to, closed or expired, or of a file already received."""
    try:
        transmission = Transmission.objects.select_related("sender").get(
            pk=transmission_id, sender__in=sending_units(user)
        )
    except (Transmission.DoesNotExist, ValueError, ValidationError):
        raise TransmissionError(_("There is no such transmission."), code="not_found") from None
    _check_open(transmission)
    entry = transmission.items.filter(name=upload.filename).first()
    if entry is not None and entry.item_id is not None:
        raise TransmissionError(
            _("The file “%(name)s” of this transmission was already received and sealed.") % {"name": upload.filename},
            code="already_received",
        )
    upload.transmission = transmission
    upload.transmission_item = entry
    upload.organisation = transmission.sender
    upload.case_ref = transmission.procedure_number[:64]
    upload.expires_at = max(upload.expires_at, transmission.expires_at)


def _check_open(transmission: Transmission) -> None:
    if transmission.status != Transmission.Status.OPEN:
        raise TransmissionError(
            _("This transmission is “%(status)s”: nothing more can be sent to it.")
            % {"status": transmission.get_status_display()},
            code="status",
        )
    if transmission.expires_at <= timezone.now():
        raise TransmissionError(
            _("This transmission expired on %(date)s before it was complete: start a new one.")
            % {"date": timezone.localtime(transmission.expires_at).strftime("%Y-%m-%d %H:%M")},
            code="expired",
        )


def upload_check(*, upload: TusUpload, staged: StagedUpload) -> TransmissionItem | None:
    """Before a complete upload of a transmission is stored: the file must be one the manifest announces, not yet
    received, of the announced size and SHA-256. Returns the entry (locked until the caller's commit), or None for
    an upload outside any transmission. Raises :class:`IngestError` with the reason."""
    if upload.transmission_id is None:
        return None
    if upload.transmission_item_id is None:
        raise IngestError(
            _("The file “%(name)s” is not in the manifest of this transmission: it was refused and not kept.")
            % {"name": upload.filename},
            code="unexpected_item",
        )
    entry = TransmissionItem.objects.select_for_update().get(pk=upload.transmission_item_id)
    if entry.item_id is not None:
        raise IngestError(
            _("The file “%(name)s” was already received and sealed: this second copy was not kept.")
            % {"name": upload.filename},
            code="already_received",
        )
    if staged.received != entry.size:
        raise IngestError(
            _("The file “%(name)s” has %(found)s bytes, but the manifest announces %(size)s: it was refused.")
            % {"name": upload.filename, "found": staged.received, "size": entry.size},
            code="size_mismatch",
        )
    if staged.sha256 != entry.sha256:
        raise IngestError(
            _(
                "The file “%(name)s” does not match the manifest: its SHA-256 is %(found)s, the manifest announces "
                "%(sha256)s. It was damaged or replaced on the way; it was refused. Send it again."
            )
            % {"name": upload.filename, "found": staged.sha256, "sha256": entry.sha256},
            code="sha256_mismatch",
        )
    return entry


# --- verification and acknowledgement ---------------------------------------------------------------------------


def transmission_report(transmission: Transmission) -> list[dict[str, Any]]:
    """Each manifest entry's state (``ok``, ``missing``, ``incomplete``, ``checking``, ``refused``) with its
    reason, then each file sent that the manifest does not announce (``unexpected``)."""
    uploads = list(transmission.uploads.order_by("created_at"))
    latest: dict[int, TusUpload] = {}
    for upload in uploads:
        if upload.transmission_item_id is not None:
            latest[upload.transmission_item_id] = upload
    report: list[dict[str, Any]] = []
    for entry in transmission.items.select_related("item__seal").order_by("position"):
        row: dict[str, Any] = {"position": entry.position, "name": entry.name, "size": entry.size}
        current = latest.get(entry.pk)
        if entry.item_id is not None:
            seal = entry.item.seal  # type: ignore[union-attr]
            if seal.sha256 == entry.sha256 and seal.size == entry.size:
                row.update(status="ok", code="", reason="", evidence_id=str(entry.item_id))
            else:  # cannot happen through upload_check; kept as a last line of defence
                row.update(
                    status="refused", code="sha256_mismatch", reason=_("The sealed file does not match the manifest.")
                )
        elif current is None:
            row.update(status="missing", code="missing", reason=_("This file was not sent."))
        elif current.state == TusUpload.State.RECEIVING:
            row.update(
                status="incomplete",
                code="incomplete",
                reason=_("%(received)s bytes of %(length)s received so far: resume the upload.")
                % {"received": current.offset, "length": current.length},
                upload_id=str(current.pk),
            )
        elif current.state == TusUpload.State.RECEIVED:
            row.update(status="checking", code="checking", reason=_("Received, being checked: try again in a moment."))
        else:
            row.update(status="refused", code=current.error_code, reason=current.error_message)
        report.append(row)
    for upload in uploads:
        if upload.transmission_item_id is None:
            report.append(
                {
                    "position": None,
                    "name": upload.filename,
                    "size": upload.length,
                    "status": "unexpected",
                    "code": "unexpected_item",
                    "reason": _(
                        "This file is not in the manifest. Remove its upload (DELETE), or send a new transmission "
                        "whose manifest lists it."
                    ),
                    "upload_id": str(upload.pk),
                }
            )
    return report


def report_is_complete(report: list[dict[str, Any]]) -> bool:
    return bool(report) and all(row["status"] == "ok" for row in report)


def transmission_submit(*, transmission: Transmission, user: User) -> Transmission:
    """Check every file against the manifest; when all match, acknowledge the transmission (see the module's
    docstring). Submitting an acknowledged transmission again returns it unchanged."""
    with transaction.atomic():
        transmission = (
            Transmission.objects.select_for_update(of=("self",))
            .select_related("sender", "recipient", "created_by")
            .get(pk=transmission.pk)
        )
        if not can_send_for(user, transmission.sender):
            raise TransmissionError(_("There is no such transmission."), code="forbidden")
        if transmission.status == Transmission.Status.ACKNOWLEDGED:
            return transmission
        _check_open(transmission)
        report = transmission_report(transmission)
        if report_is_complete(report):
            _acknowledge(transmission, user=user, report=report)
            return transmission
    # Refused: the report is kept (for the unit's page) outside the transaction that would have acknowledged.
    Transmission.objects.filter(pk=transmission.pk).update(report=report)
    transmission.report = report
    problems = [row for row in report if row["status"] != "ok"]
    logger.info("transmission %s not acknowledged: %s files missing or not matching", transmission.pk, len(problems))
    raise TransmissionError(
        _("The transmission cannot be acknowledged: %(count)s of its files are missing or do not match.")
        % {"count": len(problems)},
        code="mismatch",
        errors=report,
    )


def _acknowledge(transmission: Transmission, *, user: User, report: list[dict[str, Any]]) -> None:
    now = timezone.now()
    entries = list(transmission.items.select_related("item__seal").order_by("position"))
    for entry in entries:
        custody_record(
            item=entry.item,  # type: ignore[arg-type]
            action=CustodyEvent.Action.TRANSMITTED,
            actor=user,
            organisation=transmission.sender,
            purpose=_("Procedure %(number)s sent to %(office)s")
            % {"number": transmission.procedure_number, "office": transmission.recipient.name},
            detail={"transmission": str(transmission.pk), "recipient": transmission.recipient.code},
            at=now,
        )
    checkpoint = translog_checkpoint(now=now)
    transmission.status = Transmission.Status.ACKNOWLEDGED
    transmission.acknowledged_at = now
    transmission.report = report
    document = acknowledgement_document(transmission, entries=entries, checkpoint_note=checkpoint.note)
    transmission.acknowledgement = sign_note(canonical_json(document) + "\n", [log_signer()])
    from filings.services.transmissions import filing_from_transmission

    transmission.filing = filing_from_transmission(transmission=transmission)
    transmission.save()
    logger.info("transmission %s acknowledged: %s files, checkpoint %s", transmission.pk, len(entries), checkpoint.size)


def acknowledgement_document(
    transmission: Transmission, *, entries: list[TransmissionItem], checkpoint_note: str
) -> dict[str, Any]:
    """What the office acknowledges, signed with the transparency log's key: the manifest's hash, each file's seal
    and place in the log, and the signed checkpoint that includes them."""
    indexes = log_indexes(transmission)
    return {
        "format": ACKNOWLEDGEMENT_FORMAT,
        "transmission": str(transmission.pk),
        "procedure_number": transmission.procedure_number,
        "sender": transmission.sender.code,
        "recipient": transmission.recipient.code,
        "received_at": transmission.acknowledged_at.isoformat() if transmission.acknowledged_at else None,
        "manifest_sha256": transmission.manifest_sha256,
        "items": [
            {
                "position": entry.position,
                "name": entry.name,
                "kind": entry.kind,
                "size": entry.size,
                "sha256": entry.sha256,
                "evidence_id": str(entry.item_id),
                "sealed_at": entry.item.seal.sealed_at.isoformat(),  # type: ignore[union-attr]
                "log_index": indexes[entry.position],
            }
            for entry in entries
        ],
        "checkpoint": checkpoint_note,
    }


def transmissions_expire(*, now: datetime.datetime | None = None) -> int:
    """Mark open transmissions past their time as expired (their unfinished uploads expire with them)."""
    now = now or timezone.now()
    count = Transmission.objects.filter(status=Transmission.Status.OPEN, expires_at__lte=now).update(
        status=Transmission.Status.EXPIRED
    )
    if count:
        logger.info("%s transmissions expired unfinished", count)
    return count


STATUS_HELP = {
    Transmission.Status.OPEN: gettext_lazy("Files are being sent; submit once they are all received."),
    Transmission.Status.ACKNOWLEDGED: gettext_lazy("Every file matched the manifest; the office acknowledged it."),
    Transmission.Status.EXPIRED: gettext_lazy("Not completed in time: nothing was sent to the office."),
}


# --- the unit's web pages ---------------------------------------------------------------------------------------


def unit_transmission_list(*, user: User) -> QuerySet[Transmission]:
    """The transmissions of the units ``user`` sends for, newest first, with how many files were received."""
    return (
        Transmission.objects.filter(sender__in=sending_units(user))
        .select_related("sender", "recipient", "filing", "filing__case")
        .annotate(
            expected=Count("items", distinct=True),
            received=Count("items", filter=Q(items__item__isnull=False), distinct=True),
        )
        .order_by("-created_at")
    )


def default_office(unit: Organisation) -> Organisation | None:
    """The prosecutor's office the unit's territory is routed to (the one most of its postcodes go to)."""
    from filings.models import PostcodeRoute

    row = (
        PostcodeRoute.objects.filter(police_unit=unit, prosecutor_office__isnull=False)
        .values("prosecutor_office")
        .annotate(n=Count("pk"))
        .order_by("-n", "prosecutor_office")
        .first()
    )
    return Organisation.objects.filter(pk=row["prosecutor_office"]).first() if row else None


def source_complaint_get(*, user: User, pk: Any) -> Any:
    """A pre-complaint the victim confirmed at one of ``user``'s units: a procedure may start from it. Anything else
    is ``Filing.DoesNotExist``."""
    from filings.models import Filing

    try:
        return Filing.objects.select_related("recipient").get(
            pk=pk,
            kind=Filing.Kind.PRE_COMPLAINT,
            status=Filing.Status.ACCEPTED,
            recipient__in=sending_units(user),
        )
    except (ValueError, TypeError, ValidationError):
        raise Filing.DoesNotExist from None


OFFENCE_LABELS = {
    "theft": gettext_lazy("Theft"),
    "burglary": gettext_lazy("Burglary"),
    "vehicle_theft": gettext_lazy("Theft of or from a vehicle"),
    "damage": gettext_lazy("Damage or destruction of property"),
    "fraud": gettext_lazy("Fraud"),
    "card_fraud": gettext_lazy("Fraudulent use of a bank card"),
    "other": gettext_lazy("Offence against property"),
}


def procedure_from_complaint(complaint: Any) -> tuple[dict[str, Any], list[dict[str, str]]]:
    """What a confirmed pre-complaint gives a new procedure: the offence (from its category), a summary (its
    description), and the persons: the victim as victim, the filer as complainant when someone else, the suspect
    when the victim could name or describe them."""
    content = complaint.content or {}
    offence = content.get("offence") or {}
    people = content.get("people") or {}
    suspect = content.get("suspect") or {}
    victim = " ".join(
        part for part in (people.get("victim_first_name", ""), people.get("victim_last_name", "")) if part
    ).strip()
    persons: list[dict[str, str]] = []
    if victim:
        persons.append({"name": victim, "role": PersonRole.VICTIM, "birth_date": people.get("victim_birth_date") or ""})
    if people.get("victim_is_filer") == "no" and complaint.filer is not None:
        filer = complaint.filer.get_full_name() or complaint.filer.email
        persons.append({"name": filer, "role": PersonRole.COMPLAINANT, "birth_date": ""})
    if suspect.get("suspect_known") == "yes" and suspect.get("suspect_description"):
        described = str(suspect["suspect_description"])[:200]
        persons.append({"name": described, "role": PersonRole.SUSPECT, "birth_date": ""})
    initial = {
        "offence": str(OFFENCE_LABELS.get(offence.get("category", ""), "")),
        "summary": str(offence.get("description", ""))[:5000],
        "source_filing": complaint.pk,
    }
    return initial, persons


def log_indexes(transmission: Transmission) -> dict[int, int]:
    """Each received entry's place in the transparency log (by manifest position)."""
    rows = LogEntry.objects.filter(seal__item__transmission_entry__transmission=transmission).values_list(
        "seal__item__transmission_entry__position", "index"
    )
    return dict(rows)
