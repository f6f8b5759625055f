from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from justice.accounts.models import Invitation, Membership, Organisation, User
from justice.audit.models import AccessEvent
from justice.audit.services import access_record


class MembershipInline(admin.TabularInline[Membership, Any]):
    model = Membership
    fk_name = "user"
    extra = 0
    fields = ("organisation", "role", "created_at", "revoked_at")
    readonly_fields = ("created_at", "revoked_at")


@admin.register(User)
class UserAdmin(DjangoUserAdmin[User]):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "is_demo")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "is_demo")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = (MembershipInline,)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        user = super().get_object(request, object_id, from_field)
        if user is not None:
            access_record(
                actor=request.user,  # type: ignore[arg-type]
                subjects=[user],
                action=AccessEvent.Action.VIEW,
                obj=user,
                what=_("Your account details"),
                purpose=_("Site administration"),
            )
        return user


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin[Organisation]):
    list_display = ("name", "kind", "code")
    list_filter = ("kind",)
    search_fields = ("name", "code")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin[Membership]):
    list_display = ("user", "organisation", "role", "created_at", "revoked_at")
    list_filter = ("role", "organisation__kind")
    search_fields = ("user__email", "organisation__name")
    list_select_related = ("user", "organisation")
    raw_id_fields = ("user", "created_by", "revoked_by")


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ("email", "organisation", "role", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_filter = ("role",)
    search_fields = ("email", "organisation__name")
    readonly_fields = ("token_hash", "created_at", "accepted_at", "accepted_by")
    raw_id_fields = ("invited_by", "accepted_by")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # Invitations are created by organisation admins in the portal, which emails the one-time link.
        return False
