"""Pages of hearings: listing by the clerk, the hearing's page, postponements, the agenda and the docket, calendar
files and feeds, case bundles. Thin: selectors read (404 for what the user may not see), services write."""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.models import Case, Room
from hearings import docket, ics, permissions, selectors, services
from hearings.forms import (
    AgendaForm,
    HearingRequestForm,
    ListingForm,
    PostponementDecisionForm,
    PostponementRequestForm,
    ReasonForm,
)
from hearings.models import Hearing, PostponementRequest
from justice.accounts.models import Organisation, User
from justice.audit.models import AccessEvent
from justice.audit.services import access_record
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _record_requesters_read(*, user: User, hearing: Hearing, requests: list[PostponementRequest]) -> None:
    """Postponement requests show who asked and why: the person concerned sees the read in their access log."""
    people = {r.requested_by for r in requests}
    if people:
        access_record(
            actor=user,
            subjects=people,
            action=AccessEvent.Action.VIEW,
            obj=hearing,
            what=_("Your postponement request in case %(reference)s") % {"reference": hearing.case.reference},
            purpose=_("Handling of the case")
            if permissions.is_bench_of(user, hearing.case.court_id)
            else _("Party to the same case"),
        )


# --- Listing ----------------------------------------------------------------------------------------------------------


def _listing_form(
    request: HttpRequest, court: Organisation, *, initial: dict[str, Any] | None, prefix: str | None = None
) -> ListingForm:
    """A slot to book in ``court``: its rooms and judges to choose from."""
    return ListingForm(
        request.POST or None,
        prefix=prefix,
        initial=initial,
        court=court,
        rooms=selectors.court_rooms(court=court),
        judges=selectors.court_judges(court=court),
    )


def _refusal_on_form(form: forms.Form, error: ApplicationError) -> list[datetime.datetime]:
    """Show why the service refused on ``form``; a booking conflict names each clash and returns the next free
    slots to propose."""
    if isinstance(error, services.ConflictError):
        for conflict in error.conflicts:
            form.add_error(None, conflict)
        return error.proposals
    form.add_error(None, str(error.message))
    return []


def _listing_page(request: HttpRequest, case: Case, hearing: Hearing | None) -> HttpResponse:
    user = _user(request)
    if not permissions.can_list_hearings(user, case):
        raise Http404
    court = case.court
    form = _listing_form(request, court, initial=ListingForm.initial_for(hearing) if hearing else None)
    proposals: list[datetime.datetime] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            listed = services.hearing_list(
                case=case,
                actor=user,
                room=data["room"],
                judge=data["judge"],
                starts_at=data["starts_at"],
                duration_minutes=data["duration"],
                to_bring=data["to_bring"],
                hearing=hearing,
            )
        except ApplicationError as error:
            proposals = _refusal_on_form(form, error)
        else:
            messages.success(request, _("The hearing is listed; the parties will be told."))
            return redirect("hearings:detail", pk=listed.pk)
    return render(
        request,
        "hearings/list.html",
        {"case": case, "hearing": hearing, "form": form, "proposals": proposals},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def list_case(request: HttpRequest, case_pk: int) -> HttpResponse:
    return _listing_page(request, selectors.case_get(user=_user(request), pk=case_pk), None)


@login_required
def change(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = selectors.hearing_get(user=_user(request), pk=pk)
    return _listing_page(request, hearing.case, hearing)


@login_required
def request_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    """The court's staff record that the case needs a hearing; a clerk lists it later from the agenda."""
    user = _user(request)
    case = selectors.case_get(user=user, pk=case_pk)
    if not permissions.can_request_hearing(user, case):
        raise Http404
    form = HearingRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            hearing = services.hearing_request(
                case=case,
                actor=user,
                purpose=data["purpose"],
                estimated_minutes=data["estimated_minutes"],
                wished_before=data["wished_before"],
                notes=data["notes"],
            )
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The hearing request is recorded: it waits in the list of hearings to list."))
            return redirect("hearings:detail", pk=hearing.pk)
    if form.is_bound and form.errors:
        logger.info("hearing request of case %s refused for user %s: %s", case.pk, user.pk, form.errors.as_json())
    return render(
        request,
        "hearings/request.html",
        {"case": case, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def request_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    hearing = selectors.hearing_get(user=user, pk=pk)
    if not permissions.can_request_hearing(user, hearing.case):
        raise Http404
    try:
        services.hearing_request_cancel(hearing=hearing, actor=user, reason=request.POST.get("reason", "")[:2000])
    except ApplicationError as error:
        logger.info("hearing request %s not cancelled for user %s: %s", hearing.pk, user.pk, error.message)
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The hearing request is cancelled."))
    return redirect("hearings:detail", pk=hearing.pk)


@login_required
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    hearing = selectors.hearing_get(user=user, pk=pk)
    case = hearing.case
    requests = [r for r in selectors.case_postponement_requests(case=case) if r.hearing_id == hearing.pk]
    _record_requesters_read(user=user, hearing=hearing, requests=requests)
    return render(
        request,
        "hearings/detail.html",
        {
            "hearing": hearing,
            "case": case,
            "events": [e for e in selectors.case_timeline(case=case, user=user) if e.hearing_id == hearing.pk],
            "requests": requests,
            "can_change": permissions.can_list_hearings(user, case),
            "can_cancel_request": hearing.status == Hearing.Status.REQUESTED
            and permissions.can_request_hearing(user, case),
            "can_request": permissions.can_request_postponement(user, case) and hearing.is_upcoming,
            "can_decide": permissions.can_decide_postponement(user, case),
            "reason_form": ReasonForm(),
            "decision_form": PostponementDecisionForm(),
        },
    )


_ACTIONS = {
    "postpone": Hearing.Status.POSTPONED,
    "cancel": Hearing.Status.CANCELLED,
    "held": Hearing.Status.HELD,
    "close": Hearing.Status.CLOSED,
}


@login_required
@require_POST
def transition(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = _user(request)
    hearing = selectors.hearing_get(user=user, pk=pk)
    if action not in _ACTIONS or not permissions.is_clerk_of(user, hearing.case.court_id):
        raise Http404
    try:
        services.hearing_transition(
            hearing=hearing, to=_ACTIONS[action], actor=user, reason=request.POST.get("reason", "")[:2000]
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The hearing is now “%(status)s”.") % {"status": hearing.get_status_display()})
    return redirect("hearings:detail", pk=hearing.pk)


# --- Postponements --------------------------------------------------------------------------------------------------


@login_required
def postpone_request(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    hearing = selectors.hearing_get(user=user, pk=pk)
    if not permissions.can_request_postponement(user, hearing.case):
        raise Http404
    form = PostponementRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.postponement_request(hearing=hearing, actor=user, reasons=form.cleaned_data["reasons"])
        except ApplicationError as error:
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("Your request is sent to the court; the other parties are told."))
            return redirect("hearings:detail", pk=hearing.pk)
    return render(
        request,
        "hearings/postpone.html",
        {"hearing": hearing, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def postpone_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    postponement = selectors.postponement_get(user=user, pk=pk)
    hearing = postponement.hearing
    case = hearing.case
    if not permissions.can_decide_postponement(user, case):
        raise Http404
    if request.method != "POST":
        _record_requesters_read(user=user, hearing=hearing, requests=[postponement])
    form = PostponementDecisionForm(request.POST or None)
    slot = _listing_form(request, case.court, initial=ListingForm.initial_for(hearing), prefix="slot")
    proposals: list[datetime.datetime] = []
    relist = request.POST.get("relist") == "1" and permissions.is_clerk_of(user, case.court_id)
    if request.method == "POST" and form.is_valid() and (not relist or slot.is_valid()):
        data = form.cleaned_data
        try:
            if data["decision"] == form.REFUSE:
                services.postponement_refuse(request=postponement, actor=user, reason=data["reason"])
            else:
                new = slot.cleaned_data if relist else {}
                services.postponement_grant(
                    request=postponement,
                    actor=user,
                    reason=data["reason"],
                    room=new.get("room"),
                    judge=new.get("judge"),
                    starts_at=new.get("starts_at"),
                    duration_minutes=new.get("duration"),
                )
        except ApplicationError as error:
            proposals = _refusal_on_form(form, error)
        else:
            messages.success(request, _("The decision is recorded; the parties are told."))
            return redirect("hearings:detail", pk=hearing.pk)
    return render(
        request,
        "hearings/decide.html",
        {
            "postponement": postponement,
            "hearing": hearing,
            "form": form,
            "slot": slot,
            "can_relist": permissions.is_clerk_of(user, case.court_id),
            "proposals": proposals,
        },
        status=400 if form.is_bound and (form.errors or (relist and slot.errors)) else 200,
    )


# --- Agenda and docket ------------------------------------------------------------------------------------------------


@dataclass
class AgendaScope:
    court: Organisation
    form: AgendaForm
    day: datetime.date
    span: str
    room: Room | None
    judge: User | None
    rooms: list[Room]
    judges: list[User]

    @property
    def days(self) -> int:
        return 7 if self.span == "week" else 1


def _agenda_scope(request: HttpRequest, court_pk: int) -> AgendaScope:
    """The court (404 unless the user is one of its clerks or judges), the day or week, and the room or judge."""
    court = selectors.bench_court_get(user=_user(request), pk=court_pk)
    form = AgendaForm(request.GET or None)
    scope = AgendaScope(
        court=court,
        form=form,
        day=timezone.localdate(),
        span="day",
        room=None,
        judge=None,
        rooms=list(selectors.court_rooms(court=court)),
        judges=list(selectors.court_judges(court=court)),
    )
    if form.is_valid():
        data = form.cleaned_data
        scope.day = data["day"] or scope.day
        scope.span = data["span"] or "day"
        scope.room = next((r for r in scope.rooms if r.pk == data["room"]), None)
        scope.judge = next((j for j in scope.judges if j.pk == data["judge"]), None)
        if (data["room"] and scope.room is None) or (data["judge"] and scope.judge is None):
            raise Http404
    if scope.span == "week":
        scope.day -= datetime.timedelta(days=scope.day.weekday())
    return scope


@login_required
def agenda(request: HttpRequest, court_pk: int) -> HttpResponse:
    """A day or a week of the court's hearings, for all rooms and judges or one of them: five queries."""
    scope = _agenda_scope(request, court_pk)
    start, end = selectors.day_bounds(scope.day, scope.days)
    hearings = selectors.agenda(court=scope.court, start=start, end=end, room=scope.room, judge=scope.judge)
    dates = [scope.day + datetime.timedelta(days=n) for n in range(scope.days)]
    by_day = [
        (date, [h for h in hearings if h.starts_at and timezone.localdate(h.starts_at) == date]) for date in dates
    ]
    return render(
        request,
        "hearings/agenda.html",
        {
            **scope.__dict__,
            "hearings": hearings,
            "by_day": by_day,
            "previous": scope.day - datetime.timedelta(days=scope.days),
            "next": scope.day + datetime.timedelta(days=scope.days),
            "pending": selectors.pending_postponements(court=scope.court),
            "to_list": selectors.hearing_requests(court=scope.court),
            "can_list": permissions.is_clerk_of(_user(request), scope.court.pk),
            "can_review_open_data": permissions.can_review_open_data(_user(request), scope.court.pk),
        },
    )


@login_required
def docket_pdf(request: HttpRequest, court_pk: int) -> HttpResponse:
    """The docket of the day (hearings in order, with room and judge), printable."""
    scope = _agenda_scope(request, court_pk)
    start, end = selectors.day_bounds(scope.day)
    hearings = selectors.agenda(court=scope.court, start=start, end=end, room=scope.room, judge=scope.judge)
    response = HttpResponse(
        docket.docket_pdf(court=scope.court, day=scope.day, hearings=hearings), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="docket-{scope.day:%Y-%m-%d}.pdf"'
    return response


# --- Calendar files and feeds -----------------------------------------------------------------------------------------


@login_required
def hearing_ics(request: HttpRequest, pk: int) -> HttpResponse:
    hearing = selectors.hearing_get(user=_user(request), pk=pk)
    if hearing.starts_at is None:
        raise Http404
    response = HttpResponse(ics.hearing_file(hearing), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="hearing-{hearing.case.reference}.ics"'
    return response


def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private subscription feed: whoever holds the address reads it, without signing in; revoked or unknown
    addresses answer 404."""
    owner = selectors.feed_owner(token=token)
    if owner is None:
        raise Http404
    response = HttpResponse(
        ics.calendar(selectors.feed_hearings(user=owner), name=_("My hearings")),
        content_type="text/calendar; charset=utf-8",
    )
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def feed_settings(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    token = ""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            services.calendar_feed_revoke(user=user)
            messages.success(request, _("Your calendar address no longer works."))
            return redirect("hearings:feed_settings")
        token = services.calendar_feed_create(user=user)
    feed_url = request.build_absolute_uri(reverse("hearings:feed", args=[token])) if token else ""
    return render(request, "hearings/feed.html", {"feed": selectors.active_feed(user=user), "feed_url": feed_url})


# --- Case bundles -----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def bundle_build(request: HttpRequest, case_pk: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, pk=case_pk)
    if not permissions.can_build_bundle(user, case):
        raise Http404
    try:
        bundle = services.case_bundle_request(case=case, actor=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("filings:case", pk=case.pk)
    return redirect("hearings:bundle", pk=bundle.pk)


@login_required
def bundle_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bundle = selectors.bundle_get(user=_user(request), pk=pk)
    return render(request, "hearings/bundle.html", {"bundle": bundle, "case": bundle.case})
