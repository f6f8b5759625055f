from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from filings.models import (
    AssistedFiling,
    Case,
    ClaimType,
    Exhibit,
    Filing,
    FilingEvent,
    Party,
    PostcodeRoute,
    Room,
    ServiceRecord,
)
from justice.audit.models import AccessEvent
from justice.audit.services import access_record


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin[Room]):
    list_display = ("name", "court", "location", "capacity")
    list_filter = ("court",)


@admin.register(PostcodeRoute)
class PostcodeRouteAdmin(admin.ModelAdmin[PostcodeRoute]):
    list_display = ("postcode", "commune", "police_unit", "prosecutor_office")
    search_fields = ("postcode", "commune", "police_unit__name")
    list_select_related = ("police_unit", "prosecutor_office")


@admin.register(ClaimType)
class ClaimTypeAdmin(admin.ModelAdmin[ClaimType]):
    list_display = ("name", "name_en", "code", "max_amount", "amount_required", "is_active", "position")
    list_editable = ("is_active", "position")
    list_filter = ("is_active",)


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """Cases and filings change only through the portal's services, which write their history; the admin reads."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class PartyInline(admin.TabularInline[Party, Any]):
    model = Party
    fk_name = "case"
    extra = 0
    fields = ("role", "user", "organisation", "name", "represents")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Case)
class CaseAdmin(ReadOnlyAdmin):
    list_display = ("reference", "court", "kind", "status", "opened_at")
    list_filter = ("kind", "status")
    search_fields = ("reference",)
    list_select_related = ("court",)
    inlines = (PartyInline,)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        case = super().get_object(request, object_id, from_field)
        if case is not None:
            access_record(
                actor=request.user,  # type: ignore[arg-type]
                subjects={party.user for party in case.parties.select_related("user") if party.user is not None},
                action=AccessEvent.Action.VIEW,
                obj=case,
                what=_("Your name and role in case %(reference)s") % {"reference": case.reference},
                purpose=_("Site administration"),
            )
        return case


class FilingEventInline(admin.TabularInline[FilingEvent, Any]):
    model = FilingEvent
    extra = 0
    fields = ("created_at", "previous_status", "status", "actor", "reason")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ExhibitInline(admin.TabularInline[Exhibit, Any]):
    """Exhibits change only through the filings services (numbering, review), never here."""

    model = Exhibit
    extra = 0
    fields = ("number", "title", "item", "status", "rejection_reason", "added_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ServiceRecordInline(admin.TabularInline[ServiceRecord, Any]):
    model = ServiceRecord
    extra = 0
    fields = ("recipient", "party", "status", "sent_at", "delivered_at", "opened_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Filing)
class FilingAdmin(ReadOnlyAdmin):
    list_display = ("pk", "kind", "status", "recipient", "submitted_at", "updated_at")
    list_filter = ("kind", "status")
    list_select_related = ("recipient",)
    inlines = (FilingEventInline, ExhibitInline, ServiceRecordInline)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        filing = super().get_object(request, object_id, from_field)
        if filing is not None:
            access_record(
                actor=request.user,  # type: ignore[arg-type]
                subjects={person for person in (filing.filer, filing.on_behalf_of) if person is not None},
                action=AccessEvent.Action.VIEW,
                obj=filing,
                what=_("The content of %(filing)s") % {"filing": filing},
                purpose=_("Site administration"),
            )
        return filing


@admin.register(AssistedFiling)
class AssistedFilingAdmin(ReadOnlyAdmin):
    """Who filed at which counter, with what consent, and whether the citizen claimed it (never the code)."""

    list_display = ("filing", "counter", "clerk", "created_at", "claimed_at")
    list_filter = ("counter",)
    list_select_related = ("filing", "counter", "clerk")
    exclude = ("claim_code_hash",)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
