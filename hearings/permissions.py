"""Who may see and act on hearings: parties and counsel of the case see them; the court's clerks list and change
them; the court's clerks and judges decide postponements and build case bundles. Everyone else gets a 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from filings import permissions as filings_permissions
from justice.accounts.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from filings.models import Case
    from justice.accounts.models import User


def is_clerk_of(user: User | AnonymousUser, court_id: int) -> bool:
    return user.is_authenticated and court_id in filings_permissions.staff_scope(user).clerk


def is_judge_of(user: User | AnonymousUser, court_id: int) -> bool:
    return user.is_authenticated and court_id in filings_permissions.staff_scope(user).judge


def is_bench_of(user: User | AnonymousUser, court_id: int) -> bool:
    """Clerk or judge of the court."""
    return is_clerk_of(user, court_id) or is_judge_of(user, court_id)


def can_view_hearings(user: User | AnonymousUser, case: Case) -> bool:
    return filings_permissions.can_view_case(user, case)


def can_list_hearings(user: User | AnonymousUser, case: Case) -> bool:
    """Clerks of the court list the hearings of its open cases."""
    return (
        case.court.kind == Organisation.Kind.COURT
        and case.status == case.Status.OPEN
        and is_clerk_of(user, case.court_id)
    )


def can_request_postponement(user: User | AnonymousUser, case: Case) -> bool:
    """Parties (other than counsel) and lawyers with an active mandate for a party of the open case."""
    return filings_permissions.can_file_into_case(user, case)


def can_decide_postponement(user: User | AnonymousUser, case: Case) -> bool:
    return is_bench_of(user, case.court_id)


def can_build_bundle(user: User | AnonymousUser, case: Case) -> bool:
    return case.court.kind == Organisation.Kind.COURT and is_bench_of(user, case.court_id)
