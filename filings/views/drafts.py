"""Preparing and sending filings: the guided (pre-)complaint saved at every step, the civil referral (by a citizen,
or by a lawyer for a client), the summary before sending, the receipt, cancelling, and copying a rejected filing."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from filings import assurance, content, permissions, selectors, services
from filings.forms import ClaimantForm, ClaimForm, ClientForm, RespondentFormSet
from filings.models import AssuranceLevel, Case, Filing
from filings.receipts import filing_receipt_pdf
from justice.accounts.assurance import step_up_url
from justice.accounts.models import User
from justice.errors import ApplicationError

CRIMINAL_KINDS = {"pre-complaint": Filing.Kind.PRE_COMPLAINT, "complaint": Filing.Kind.COMPLAINT}
# Kinds filled in one section per page (the civil referral has its own page, with the respondents' list).
STEPPED_KINDS = (Filing.Kind.PRE_COMPLAINT, Filing.Kind.COMPLAINT, Filing.Kind.SUBMISSION)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _posted_key(request: HttpRequest) -> uuid.UUID:
    """The key rendered in the blank form; a missing or mangled one starts a fresh draft rather than failing."""
    try:
        return uuid.UUID(request.POST.get("idempotency_key", ""))
    except ValueError:
        return uuid.uuid4()


def _edit_url(filing: Filing) -> str:
    if filing.kind == Filing.Kind.CIVIL_REFERRAL:
        return reverse("filings:civil_referral_edit", args=[filing.pk])
    first = content.sections_for(filing.kind)[0]
    return reverse("filings:step", args=[filing.pk, first.slug])


def _editable_or_redirect(request: HttpRequest, filing: Filing) -> HttpResponse | None:
    if permissions.can_edit_filing(_user(request), filing):
        return None
    if filing.filer_id != _user(request).pk:
        raise Http404
    messages.info(request, _("This filing was already sent or cancelled: it can no longer be changed."))
    return redirect("filings:detail", pk=filing.pk)


def _assurance_context(request: HttpRequest, kind: str) -> dict[str, Any]:
    required = assurance.required_assurance(kind)
    return {
        "assurance_ok": assurance.meets(assurance.session_assurance(request), required),
        "required_assurance": AssuranceLevel(required).label,
        "step_up_url": step_up_url(level=required, next_url=request.get_full_path()),
    }


# --- Guided pre-complaint and complaint --------------------------------------------------------------------------


def _after_step(request: HttpRequest, filing: Filing, slug: str) -> HttpResponse:
    if "save_and_quit" in request.POST:
        messages.success(request, _("Your draft is saved. You will find it in “My cases”."))
        return redirect("filings:mine")
    sections = content.sections_for(filing.kind)
    index = [section.slug for section in sections].index(slug)
    if index + 1 < len(sections):
        return redirect("filings:step", pk=filing.pk, section=sections[index + 1].slug)
    return redirect("filings:summary", pk=filing.pk)


def _render_step(
    request: HttpRequest,
    *,
    kind: str,
    slug: str,
    form: Any,
    filing: Filing | None,
    key: uuid.UUID | None,
    case: Case | None = None,
) -> HttpResponse:
    sections = content.sections_for(kind)
    index = [section.slug for section in sections].index(slug)
    return render(
        request,
        "filings/step.html",
        {
            "kind": kind,
            "kind_label": Filing.Kind(kind).label,
            "form": form,
            "filing": filing,
            "case": case,
            "idempotency_key": key,
            "section": sections[index],
            "step_number": index + 1,
            "step_count": len(sections),
            "next_section": sections[index + 1] if index + 1 < len(sections) else None,
            "previous_section": sections[index - 1] if index > 0 else None,
            **_assurance_context(request, kind),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def criminal_start(request: HttpRequest, kind_slug: str) -> HttpResponse:
    """The first step of a pre-complaint or complaint: the draft is created when it is first saved."""
    kind = CRIMINAL_KINDS.get(kind_slug)
    if kind is None:
        raise Http404
    first = content.sections_for(kind)[0]
    if request.method == "POST":
        key = _posted_key(request)
        form = first.form_class(request.POST, filing_kind=kind)
        if form.is_valid():
            filing = services.filing_create_draft(
                filer=_user(request), kind=kind, idempotency_key=key, sections={first.slug: form.to_content()}
            )
            return _after_step(request, filing, first.slug)
    else:
        key = uuid.uuid4()
        form = first.form_class(filing_kind=kind)
    return _render_step(request, kind=kind, slug=first.slug, form=form, filing=None, key=key)


@login_required
def submission_start(request: HttpRequest, case_pk: int) -> HttpResponse:
    """A party, or a lawyer holding a mandate in the case, sends a submission into a registered case."""
    user = _user(request)
    case = selectors.case_get(user=user, pk=case_pk)
    if not permissions.can_file_into_case(user, case):
        raise Http404
    kind = Filing.Kind.SUBMISSION
    first = content.sections_for(kind)[0]
    if request.method == "POST":
        key = _posted_key(request)
        form = first.form_class(request.POST, filing_kind=kind)
        if form.is_valid():
            try:
                filing = services.filing_create_draft(
                    filer=user, kind=kind, idempotency_key=key, case=case, sections={first.slug: form.to_content()}
                )
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return _after_step(request, filing, first.slug)
    else:
        key = uuid.uuid4()
        form = first.form_class(filing_kind=kind)
    return _render_step(request, kind=kind, slug=first.slug, form=form, filing=None, key=key, case=case)


def _step_initial(user: User, slug: str, stored: dict[str, Any] | None) -> dict[str, Any]:
    if stored:
        return stored
    if slug == "people":
        return {"victim_first_name": user.first_name, "victim_last_name": user.last_name}
    return {}


@login_required
def section_step(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    if filing.kind not in STEPPED_KINDS:
        raise Http404
    step = content.section_for(filing.kind, section)
    if step is None:
        raise Http404
    if (response := _editable_or_redirect(request, filing)) is not None:
        return response
    if request.method == "POST":
        form = step.form_class(request.POST, filing_kind=filing.kind)
        if form.is_valid():
            try:
                services.filing_update_draft(filing=filing, actor=user, sections={step.slug: form.to_content()})
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                return _after_step(request, filing, step.slug)
    else:
        form = step.form_class(
            initial=_step_initial(user, step.slug, filing.content.get(step.slug)), filing_kind=filing.kind
        )
    return _render_step(request, kind=filing.kind, slug=step.slug, form=form, filing=filing, key=None, case=filing.case)


# --- Civil referral ---------------------------------------------------------------------------------------------


def _raw_values(form: Any) -> dict[str, Any]:
    """What the person typed, as initial values of a fresh form (to add a block without showing errors)."""
    return {name: form[name].data for name in form.fields if name != "DELETE"}


def _kept(form: Any) -> bool:
    """A respondent's block worth showing again: not ticked for removal, and not an added block left blank."""
    removed = "DELETE" in form.fields and bool(form["DELETE"].data)
    return not removed and (form.has_changed() or not form.empty_permitted)


class CivilForms:
    """The three parts of the civil referral page, bound together."""

    def __init__(
        self, request: HttpRequest, *, filing: Filing | None, prefill_claimant: bool, add_respondent: bool = False
    ) -> None:
        user = _user(request)
        stored: dict[str, Any] = filing.content if filing is not None else {}
        kind = Filing.Kind.CIVIL_REFERRAL
        data = request.POST if request.method == "POST" and not add_respondent else None
        claimant_initial = stored.get("claimant") or (
            {"first_name": user.first_name, "last_name": user.last_name} if prefill_claimant else {}
        )
        self.claimant = ClaimantForm(data, prefix="claimant", initial=claimant_initial, filing_kind=kind)
        self.claim = ClaimForm(data, prefix="claim", initial=stored.get("claim") or {}, filing_kind=kind)
        self.respondents = RespondentFormSet(
            data,
            prefix=content.RESPONDENTS_PREFIX,
            initial=stored.get("respondents") or None,
            form_kwargs={"filing_kind": kind},
        )
        if add_respondent:
            # Rebuild from what was typed, unbound, with one more empty block; nothing is checked or saved yet.
            posted = request.POST
            claimant = ClaimantForm(posted, prefix="claimant", filing_kind=kind)
            claim = ClaimForm(posted, prefix="claim", filing_kind=kind)
            respondents = RespondentFormSet(
                posted, prefix=content.RESPONDENTS_PREFIX, form_kwargs={"filing_kind": kind}
            )
            self.claimant = ClaimantForm(prefix="claimant", initial=_raw_values(claimant), filing_kind=kind)
            self.claim = ClaimForm(prefix="claim", initial=_raw_values(claim), filing_kind=kind)
            entries = [_raw_values(form) for form in respondents.forms if _kept(form)]
            self.respondents = RespondentFormSet(
                prefix=content.RESPONDENTS_PREFIX, initial=entries or None, form_kwargs={"filing_kind": kind}
            )
            self.respondents.extra = 1

    @property
    def is_bound(self) -> bool:
        return self.claim.is_bound

    def valid_sections(self) -> dict[str, Any]:
        sections: dict[str, Any] = {}
        if self.claimant.is_valid():
            sections["claimant"] = self.claimant.to_content()
        if self.claim.is_valid():
            sections["claim"] = self.claim.to_content()
        if self.respondents.is_valid():
            sections["respondents"] = self.respondents.to_content()
        return sections

    def all_valid(self) -> bool:
        return self.claimant.is_valid() and self.claim.is_valid() and self.respondents.is_valid()


def _render_civil(
    request: HttpRequest,
    *,
    forms: CivilForms,
    filing: Filing | None,
    key: uuid.UUID | None,
    client_form: ClientForm | None = None,
) -> HttpResponse:
    invalid = (forms.is_bound and not forms.all_valid()) or (client_form is not None and bool(client_form.errors))
    return render(
        request,
        "filings/civil_referral.html",
        {
            "forms": forms,
            "filing": filing,
            "client_form": client_form,
            "idempotency_key": key,
            "form_action": reverse("filings:civil_referral_edit", args=[filing.pk]) if filing else request.path,
            "respondents_max": forms.respondents.max_num,
            **_assurance_context(request, Filing.Kind.CIVIL_REFERRAL),
        },
        status=400 if invalid else 200,
    )


def _after_civil_save(request: HttpRequest, forms: CivilForms, filing: Filing) -> HttpResponse | None:
    if not forms.all_valid():
        messages.warning(request, _("Your draft is saved without the parts that have errors: correct them below."))
        return None
    if "save_and_quit" in request.POST:
        messages.success(request, _("Your draft is saved. You will find it in “My cases”."))
        return redirect("filings:mine")
    return redirect("filings:summary", pk=filing.pk)


@login_required
def civil_referral_new(request: HttpRequest) -> HttpResponse:
    return _civil_new(request, for_client=False)


@login_required
def civil_referral_new_for_client(request: HttpRequest) -> HttpResponse:
    if not permissions.can_file_for_clients(_user(request)):
        raise Http404
    return _civil_new(request, for_client=True)


def _civil_new(request: HttpRequest, *, for_client: bool) -> HttpResponse:
    user = _user(request)
    add = "add_respondent" in request.POST
    forms = CivilForms(request, filing=None, prefill_claimant=not for_client, add_respondent=add)
    bars = selectors.lawyer_bars(user=user)
    client_form = ClientForm(request.POST or None, prefix="client", bars=bars) if for_client else None
    if add and client_form is not None:
        client_form = ClientForm(prefix="client", bars=bars, initial=_raw_values(client_form))
    key = _posted_key(request) if request.method == "POST" else uuid.uuid4()
    if request.method == "POST" and not add:
        client = None
        if client_form is not None and client_form.is_valid():
            client = selectors.client_find(email=client_form.cleaned_data["client_email"])
            if client is None:
                client_form.add_error(
                    "client_email",
                    _(
                        "No account on this portal uses this address. Ask your client to create an account with "
                        "it, or check the address they gave you."
                    ),
                )
        sections = forms.valid_sections()
        if (client_form is None or client_form.is_valid()) and sections:
            try:
                filing = services.filing_create_draft(
                    filer=user,
                    kind=Filing.Kind.CIVIL_REFERRAL,
                    idempotency_key=key,
                    sections=sections,
                    on_behalf_of=client,
                    bar=client_form.cleaned_data["bar"] if client_form is not None else None,
                )
            except ApplicationError as error:
                messages.error(request, str(error.message))
            else:
                if (response := _after_civil_save(request, forms, filing)) is not None:
                    return response
                return _render_civil(request, forms=forms, filing=filing, key=None)
    return _render_civil(request, forms=forms, filing=None, key=key, client_form=client_form)


@login_required
def civil_referral_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    if filing.kind != Filing.Kind.CIVIL_REFERRAL:
        raise Http404
    if (response := _editable_or_redirect(request, filing)) is not None:
        return response
    add = "add_respondent" in request.POST
    forms = CivilForms(request, filing=filing, prefill_claimant=filing.on_behalf_of_id is None, add_respondent=add)
    if request.method == "POST" and not add:
        sections = forms.valid_sections()
        try:
            if sections:
                services.filing_update_draft(filing=filing, actor=user, sections=sections)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            if (response := _after_civil_save(request, forms, filing)) is not None:
                return response
    return _render_civil(request, forms=forms, filing=filing, key=None)


# --- Summary, sending, receipt, cancel, copy -----------------------------------------------------------------------


def _section_url(filing: Filing, slug: str) -> str:
    if filing.kind == Filing.Kind.CIVIL_REFERRAL:
        return reverse("filings:civil_referral_edit", args=[filing.pk]) + f"#section-{slug}"
    return reverse("filings:step", args=[filing.pk, slug])


@login_required
def summary(request: HttpRequest, pk: int) -> HttpResponse:
    """Everything the filer wrote, to check before sending; sending twice (two clicks, two tabs) sends once."""
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    if filing.filer_id != user.pk:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            services.filing_submit(filing=filing, actor=user, assurance_level=assurance.session_assurance(request))
        except ApplicationError as exc:
            error = exc.message
            filing.refresh_from_db()
        else:
            return redirect("filings:receipt", pk=filing.pk)
    elif (response := _editable_or_redirect(request, filing)) is not None:
        return response
    sections = content.summary(kind=filing.kind, content=filing.content)
    return render(
        request,
        "filings/summary.html",
        {
            "filing": filing,
            "sections": [(item, _section_url(filing, item.section.slug)) for item in sections],
            "complete": all(item.complete for item in sections),
            "error": error,
            "edit_url": _edit_url(filing),
            "exhibits": selectors.exhibit_list(user=user, filing=filing),
            **_assurance_context(request, filing.kind),
        },
        status=400 if error else 200,
    )


@login_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    if user.pk not in (filing.filer_id, filing.on_behalf_of_id):
        raise Http404
    if filing.status == Filing.Status.DRAFT:
        return redirect("filings:summary", pk=filing.pk)
    return render(
        request,
        "filings/receipt.html",
        {
            "filing": filing,
            "retention_days": settings.PRE_COMPLAINT_RETENTION_DAYS,
            "appointment": selectors.appointment_state(filing=filing) if user.pk == filing.filer_id else None,
        },
    )


@login_required
def receipt_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The acknowledgement of receipt as a PDF sealed by the portal (PAdES), for the filer and their client."""
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    if user.pk not in (filing.filer_id, filing.on_behalf_of_id) or filing.status == Filing.Status.DRAFT:
        raise Http404
    response = HttpResponse(filing_receipt_pdf(filing=filing), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"accuse-de-reception-{filing.pk}.pdf") or ""
    )
    return response


@login_required
def cancel(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    if filing.filer_id != user.pk:
        raise Http404
    if request.method == "POST":
        try:
            services.filing_cancel(filing=filing, actor=user)
        except ApplicationError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("%(filing)s is cancelled.") % {"filing": filing})
        return redirect("filings:detail", pk=filing.pk)
    if not filing.is_cancellable:
        messages.info(request, _("This filing has already been reviewed: it can no longer be cancelled."))
        return redirect("filings:detail", pk=filing.pk)
    return render(request, "filings/cancel.html", {"filing": filing})


@login_required
@require_POST
def copy(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    if filing.filer_id != user.pk:
        raise Http404
    try:
        draft = services.filing_copy_as_draft(filing=filing, actor=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("filings:detail", pk=filing.pk)
    messages.success(
        request, _("A new draft was made from the rejected filing, with the same content: correct it and send it.")
    )
    return redirect(_edit_url(draft))
