"""The review queue of a court, prosecutor's office or police unit, and the review of one filing."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _

from filings import content, permissions, selectors, services, wording
from filings.forms import QueueFilterForm, ReviewForm
from filings.models import Filing
from filings.views.common import (
    RowsOnDemand,
    page_of,
    record_filing_read,
    record_list_read,
    rows_version,
)
from justice.accounts.models import User
from justice.errors import ApplicationError
from justice.reused_sql import reused

PAGE_SIZE = 25
# What the queue's table shows that may change (with the filing's kind and filer, which do not).
QUEUE_ROW_SHOWS = ("pk", "updated_at", "status", "case_id", "copied_from_id")


@login_required
def queue(request: HttpRequest, organisation_pk: int) -> HttpResponse:
    """Filings received, oldest first, with counts per status and kind; filterable, paginated."""
    user: User = request.user  # type: ignore[assignment]
    organisation = selectors.review_organisation_get(user=user, pk=organisation_pk)
    status, kind, filters_invalid = Filing.Status.SUBMITTED, "", False
    # The filters' form is made when the address has filters to read, or when its markup is rendered (not from the
    # cache): making one copies its fields, about 5% of the page.
    filters: QueueFilterForm = SimpleLazyObject(QueueFilterForm)  # type: ignore[assignment]
    if request.GET:
        filters = QueueFilterForm(request.GET)
        if filters.is_valid():
            status = filters.cleaned_data["status"] or Filing.Status.SUBMITTED
            kind = filters.cleaned_data["kind"]
        else:
            filters_invalid = True
    counts = selectors.review_counts(organisation=organisation, user=user)
    kinds = selectors.kinds_reviewed_by(organisation, user)
    # The page is read without joins, in the columns the table's version and the access log need (as named tuples);
    # the full rows only when the table is rendered (not from the cache), and their querysets built only then.
    columns = (*QUEUE_ROW_SHOWS, "filer_id", "on_behalf_of_id")

    def filings() -> QuerySet[Filing]:
        return selectors.review_queue_of(organisation.pk, kinds=kinds, status=status, kind=kind)

    page = page_of(
        lambda: filings().values_list(*columns, named=True),
        request.GET.get("page"),
        PAGE_SIZE,
        count=counts.count(status=status, kind=kind),
        # The first page, seen most, by a query compiled once per process for its filters (justice.reused_sql);
        # status and kind are among the form's choices.
        first_rows=lambda size: reused(
            f"filings:queue-first-page:{status}:{kind}:{','.join(kinds)}:{size}",
            lambda pk: selectors.review_queue_of(pk, kinds=kinds, status=status, kind=kind).values_list(
                *columns, named=True
            )[:size],
            organisation.pk,
        ),
    )
    listed = list(page.object_list)
    record_list_read(user=user, filings=listed, organisation=organisation)
    query = request.GET.copy()
    query.pop("page", None)
    waiting_by_kind = {k: counts.count(status=Filing.Status.SUBMITTED, kind=k) for k in kinds}
    return render(
        request,
        "filings/queue.html",
        {
            "organisation": organisation,
            "filters": filters,
            "filters_invalid": filters_invalid,
            "status": status,
            "status_label": dict(QueueFilterForm.STATUSES).get(status, Filing.Status(status).label),
            "rows": RowsOnDemand(filings, listed),
            # The rows' table is kept for a minute at most, as it says how long ago each filing came; its dates are
            # shown in the time zone of the reader.
            "rows_version": rows_version(listed, *QUEUE_ROW_SHOWS),
            "rows_zone": timezone.get_current_timezone_name(),
            "page_obj": page,
            "query": query.urlencode(),
            "waiting": counts.count(status=Filing.Status.SUBMITTED),
            "kind_counts": [(Filing.Kind(k).label, waiting_by_kind[k]) for k in kinds],
            # What the heading shows of the counts, for the key it is cached under (with the language and court).
            "kind_counts_key": ",".join(f"{k}={waiting_by_kind[k]}" for k in kinds),
            "total": page.paginator.count,
        },
    )


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    filing = selectors.filing_get(user=user, pk=pk)
    if not permissions.can_review_filing(user, filing):
        raise Http404
    exhibits = selectors.exhibit_list(user=user, filing=filing)
    # A police procedure is taken or returned whole: its files were checked against the unit's manifest.
    reviewable = (
        exhibits if filing.status == Filing.Status.SUBMITTED and filing.kind != Filing.Kind.POLICE_TRANSMISSION else []
    )
    form = ReviewForm(request.POST or None, filing_kind=filing.kind, exhibits=reviewable)
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_review(
                filing=filing,
                actor=user,
                decision=form.cleaned_data["decision"],
                rejection_reason=form.cleaned_data["rejection_reason"],
                note=form.cleaned_data["note"],
                exhibit_decisions={
                    pk: services.ExhibitDecision(accepted=accepted, reason=reason)
                    for pk, (accepted, reason) in form.exhibit_decisions().items()
                },
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            if filing.case is not None and filing.status == Filing.Status.DOCKETED:
                messages.success(
                    request,
                    _("%(filing)s is accepted and registered: case %(reference)s.")
                    % {"filing": filing, "reference": filing.case.reference},
                )
            else:
                messages.success(
                    request,
                    _("%(filing)s: decision recorded (%(status)s).")
                    % {"filing": filing, "status": filing.get_status_display()},
                )
            return redirect("filings:queue", organisation_pk=filing.recipient_id)
    record_filing_read(user=user, filing=filing)
    return render(
        request,
        "filings/review.html",
        {
            "filing": filing,
            "form": form if filing.status == Filing.Status.SUBMITTED else None,
            "exhibits": exhibits,
            "sections": content.summary(kind=filing.kind, content=filing.content),
            "timeline": wording.timeline(filing, list(selectors.filing_events(filing=filing))),
            "appointment": selectors.appointment_state(filing=filing),
            "transmission": getattr(filing, "transmission", None)
            if filing.kind == Filing.Kind.POLICE_TRANSMISSION
            else None,
            "can_start_procedure": filing.kind == Filing.Kind.PRE_COMPLAINT
            and filing.status == Filing.Status.ACCEPTED
            and permissions.can_review_filing(user, filing),
        },
        status=400 if form.is_bound and form.errors else 200,
    )
