"""The appointment of a pre-complaint: the unit proposes times and confirms the one chosen; the victim chooses."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings import permissions, selectors, services
from filings.forms import AppointmentPickForm, AppointmentSlotFormSet
from filings.models import AppointmentSlot, Filing
from justice.accounts.models import User
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _for_unit(request: HttpRequest, pk: int) -> Filing:
    """The pre-complaint, for an officer of the unit that received it; anyone else gets a 404."""
    filing = selectors.filing_get(user=_user(request), pk=pk)
    if filing.kind != Filing.Kind.PRE_COMPLAINT or not permissions.can_review_filing(_user(request), filing):
        raise Http404
    return filing


def _for_filer(request: HttpRequest, pk: int) -> Filing:
    filing = selectors.filing_get(user=_user(request), pk=pk)
    if filing.kind != Filing.Kind.PRE_COMPLAINT or filing.filer_id != _user(request).pk:
        raise Http404
    return filing


def when(slot: AppointmentSlot) -> str:
    return formats.date_format(timezone.localtime(slot.starts_at), "DATETIME_FORMAT")


@login_required
def propose(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _for_unit(request, pk)
    formset = AppointmentSlotFormSet(request.POST or None, prefix="slots")
    error = None
    if request.method == "POST":
        if formset.is_valid():
            try:
                services.appointment_propose(
                    filing=filing,
                    actor=_user(request),
                    slots=[services.ProposedSlot(starts_at=at, place=place) for at, place in formset.slots()],
                )
            except ApplicationError as exc:
                error = exc.message
            else:
                messages.success(request, _("The times are proposed; the victim is notified and will choose one."))
                return redirect("filings:review", pk=filing.pk)
        if error is not None or not formset.is_valid():
            logger.info("appointment times for filing %s refused: %s", filing.pk, error or formset.errors)
    return render(
        request,
        "filings/appointment_propose.html",
        {
            "filing": filing,
            "formset": formset,
            "error": error,
            "appointment": selectors.appointment_state(filing=filing),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def confirm(request: HttpRequest, pk: int) -> HttpResponse:
    filing = _for_unit(request, pk)
    try:
        slot = services.appointment_confirm(filing=filing, actor=_user(request))
    except ApplicationError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(
            request, _("Appointment confirmed for %(when)s; the victim is notified.") % {"when": when(slot)}
        )
    return redirect("filings:review", pk=filing.pk)


@login_required
def pick(request: HttpRequest, pk: int) -> HttpResponse:
    """The victim's page: the times proposed, and the one chosen; plain words that it is indicative until the
    unit confirms it."""
    filing = _for_filer(request, pk)
    state = selectors.appointment_state(filing=filing)
    if state is None:  # not a pre-complaint: excluded by _for_filer; kept for the type checker
        raise Http404
    offered = [*state.proposed, *([state.chosen] if state.chosen is not None else [])]
    choices = [(slot.pk, f"{when(slot)} — {slot.place}") for slot in offered]
    form = AppointmentPickForm(request.POST or None, choices=choices)
    if request.method == "POST":
        # A time withdrawn or never proposed is not among the choices: the form says so in plain words.
        if form.is_valid():
            try:
                services.appointment_pick(filing=filing, actor=_user(request), slot_id=form.cleaned_data["slot"])
            except ApplicationError as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Your choice is sent to the unit. It is indicative until the unit confirms it: you will be "
                        "notified."
                    ),
                )
                return redirect("filings:appointment", pk=filing.pk)
        logger.info("appointment choice for filing %s refused: %s", filing.pk, form.errors.as_json())
    return render(
        request,
        "filings/appointment_pick.html",
        {"filing": filing, "form": form, "appointment": state},
        status=400 if form.is_bound and form.errors else 200,
    )
