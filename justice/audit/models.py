"""The personal-data access log: who read whose data, when and why. Rows are never changed or removed."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from justice.appendonly import AppendOnlyModel, AppendOnlyQuerySet


class AccessEvent(AppendOnlyModel):
    """One read of one person's data. The log names people and organisations without foreign-key constraints in the
    database (``db_constraint=False``): checking a constraint locks the row it points to (``FOR KEY SHARE``), so a
    review queue's view, which names about twenty-five people, locked fifty rows of people and twenty-five of its
    court at its commit, each lock a write to the table and a lookup, about a third of the page's database time
    (PostgreSQL's CPU for the queue: 1.9 -> 1.5 ms a view). The ids come from the request's person and from rows that
    are themselves constrained; the events are never changed; and the ORM still refuses to delete a person or an
    organisation an event names (``on_delete=PROTECT``, checked by Django, not by the database).

    Only the two reads the portal makes are indexed: by the person concerned (newest first, for "who accessed my
    data" and the check before deleting a person) and by who read (the same check, and an inquiry into what one agent
    read). The whole log is listed by its id, which grows as events are written (see the admin): an index on the date
    alone or on the organisation would cost two more writes per event for reads nobody makes (deleting an
    organisation, which is not done, would read the log by organisation without an index)."""

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
        db_constraint=False,
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("who"),
        db_constraint=False,
    )
    actor_organisation = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("on behalf of"),
        db_index=False,
        db_constraint=False,
    )
    action = models.CharField(_("action"), max_length=16, choices=Action.choices)
    what = models.CharField(_("what"), max_length=200)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    purpose = models.CharField(_("why"), max_length=200)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    objects = AppendOnlyQuerySet["AccessEvent"].as_manager()

    class Meta:
        verbose_name = _("access to personal data")
        verbose_name_plural = _("accesses to personal data")
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=("subject", "-created_at")),)

    def __str__(self) -> str:
        return f"{self.actor} {self.get_action_display()} {self.what} ({self.created_at:%Y-%m-%d %H:%M})"
