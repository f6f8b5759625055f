"""A notification tells one person that something changed in a filing or a case of theirs, on the portal and, once,
by email. The email says only that there is something new, never what: the details wait behind sign-in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from justice.choices import ChoiceLabelsModel


class Kind(models.TextChoices):
    """What happened. The database column has no fixed choices: a feature adds its kinds here (and its sentence in
    ``justice.notifications.wording``) without a migration."""

    FILING_SUBMITTED = "filing_submitted", _("New filing received")
    FILING_ACCEPTED = "filing_accepted", _("Filing accepted")
    FILING_PARTIALLY_ACCEPTED = "filing_partially_accepted", _("Filing accepted in part")
    FILING_REJECTED = "filing_rejected", _("Filing rejected")
    FILING_DOCKETED = "filing_docketed", _("Case registered")
    APPOINTMENT_PROPOSED = "appointment_proposed", _("Appointment times proposed")
    APPOINTMENT_PICKED = "appointment_picked", _("Appointment time chosen")
    APPOINTMENT_CONFIRMED = "appointment_confirmed", _("Appointment confirmed")
    SUBMISSION_SERVED = "submission_served", _("Submission served on you")
    HEARING_LISTED = "hearing_listed", _("Hearing scheduled")
    HEARING_CHANGED = "hearing_changed", _("Hearing changed")
    HEARING_CANCELLED = "hearing_cancelled", _("Hearing cancelled")
    POSTPONEMENT_REQUESTED = "postponement_requested", _("Postponement requested")
    POSTPONEMENT_DECIDED = "postponement_decided", _("Postponement request decided")
    DECISION_ISSUED = "decision_issued", _("Decision issued")


class Notification(ChoiceLabelsModel):
    class EmailStatus(models.TextChoices):
        PENDING = "pending", _("to be sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("could not be sent")
        NOT_SENT = "not_sent", _("not sent by email")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="notifications", verbose_name=_("recipient")
    )
    kind = models.CharField(_("kind"), max_length=40)
    case = models.ForeignKey(
        "filings.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("case")
    )
    filing = models.ForeignKey(
        "filings.Filing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("filing"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    email_status = models.CharField(_("email"), max_length=10, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    email_sent_at = models.DateTimeField(_("email sent at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(_("failed email attempts"), default=0)
    email_error = models.TextField(_("last email error"), blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ("-created_at", "-pk")
        indexes = (
            models.Index(fields=("recipient", "-created_at", "-id"), name="notification_list"),
            # The bell's count reads this small index only.
            models.Index(fields=("recipient",), condition=Q(read_at__isnull=True), name="notification_unread"),
        )
        constraints = (
            models.CheckConstraint(
                condition=Q(case__isnull=False) | Q(filing__isnull=False), name="notification_is_about_something"
            ),
        )

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.created_at:%Y-%m-%d %H:%M})"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    @property
    def kind_label(self) -> str:
        return str(Kind(self.kind).label) if self.kind in Kind.values else self.kind


class RecipientLanguage(ChoiceLabelsModel):
    """The language a person last used on the portal: their emails are written in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        primary_key=True,
        related_name="notification_language",
        verbose_name=_("user"),
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)

    class Meta:
        verbose_name = _("language of a person's emails")
        verbose_name_plural = _("languages of people's emails")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language}"
