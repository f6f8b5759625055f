"""Filings (after OASIS ECF 5) and their status history.

``draft → submitted → (accepted | partially_accepted | rejected) → docketed``; ``cancelled`` from draft or submitted,
by the filer. Transitions happen only in ``filings.services``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.cases import Case, Mandate
from justice.accounts.assurance import Level
from justice.accounts.models import Organisation
from justice.choices import ChoiceLabelsModel

# The eIDAS levels of justice.accounts.assurance, under the name the filings code uses.
AssuranceLevel = Level


class RejectionReason(models.TextChoices):
    INCOMPLETE = "incomplete", _("Information is missing or unclear")
    NOT_COMPETENT = "not_competent", _("Not for this court or unit: another one is competent")
    DUPLICATE = "duplicate", _("Already filed: duplicate of another filing")
    OUT_OF_SCOPE = "out_of_scope", _("The facts described are not a matter for the courts")
    TIME_BARRED = "time_barred", _("Time limit for acting has passed")
    OTHER = "other", _("Other reason (explained below)")


class Filing(ChoiceLabelsModel):
    class Kind(models.TextChoices):
        PRE_COMPLAINT = "pre_complaint", _("pre-complaint")
        COMPLAINT = "complaint", _("complaint")
        CIVIL_REFERRAL = "civil_referral", _("civil referral")
        SUBMISSION = "submission", _("submission")
        POLICE_TRANSMISSION = "police_transmission", _("police procedure")

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        ACCEPTED = "accepted", _("accepted")
        PARTIALLY_ACCEPTED = "partially_accepted", _("partially accepted")
        REJECTED = "rejected", _("rejected")
        DOCKETED = "docketed", _("registered")
        CANCELLED = "cancelled", _("cancelled")

    class Decision(models.TextChoices):
        ACCEPTED = "accepted", _("Accept")
        PARTIALLY_ACCEPTED = "partially_accepted", _("Accept in part")
        REJECTED = "rejected", _("Reject")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    filer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="filings", verbose_name=_("filed by")
    )
    filer_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filed for the organisation"),
    )
    on_behalf_of = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filings_for_me",
        verbose_name=_("on behalf of"),
    )
    mandate = models.ForeignKey(
        Mandate, on_delete=models.PROTECT, null=True, blank=True, related_name="filings", verbose_name=_("mandate")
    )
    recipient = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="filings_received",
        verbose_name=_("sent to"),
    )
    case = models.ForeignKey(
        Case, on_delete=models.PROTECT, null=True, blank=True, related_name="filings", verbose_name=_("case")
    )
    # Structured content, one section per step of the form; validated by the forms of filings.content.
    content = models.JSONField(_("content"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    idempotency_key = models.UUIDField(_("idempotency key"), editable=False)
    copied_from = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="copies", verbose_name=_("copy of")
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("last changed at"), default=timezone.now)
    submitted_at = models.DateTimeField(
        _("official filing time"), null=True, blank=True, help_text=_("When the portal received the filing.")
    )
    assurance_level = models.CharField(
        _("level of assurance at submission"), max_length=16, choices=AssuranceLevel.choices, blank=True
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    review_decision = models.CharField(_("decision"), max_length=20, choices=Decision.choices, blank=True)
    rejection_reason = models.CharField(
        _("reason for rejection"), max_length=20, choices=RejectionReason.choices, blank=True
    )
    review_note = models.TextField(_("explanation of the decision"), blank=True)

    class Meta:
        verbose_name = _("filing")
        verbose_name_plural = _("filings")
        ordering = ("-created_at", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("filer", "idempotency_key"), name="unique_idempotency_key_per_filer"),
        )
        indexes = (
            models.Index(fields=("recipient", "status", "submitted_at"), name="filing_review_queue"),
            # The queue's counts per status and kind come from this index alone (an index-only scan), not from
            # the rows of every filing the court ever received.
            models.Index(fields=("recipient", "status", "kind"), name="filing_review_counts"),
        )

    def __str__(self) -> str:
        return _("%(kind)s no. %(number)s") % {"kind": self.get_kind_display().capitalize(), "number": self.pk}

    @property
    def is_editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def is_cancellable(self) -> bool:
        return self.status in (self.Status.DRAFT, self.Status.SUBMITTED)


class FilingEvent(ChoiceLabelsModel):
    """One change of a filing's status: who, when, and why. Written in the same transaction as the change."""

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="events", verbose_name=_("filing"))
    status = models.CharField(_("new status"), max_length=20, choices=Filing.Status.choices)
    previous_status = models.CharField(_("previous status"), max_length=20, choices=Filing.Status.choices, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", verbose_name=_("by")
    )
    created_at = models.DateTimeField(_("at"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        verbose_name = _("filing status change")
        verbose_name_plural = _("filing status changes")
        ordering = ("created_at", "pk")

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.previous_status or '-'} → {self.status}"
