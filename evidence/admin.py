"""Read-only admin views of evidence: originals, seals and custody events are never edited by hand."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from evidence.models import CustodyEvent, EvidenceItem, Seal


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EvidenceItem)
class EvidenceItemAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "media_type", "size", "status", "uploaded_by", "organisation", "created_at")
    list_filter = ("status", "channel")
    list_select_related = ("uploaded_by", "organisation")


@admin.register(Seal)
class SealAdmin(ReadOnlyAdmin):
    list_display = ("item", "sha256", "size", "sealed_at")
    list_select_related = ("item",)


@admin.register(CustodyEvent)
class CustodyEventAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "item", "action", "actor", "organisation", "purpose")
    list_filter = ("action",)
    list_select_related = ("item", "actor", "organisation")
