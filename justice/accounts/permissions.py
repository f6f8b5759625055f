"""Who may do what with accounts and organisations: pure predicates, used by selectors and views alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from justice.accounts.models import Organisation, User

# Only second factors that resist replay count; recovery codes are a fallback, not a factor of their own.
STRONG_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


def is_staff_user(user: User | AnonymousUser) -> bool:
    """Staff are members of an organisation, and the site's own administrators."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or user.memberships.active().exists())


def requires_mfa(user: User | AnonymousUser) -> bool:
    return is_staff_user(user)


def has_mfa(user: User) -> bool:
    return is_mfa_enabled(user, STRONG_FACTORS)


def can_manage_organisation(user: User | AnonymousUser, organisation: Organisation) -> bool:
    from justice.accounts.models import Membership

    if not user.is_authenticated:
        return False
    return user.memberships.active().filter(organisation=organisation, role=Membership.Role.ORGANISATION_ADMIN).exists()
