"""Who may see, download and send evidence: pure predicates, used by selectors and views alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from evidence.models import EvidenceItem
    from justice.accounts.models import Organisation, User

# Someone without any active membership uploads as a citizen.
CITIZEN_ROLE = "citizen"


def active_roles(user: User) -> set[str]:
    roles = set(user.memberships.active().values_list("role", flat=True))
    return roles or {CITIZEN_ROLE}


def role_upload_limit(role: str) -> int:
    limits: dict[str, int] = settings.EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE
    return limits.get(role, limits[CITIZEN_ROLE])


def upload_limit(user: User) -> int:
    """The largest file ``user`` may upload: the largest limit of their roles."""
    return max(role_upload_limit(role) for role in active_roles(user))


def can_upload_evidence(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def can_upload_for(user: User, organisation: Organisation) -> bool:
    return user.memberships.active().filter(organisation=organisation).exists()


def case_grants_access(user: User, item: EvidenceItem) -> bool:
    """Hook for case-based access (parties, counsel, the court seised): cases do not exist yet, so nothing is
    granted through them; filings will fill this in and the selectors below with it."""
    return False


def can_view_evidence(user: User | AnonymousUser, item: EvidenceItem) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if item.uploaded_by_id == user.pk:
        return True
    if (
        item.organisation_id is not None
        and user.memberships.active().filter(organisation=item.organisation_id).exists()
    ):
        return True
    return case_grants_access(user, item)


def can_download_evidence(user: User | AnonymousUser, item: EvidenceItem) -> bool:
    """Seeing an item lets one download it, unless it is quarantined or blocked (the page then says why)."""
    from evidence.models import EvidenceItem

    return can_view_evidence(user, item) and item.status in {
        EvidenceItem.Status.PENDING_SCAN,
        EvidenceItem.Status.AVAILABLE,
    }


def can_view_log_status(user: User | AnonymousUser) -> bool:
    """The transparency log's status page is for the staff of courts and prosecutor's offices, the administrators
    of organisations, and the site's administrators."""
    from justice.accounts.models import Membership, Organisation

    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    memberships = user.memberships.active()
    return bool(
        memberships.filter(
            organisation__kind__in=(Organisation.Kind.COURT, Organisation.Kind.PROSECUTOR_OFFICE)
        ).exists()
        or memberships.filter(role=Membership.Role.ORGANISATION_ADMIN).exists()
    )
