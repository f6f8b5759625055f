"""Cases registered by a court or a prosecutor's office, the people and bodies in them, and lawyers' mandates."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from filings.models.catalogues import ClaimType
from justice.accounts.models import Organisation
from justice.choices import ChoiceLabelsModel

# Organisations that register cases: courts (civil cases) and prosecutor's offices (criminal cases).
REGISTERING_KINDS = (Organisation.Kind.COURT, Organisation.Kind.PROSECUTOR_OFFICE)


class Case(ChoiceLabelsModel):
    class Kind(models.TextChoices):
        CRIMINAL = "criminal", _("criminal")
        CIVIL = "civil", _("civil")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    reference = models.CharField(_("reference"), max_length=40, unique=True, editable=False)
    court = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="cases",
        limit_choices_to={"kind__in": REGISTERING_KINDS},
        verbose_name=_("court"),
    )
    year = models.PositiveSmallIntegerField(_("year"), editable=False)
    sequence = models.PositiveIntegerField(_("number in the year"), editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.OPEN)
    claim_type = models.ForeignKey(
        ClaimType, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("claim type")
    )
    opened_at = models.DateTimeField(_("registered at"), default=timezone.now)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered by")
    )

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ("-opened_at", "-pk")
        constraints = (
            models.UniqueConstraint(fields=("court", "year", "sequence"), name="unique_case_sequence_per_court_year"),
        )

    def __str__(self) -> str:
        return self.reference


class CaseReferenceCounter(models.Model):
    """The last case number given by a court in a year; its row is locked while a number is taken, so numbers
    follow each other without gaps or duplicates, and a rolled-back registration gives its number back."""

    court = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("court"))
    year = models.PositiveSmallIntegerField(_("year"))
    last_sequence = models.PositiveIntegerField(_("last number given"), default=0)

    class Meta:
        verbose_name = _("case number counter")
        verbose_name_plural = _("case number counters")
        constraints = (models.UniqueConstraint(fields=("court", "year"), name="unique_case_counter_per_court_year"),)

    def __str__(self) -> str:
        return f"{self.court} {self.year}: {self.last_sequence}"


class Party(ChoiceLabelsModel):
    """Someone in a case, and as what. People without an account are known by the name given in the filing."""

    class Role(models.TextChoices):
        COMPLAINANT = "complainant", _("complainant")
        VICTIM = "victim", _("victim")
        CLAIMANT = "claimant", _("claimant")
        RESPONDENT = "respondent", _("respondent")
        DEFENDANT = "defendant", _("defendant")
        POLICE_UNIT = "police_unit", _("police unit")
        PROSECUTOR = "prosecutor", _("prosecutor")
        COUNSEL = "counsel", _("counsel")

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="parties", verbose_name=_("case"))
    role = models.CharField(_("role"), max_length=16, choices=Role.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_parties",
        verbose_name=_("account"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_parties",
        verbose_name=_("organisation"),
    )
    name = models.CharField(_("name"), max_length=200, blank=True)
    address = models.TextField(_("address"), blank=True)
    represents = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="counsel",
        verbose_name=_("counsel for"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)

    class Meta:
        verbose_name = _("party")
        verbose_name_plural = _("parties")
        ordering = ("case", "pk")
        constraints = (
            models.CheckConstraint(
                condition=Q(user__isnull=False) | Q(organisation__isnull=False) | ~Q(name=""),
                name="party_is_someone",
            ),
        )

    def __str__(self) -> str:
        return f"{self.display_name} ({self.get_role_display()})"

    @property
    def display_name(self) -> str:
        if self.name:
            return self.name
        if self.user is not None:
            return str(self.user)
        return str(self.organisation)


class MandateQuerySet(models.QuerySet["Mandate"]):
    def active(self) -> MandateQuerySet:
        return self.filter(revoked_at__isnull=True)


class Mandate(models.Model):
    """A lawyer, member of a bar, acts for a client. Recorded when the lawyer first files for the client; once the
    case is registered it points at the client's party, which lets the client and the lawyer see the case."""

    lawyer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates_held", verbose_name=_("lawyer")
    )
    bar = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="mandates",
        limit_choices_to={"kind": Organisation.Kind.BAR},
        verbose_name=_("bar"),
    )
    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="mandates_given", verbose_name=_("client")
    )
    party = models.ForeignKey(
        Party,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mandates",
        verbose_name=_("party represented"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    objects = MandateQuerySet.as_manager()

    class Meta:
        verbose_name = _("mandate")
        verbose_name_plural = _("mandates")
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return f"{self.lawyer} → {self.client}"
