"""Exhibits of a filing: the draft's exhibit list (add files, move, remove), the exhibit list as a PDF, and the
download of one exhibit — a custody event, and for a party served with the submission, its opening."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from evidence import permissions as evidence_permissions
from evidence.ingest import EvidenceUploadHandler, IngestError
from evidence.services import evidence_download
from filings import permissions, selectors, services
from filings.exhibit_list import exhibit_list_pdf
from filings.forms import ExhibitUploadForm
from filings.models import Exhibit, Filing
from justice.accounts.models import User
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _draft_of(request: HttpRequest, pk: int) -> Filing:
    filing = selectors.filing_get(user=_user(request), pk=pk)
    if filing.filer_id != _user(request).pk:
        raise Http404
    return filing


# As for evidence uploads: the streaming upload handler must be installed before CSRF checking reads the body, so
# the outer view is exempt and the inner one checks CSRF.
@csrf_exempt
@login_required
def exhibits(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    filing = _draft_of(request, pk)
    handler = EvidenceUploadHandler(
        request,
        max_bytes=evidence_permissions.upload_limit(user),
        max_files=settings.EVIDENCE_MAX_FILES_PER_REQUEST,
    )
    if request.method == "POST":
        request.upload_handlers = [handler]
    return _exhibits(request, user, filing, handler)


def _render(
    request: HttpRequest,
    filing: Filing,
    form: ExhibitUploadForm,
    handler: EvidenceUploadHandler,
    refusals: list[str] | None = None,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "filings/exhibits.html",
        {
            "filing": filing,
            "exhibits": selectors.exhibit_list(user=_user(request), filing=filing),
            "form": form,
            "refusals": refusals or [],
            "can_change": permissions.can_change_exhibits(_user(request), filing),
            "max_bytes": handler.max_bytes,
            "max_files": handler.max_files,
        },
        status=status,
    )


@csrf_protect
def _exhibits(request: HttpRequest, user: User, filing: Filing, handler: EvidenceUploadHandler) -> HttpResponse:
    if request.method != "POST":
        return _render(request, filing, ExhibitUploadForm(), handler)
    if not permissions.can_change_exhibits(user, filing):
        messages.info(request, _("This filing was already sent or cancelled: its exhibits can no longer be changed."))
        return redirect("filings:detail", pk=filing.pk)
    form = ExhibitUploadForm(request.POST, request.FILES)
    if handler.errors:
        stopped = [str(error.message) for error in handler.errors]
        status = 413 if any(error.code == "too_large" for error in handler.errors) else 400
        logger.info("exhibit upload stopped for filing %s: %s", filing.pk, [e.code for e in handler.errors])
        return _render(request, filing, ExhibitUploadForm(initial=request.POST), handler, stopped, status)
    if not form.is_valid():
        return _render(request, filing, form, handler, status=400)
    files = form.cleaned_data["files"]
    title = form.cleaned_data["title"]
    added: list[Exhibit] = []
    refusals: list[str] = []
    for staged in files:
        try:
            added.append(
                services.exhibit_upload(
                    filing=filing,
                    actor=user,
                    upload=staged,
                    title=f"{title} — {staged.display_name}" if title and len(files) > 1 else title,
                )
            )
        except (IngestError, ApplicationError) as error:
            logger.info("exhibit refused for filing %s: %s", filing.pk, error.code)
            refusals.append(str(error.message))
    for exhibit in added:
        messages.success(
            request,
            _("“%(name)s” was received, sealed and added as exhibit no. %(number)s.")
            % {"name": exhibit.item.original_name, "number": exhibit.number},
        )
    if refusals:
        # What was typed stays; the files refused are named in the messages.
        return _render(request, filing, ExhibitUploadForm(initial={"title": title}), handler, refusals, 400)
    return redirect("filings:exhibits", pk=filing.pk)


def _exhibit_of_draft(request: HttpRequest, pk: int, exhibit_pk: int) -> Exhibit:
    filing = _draft_of(request, pk)
    return selectors.exhibit_get(user=_user(request), filing=filing, pk=exhibit_pk)


@login_required
@require_POST
def exhibit_move(request: HttpRequest, pk: int, exhibit_pk: int) -> HttpResponse:
    exhibit = _exhibit_of_draft(request, pk, exhibit_pk)
    try:
        services.exhibit_move(exhibit=exhibit, actor=_user(request), offset=-1 if request.POST.get("to") == "up" else 1)
    except ApplicationError as error:
        messages.error(request, str(error.message))
    return redirect("filings:exhibits", pk=pk)


@login_required
@require_POST
def exhibit_remove(request: HttpRequest, pk: int, exhibit_pk: int) -> HttpResponse:
    exhibit = _exhibit_of_draft(request, pk, exhibit_pk)
    try:
        services.exhibit_remove(exhibit=exhibit, actor=_user(request))
    except ApplicationError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(
            request,
            _("Exhibit “%(title)s” was taken off the list; the file stays sealed in your evidence.")
            % {"title": exhibit.title},
        )
    return redirect("filings:exhibits", pk=pk)


@login_required
def exhibit_list_download(request: HttpRequest, pk: int) -> HttpResponse:
    """The exhibit list as a PDF, for whoever sees the filing; for a party served with it, it opens the service."""
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    pdf = exhibit_list_pdf(filing=filing, exhibits=selectors.exhibit_list(user=user, filing=filing))
    services.service_record_opened(filing=filing, user=user)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"exhibit-list-{filing.pk}.pdf") or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def exhibit_download(request: HttpRequest, pk: int, exhibit_pk: int) -> HttpResponseBase:
    """The sealed original of one exhibit, re-checked against its seal as it streams out; recorded in its chain of
    custody with the filing it was read in."""
    user = _user(request)
    filing = selectors.filing_get(user=user, pk=pk)
    exhibit = selectors.exhibit_get(user=user, filing=filing, pk=exhibit_pk)
    try:
        result = evidence_download(
            item=exhibit.item,
            actor=user,
            purpose=_("Exhibit no. %(number)s of %(filing)s") % {"number": exhibit.number, "filing": filing},
        )
    except ApplicationError as error:
        messages.error(request, str(error.message))
        return redirect("filings:detail", pk=filing.pk)
    services.service_record_opened(filing=filing, user=user)
    response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
    response["Content-Length"] = str(result.size)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=result.filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response
