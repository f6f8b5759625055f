"""The first response given to each (caller, idempotency key), kept for a while to be replayed to retries."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework.utils.encoders import JSONEncoder


class IdempotencyRecord(models.Model):
    """Written in the same transaction as the work the request did: either both are there, or neither is.

    The unique constraint on (caller, key) is what makes concurrent retries safe: a second insert of the same pair
    waits for the first transaction, then fails, and the second request replays the first one's response.
    """

    caller = models.CharField(
        _("caller"), max_length=100, help_text=_("Who sent the request: a user, or an organisation's API client.")
    )
    key = models.CharField(_("idempotency key"), max_length=255)
    fingerprint = models.CharField(
        _("request fingerprint"), max_length=64, help_text=_("SHA-256 of the method, path and body of the request.")
    )
    status_code = models.PositiveSmallIntegerField(_("response status"))
    response_body = models.JSONField(_("response body"), null=True, encoder=JSONEncoder)
    response_headers = models.JSONField(_("response headers"), default=dict)
    created_at = models.DateTimeField(_("created at"))
    expires_at = models.DateTimeField(_("expires at"), db_index=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = (models.UniqueConstraint(fields=("caller", "key"), name="unique_idempotency_key_per_caller"),)

    def __str__(self) -> str:
        return f"{self.caller} {self.key}"
