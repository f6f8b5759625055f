"""Reference data edited in the admin: which police unit serves a place, and the kinds of civil claims offered."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from justice.accounts.models import Organisation

POSTCODE_VALIDATOR = RegexValidator(r"^\d{5}$", _("Enter a postcode of five digits, for example 45000."))


class PostcodeRoute(models.Model):
    """Sends a pre-complaint (to the police unit) or a complaint (to the prosecutor's office) by place of the facts.

    A route without a commune covers the whole postcode; one with a commune wins for that commune.
    """

    postcode = models.CharField(_("postcode"), max_length=5, validators=[POSTCODE_VALIDATOR])
    commune = models.CharField(
        _("commune"), max_length=100, blank=True, help_text=_("Leave empty for every commune of the postcode.")
    )
    police_unit = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.POLICE_UNIT},
        verbose_name=_("police unit"),
    )
    prosecutor_office = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"kind": Organisation.Kind.PROSECUTOR_OFFICE},
        verbose_name=_("prosecutor's office"),
        help_text=_("Receives the complaints filed online for this place."),
    )

    class Meta:
        verbose_name = _("postcode route")
        verbose_name_plural = _("postcode routes")
        ordering = ("postcode", "commune")
        constraints = (models.UniqueConstraint(fields=("postcode", "commune"), name="unique_postcode_route"),)

    def __str__(self) -> str:
        place = f"{self.postcode} {self.commune}".strip()
        return f"{place} → {self.police_unit}"


class ClaimType(models.Model):
    """A kind of civil claim a citizen or a lawyer can refer to a court."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name in French"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200)
    max_amount = models.DecimalField(
        _("highest amount that can be claimed"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("In euros. Leave empty when there is no ceiling."),
    )
    amount_required = models.BooleanField(_("amount required"), default=False)
    is_active = models.BooleanField(_("offered in the forms"), default=True)
    position = models.PositiveSmallIntegerField(_("position in lists"), default=0)

    class Meta:
        verbose_name = _("claim type")
        verbose_name_plural = _("claim types")
        ordering = ("position", "name")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the language of the page: the catalogue is data, edited in both languages."""
        return self.name_en if (get_language() or "fr").startswith("en") else self.name
