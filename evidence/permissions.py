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
    """An item attached as an exhibit to a filing is seen by whoever may see that exhibit: the filer, the court
    reviewing it and, once in a case file, the parties, their counsel under mandate and the court's staff (see
    :func:`filings.permissions.can_view_exhibit`)."""
    from filings.models import Exhibit
    from filings.permissions import can_view_exhibit

    exhibits = Exhibit.objects.filter(item=item).select_related("filing", "filing__case")
    return any(can_view_exhibit(user, exhibit) for exhibit in exhibits)


def organisation_shares_items(organisation_kind: str) -> bool:
    """Members of a court, an office or a police unit share the items sent on its behalf; a bar does not (its
    members are independent lawyers: one's client files are none of the others' business)."""
    from justice.accounts.models import Organisation

    return organisation_kind != Organisation.Kind.BAR


def can_view_evidence(user: User | AnonymousUser, item: EvidenceItem) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if item.uploaded_by_id == user.pk:
        return True
    if (
        item.organisation is not None
        and organisation_shares_items(item.organisation.kind)
        and user.memberships.active().filter(organisation=item.organisation_id).exists()
    ):
        return True
    return case_grants_access(user, item)


def can_download_evidence(user: User | AnonymousUser, item: EvidenceItem) -> bool:
    """Seeing an item lets one download it once it is available: not while it waits for its antivirus scan, never
    when it is quarantined or blocked (the page then says why)."""
    from evidence.models import EvidenceItem

    return can_view_evidence(user, item) and item.status == EvidenceItem.Status.AVAILABLE


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
