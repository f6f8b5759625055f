from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from justice.outbox.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin[OutboxMessage]):
    """Read-only: operators watch for messages stuck in the outbox (the broker unreachable for long)."""

    list_display = ("pk", "task_name", "created_at", "published_at", "attempts", "available_at")
    list_filter = (("published_at", admin.EmptyFieldListFilter), "task_name")
    readonly_fields = ("task_name", "args", "kwargs", "task_id", "created_at", "available_at", "published_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
