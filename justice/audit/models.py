"""The personal-data access log: who read whose data, when and why. Rows are never changed or removed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from justice.appendonly import AppendOnlyModel, AppendOnlyQuerySet


class AccessEvent(AppendOnlyModel):
    class Action(models.TextChoices):
        VIEW = "view", _("viewed")
        DOWNLOAD = "download", _("downloaded")
        EXPORT = "export", _("exported")

    # Indexed by the (subject, -created_at) index below, which answers "who accessed my data" and the checks on a
    # person's deletion alike: an index of its own would only cost one more write per event.
    subject = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="access_events",
        verbose_name=_("person concerned"),
        db_index=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("on behalf of"),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    what = models.CharField(_("what"), max_length=200)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    purpose = models.CharField(_("why"), max_length=200)
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    objects = AppendOnlyQuerySet["AccessEvent"].as_manager()

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=("subject", "-created_at")),)

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.what} ({self.created_at:%Y-%m-%d %H:%M})"
