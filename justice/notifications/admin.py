from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from justice.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    """Read-only: to see whether an email went out."""

    list_display = ("created_at", "recipient", "kind", "case", "filing", "read_at", "email_status", "email_attempts")
    list_filter = ("kind", "email_status")
    search_fields = ("recipient__email", "case__reference")
    list_select_related = ("recipient", "case", "filing")
    raw_id_fields = ("recipient", "case", "filing")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
