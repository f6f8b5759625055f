from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from justice.accounts import services
from justice.accounts.models import ApiCall, ApiClient, Invitation, Membership, Organisation, User, VerifiedIdentity
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
    list_display = ("email", "first_name", "last_name", "is_active", "is_staff", "is_demo", "is_service_account")
    list_filter = ("is_active", "is_staff", "is_superuser", "is_service_account")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Identity"), {"fields": ("first_name", "last_name")}),
        (_("Permissions"), {"fields": ("is_active", "is_staff", "is_superuser", "is_demo")}),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = (MembershipInline,)
    actions = ("deactivate",)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if change and "is_active" in form.changed_data and not obj.is_active:
            services.user_deactivate(user=obj, actor=request.user)  # type: ignore[arg-type]

    @admin.action(description=_("Deactivate the selected accounts and end their sessions"))
    def deactivate(self, request: HttpRequest, queryset: Any) -> None:
        for user in queryset:
            services.user_deactivate(user=user, actor=request.user)  # type: ignore[arg-type]

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


@admin.register(VerifiedIdentity)
class VerifiedIdentityAdmin(admin.ModelAdmin[VerifiedIdentity]):
    list_display = ("user", "provider", "level", "verified_at")
    list_filter = ("provider", "level")
    search_fields = ("user__email", "family_name")
    raw_id_fields = ("user",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Asserted by the identity provider: nobody edits it here.
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin[ApiClient]):
    """Read-only: credentials are issued and revoked by the organisation's administrators (with re-authentication),
    or on the command line (``manage.py api_client_create``); the secret exists only as its hash."""

    list_display = ("name", "client_id", "organisation", "scope", "created_at", "expires_at", "revoked_at")
    list_filter = ("organisation__kind",)
    search_fields = ("name", "client_id", "organisation__name")
    list_select_related = ("organisation",)
    readonly_fields = (
        "organisation",
        "name",
        "client_id",
        "secret_hash",
        "scope",
        "user",
        "created_by",
        "created_at",
        "expires_at",
        "revoked_at",
        "revoked_by",
        "last_used_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiCall)
class ApiCallAdmin(admin.ModelAdmin[ApiCall]):
    list_display = ("at", "client", "method", "path", "status_code", "ip_address")
    list_filter = ("status_code",)
    search_fields = ("client__client_id", "path")
    list_select_related = ("client",)
    date_hierarchy = "at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
