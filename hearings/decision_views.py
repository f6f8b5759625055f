"""Pages of decisions (prepare, read, issue, download, certified copy) and of open data (the clerk's review of the
pseudonymisation, the public data set, the public statistics). Thin: selectors read (404 for what the user may not
see), services write."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    HttpResponseRedirect,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence.services import EvidenceIntegrityError
from evidence.storage import StoreUnavailableError
from hearings import decisions, opendata, permissions, selectors
from hearings.forms import DecisionForm, DecisionTextForm
from hearings.models import Decision
from justice.accounts.assurance import DECISION_DOWNLOAD, has_assurance, step_up_url
from justice.accounts.models import User
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@login_required
def decision_new(request: HttpRequest, case_pk: int) -> HttpResponse:
    user = _user(request)
    case = selectors.case_get(user=user, pk=case_pk)
    if not permissions.can_prepare_decision(user, case):
        raise Http404
    form = DecisionForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["mode"] == DecisionForm.UPLOAD:
                upload = data["file"]
                if upload.size > decisions.MAX_DECISION_BYTES:
                    raise decisions.DecisionError(
                        _("The file “%(name)s” is larger than %(limit)s MB.")
                        % {"name": upload.name, "limit": decisions.MAX_DECISION_BYTES >> 20}
                    )
                decision = decisions.decision_upload(
                    case=case, actor=user, title=data["title"], content=upload.read(), name=upload.name
                )
            else:
                decision = decisions.decision_generate(
                    case=case,
                    actor=user,
                    fields=decisions.TemplateFields(
                        title=data["title"], reasons=data["reasons"], operative_part=data["operative_part"]
                    ),
                )
        except ApplicationError as error:
            logger.info("decision of case %s refused for user %s: %s", case.pk, user.pk, error.message)
            form.add_error(None, str(error.message))
        else:
            messages.success(request, _("The draft decision is ready: read it, then the clerk issues it."))
            return redirect("hearings:decision", pk=decision.pk)
    elif request.method == "POST":
        logger.info("decision form of case %s invalid for user %s: %s", case.pk, user.pk, form.errors.as_json())
    return render(
        request,
        "hearings/decision_new.html",
        {"case": case, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
def decision_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    case = decision.case
    return render(
        request,
        "hearings/decision.html",
        {
            "decision": decision,
            "case": case,
            "can_issue": decision.status == Decision.Status.DRAFT and permissions.can_issue_decision(user, case),
            "needs_step_up": permissions.decision_download_needs_step_up(user, decision)
            and not has_assurance(request, DECISION_DOWNLOAD),
            "is_bench": permissions.is_bench_of(user, case.court_id),
            "needs_text": decisions.needs_text(decision) and permissions.is_bench_of(user, case.court_id),
            "can_confirm_text": permissions.can_review_open_data(user, case.court_id),
        },
    )


@login_required
def decision_draft_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """The draft as prepared, for the bench to read before issue (not sealed, not signed)."""
    user = _user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    if decision.status != Decision.Status.DRAFT or not permissions.can_prepare_decision(user, decision.case):
        raise Http404
    response = HttpResponse(bytes(decision.draft_pdf), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"draft-decision-{decision.case.reference}.pdf") or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def decision_issue(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    if not permissions.can_issue_decision(user, decision.case):
        raise Http404
    try:
        decisions.decision_issue(decision=decision, actor=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    except StoreUnavailableError:
        logger.warning("decision %s: not issued, the evidence store is unavailable", decision.pk)
        messages.error(request, _("The evidence store is unavailable: the decision is not issued. Try again later."))
    else:
        messages.success(request, _("The decision is issued, signed and sealed; the parties are told."))
    return redirect("hearings:decision", pk=decision.pk)


def _file_response(result: decisions.DecisionFile) -> StreamingHttpResponse:
    response = StreamingHttpResponse(result.chunks, content_type="application/pdf")
    if result.size is not None:
        response["Content-Length"] = str(result.size)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=result.filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _issued_file(request: HttpRequest, pk: int, *, certified: bool) -> HttpResponseBase:
    user = _user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    if decision.status != Decision.Status.ISSUED:
        raise Http404
    if permissions.decision_download_needs_step_up(user, decision) and not has_assurance(request, DECISION_DOWNLOAD):
        # The person comes back here once their identity is verified at the required level.
        return HttpResponseRedirect(step_up_url(level=DECISION_DOWNLOAD, next_url=request.get_full_path()))
    try:
        make = decisions.decision_certified_copy if certified else decisions.decision_download
        result = make(decision=decision, actor=user)
    except (ApplicationError, EvidenceIntegrityError) as error:
        message = error.message if isinstance(error, ApplicationError) else _("The sealed decision failed its check.")
        messages.error(request, str(message))
        return redirect("hearings:decision", pk=decision.pk)
    except StoreUnavailableError:
        logger.warning("decision %s: download refused, the evidence store is unavailable", decision.pk)
        messages.error(request, _("The evidence store is unavailable: try again in a few minutes."))
        return redirect("hearings:decision", pk=decision.pk)
    return _file_response(result)


@login_required
def decision_download(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _issued_file(request, pk, certified=False)


@login_required
def decision_certified_copy(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _issued_file(request, pk, certified=True)


# --- Open data --------------------------------------------------------------------------------------------------------


@login_required
def open_data_review(request: HttpRequest, court_pk: int) -> HttpResponse:
    """What the pseudonymisation replaced in each issued decision of the court, for a clerk to check before
    release."""
    user = _user(request)
    court = selectors.bench_court_get(user=user, pk=court_pk)
    if not permissions.can_review_open_data(user, court.pk):
        raise Http404
    reviews = [opendata.review(decision) for decision in selectors.court_issued_decisions(court=court)]
    opendata.record_review_read(actor=user, court=court, reviews=reviews)
    return render(request, "hearings/open_data_review.html", {"court": court, "reviews": reviews})


@login_required
def decision_text(request: HttpRequest, pk: int) -> HttpResponse:
    """A clerk pastes and confirms the text of a decision for open data (a scan has none to extract)."""
    user = _user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    if not permissions.can_review_open_data(user, decision.case.court_id):
        raise Http404
    form = DecisionTextForm(request.POST or None, initial={"text": decision.text})
    if request.method == "POST" and form.is_valid():
        try:
            decisions.decision_text_confirm(decision=decision, actor=user, text=form.cleaned_data["text"])
        except ApplicationError as error:
            logger.info("text of decision %s refused for user %s: %s", decision.pk, user.pk, error.message)
            form.add_error("text", str(error.message))
        else:
            messages.success(request, _("The text of the decision is confirmed for open data."))
            if decision.status == Decision.Status.ISSUED:
                return redirect("hearings:open_data_review", court_pk=decision.case.court_id)
            return redirect("hearings:decision", pk=decision.pk)
    elif request.method == "POST":
        logger.info("text form of decision %s invalid for user %s: %s", decision.pk, user.pk, form.errors.as_json())
    return render(
        request,
        "hearings/decision_text.html",
        {"decision": decision, "case": decision.case, "form": form},
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_POST
def open_data_release(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    decision = selectors.decision_get(user=user, pk=pk)
    if not permissions.can_review_open_data(user, decision.case.court_id):
        raise Http404
    try:
        decisions.decision_release(decision=decision, actor=user)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The decision is released to the open data set."))
    return redirect("hearings:open_data_review", court_pk=decision.case.court_id)


def open_data_page(request: HttpRequest) -> HttpResponse:
    return render(request, "hearings/open_data.html", {"count": selectors.released_decisions().count()})


def open_data_jsonl(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        opendata.jsonl_lines(selectors.released_decisions()), content_type="application/jsonl; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="decisions.jsonl") or ""
    return response


def open_data_csv(request: HttpRequest) -> StreamingHttpResponse:
    response = StreamingHttpResponse(
        opendata.csv_lines(selectors.released_decisions()), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename="decisions.csv") or ""
    return response


def statistics(request: HttpRequest) -> HttpResponse:
    return render(request, "hearings/statistics.html", {"stats": opendata.statistics()})
