from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from justice.idempotency.models import IdempotencyRecord


@admin.register(IdempotencyRecord)
class IdempotencyRecordAdmin(admin.ModelAdmin[IdempotencyRecord]):
    """For support: which responses are kept for retries. Written only by API requests."""

    list_display = ("caller", "key", "status_code", "created_at", "expires_at")
    search_fields = ("caller", "key")
    exclude = ("response_body",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
