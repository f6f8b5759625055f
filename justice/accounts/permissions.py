"""Who may do what with accounts and organisations: pure predicates, used by selectors and views alike."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from allauth.mfa.models import Authenticator
from allauth.mfa.utils import is_mfa_enabled

from justice.reused_sql import reused

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from justice.accounts.models import Membership, Organisation, User

# Only second factors that resist replay count; recovery codes are a fallback, not a factor of their own.
STRONG_FACTORS = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]


_ROLES_ATTRIBUTE = "_justice_active_roles"
# The organisations of those roles, as rows of their fields, read by the same query (see ``active_organisation``).
_ORGANISATIONS_ATTRIBUTE = "_justice_active_organisations"


def _organisation_fields() -> list[str]:
    from justice.accounts.models import Organisation

    return [field.attname for field in Organisation._meta.concrete_fields]


def active_roles(user: User | AnonymousUser) -> frozenset[tuple[str, int]]:
    """``(role, organisation id)`` of the user's active memberships. Read once per user object (one query) and kept
    on it, like Django's permission cache: a request's middleware, permissions and views share it. The same query
    reads the organisations themselves (a join on their key), for the pages of one of them (``active_organisation``)."""
    cached: frozenset[tuple[str, int]] | None = getattr(user, _ROLES_ATTRIBUTE, None)
    if cached is not None:
        return cached
    from justice.accounts.models import Membership

    def memberships(user_pk: int) -> QuerySet[Membership, tuple[Any, ...]]:
        columns = [f"organisation__{name}" for name in _organisation_fields()]
        return Membership.objects.active().filter(user_id=user_pk).values_list("role", *columns)

    rows: list[tuple[Any, ...]] = []
    if user.is_authenticated:
        rows = list(reused("accounts:active-roles", memberships, user.pk))
    roles = frozenset((role, organisation[0]) for role, *organisation in rows)
    setattr(user, _ROLES_ATTRIBUTE, roles)
    setattr(user, _ORGANISATIONS_ATTRIBUTE, {organisation[0]: organisation for _, *organisation in rows})
    return roles


def active_organisation(user: User | AnonymousUser, pk: int) -> Organisation | None:
    """The organisation ``pk`` if the user has an active role there (see ``active_roles``), from the row the roles'
    query read: its pages need no query of their own to find it."""
    from justice.accounts.models import Organisation

    active_roles(user)
    row = getattr(user, _ORGANISATIONS_ATTRIBUTE).get(pk)
    if row is None:
        return None
    return Organisation.from_db(Organisation.objects.db, _organisation_fields(), row)


def is_staff_user(user: User | AnonymousUser) -> bool:
    """Staff are members of an organisation, and the site's own administrators."""
    if not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or active_roles(user))


def requires_mfa(user: User | AnonymousUser) -> bool:
    return is_staff_user(user)


def has_mfa(user: User) -> bool:
    return is_mfa_enabled(user, STRONG_FACTORS)


def can_manage_organisation(user: User | AnonymousUser, organisation: Organisation) -> bool:
    from justice.accounts.models import Membership

    if not user.is_authenticated:
        return False
    return user.memberships.active().filter(organisation=organisation, role=Membership.Role.ORGANISATION_ADMIN).exists()
