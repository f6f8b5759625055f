"""Rooms where a court sits (hearings will be listed in them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from justice.accounts.models import Organisation


class Room(models.Model):
    """A room where a court sits."""

    court = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="rooms",
        limit_choices_to={"kind": Organisation.Kind.COURT},
        verbose_name=_("court"),
    )
    name = models.CharField(_("name"), max_length=100)
    location = models.CharField(_("location"), max_length=200, blank=True, help_text=_("Floor, wing, access."))
    capacity = models.PositiveIntegerField(_("seats"), null=True, blank=True)

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        ordering = ("court", "name")
        constraints = (models.UniqueConstraint(fields=("court", "name"), name="unique_room_name_per_court"),)

    def __str__(self) -> str:
        return f"{self.name} — {self.court}"
