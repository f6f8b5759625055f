"""Assisted filing at a court's counter (the clerk's pages: file, print the receipt with its claim code, give a new
code), and the citizen's page to claim such a filing into their account with that code."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from filings import permissions
from filings.models import AssistedFiling, Filing
from filings.services import assisted as services
from filings.views.drafts import CivilForms, _raw_values
from justice.accounts.models import Organisation, User
from justice.errors import ApplicationError
from justice.forms import PortalForm
from justice.ratelimit import rate_limited

SESSION_CODES = "filings_assisted_codes"


class CounterForm(PortalForm):
    counter = forms.ModelChoiceField(
        label=gettext_lazy("Court where the citizen came"), queryset=Organisation.objects.none(), empty_label=None
    )
    identity_document = forms.CharField(
        label=gettext_lazy("Identity document checked"),
        help_text=gettext_lazy("For example: national identity card, passport, residence permit."),
        max_length=200,
    )
    consent = forms.BooleanField(
        label=gettext_lazy("The citizen agrees to this statement, read to them"),
        error_messages={"required": gettext_lazy("The citizen must agree to the filing being made in their name.")},
    )

    def __init__(self, *args: Any, counters: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["counter"].queryset = counters
        if len(counters) == 1:
            self.fields["counter"].widget = forms.HiddenInput()
            self.fields["counter"].initial = counters[0].pk


class ClaimForm(PortalForm):
    filing_number = forms.IntegerField(label=gettext_lazy("Filing number"), min_value=1)
    code = forms.CharField(
        label=gettext_lazy("Claim code"),
        help_text=gettext_lazy("The 12 characters printed on your receipt, for example ABCD-EFGH-JKMN."),
        max_length=40,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}),
    )


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _counters(user: User) -> Any:
    return Organisation.objects.filter(pk__in=permissions.staff_scope(user).clerk, kind=Organisation.Kind.COURT)


def _stash_code(request: HttpRequest, filing: Filing, code: str) -> None:
    codes = dict(request.session.get(SESSION_CODES) or {})
    codes[str(filing.pk)] = code
    request.session[SESSION_CODES] = codes


def _assisted_for_clerk(user: User, pk: int) -> AssistedFiling:
    assisted = AssistedFiling.objects.select_related("filing", "filing__recipient", "counter").filter(filing=pk).first()
    if assisted is None or assisted.counter_id not in permissions.staff_scope(user).clerk:
        raise Http404
    return assisted


@login_required
def assisted_new(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    counters = _counters(user)
    if not counters:
        raise Http404
    add = "add_respondent" in request.POST
    civil = CivilForms(request, filing=None, prefill_claimant=False, add_respondent=add)
    counter_form = CounterForm(request.POST if request.method == "POST" else None, counters=counters)
    if add:
        counter_form = CounterForm(counters=counters, initial=_raw_values(counter_form))
    try:
        key = uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        key = uuid.uuid4()
    if request.method == "POST" and not add and counter_form.is_valid() and civil.all_valid():
        try:
            filing, code = services.assisted_referral_file(
                clerk=user,
                counter=counter_form.cleaned_data["counter"],
                idempotency_key=key,
                sections=civil.valid_sections(),
                identity_document=counter_form.cleaned_data["identity_document"],
                consent=counter_form.cleaned_data["consent"],
            )
        except ApplicationError as error:
            counter_form.add_error(None, error.message)
        else:
            if code is not None:
                _stash_code(request, filing, code)
            return redirect("filings:assisted_receipt", pk=filing.pk)
    invalid = request.method == "POST" and not add
    return render(
        request,
        "filings/assisted_new.html",
        {
            "forms": civil,
            "counter_form": counter_form,
            "idempotency_key": key,
            "consent_statement": services.CONSENT_STATEMENT,
            "respondents_max": civil.respondents.max_num,
        },
        status=400 if invalid else 200,
    )


@login_required
def assisted_receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """The paper receipt to print for the citizen; the claim code appears on it once."""
    assisted = _assisted_for_clerk(_user(request), pk)
    codes = dict(request.session.get(SESSION_CODES) or {})
    code = codes.pop(str(pk), None)
    if code is not None:
        request.session[SESSION_CODES] = codes
    return render(
        request,
        "filings/assisted_receipt.html",
        {"assisted": assisted, "filing": assisted.filing, "code": code},
    )


@login_required
@require_POST
def assisted_new_code(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    assisted = _assisted_for_clerk(user, pk)
    try:
        code = services.assisted_claim_code_renew(assisted=assisted, clerk=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        _stash_code(request, assisted.filing, code)
        messages.success(request, _("A new claim code was made: the previous one no longer works."))
    return redirect("filings:assisted_receipt", pk=pk)


@login_required
@rate_limited("assisted-claim", limit=10, window=600, methods=("POST",))
def claim(request: HttpRequest) -> HttpResponse:
    """A citizen enters the filing number and code from the paper receipt given at the counter."""
    form = ClaimForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            filing = services.assisted_filing_claim(
                user=_user(request), filing_number=form.cleaned_data["filing_number"], code=form.cleaned_data["code"]
            )
        except ApplicationError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("%(filing)s is now in your space: follow it here.") % {"filing": filing})
            return redirect("filings:detail", pk=filing.pk)
    return render(request, "filings/claim.html", {"form": form}, status=400 if form.errors else 200)
