"""The court calendar (sitting hours, closed days) is kept in the admin; hearings change only through the services
(conflict checks, timeline, notifications), so the admin reads them."""

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hearings.models import CaseBundle, ClosedDay, Decision, Hearing, PostponementRequest, SittingHours


@admin.register(SittingHours)
class SittingHoursAdmin(admin.ModelAdmin[SittingHours]):
    list_display = ("court", "weekday", "opens", "closes")
    list_filter = ("court", "weekday")


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin[ClosedDay]):
    list_display = ("court", "date", "reason")
    list_filter = ("court",)
    date_hierarchy = "date"


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Hearing)
class HearingAdmin(ReadOnlyAdmin):
    list_display = ("case", "starts_at", "room", "judge", "status", "sequence")
    list_filter = ("status", "case__court")
    list_select_related = ("case", "room", "judge")


@admin.register(PostponementRequest)
class PostponementRequestAdmin(ReadOnlyAdmin):
    list_display = ("hearing", "requested_by", "status", "created_at")
    list_filter = ("status",)


@admin.register(CaseBundle)
class CaseBundleAdmin(ReadOnlyAdmin):
    list_display = ("case", "status", "done", "total", "pages", "created_at")


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ("case", "title", "status", "issued_at", "published_at")
    list_filter = ("status", "case__court")
    list_select_related = ("case",)
    exclude = ("draft_pdf", "text")
