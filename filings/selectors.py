"""Reads of filings and cases, always scoped to what the acting user may see; anything else is a 404."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404

from filings import permissions
from filings.models import AppointmentSlot, Case, Exhibit, Filing, FilingEvent, Mandate, Party, ServiceRecord
from justice import versioned_cache
from justice.accounts.models import Membership, Organisation, User
from justice.accounts.permissions import active_organisation, active_roles
from justice.reused_sql import prefetched, reused

if TYPE_CHECKING:
    from justice.accounts.models import Membership as MembershipType

DASHBOARD_LIMIT = 5


def filing_list_for_person(*, user: User) -> QuerySet[Filing]:
    """A person's own filings (drafts included) and, once filed, those a lawyer filed for them."""
    return filings_of_person(user.pk)


def filings_of_person(user_pk: int) -> QuerySet[Filing]:
    """``filing_list_for_person`` by the person's key (for ``reused`` queries)."""
    return (
        Filing.objects.filter(Q(filer_id=user_pk) | (Q(on_behalf_of_id=user_pk) & ~Q(status=Filing.Status.DRAFT)))
        .select_related("recipient", "case", "on_behalf_of", "filer")
        .order_by("-updated_at", "-pk")
    )


def filing_get(*, user: User, pk: int) -> Filing:
    filing = (
        Filing.objects.select_related(
            "filer", "on_behalf_of", "recipient", "case", "case__court", "mandate", "copied_from", "reviewed_by"
        )
        .filter(pk=pk)
        .first()
    )
    if filing is None or not permissions.can_view_filing(user, filing):
        raise Http404
    return filing


def exhibit_list(*, user: User, filing: Filing) -> list[Exhibit]:
    """The exhibits of a filing (got from :func:`filing_get`) that ``user`` may see, in their order, with their items
    and seals: two queries whatever their number."""
    exhibits = filing.exhibits.select_related("item", "item__seal").order_by("number")
    if not permissions.sees_rejected_exhibits(user, filing):
        exhibits = exhibits.exclude(status=Exhibit.Status.REJECTED)
    return list(exhibits)


def exhibit_get(*, user: User, filing: Filing, pk: int) -> Exhibit:
    exhibit = filing.exhibits.select_related("item", "item__seal").filter(pk=pk).first()
    if exhibit is None:
        raise Http404
    exhibit.filing = filing
    if not permissions.can_view_exhibit(user, exhibit):
        raise Http404
    return exhibit


def service_records(*, user: User, filing: Filing) -> list[ServiceRecord]:
    """The dated receipts of a submission's service, for its filer (and the client filed for); nobody else."""
    if not user.is_authenticated or user.pk not in (filing.filer_id, filing.on_behalf_of_id):
        return []
    return list(filing.service_records.select_related("recipient", "party").order_by("pk"))


def filing_events(*, filing: Filing) -> QuerySet[FilingEvent]:
    return filing.events.select_related("actor").order_by("created_at", "pk")


def case_list_for_person(*, user: User) -> QuerySet[Case]:
    """Cases where the person is a party, or represents a party under an active mandate."""
    if not permissions.staff_scope(user).lawyer:  # without a bar, no mandate is active: that branch would match nothing
        return cases_of_party(user.pk)
    mandates = Mandate.objects.filter(permissions.active_mandate_q(user))
    return _case_list(
        Q(pk__in=_cases_as_party(user.pk)) | Q(pk__in=Party.objects.filter(mandates__in=mandates).values("case"))
    )


def cases_of_party(user_pk: int) -> QuerySet[Case]:
    """``case_list_for_person`` of someone who is not a lawyer, by the person's key (for ``reused`` queries)."""
    return _case_list(Q(pk__in=_cases_as_party(user_pk)))


def _cases_as_party(user_pk: int) -> QuerySet[Party, Any]:
    return Party.objects.filter(user_id=user_pk).exclude(role=Party.Role.COUNSEL).values("case")


def _case_list(visible: Q) -> QuerySet[Case]:
    return Case.objects.filter(visible).select_related("court", "claim_type").order_by("-opened_at", "-pk")


def case_list_for_organisation(*, user: User, organisation: Organisation) -> QuerySet[Case]:
    """Cases registered by a court or office where the user is a clerk, a judge or a prosecutor."""
    if organisation.pk not in permissions.staff_scope(user).case_readers:
        return Case.objects.none()
    return Case.objects.filter(court=organisation).select_related("court", "claim_type").order_by("-opened_at", "-pk")


def _case_by_key(pk: int) -> QuerySet[Case]:
    # Whether the case has hearings and decisions at all (``has_hearings``, ``has_decisions``; the hearings app reads
    # them): most cases have none yet, and their page then asks for neither.
    hearing, decision = apps.get_model("hearings", "Hearing"), apps.get_model("hearings", "Decision")
    return (
        Case.objects.select_related("court", "claim_type")
        .filter(pk=pk)
        .annotate(
            has_hearings=Exists(hearing._default_manager.filter(case_id=OuterRef("pk"))),
            has_decisions=Exists(decision._default_manager.filter(case_id=OuterRef("pk"))),
        )
    )


def _case_parties(case_pk: int) -> QuerySet[Party]:
    # Ordered by their own key: the parties' default order (by case) would join the case again to sort them. Whom a
    # counsel represents is a party of the same case, linked below rather than joined.
    return Party.objects.select_related("user", "organisation").filter(case_id=case_pk).order_by("pk")


def _case_filings(case_pk: int) -> QuerySet[Filing]:
    # The case's page lists them by name, date and status: their people are not joined, nor their content read.
    return (
        Filing.objects.filter(case_id=case_pk, status=Filing.Status.DOCKETED)
        .order_by("submitted_at", "pk")
        .only("case_id", "kind", "status", "submitted_at")
    )


def case_get(*, user: User, pk: int) -> Case:
    """A case with its court, claim type, parties and docketed filings (``case.parties.all()``,
    ``case.filings.all()``), and whether it has hearings and decisions (``case.has_hearings``,
    ``case.has_decisions``), in three queries whose SQL is compiled once per process (every case page reads them)."""
    case = next(iter(reused("filings:case", _case_by_key, pk)), None)
    if case is None:
        raise Http404
    parties = list(reused("filings:case-parties", _case_parties, pk))
    by_key = {party.pk: party for party in parties}
    for party in parties:
        party.case = case
        if party.represents_id in by_key:
            party.represents = by_key[party.represents_id]
    filings = list(reused("filings:case-filings", _case_filings, pk))
    for filing in filings:
        filing.case = case
    prefetched(case, parties=parties, filings=filings)
    if not permissions.can_view_case(user, case):
        raise Http404
    return case


def lawyer_bars(*, user: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(pk__in=permissions.staff_scope(user).lawyer, kind=Organisation.Kind.BAR)


def client_find(*, email: str) -> User | None:
    """The account a lawyer names as their client. Lawyers are vetted by their bar and use MFA; the portal tells
    them whether the address has an account, so they can ask the client to create one."""
    return User.objects.filter(email__iexact=email.strip(), is_active=True).first()


# --- Review queue ---------------------------------------------------------------------------------------------------

REVIEWING_ROLES = (Membership.Role.CLERK, Membership.Role.POLICE_OFFICER, Membership.Role.PROSECUTOR)
_REVIEWING_KINDS: dict[str, tuple[str, ...]] = {
    Membership.Role.CLERK: (Organisation.Kind.COURT, Organisation.Kind.PROSECUTOR_OFFICE),
    Membership.Role.POLICE_OFFICER: (Organisation.Kind.POLICE_UNIT,),
    # Prosecutors review the procedures police units send to their office (see permissions.reviewer_organisations).
    Membership.Role.PROSECUTOR: (Organisation.Kind.PROSECUTOR_OFFICE,),
}


def review_organisation_get(*, user: User, pk: int) -> Organisation:
    """An organisation where the user reviews filings: clerk of a court or prosecutor's office, prosecutor (the
    procedures of the police), officer of a police unit. Of the kinds the user's active roles there review; the roles
    and the organisation are those the request already read (``active_roles``), not a query of their own."""
    organisation = active_organisation(user, pk)
    if organisation is None or not any(
        organisation.kind in _REVIEWING_KINDS.get(role, ()) for role, at in active_roles(user) if at == pk
    ):
        raise Http404
    return organisation


def kinds_reviewed_by(organisation: Organisation, user: User | None = None) -> tuple[str, ...]:
    """The kinds of filings the organisation reviews; given ``user``, those of them that ``user`` reviews there (a
    prosecutor reviews the procedures of the police only)."""
    if organisation.kind == Organisation.Kind.POLICE_UNIT:
        kinds: tuple[str, ...] = (Filing.Kind.PRE_COMPLAINT,)
    else:
        kinds = (Filing.Kind.COMPLAINT, Filing.Kind.CIVIL_REFERRAL, Filing.Kind.SUBMISSION)
        if organisation.kind == Organisation.Kind.PROSECUTOR_OFFICE:
            kinds += (Filing.Kind.POLICE_TRANSMISSION,)
    if user is None or organisation.kind != Organisation.Kind.PROSECUTOR_OFFICE:
        return kinds  # courts and units: whoever reviews there reviews every kind they receive
    return tuple(kind for kind in kinds if organisation.pk in permissions.reviewer_organisations(user, kind))


def review_queue(
    *, organisation: Organisation, status: str, kind: str = "", user: User | None = None
) -> QuerySet[Filing]:
    """Filings sent to the organisation (of the kinds ``user`` reviews there, when given), oldest first (the order
    they must be handled in)."""
    return review_queue_of(organisation.pk, kinds=kinds_reviewed_by(organisation, user), status=status, kind=kind)


def review_queue_of(organisation_pk: int, *, kinds: Sequence[str], status: str, kind: str = "") -> QuerySet[Filing]:
    """``review_queue`` by the organisation's key, given the kinds reviewed (for ``reused`` queries)."""
    filings = Filing.objects.filter(recipient_id=organisation_pk, kind__in=kinds, status=status).exclude(
        status=Filing.Status.DRAFT
    )
    if kind:
        filings = filings.filter(kind=kind)
    return filings.select_related("filer", "filer_organisation", "on_behalf_of", "case").order_by("submitted_at", "pk")


@dataclass(frozen=True)
class ReviewCounts:
    """How many filings of each status and kind an organisation received (drafts are never counted)."""

    by_status_and_kind: Counter[tuple[str, str]] = field(default_factory=Counter)

    def count(self, *, status: str, kind: str = "") -> int:
        return sum(n for (s, k), n in self.by_status_and_kind.items() if s == status and (not kind or k == kind))


# The queue's counts are kept in the cache under the organisation's version, which the services changing a filing's
# status or recipient (``transition``) or deleting filings (retention) replace (see justice.versioned_cache).
REVIEW_COUNTS_SCOPE = "filings:review-counts"


def review_counts(*, organisation: Organisation, user: User | None = None) -> ReviewCounts:
    """The counts of the filings the organisation received, of the kinds ``user`` reviews there (one grouped query,
    or none when they are in the cache for the organisation's current version)."""
    kinds = kinds_reviewed_by(organisation, user)
    counts = versioned_cache.cached(
        REVIEW_COUNTS_SCOPE, organisation.pk, lambda: _review_counts_query(organisation, kinds), detail=",".join(kinds)
    )
    return ReviewCounts(Counter(counts))


def _review_counts_query(organisation: Organisation, kinds: Sequence[str]) -> dict[tuple[str, str], int]:
    rows = (
        Filing.objects.filter(recipient=organisation, kind__in=kinds)
        .exclude(status=Filing.Status.DRAFT)
        .values_list("status", "kind")
        .annotate(n=Count("*"))  # COUNT(*), not of a column: answered from the filing_review_counts index alone
        .order_by()
    )
    return {(status, kind): n for status, kind, n in rows}


# --- Dashboards -----------------------------------------------------------------------------------------------------


@dataclass
class Panel:
    """What one dashboard section lists (no personal data of others: numbers, kinds, dates, references)."""

    filings: Sequence[Filing] = ()
    cases: Sequence[Case] = ()
    waiting: int = 0

    @property
    def rows(self) -> list[tuple[Filing, None]]:
        """The filings as the rows of the shared filings table (without its “next step” column)."""
        return [(filing, None) for filing in self.filings]


def dashboard_panels(*, user: User, memberships: Sequence[MembershipType]) -> dict[int | None, Panel]:
    """One panel per membership that has filings or cases to list; someone without memberships (a citizen) gets
    the personal one, under the key ``None``."""
    panels: dict[int | None, Panel] = {}
    if not memberships:
        panels[None] = Panel(
            filings=list(filing_list_for_person(user=user)[:DASHBOARD_LIMIT]),
            cases=list(case_list_for_person(user=user)[:DASHBOARD_LIMIT]),
        )
    for membership in memberships:
        organisation = membership.organisation
        if membership.role in REVIEWING_ROLES and organisation.kind in _REVIEWING_KINDS[membership.role]:
            queue = review_queue(organisation=organisation, status=Filing.Status.SUBMITTED, user=user)
            panels[membership.pk] = Panel(filings=list(queue[:DASHBOARD_LIMIT]), waiting=queue.count())
            # The cases the organisation registered, below its queue: a clerk goes from there to their hearings
            # and decisions.
            if membership.role in (Membership.Role.PROSECUTOR, Membership.Role.CLERK):
                cases = case_list_for_organisation(user=user, organisation=organisation)
                panels[membership.pk].cases = list(cases[:DASHBOARD_LIMIT])
        elif membership.role in (Membership.Role.JUDGE, Membership.Role.PROSECUTOR):
            cases = case_list_for_organisation(user=user, organisation=organisation)
            panels[membership.pk] = Panel(cases=list(cases[:DASHBOARD_LIMIT]))
        elif membership.role == Membership.Role.LAWYER and organisation.kind == Organisation.Kind.BAR:
            mandates = Mandate.objects.filter(permissions.active_mandate_q(user), bar=organisation)
            panels[membership.pk] = Panel(
                filings=list(
                    Filing.objects.filter(filer=user, filer_organisation=organisation)
                    .exclude(status=Filing.Status.DOCKETED)
                    .select_related("recipient")
                    .order_by("-updated_at", "-pk")[:DASHBOARD_LIMIT]
                ),
                cases=list(
                    Case.objects.filter(pk__in=Party.objects.filter(mandates__in=mandates).values("case"))
                    .select_related("court")
                    .order_by("-opened_at", "-pk")[:DASHBOARD_LIMIT]
                ),
            )
    return panels


# --- API ------------------------------------------------------------------------------------------------------------


def filing_list_visible(*, user: User) -> QuerySet[Filing]:
    """Every filing ``user`` may see, the same rule as ``permissions.can_view_filing`` written as one query: their
    own, those filed for them, those sent to where they review, and those registered in a case they see."""
    scope = permissions.staff_scope(user)
    reviewed = Q(kind=Filing.Kind.PRE_COMPLAINT, recipient__in=scope.police_officer) | (
        ~Q(kind=Filing.Kind.PRE_COMPLAINT) & Q(recipient__in=scope.clerk)
    )
    sent = ~Q(status=Filing.Status.DRAFT) & (Q(on_behalf_of=user) | reviewed)
    in_visible_case = Q(
        status=Filing.Status.DOCKETED, case__in=Case.objects.filter(permissions.case_visibility_q(user))
    )
    return (
        Filing.objects.filter(Q(filer=user) | sent | in_visible_case)
        .select_related("recipient", "case")
        .order_by("-updated_at", "-pk")
    )


def case_list_visible(*, user: User) -> QuerySet[Case]:
    """Every case ``user`` may see: as a party, as counsel under an active mandate, or as staff of its court."""
    if user.is_authenticated and not permissions.holds_a_role(user):
        return cases_of_party(user.pk)  # the same cases, by the query ``reused`` can keep (see first_cases_visible)
    return _case_list(permissions.case_visibility_q(user))


def first_cases_visible(*, user: User, size: int) -> Iterable[Case] | None:
    """The first ``size`` rows of ``case_list_visible`` for a person who holds no role (most people), by a query
    compiled once per process (justice.reused_sql); ``None`` for anyone else (their query depends on their roles)."""
    if not user.is_authenticated or permissions.holds_a_role(user):
        return None
    return reused(f"filings:cases-visible-first:{size}", lambda pk: cases_of_party(pk)[:size], user.pk)


# --- Appointments of pre-complaints ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AppointmentState:
    """Where a pre-complaint's appointment stands: the times still offered, and the one chosen (if any)."""

    proposed: Sequence[AppointmentSlot] = ()
    chosen: AppointmentSlot | None = None

    @property
    def confirmed(self) -> bool:
        return self.chosen is not None and self.chosen.status == AppointmentSlot.Status.CONFIRMED


def appointment_state(*, filing: Filing) -> AppointmentState | None:
    """``None`` for anything but a pre-complaint; one query otherwise. Call it only for a filing the user sees."""
    if filing.kind != Filing.Kind.PRE_COMPLAINT:
        return None
    slots = list(
        AppointmentSlot.objects.filter(filing=filing)
        .exclude(status=AppointmentSlot.Status.WITHDRAWN)
        .order_by("starts_at", "pk")
    )
    chosen = next((slot for slot in slots if slot.status != AppointmentSlot.Status.PROPOSED), None)
    return AppointmentState(
        proposed=[slot for slot in slots if slot.status == AppointmentSlot.Status.PROPOSED], chosen=chosen
    )
