"""Appointments to confirm a pre-complaint: the police unit proposes times, the victim picks one (indicative until
the unit confirms it), the unit confirms it or proposes others."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.filings import Filing
from justice.choices import ChoiceLabelsModel


class AppointmentSlot(ChoiceLabelsModel):
    class Status(models.TextChoices):
        PROPOSED = "proposed", _("proposed")
        PICKED = "picked", _("chosen, to be confirmed by the unit")
        CONFIRMED = "confirmed", _("confirmed")
        WITHDRAWN = "withdrawn", _("no longer offered")

    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, related_name="appointment_slots", verbose_name=_("pre-complaint")
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=300)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("proposed by")
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    picked_at = models.DateTimeField(_("chosen at"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("confirmed by"),
    )

    class Meta:
        verbose_name = _("appointment time")
        verbose_name_plural = _("appointment times")
        ordering = ("starts_at", "pk")
        constraints = (
            # One chosen (or confirmed) time per pre-complaint, even when two requests race.
            models.UniqueConstraint(
                fields=("filing",),
                condition=Q(status__in=("picked", "confirmed")),
                name="one_chosen_appointment_per_filing",
            ),
        )

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.starts_at:%Y-%m-%d %H:%M} ({self.status})"
