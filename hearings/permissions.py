"""Who may see and act on hearings: parties and counsel of the case see them; the court's clerks list and change
them; the court's clerks and judges decide postponements and build case bundles; judges and clerks prepare
decisions, clerks issue them and release them as open data. Everyone else gets a 404."""

from __future__ import annotations

from typing import TYPE_CHECKING

from filings import permissions as filings_permissions
from justice.accounts.models import Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from filings.models import Case
    from hearings.models import Decision
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


def can_request_hearing(user: User | AnonymousUser, case: Case) -> bool:
    """The court's clerks and judges record hearing requests for its open (registered) cases, and cancel them."""
    return (
        case.court.kind == Organisation.Kind.COURT
        and case.status == case.Status.OPEN
        and is_bench_of(user, case.court_id)
    )


def can_request_postponement(user: User | AnonymousUser, case: Case) -> bool:
    """Parties (other than counsel) and lawyers with an active mandate for a party of the open case."""
    return filings_permissions.can_file_into_case(user, case)


def can_decide_postponement(user: User | AnonymousUser, case: Case) -> bool:
    return is_bench_of(user, case.court_id)


def can_build_bundle(user: User | AnonymousUser, case: Case) -> bool:
    return case.court.kind == Organisation.Kind.COURT and is_bench_of(user, case.court_id)


# --- Decisions --------------------------------------------------------------------------------------------------------


def can_prepare_decision(user: User | AnonymousUser, case: Case) -> bool:
    """A judge writes the decision; a clerk may upload it for them. Courts only (prosecutor's offices do not
    decide)."""
    return case.court.kind == Organisation.Kind.COURT and is_bench_of(user, case.court_id)


def can_issue_decision(user: User | AnonymousUser, case: Case) -> bool:
    """The clerk of the court issues (publishes) the decision to the parties."""
    return case.court.kind == Organisation.Kind.COURT and is_clerk_of(user, case.court_id)


def can_view_decision(user: User | AnonymousUser, decision: Decision) -> bool:
    """A draft is the bench's; an issued decision is seen by whoever sees the case (parties, counsel under
    mandate, the court's staff)."""
    if decision.status == decision.Status.DRAFT:
        return can_prepare_decision(user, decision.case)
    return filings_permissions.can_view_case(user, decision.case)


def decision_download_needs_step_up(user: User | AnonymousUser, decision: Decision) -> bool:
    """Parties and counsel download a decision with a ``substantial`` identity (DESIGN §2); the court's own staff
    (MFA mandatory) read it as part of their work."""
    return not is_bench_of(user, decision.case.court_id)


def can_review_open_data(user: User | AnonymousUser, court_id: int) -> bool:
    """The court's clerks review the pseudonymisation of its decisions before they are released."""
    return is_clerk_of(user, court_id)
