"""Who may see and act on filings and cases: predicates used by selectors, services and views alike.

A person's staff roles are read once per user object (one query) and kept on it, like Django's permission cache.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q

from filings.models import Case, Exhibit, Filing, Mandate, Party
from justice.accounts.models import Membership
from justice.accounts.permissions import active_roles

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from justice.accounts.models import User

_CACHE_ATTRIBUTE = "_filings_staff_scope"


@dataclass(frozen=True)
class StaffScope:
    """Organisations (ids) where the user holds each role, from active memberships only."""

    clerk: frozenset[int]
    judge: frozenset[int]
    prosecutor: frozenset[int]
    police_officer: frozenset[int]
    lawyer: frozenset[int]

    @property
    def case_readers(self) -> frozenset[int]:
        """Courts and prosecutor's offices whose registered cases the user handles."""
        return self.clerk | self.judge | self.prosecutor


def staff_scope(user: User | AnonymousUser) -> StaffScope:
    cached: StaffScope | None = getattr(user, _CACHE_ATTRIBUTE, None)
    if cached is not None:
        return cached
    by_role: dict[str, set[int]] = {role: set() for role in Membership.Role.values}
    for role, organisation_id in active_roles(user):
        by_role[role].add(organisation_id)
    scope = StaffScope(
        clerk=frozenset(by_role[Membership.Role.CLERK]),
        judge=frozenset(by_role[Membership.Role.JUDGE]),
        prosecutor=frozenset(by_role[Membership.Role.PROSECUTOR]),
        police_officer=frozenset(by_role[Membership.Role.POLICE_OFFICER]),
        lawyer=frozenset(by_role[Membership.Role.LAWYER]),
    )
    setattr(user, _CACHE_ATTRIBUTE, scope)
    return scope


def holds_a_role(user: User | AnonymousUser) -> bool:
    """Whether the user is a member of any organisation (staff, police, lawyer), which widens what they see."""
    scope = staff_scope(user)
    return bool(scope.case_readers or scope.police_officer or scope.lawyer)


def reviewer_organisations(user: User | AnonymousUser, kind: str) -> frozenset[int]:
    """Police units review pre-complaints (the victim confirms them there); prosecutors and clerks of the office
    review the procedures police units send; the clerk's office of the court or prosecutor's office reviews
    everything else."""
    scope = staff_scope(user)
    if kind == Filing.Kind.PRE_COMPLAINT:
        return scope.police_officer
    if kind == Filing.Kind.POLICE_TRANSMISSION:
        return scope.prosecutor | scope.clerk
    return scope.clerk


def can_review_filing(user: User | AnonymousUser, filing: Filing) -> bool:
    if not user.is_authenticated or filing.status == Filing.Status.DRAFT or filing.recipient_id is None:
        return False
    return filing.recipient_id in reviewer_organisations(user, filing.kind)


def active_mandate_q(user: User | AnonymousUser, prefix: str = "") -> Q:
    """Mandates that still give ``user`` access: not ended, and the lawyer still a member of that bar."""
    return Q(
        **{
            f"{prefix}lawyer": user,
            f"{prefix}revoked_at__isnull": True,
            f"{prefix}bar__in": staff_scope(user).lawyer,
        }
    )


def case_visibility_q(user: User | AnonymousUser, prefix: str = "") -> Q:
    """The cases ``user`` may see, as a filter on Case (or on a relation to Case, given ``prefix``)."""
    if not user.is_authenticated:
        return Q(pk__in=[])
    scope = staff_scope(user)
    # A branch for roles the user does not hold would match nothing (and be left out of the SQL): not built at all.
    visible = Q()
    if scope.case_readers:
        visible |= Q(**{f"{prefix}court__in": scope.case_readers})
    visible |= Q(**{f"{prefix}pk__in": Party.objects.filter(user=user).exclude(role=Party.Role.COUNSEL).values("case")})
    if scope.lawyer:
        as_counsel = Party.objects.filter(mandates__in=Mandate.objects.filter(active_mandate_q(user))).values("case")
        visible |= Q(**{f"{prefix}pk__in": as_counsel})
    if scope.police_officer:
        as_police = Party.objects.filter(role=Party.Role.POLICE_UNIT, organisation__in=scope.police_officer)
        visible |= Q(**{f"{prefix}pk__in": as_police.values("case")})
    return visible


def can_view_case(user: User | AnonymousUser, case: Case) -> bool:
    """Parties with an account, lawyers holding an active mandate for a party, and the registering court's or
    office's clerks, judges and prosecutors."""
    if not user.is_authenticated:
        return False
    if case.court_id in staff_scope(user).case_readers or _is_party(user, case):
        return True
    return Case.objects.filter(case_visibility_q(user), pk=case.pk).exists()


def _is_party(user: User, case: Case) -> bool:
    """A party in person (not as counsel): from the case's parties, without a query when they were prefetched."""
    return any(party.user_id == user.pk and party.role != Party.Role.COUNSEL for party in case.parties.all())


def can_view_filing(user: User | AnonymousUser, filing: Filing) -> bool:
    """The filer always; once sent, the client it was filed for and its reviewers; once it joined a case's file
    (registered), whoever sees the case."""
    if not user.is_authenticated:
        return False
    if filing.filer_id == user.pk:
        return True
    if filing.status == Filing.Status.DRAFT:
        return False
    if filing.on_behalf_of_id == user.pk or can_review_filing(user, filing):
        return True
    if (
        filing.kind == Filing.Kind.POLICE_TRANSMISSION
        and filing.filer_organisation_id in staff_scope(user).police_officer
    ):
        return True  # the officers of the unit that sent the procedure
    return filing.status == Filing.Status.DOCKETED and filing.case is not None and can_view_case(user, filing.case)


def can_edit_filing(user: User | AnonymousUser, filing: Filing) -> bool:
    return user.is_authenticated and filing.filer_id == user.pk and filing.status == Filing.Status.DRAFT


def can_cancel_filing(user: User | AnonymousUser, filing: Filing) -> bool:
    return user.is_authenticated and filing.filer_id == user.pk and filing.is_cancellable


def can_copy_filing(user: User | AnonymousUser, filing: Filing) -> bool:
    return user.is_authenticated and filing.filer_id == user.pk and filing.status == Filing.Status.REJECTED


def can_file_for_clients(user: User | AnonymousUser) -> bool:
    return bool(staff_scope(user).lawyer)


def can_file_into_case(user: User | AnonymousUser, case: Case) -> bool:
    """Parties (other than counsel) and lawyers with an active mandate for a party of an open case."""
    if not user.is_authenticated or case.status != Case.Status.OPEN:
        return False
    if _is_party(user, case):
        return True
    return case.parties.filter(pk__in=Mandate.objects.filter(active_mandate_q(user)).values("party")).exists()


def can_view_exhibit(user: User | AnonymousUser, exhibit: Exhibit) -> bool:
    """Whoever sees the filing sees its exhibits, except a rejected exhibit: it stays out of the case file, seen
    only by the filer, the client filed for and the staff of the court or office that reviewed it."""
    if not can_view_filing(user, exhibit.filing):
        return False
    return exhibit.status != Exhibit.Status.REJECTED or sees_rejected_exhibits(user, exhibit.filing)


def sees_rejected_exhibits(user: User | AnonymousUser, filing: Filing) -> bool:
    """Among those who see a filing: its filer, the client filed for, and the reviewing court's or office's staff."""
    return user.is_authenticated and (
        user.pk in (filing.filer_id, filing.on_behalf_of_id)
        or can_review_filing(user, filing)
        or filing.recipient_id in staff_scope(user).case_readers
    )


def can_change_exhibits(user: User | AnonymousUser, filing: Filing) -> bool:
    return can_edit_filing(user, filing)
