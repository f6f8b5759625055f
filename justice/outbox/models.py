"""One row per task to publish. The row is the promise that the task will run: it is written with the business
change, and stays pending until the broker has accepted the task."""

from __future__ import annotations

import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    task_name = models.CharField(_("task"), max_length=200)
    args = models.JSONField(_("positional arguments"), default=list, blank=True, encoder=DjangoJSONEncoder)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    # The Celery task id: a message published twice (a relay that died before recording the publication) keeps
    # its id, so the two runs can be told apart from two different tasks in the logs.
    task_id = models.UUIDField(_("task id"), default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    available_at = models.DateTimeField(_("next attempt from"), default=timezone.now)
    published_at = models.DateTimeField(_("sent to the workers at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("failed attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        ordering = ("pk",)
        indexes = (
            models.Index(fields=("available_at", "id"), condition=Q(published_at__isnull=True), name="outbox_pending"),
            models.Index(fields=("published_at",), condition=Q(published_at__isnull=False), name="outbox_published"),
        )

    def __str__(self) -> str:
        return f"{self.task_name} #{self.pk}"

    @property
    def is_pending(self) -> bool:
        return self.published_at is None
