"""Following filings and cases: “My cases”, a filing's page with its history in plain words, a case's page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from filings import content, permissions, selectors, wording
from filings.models import Case, Filing, Party
from filings.views.common import (
    TABLE_CACHE_SECONDS,
    RowsOnDemand,
    fingerprint,
    page_of,
    record_case_read,
    record_filing_read,
    rows_version,
)
from justice.accounts.models import User
from justice.reused_sql import reused

PAGE_SIZE = 20
# What a row of filings_table.html shows (with the filing's next step, which follows from them).
FILING_ROW_SHOWS = ("pk", "kind", "status", "updated_at", "submitted_at", "recipient_id", "on_behalf_of_id")
# What a row of cases_table.html shows.
CASE_ROW_SHOWS = ("pk", "reference", "kind", "claim_type_id", "court_id", "opened_at")


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    # The tables' versions are made from these columns alone (read as named tuples, without joins); their full rows
    # are read, and their querysets built, only to render a table.

    def filings() -> QuerySet[Filing]:
        return selectors.filing_list_for_person(user=user)

    def cases() -> QuerySet[Case]:
        return selectors.case_list_for_person(user=user)

    page = page_of(
        lambda: filings().values_list(*FILING_ROW_SHOWS, named=True),
        request.GET.get("page"),
        PAGE_SIZE,
        # The first page, seen most, by a query compiled once per process (justice.reused_sql).
        first_rows=lambda size: reused(
            f"filings:mine-first-page:{size}",
            lambda pk: selectors.filings_of_person(pk).values_list(*FILING_ROW_SHOWS, named=True)[:size],
            user.pk,
        ),
    )
    listed = list(page)
    if permissions.staff_scope(user).lawyer:
        listed_cases = list(cases().values_list(*CASE_ROW_SHOWS, named=True))
    else:
        listed_cases = list(
            reused(
                "filings:mine-cases",
                lambda pk: selectors.cases_of_party(pk).values_list(*CASE_ROW_SHOWS, named=True),
                user.pk,
            )
        )
    return render(
        request,
        "filings/mine.html",
        {
            "page_obj": page,
            "rows": RowsOnDemand(filings, listed, lambda filing: (filing, wording.next_step(filing))),
            "rows_version": rows_version(listed, *FILING_ROW_SHOWS),
            "cases": RowsOnDemand(cases, listed_cases),
            "cases_version": rows_version(listed_cases, *CASE_ROW_SHOWS),
            "table_cache_seconds": TABLE_CACHE_SECONDS,
            "can_file_for_clients": permissions.can_file_for_clients(user),
        },
    )


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    filing = selectors.filing_get(user=user, pk=pk)
    record_filing_read(user=user, filing=filing)
    events = list(selectors.filing_events(filing=filing))
    return render(
        request,
        "filings/detail.html",
        {
            "filing": filing,
            "timeline": wording.timeline(filing, events),
            "next_step": wording.next_step(filing),
            "sections": content.summary(kind=filing.kind, content=filing.content),
            "is_filer": filing.filer_id == user.pk,
            "can_edit": permissions.can_edit_filing(user, filing),
            "can_cancel": permissions.can_cancel_filing(user, filing),
            "can_copy": permissions.can_copy_filing(user, filing),
            "can_review": permissions.can_review_filing(user, filing) and filing.status == Filing.Status.SUBMITTED,
            "exhibits": selectors.exhibit_list(user=user, filing=filing),
            "service_records": selectors.service_records(user=user, filing=filing),
            "appointment": selectors.appointment_state(filing=filing),
        },
    )


@login_required
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    case = selectors.case_get(user=user, pk=pk)
    parties = list(case.parties.all())
    filings = list(case.filings.all())
    # Counsel appear in their professional capacity; the people concerned are the other parties.
    people = [party.user for party in parties if party.user is not None and party.role != Party.Role.COUNSEL]
    record_case_read(user=user, case=case, people=people)
    can_file_into = permissions.can_file_into_case(user, case)
    # The page's summary and its tables are kept rendered under what they show (with the language, in the template's
    # key, and the time zone their dates are shown in): rendering them took about a fifth of the page.
    zone = timezone.get_current_timezone_name()
    summary = (case.reference, str(case.court), case.kind, str(case.claim_type or ""), case.status, case.opened_at)
    shown_parties = [
        (
            party.display_name,
            str(party.organisation or ""),
            party.user_id is not None,
            party.role,
            party.represents.display_name if party.represents else None,
        )
        for party in parties
    ]
    shown_filings = [(filing.pk, filing.kind, filing.status, filing.submitted_at) for filing in filings]
    return render(
        request,
        "filings/case.html",
        {
            "case": case,
            "parties": parties,
            "filings": filings,
            "can_file_into": can_file_into,
            "summary_version": fingerprint(*summary, can_file_into, zone),
            "tables_version": fingerprint(shown_parties, shown_filings, zone),
            "table_cache_seconds": TABLE_CACHE_SECONDS,
        },
    )
