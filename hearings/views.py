"""Pages of hearings: listing by the clerk, the hearing's page, postponements, the agenda and the docket, calendar
files and feeds, case bundles. Thin: selectors read (404 for what the user may not see), services write."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings.models import Case
from hearings import docket, ics, permissions, selectors, services
from hearings.forms import AgendaForm, ListingForm, PostponementDecisionForm, PostponementRequestForm, ReasonForm
from hearings.models import Hearing
from justice.accounts.models import User
from justice.errors import ApplicationError


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- Listing ----------------------------------------------------------------------------------------------------------


def _listing_page(request: HttpRequest, case: Case, hearing: Hearing | None) -> HttpResponse:
    user = _user(request)
    if not permissions.can_list_hearings(user, case):
        raise Http404
    court = case.court
    form = ListingForm(
        request.POST or None,
        initial=ListingForm.initial_for(hearing) if hearing else None,
        court=court,
        rooms=selectors.court_rooms(court=court),
        judges=selectors.court_judges(court=court),
    )
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
        except services.ConflictError as error:
            for conflict in error.conflicts:
                form.add_error(None, conflict)
            proposals = error.proposals
        except ApplicationError as error:
            form.add_error(None, error.message)
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
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    hearing = selectors.hearing_get(user=user, pk=pk)
    case = hearing.case
    requests = [r for r in selectors.case_postponement_requests(case=case) if r.hearing_id == hearing.pk]
    return render(
        request,
        "hearings/detail.html",
        {
            "hearing": hearing,
            "case": case,
            "events": [e for e in selectors.case_timeline(case=case) if e.hearing_id == hearing.pk],
            "requests": requests,
            "can_change": permissions.can_list_hearings(user, case),
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
            form.add_error(None, error.message)
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
    form = PostponementDecisionForm(request.POST or None)
    slot = ListingForm(
        request.POST or None,
        prefix="slot",
        initial=ListingForm.initial_for(hearing),
        court=case.court,
        rooms=selectors.court_rooms(court=case.court),
        judges=selectors.court_judges(court=case.court),
    )
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
        except services.ConflictError as error:
            for conflict in error.conflicts:
                form.add_error(None, conflict)
            proposals = error.proposals
        except ApplicationError as error:
            form.add_error(None, error.message)
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


def _agenda_scope(request: HttpRequest, court_pk: int) -> dict[str, object]:
    user = _user(request)
    court = selectors.bench_court_get(user=user, pk=court_pk)
    form = AgendaForm(request.GET or None)
    day, span, room, judge = timezone.localdate(), "day", None, None
    rooms = list(selectors.court_rooms(court=court))
    judges = list(selectors.court_judges(court=court))
    if form.is_valid():
        day = form.cleaned_data["day"] or day
        span = form.cleaned_data["span"] or "day"
        room = next((r for r in rooms if r.pk == form.cleaned_data["room"]), None)
        judge = next((j for j in judges if j.pk == form.cleaned_data["judge"]), None)
        if (form.cleaned_data["room"] and room is None) or (form.cleaned_data["judge"] and judge is None):
            raise Http404
    if span == "week":
        day = day - datetime.timedelta(days=day.weekday())
    days = 7 if span == "week" else 1
    start, end = selectors.day_bounds(day, days)
    hearings = selectors.agenda(court=court, start=start, end=end, room=room, judge=judge)
    by_day = [
        (
            day + datetime.timedelta(days=n),
            [h for h in hearings if timezone.localtime(h.starts_at).date() == day + datetime.timedelta(days=n)],
        )  # type: ignore[arg-type]
        for n in range(days)
    ]
    return {
        "court": court,
        "form": form,
        "day": day,
        "span": span,
        "room": room,
        "judge": judge,
        "rooms": rooms,
        "judges": judges,
        "hearings": hearings,
        "by_day": by_day,
        "previous": day - datetime.timedelta(days=days),
        "next": day + datetime.timedelta(days=days),
    }


@login_required
def agenda(request: HttpRequest, court_pk: int) -> HttpResponse:
    context = _agenda_scope(request, court_pk)
    context["pending"] = selectors.pending_postponements(court=context["court"])  # type: ignore[arg-type]
    return render(request, "hearings/agenda.html", context)


@login_required
def docket_pdf(request: HttpRequest, court_pk: int) -> HttpResponse:
    """The docket of the day (hearings in order, with room and judge), printable."""
    context = _agenda_scope(request, court_pk)
    day: datetime.date = context["day"]  # type: ignore[assignment]
    start, end = selectors.day_bounds(day)
    hearings = selectors.agenda(
        court=context["court"], start=start, end=end, room=context["room"], judge=context["judge"]
    )  # type: ignore[arg-type]
    response = HttpResponse(
        docket.docket_pdf(court=context["court"], day=day, hearings=hearings), content_type="application/pdf"
    )  # type: ignore[arg-type]
    response["Content-Disposition"] = f'inline; filename="docket-{day:%Y-%m-%d}.pdf"'
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
