"""Reads of accounts and organisations, always scoped to what the acting user may see."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from justice.accounts.models import ApiCall, ApiClient, Invitation, Membership, Organisation, User, VerifiedIdentity


def organisation_list_managed(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        memberships__in=Membership.objects.active().filter(user=user, role=Membership.Role.ORGANISATION_ADMIN)
    ).distinct()


def organisation_get_managed(*, user: User, pk: int) -> Organisation:
    try:
        return organisation_list_managed(user=user).get(pk=pk)
    except Organisation.DoesNotExist:
        raise Http404 from None


def membership_list_active(*, user: User) -> QuerySet[Membership]:
    """The acting user's own active memberships."""
    return Membership.objects.active().filter(user=user).select_related("organisation")


def membership_list_for_organisation(*, user: User, organisation: Organisation) -> QuerySet[Membership]:
    """Members of an organisation the user manages (the caller has already checked that)."""
    return (
        Membership.objects.active()
        .filter(organisation=organisation, user__is_service_account=False)
        .select_related("user")
        .order_by("user__last_name", "user__first_name", "user__email", "role")
    )


def membership_get(*, organisation: Organisation, pk: int) -> Membership:
    """An active membership of an organisation the caller manages (from :func:`organisation_get_managed`)."""
    try:
        # API clients' service accounts are managed on the API credentials page.
        return (
            Membership.objects.active()
            .select_related("user", "organisation")
            .get(pk=pk, organisation=organisation, user__is_service_account=False)
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def invitation_list_pending(*, organisation: Organisation) -> QuerySet[Invitation]:
    return organisation.invitations.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).select_related("invited_by")


def invitation_get(*, organisation: Organisation, pk: int) -> Invitation:
    """An invitation of an organisation the caller manages (from :func:`organisation_get_managed`)."""
    try:
        return Invitation.objects.select_related("organisation").get(pk=pk, organisation=organisation)
    except Invitation.DoesNotExist:
        raise Http404 from None


def verified_identity_get(*, user: User) -> VerifiedIdentity | None:
    """The acting user's own verified identity, if an identity provider vouched for them."""
    return VerifiedIdentity.objects.filter(user=user).first()


def api_client_list(*, organisation: Organisation) -> QuerySet[ApiClient]:
    """API clients of an organisation the caller manages (from :func:`organisation_get_managed`), newest first."""
    return organisation.api_clients.select_related("created_by", "revoked_by").order_by("-created_at")


def api_client_get(*, organisation: Organisation, pk: int) -> ApiClient:
    """An API client of an organisation the caller manages (from :func:`organisation_get_managed`)."""
    try:
        return ApiClient.objects.select_related("organisation", "user").get(pk=pk, organisation=organisation)
    except ApiClient.DoesNotExist:
        raise Http404 from None


def api_call_list_recent(*, client: ApiClient, limit: int = 50) -> list[ApiCall]:
    return list(client.calls.order_by("-at")[:limit])
