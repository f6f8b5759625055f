"""Exhibits of a filing (its numbered exhibit list, the *bordereau de pièces*) and the service of a submission on
the other parties of a case.

An exhibit *is* a sealed evidence item: the list points at it, it never copies it, so the same sealed bytes go from
the filer to the court and to the other parties, each access recorded in the item's chain of custody.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.cases import Party
from filings.models.filings import Filing
from justice.choices import ChoiceLabelsModel


class Exhibit(ChoiceLabelsModel):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="exhibits", verbose_name=_("filing"))
    item = models.ForeignKey(
        "evidence.EvidenceItem", on_delete=models.PROTECT, related_name="exhibits", verbose_name=_("evidence item")
    )
    # 1, 2, 3… without gaps within a filing; kept so by the services that add, move and remove exhibits.
    number = models.PositiveIntegerField(_("number"))
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    added_at = models.DateTimeField(_("added at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("exhibit")
        verbose_name_plural = _("exhibits")
        ordering = ("filing", "number")
        constraints = (
            models.UniqueConstraint(fields=("filing", "number"), name="unique_exhibit_number_per_filing"),
            models.UniqueConstraint(fields=("filing", "item"), name="unique_exhibit_item_per_filing"),
        )

    def __str__(self) -> str:
        return _("Exhibit no. %(number)s: %(title)s") % {"number": self.number, "title": self.title}


class ServiceRecord(ChoiceLabelsModel):
    """A submission served on one recipient (a party with an account, or the counsel of a party): ``sent`` when
    the submission joins the case file, ``delivered`` once placed in the recipient's space, ``opened`` at the
    recipient's first download of a served document. Each time is recorded once: the sender's dated receipts."""

    class Status(models.TextChoices):
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        OPENED = "opened", _("opened")

    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("submission served")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="services_received",
        verbose_name=_("served on"),
    )
    party = models.ForeignKey(
        Party, on_delete=models.PROTECT, related_name="service_records", verbose_name=_("party served")
    )
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SENT)
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)

    class Meta:
        verbose_name = _("service on a party")
        verbose_name_plural = _("services on parties")
        ordering = ("filing", "pk")
        constraints = (models.UniqueConstraint(fields=("filing", "recipient"), name="unique_service_per_recipient"),)

    def __str__(self) -> str:
        return f"{self.filing_id} → {self.recipient_id}: {self.status}"
