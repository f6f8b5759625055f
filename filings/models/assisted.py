"""Filings made at a court's counter by a clerk, for a citizen who cannot use the portal, and the one-time code with
which that citizen later claims the case into their own account."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.filings import Filing
from justice.accounts.models import Organisation


class AssistedFiling(models.Model):
    """The clerk files in their own name (``Filing.filer``), for a person known by the name in the filing until they
    claim it. The claim code is kept only as a keyed hash; it expires, and wrong tries lock it."""

    filing = models.OneToOneField(Filing, on_delete=models.PROTECT, related_name="assisted", verbose_name=_("filing"))
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("clerk at the counter")
    )
    counter = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("court where it was filed")
    )
    identity_document = models.CharField(_("identity document checked"), max_length=200)
    consent_statement = models.TextField(_("statement the citizen agreed to"))
    consent_given_at = models.DateTimeField(_("consent given at"))
    claim_code_hash = models.CharField(_("claim code (keyed hash)"), max_length=64)
    claim_code_expires_at = models.DateTimeField(_("claim code expires at"))
    claim_failures = models.PositiveSmallIntegerField(_("wrong codes tried"), default=0)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("claimed by"),
    )
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("assisted filing")
        verbose_name_plural = _("assisted filings")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return str(self.filing)
