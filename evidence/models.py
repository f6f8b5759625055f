"""Evidence items (the stored originals), their seals and their chain of custody.

An original is never modified: a sanitised copy, a redaction or a transcode is a new item ``derived_from`` it.
Seals and custody events are written once and never changed (ORM guard here, PostgreSQL trigger in migrations).
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from justice.appendonly import AppendOnlyModel, AppendOnlyQuerySet
from justice.choices import ChoiceLabelsModel


class EvidenceItem(ChoiceLabelsModel):
    class Status(models.TextChoices):
        PENDING_SCAN = "pending_scan", _("pending virus scan")
        AVAILABLE = "available", _("available")
        QUARANTINED = "quarantined", _("quarantined")
        BLOCKED = "blocked", _("blocked: integrity check failed")

    class Channel(models.TextChoices):
        WEB = "web", _("web form")
        API = "api", _("API")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The object's name in the store: random, so that nothing about the file or its sender leaks through it.
    storage_key = models.UUIDField(_("storage key"), default=uuid.uuid4, unique=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    media_type = models.CharField(_("media type"), max_length=100, help_text=_("Recognised from the file's bytes."))
    original_name = models.CharField(
        _("original file name"), max_length=255, help_text=_("As sent, cleaned for display; never used as a path.")
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence_items",
        verbose_name=_("on behalf of"),
    )
    # Cases do not exist yet: a free reference until filings.Case arrives and replaces it with a foreign key.
    case_ref = models.CharField(_("case reference"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING_SCAN)
    derived_from = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="derivatives",
        verbose_name=_("derived from"),
    )
    # When the stored object's Object Lock retention ends; empty on the local store, and between the commit of the
    # seal and the lock of the object (a beat task locks any item left so, see evidence.tasks).
    retained_until = models.DateTimeField(_("retained until"), null=True, blank=True, editable=False)
    # What the checks at ingest noticed without refusing the file (PDF active content, qpdf warnings, ...).
    inspection = models.JSONField(_("inspection notes"), default=dict, blank=True)
    created_at = models.DateTimeField(_("received at"), default=timezone.now, editable=False)
    # When the periodic re-verification last re-read the stored bytes: it takes the oldest first.
    last_verified_at = models.DateTimeField(_("last integrity check"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence items")
        ordering = ("-created_at", "-pk")
        indexes = (
            models.Index(fields=("uploaded_by", "-created_at")),
            models.Index(fields=("last_verified_at", "created_at"), name="evidence_reverify_order"),
        )

    def __str__(self) -> str:
        return self.original_name


class Seal(AppendOnlyModel):
    """What was received, by whom and where it is kept, fixed at receipt. ``record`` is the canonical JSON
    (sorted keys, no spaces, UTF-8) exactly as it will be logged and handed out in receipts."""

    RECORD_VERSION = 1

    item = models.OneToOneField(
        EvidenceItem, on_delete=models.PROTECT, related_name="seal", verbose_name=_("evidence item")
    )
    algorithm = models.CharField(_("algorithm"), max_length=16, default="sha256", editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sealed_at = models.DateTimeField(_("sealed at"), default=timezone.now, editable=False)
    record = models.TextField(_("seal record"))

    objects = AppendOnlyQuerySet["Seal"].as_manager()

    class Meta:
        verbose_name = _("seal")
        verbose_name_plural = _("seals")

    def __str__(self) -> str:
        return f"sha256:{self.sha256}"

    @property
    def record_data(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.record)
        return data


class CustodyEvent(AppendOnlyModel):
    class Action(models.TextChoices):
        SEALED = "sealed", _("received and sealed")
        VIEWED = "viewed", _("viewed")
        DOWNLOADED = "downloaded", _("downloaded")
        TRANSMITTED = "transmitted", _("transmitted")
        VERIFIED = "verified", _("integrity verified")
        VERIFICATION_FAILED = "verification_failed", _("integrity check failed")
        QUARANTINED = "quarantined", _("quarantined")
        SCANNED = "scanned", _("scanned for viruses")

    item = models.ForeignKey(
        EvidenceItem, on_delete=models.PROTECT, related_name="custody_events", verbose_name=_("evidence item")
    )
    action = models.CharField(_("action"), max_length=24, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    purpose = models.CharField(_("why"), max_length=200)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True, editable=False)

    objects = AppendOnlyQuerySet["CustodyEvent"].as_manager()

    class Meta:
        verbose_name = _("custody event")
        verbose_name_plural = _("custody events")
        ordering = ("created_at", "pk")
        indexes = (models.Index(fields=("item", "created_at")),)

    def __str__(self) -> str:
        return f"{self.get_action_display()} — {self.item_id} ({self.created_at:%Y-%m-%d %H:%M})"


class LogHead(models.Model):
    """The size of the transparency log. Appends lock this single row, so two writers never fork the log."""

    size = models.PositiveBigIntegerField(default=0)
    # Hex hashes of the perfect subtrees that make up the tree, largest first (one per set bit of ``size``): the
    # left siblings of whatever is appended next, so an append reads nothing else.
    frontier = models.JSONField(default=list)

    class Meta:
        verbose_name = _("transparency log head")

    def __str__(self) -> str:
        return f"{self.size} entries"


class LogEntry(AppendOnlyModel):
    """A leaf of the transparency log (RFC 9162): the canonical JSON record of a seal or a custody event."""

    class Kind(models.TextChoices):
        SEAL = "seal", _("seal")
        CUSTODY = "custody", _("custody event")

    index = models.PositiveBigIntegerField(_("index"), primary_key=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    data = models.TextField(_("record"))
    leaf_hash = models.BinaryField(_("leaf hash"), max_length=32, unique=True)
    seal = models.OneToOneField(
        Seal, on_delete=models.PROTECT, null=True, blank=True, related_name="log_entry", verbose_name=_("seal")
    )
    custody_event = models.OneToOneField(
        CustodyEvent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="log_entry",
        verbose_name=_("custody event"),
    )
    created_at = models.DateTimeField(_("logged at"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet["LogEntry"].as_manager()

    class Meta:
        verbose_name = _("transparency log entry")
        verbose_name_plural = _("transparency log entries")
        ordering = ("index",)

    def __str__(self) -> str:
        return f"#{self.index} {self.kind}"


class LogNode(AppendOnlyModel):
    """A cached hash of a perfect subtree (2**level leaves starting at leaf index * 2**level), so that any proof
    costs O(log n) reads."""

    level = models.PositiveSmallIntegerField()
    index = models.PositiveBigIntegerField()
    hash = models.BinaryField(max_length=32)

    objects = AppendOnlyQuerySet["LogNode"].as_manager()

    class Meta:
        verbose_name = _("transparency log node")
        constraints = (models.UniqueConstraint(fields=("level", "index"), name="unique_log_node"),)

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(AppendOnlyModel):
    """A signed statement of the log's size and root hash (C2SP tlog-checkpoint signed note)."""

    size = models.PositiveBigIntegerField(_("tree size"), unique=True)
    root_hash = models.BinaryField(_("root hash"), max_length=32)
    note = models.TextField(_("signed note"))
    key_id = models.CharField(_("key id"), max_length=8)
    created_at = models.DateTimeField(_("signed at"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet["Checkpoint"].as_manager()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        ordering = ("-size",)
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint at size {self.size}"


class CheckpointTimestamp(AppendOnlyModel):
    """An RFC 3161 time-stamp token over a checkpoint's signed note, from the configured time-stamping authority.
    Added after the checkpoint (the authority may be unreachable when it is signed; beat retries)."""

    checkpoint = models.OneToOneField(
        Checkpoint, on_delete=models.PROTECT, related_name="timestamp", verbose_name=_("checkpoint")
    )
    # The DER TimeStampResp as the authority sent it (status and token), checked before it was stored.
    response = models.BinaryField(_("time-stamp reply"))
    # PEM certificates of the authority's chain (as configured when the token was obtained), so that a receipt
    # can be checked offline years later.
    certificates = models.TextField(_("authority certificates"))
    authority = models.CharField(_("time-stamping authority"), max_length=500)
    stamped_at = models.DateTimeField(_("time stamped"))
    created_at = models.DateTimeField(_("obtained at"), default=timezone.now, editable=False)

    objects = AppendOnlyQuerySet["CheckpointTimestamp"].as_manager()

    class Meta:
        verbose_name = _("checkpoint time stamp")
        verbose_name_plural = _("checkpoint time stamps")

    def __str__(self) -> str:
        return f"time stamp of checkpoint {self.checkpoint_id} at {self.stamped_at:%Y-%m-%d %H:%M:%S}"


class TusUpload(ChoiceLabelsModel):
    """A resumable upload (tus 1.0.0) in progress, then the outcome of its checks.

    The bytes received so far live on the private staging disk (local store), or in the S3 evidence bucket as a
    multipart upload under the key of the item the file will become; the version it completes into is not locked
    until the file has passed the checks and is sealed (a refused one is deleted). The row is the guard of the
    completion task: it is locked while the file is checked and sealed, and the item is created in the same
    transaction as the state change, so a redelivered task seals nothing twice.
    """

    class State(models.TextChoices):
        RECEIVING = "receiving", _("receiving")
        RECEIVED = "received", _("received, being checked")
        SEALED = "sealed", _("sealed")
        REJECTED = "rejected", _("refused")

    class Backend(models.TextChoices):
        LOCAL = "local", _("local disk")
        S3 = "s3", _("S3 multipart upload")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sender")
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    case_ref = models.CharField(_("case reference"), max_length=64, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=EvidenceItem.Channel.choices)
    filename = models.CharField(_("file name"), max_length=255, help_text=_("As declared, cleaned for display."))
    filetype = models.CharField(_("declared type"), max_length=100, blank=True)
    expected_sha256 = models.CharField(_("declared SHA-256"), max_length=64, blank=True)
    length = models.PositiveBigIntegerField(_("length in bytes"))
    offset = models.PositiveBigIntegerField(_("bytes received"), default=0)
    state = models.CharField(_("state"), max_length=16, choices=State.choices, default=State.RECEIVING)
    # The language of the sender when the upload was created: refusals found later are written in it.
    language = models.CharField(_("language"), max_length=8, default="fr")
    backend = models.CharField(_("chunk storage"), max_length=8, choices=Backend.choices)
    # S3 only: the multipart upload, its parts so far, how many received bytes wait locally for a full part, and
    # the version the parts were assembled into (what the seal points at).
    s3_bucket = models.CharField(max_length=63, blank=True)
    s3_key = models.CharField(max_length=255, blank=True)
    s3_upload_id = models.CharField(max_length=255, blank=True)
    s3_parts = models.JSONField(default=list, blank=True)
    s3_version_id = models.CharField(max_length=1024, blank=True)
    buffered = models.PositiveBigIntegerField(default=0)
    # S3 only: the SHA-256 of the bytes received so far, as a state to go on from (evidence.hashstate), for as long
    # as every part was checked by the store on arrival against the sender's MD5; None as soon as one was not: the
    # completion then reads the whole file back from the store to hash it.
    hash_state = models.BinaryField(null=True, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    error_code = models.CharField(max_length=32, blank=True)
    error_message = models.TextField(_("reason of the refusal"), blank=True)
    item = models.OneToOneField(
        EvidenceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tus_upload",
        verbose_name=_("evidence item"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    # A file of a police transmission: the transmission, and the manifest entry of the same name (none: a file the
    # manifest does not announce, refused when complete).
    transmission = models.ForeignKey(
        "evidence.Transmission",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name=_("transmission"),
    )
    transmission_item = models.ForeignKey(
        "evidence.TransmissionItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="uploads",
        verbose_name=_("manifest entry"),
    )

    class Meta:
        verbose_name = _("resumable upload")
        verbose_name_plural = _("resumable uploads")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.filename} ({self.offset}/{self.length})"


class PersonRole(models.TextChoices):
    """What a person named by a police procedure is in it."""

    SUSPECT = "suspect", _("suspect")
    VICTIM = "victim", _("victim")
    COMPLAINANT = "complainant", _("complainant")
    WITNESS = "witness", _("witness")
    OTHER = "other", _("other")


class Transmission(ChoiceLabelsModel):
    """A police procedure sent to a prosecutor's office: the manifest the unit announced (procedure, offence,
    persons, files with their sizes and SHA-256), the files received against it, and, once every file matched, the
    signed acknowledgement: the digital seal register that replaces the CD-ROM under physical seal.

    ``open`` while files arrive (resumable for days: ``expires_at``), ``acknowledged`` once verified and received
    (a filing of kind ``police_transmission`` then stands in the office's queue), ``expired`` when never completed.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("being sent")
        ACKNOWLEDGED = "acknowledged", _("received and acknowledged")
        EXPIRED = "expired", _("expired before it was complete")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    sender = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="transmissions_sent",
        verbose_name=_("police unit"),
    )
    recipient = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="transmissions_received",
        verbose_name=_("prosecutor's office"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("sent by")
    )
    channel = models.CharField(_("channel"), max_length=8, choices=EvidenceItem.Channel.choices)
    procedure_number = models.CharField(_("procedure number"), max_length=64)
    offence = models.CharField(_("offence"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    # [{"name": ..., "role": suspect|victim|complainant|witness|other, "birth_date": "YYYY-MM-DD" or ""}]
    persons = models.JSONField(_("persons in the procedure"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("to be completed before"))
    # The last check of the files against the manifest (a refused submission says what is wrong, file by file).
    report = models.JSONField(_("last verification report"), default=list, blank=True)
    manifest_sha256 = models.CharField(_("SHA-256 of the manifest"), max_length=64, blank=True)
    acknowledged_at = models.DateTimeField(_("received at"), null=True, blank=True)
    acknowledgement = models.TextField(_("signed acknowledgement"), blank=True)
    filing = models.OneToOneField(
        "filings.Filing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transmission",
        verbose_name=_("filing in the office's queue"),
    )
    # A complaint confirmed at the unit, from which this procedure was started.
    source_filing = models.ForeignKey(
        "filings.Filing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="procedures",
        verbose_name=_("from the complaint"),
    )

    class Meta:
        verbose_name = _("transmission")
        verbose_name_plural = _("transmissions")
        ordering = ("-created_at",)
        indexes = (models.Index(fields=("sender", "status", "created_at"), name="transmission_by_sender"),)

    def __str__(self) -> str:
        return _("Procedure %(number)s") % {"number": self.procedure_number}


class TransmissionItem(ChoiceLabelsModel):
    """One file announced by a transmission's manifest."""

    class Kind(models.TextChoices):
        RECORD = "record", _("record (procès-verbal)")
        PHOTO = "photo", _("photo")
        AUDIO = "audio", _("audio recording")
        VIDEO = "video", _("video recording")
        OTHER = "other", _("other")

    transmission = models.ForeignKey(
        Transmission, on_delete=models.PROTECT, related_name="items", verbose_name=_("transmission")
    )
    position = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("file name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # The sealed file that matched this entry, once received.
    item = models.OneToOneField(
        EvidenceItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transmission_entry",
        verbose_name=_("evidence item"),
    )

    class Meta:
        verbose_name = _("manifest entry")
        verbose_name_plural = _("manifest entries")
        ordering = ("transmission", "position")
        constraints = (
            models.UniqueConstraint(fields=("transmission", "name"), name="unique_transmission_item_name"),
            models.UniqueConstraint(fields=("transmission", "position"), name="unique_transmission_item_position"),
        )

    def __str__(self) -> str:
        return f"{self.position}. {self.name}"
