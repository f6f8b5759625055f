"""Hearings (after HMCTS): the court calendar, listings with their conflict rules, postponement requests, calendar
feeds and case bundles.

``requested → listed → (postponed → listed) → held → closed``, or ``cancelled``. A listed or held hearing occupies
its room, its judge and the counsel of its case for its time: two such hearings cannot overlap. The database
enforces it (PostgreSQL exclusion constraints, SQLite triggers: see migration 0002), the services explain it.
"""

from __future__ import annotations

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from justice.accounts.models import Organisation
from justice.choices import ChoiceLabelsModel


class SittingHours(ChoiceLabelsModel):
    """When a court sits on a day of the week (several rows for a day with a lunch break)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("Monday")
        TUESDAY = 1, _("Tuesday")
        WEDNESDAY = 2, _("Wednesday")
        THURSDAY = 3, _("Thursday")
        FRIDAY = 4, _("Friday")
        SATURDAY = 5, _("Saturday")
        SUNDAY = 6, _("Sunday")

    court = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sitting_hours", verbose_name=_("court")
    )
    weekday = models.PositiveSmallIntegerField(_("day of the week"), choices=Weekday.choices)
    opens = models.TimeField(_("from"))
    closes = models.TimeField(_("to"))

    class Meta:
        verbose_name = _("sitting hours")
        verbose_name_plural = _("sitting hours")
        ordering = ("court", "weekday", "opens")
        constraints = (models.CheckConstraint(condition=Q(opens__lt=F("closes")), name="sitting_opens_before_close"),)

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A day the court does not sit (public holiday, closure)."""

    court = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="closed_days", verbose_name=_("court")
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("closed day")
        verbose_name_plural = _("closed days")
        ordering = ("court", "date")
        constraints = (models.UniqueConstraint(fields=("court", "date"), name="unique_closed_day_per_court"),)

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.reason}"


class Hearing(ChoiceLabelsModel):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("requested")
        LISTED = "listed", _("listed")
        POSTPONED = "postponed", _("postponed")
        HELD = "held", _("held")
        CLOSED = "closed", _("closed")
        CANCELLED = "cancelled", _("cancelled")

    class Purpose(models.TextChoices):
        CASE_MANAGEMENT = "case_management", _("case management")
        MERITS = "merits", _("hearing on the merits")
        INTERIM = "interim", _("interim measures")
        JUDGMENT = "judgment", _("delivery of the decision")
        OTHER = "other", _("other")

    # The statuses in which a hearing holds its room, judge and counsel (used by the database constraints too).
    OCCUPYING = (Status.LISTED, Status.HELD)

    uid = models.UUIDField(_("calendar identifier"), default=uuid.uuid4, unique=True, editable=False)
    case = models.ForeignKey("filings.Case", on_delete=models.PROTECT, related_name="hearings", verbose_name=_("case"))
    room = models.ForeignKey(
        "filings.Room", on_delete=models.PROTECT, null=True, blank=True, related_name="hearings", verbose_name=_("room")
    )
    judge = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hearings_presided",
        verbose_name=_("judge"),
    )
    starts_at = models.DateTimeField(_("starts at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.REQUESTED)
    # Grows on every change the parties' calendars must pick up (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(_("revision"), default=0)
    to_bring = models.TextField(
        _("what to bring"), blank=True, help_text=_("Documents and items the parties should bring to the hearing.")
    )
    # The request the court's staff recorded before the hearing was listed (status ``requested``).
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose.choices, blank=True)
    estimated_minutes = models.PositiveIntegerField(_("estimated duration (minutes)"), null=True, blank=True)
    wished_before = models.DateField(_("to be held before"), null=True, blank=True)
    request_notes = models.TextField(_("notes for the listing"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("listed by")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ("starts_at", "pk")
        constraints = (
            models.CheckConstraint(
                condition=~Q(status__in=("listed", "held"))
                | (
                    Q(room__isnull=False, judge__isnull=False, starts_at__isnull=False, ends_at__isnull=False)
                    & Q(starts_at__lt=F("ends_at"))
                ),
                name="listed_hearing_has_a_slot",
            ),
        )
        indexes = (
            models.Index(fields=("room", "starts_at"), name="hearing_room_agenda"),
            models.Index(fields=("judge", "starts_at"), name="hearing_judge_agenda"),
        )

    def __str__(self) -> str:
        when = timezone.localtime(self.starts_at).strftime("%Y-%m-%d %H:%M") if self.starts_at else "—"
        return f"{self.case} — {when}"

    @property
    def duration_minutes(self) -> int:
        if self.starts_at is None or self.ends_at is None:
            return 0
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    @property
    def is_upcoming(self) -> bool:
        return self.status == self.Status.LISTED and self.ends_at is not None and self.ends_at > timezone.now()


class CounselBooking(models.Model):
    """A lawyer with a mandate in the case of a listed hearing is busy for its time. One row per lawyer and hearing,
    kept in step with the hearing by the services; the database refuses two overlapping active rows of a lawyer."""

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="counsel_bookings")
    lawyer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("counsel booking")
        verbose_name_plural = _("counsel bookings")
        constraints = (
            models.UniqueConstraint(fields=("hearing", "lawyer"), name="unique_counsel_booking_per_hearing"),
        )
        indexes = (models.Index(fields=("lawyer", "starts_at"), name="counsel_booking_agenda"),)

    def __str__(self) -> str:
        return f"{self.lawyer_id} @ {self.hearing_id}"


class HearingEvent(ChoiceLabelsModel):
    """One entry of the case timeline about a hearing: listing, change, postponement asked/granted/refused, ..."""

    class Kind(models.TextChoices):
        REQUESTED = "requested", _("Hearing requested")
        LISTED = "listed", _("Hearing listed")
        CHANGED = "changed", _("Hearing changed")
        POSTPONED = "postponed", _("Hearing postponed")
        CANCELLED = "cancelled", _("Hearing cancelled")
        HELD = "held", _("Hearing held")
        CLOSED = "closed", _("Hearing closed")
        POSTPONEMENT_REQUESTED = "postponement_requested", _("Postponement requested")
        POSTPONEMENT_GRANTED = "postponement_granted", _("Postponement granted")
        POSTPONEMENT_REFUSED = "postponement_refused", _("Postponement refused")

    hearing = models.ForeignKey(Hearing, on_delete=models.PROTECT, related_name="events", verbose_name=_("hearing"))
    kind = models.CharField(_("event"), max_length=32, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    note = models.TextField(_("details"), blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        verbose_name = _("hearing event")
        verbose_name_plural = _("hearing events")
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.hearing_id}: {self.kind}"


class PostponementRequest(ChoiceLabelsModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("awaiting a decision")
        GRANTED = "granted", _("granted")
        REFUSED = "refused", _("refused")

    hearing = models.ForeignKey(
        Hearing, on_delete=models.PROTECT, related_name="postponement_requests", verbose_name=_("hearing")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    reasons = models.TextField(_("reasons"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_reason = models.TextField(_("reason for the decision"), blank=True)

    class Meta:
        verbose_name = _("postponement request")
        verbose_name_plural = _("postponement requests")
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(
                fields=("hearing", "requested_by"),
                condition=Q(status="pending"),
                name="one_pending_postponement_per_requester",
            ),
        )

    def __str__(self) -> str:
        return f"{self.hearing_id}: {self.status}"


def hash_feed_token(token: str) -> str:
    """Only the hash is stored: a database leak must not yield usable feed addresses."""
    return hashlib.sha256(token.encode()).hexdigest()


class CalendarFeed(models.Model):
    """A person's private calendar subscription: its address holds a secret token, stored hashed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="calendar_feeds", verbose_name=_("user")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = (
            models.UniqueConstraint(fields=("user",), condition=Q(revoked_at__isnull=True), name="one_active_feed"),
        )

    def __str__(self) -> str:
        return f"{self.user_id} ({'revoked' if self.revoked_at else 'active'})"


class CaseBundle(ChoiceLabelsModel):
    """The whole case file as one paginated, bookmarked PDF, built by a task and sealed as evidence."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        BUILDING = "building", _("being built")
        READY = "ready", _("ready")
        FAILED = "failed", _("failed")

    case = models.ForeignKey("filings.Case", on_delete=models.PROTECT, related_name="bundles", verbose_name=_("case"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("requested by")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("documents done"), default=0)
    total = models.PositiveIntegerField(_("documents"), default=0)
    pages = models.PositiveIntegerField(_("pages"), default=0)
    item = models.OneToOneField(
        "evidence.EvidenceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_bundle",
        verbose_name=_("sealed bundle"),
    )
    sources = models.JSONField(_("documents included"), default=list, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("case bundle")
        verbose_name_plural = _("case bundles")
        ordering = ("-created_at", "-pk")

    def __str__(self) -> str:
        return f"{self.case_id} bundle {self.pk}"

    @property
    def percent(self) -> int:
        return 100 if self.status == self.Status.READY else (100 * self.done // self.total if self.total else 0)


class Decision(ChoiceLabelsModel):
    """The judge's decision in a case. Prepared by a judge or a clerk of the court (a PDF upload or the portal's
    template), then issued by a clerk: PAdES-signed with the court's sealing certificate and the *signed* PDF sealed
    as evidence of the case, so that the sealed fingerprint covers the signature the parties can check.

    The draft's bytes live in the row until issue (small, and no file to lose if preparation is abandoned); once
    issued they are cleared: the signed PDF holds them unchanged as its first revision (incremental update).
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        ISSUED = "issued", _("issued")

    class Source(models.TextChoices):
        UPLOAD = "upload", _("uploaded PDF")
        TEMPLATE = "template", _("portal template")

    case = models.ForeignKey("filings.Case", on_delete=models.PROTECT, related_name="decisions", verbose_name=_("case"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    source = models.CharField(_("prepared as"), max_length=16, choices=Source.choices)
    draft_pdf = models.BinaryField(_("draft PDF"), blank=True, default=b"", editable=False)
    # Plain text of the decision (typed in the template, or extracted from the uploaded PDF): what open data reads.
    text = models.TextField(_("text"), blank=True)
    # An uploaded scan has no (or almost no) text to extract: a clerk pastes and confirms its text before it can be
    # released as open data (enforced below).
    text_layer_missing = models.BooleanField(_("scan without a text layer"), default=False)
    text_confirmed_at = models.DateTimeField(_("text confirmed at"), null=True, blank=True)
    text_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("text confirmed by"),
    )
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("prepared by")
    )
    prepared_at = models.DateTimeField(_("prepared at"), default=timezone.now)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    issued_at = models.DateTimeField(_("issued at"), null=True, blank=True)
    item = models.OneToOneField(
        "evidence.EvidenceItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("sealed decision"),
    )
    # Open data: a clerk reviewed the pseudonymisation and released the decision for publication.
    published_at = models.DateTimeField(_("released for open data at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released for open data by"),
    )

    class Meta:
        verbose_name = _("decision")
        verbose_name_plural = _("decisions")
        ordering = ("-issued_at", "-prepared_at", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(status="draft") | Q(item__isnull=False, issued_at__isnull=False, issued_by__isnull=False),
                name="issued_decision_is_sealed",
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(status="issued"), name="only_issued_decisions_published"
            ),
            models.CheckConstraint(
                condition=Q(published_at__isnull=True)
                | Q(text_layer_missing=False)
                | Q(text_confirmed_at__isnull=False),
                name="scanned_decision_published_with_its_text",
            ),
        )

    def __str__(self) -> str:
        return f"{self.case} — {self.title}"
