from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from justice.audit.models import AccessEvent


@admin.register(AccessEvent)
class AccessEventAdmin(admin.ModelAdmin[AccessEvent]):
    list_display = ("created_at", "subject", "actor", "actor_organisation", "action", "what", "purpose")
    list_filter = ("action",)
    search_fields = ("subject__email", "actor__email", "what")
    list_select_related = ("subject", "actor", "actor_organisation")
    # Newest first by the id, which grows as events are written: the log has no index on the date alone.
    ordering = ("-pk",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
