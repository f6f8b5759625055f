"""Evidence pages: upload, list, item page with seal and custody timeline, and the checked download."""

from __future__ import annotations

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from evidence import permissions, scan, selectors, services, workingcopy
from evidence.forms import EvidenceDownloadForm, EvidenceUploadForm
from evidence.ingest import EvidenceUploadHandler, IngestError
from evidence.models import EvidenceItem
from evidence.receipt_pdf import seal_receipt_pdf
from evidence.storage import StoreUnavailableError
from evidence.translog import seal_receipt
from justice.accounts.models import User
from justice.errors import ApplicationError

logger = logging.getLogger(__name__)


@login_required
def evidence_list(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    page = Paginator(selectors.evidence_list(user=user), 50).get_page(request.GET.get("page"))
    return render(request, "evidence/list.html", {"page_obj": page})


# The upload handler must be in place before anything reads the request body, and CSRF checking reads it: so the
# outer view is exempt, installs the handler, and the inner one checks CSRF (as Django's documentation prescribes).
@csrf_exempt
@login_required
def upload(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    handler = EvidenceUploadHandler(
        request, max_bytes=permissions.upload_limit(user), max_files=settings.EVIDENCE_MAX_FILES_PER_REQUEST
    )
    if request.method == "POST":
        request.upload_handlers = [handler]
    return _upload(request, user, handler)


@csrf_protect
def _upload(request: HttpRequest, user: User, handler: EvidenceUploadHandler) -> HttpResponse:
    context = {
        "max_bytes": handler.max_bytes,
        "max_files": handler.max_files,
        "form": EvidenceUploadForm(user=user),
        "tus_chunk_size": settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE,
        "tus_messages": _tus_messages(),
    }
    if request.method != "POST":
        return render(request, "evidence/upload.html", context)
    form = EvidenceUploadForm(request.POST, request.FILES, user=user)
    if handler.errors:
        # Stopped while streaming: whatever was staged is removed when the request closes its files.
        status = 413 if any(error.code == "too_large" for error in handler.errors) else 400
        refusals = [error.message for error in handler.errors]
        return render(request, "evidence/upload.html", {**context, "refusals": refusals}, status=status)
    if not form.is_valid():
        return render(request, "evidence/upload.html", {**context, "form": form}, status=400)
    accepted: list[EvidenceItem] = []
    refusals = []
    files = form.cleaned_data["files"]
    for index, staged in enumerate(files):
        try:
            accepted.append(
                services.evidence_ingest(
                    upload=staged,
                    uploader=user,
                    organisation=form.chosen_organisation(),
                    channel=EvidenceItem.Channel.WEB,
                    case_ref=form.cleaned_data["case_ref"],
                )
            )
        except IngestError as error:
            logger.info("evidence refused for user %s: %s", user.pk, error.code)
            refusals.append(error.message)
        except StoreUnavailableError:
            logger.warning("evidence upload by user %s: the object store is unavailable", user.pk)
            for unsent in files[index + 1 :]:
                unsent.close()
            context = {**context, "form": form, "refusals": [STORE_UNAVAILABLE_UPLOAD_MESSAGE], "accepted": accepted}
            return _retry_later(render(request, "evidence/upload.html", context, status=503))
    for item in accepted:
        messages.success(request, _("“%(name)s” was received and sealed.") % {"name": item.original_name})
    if refusals:
        return render(
            request, "evidence/upload.html", {**context, "refusals": refusals, "accepted": accepted}, status=400
        )
    if len(accepted) == 1:
        return redirect("evidence:detail", pk=accepted[0].pk)
    return redirect("evidence:list")


STORE_UNAVAILABLE_MESSAGE = gettext_lazy(
    "The evidence store is temporarily unavailable. Nothing was recorded: please try again in a few minutes."
)
STORE_UNAVAILABLE_UPLOAD_MESSAGE = gettext_lazy(
    "The evidence store is temporarily unavailable: the files below that are not listed as sealed were not kept. "
    "Please send them again in a few minutes."
)
RETRY_AFTER_SECONDS = 60


def _retry_later(response: HttpResponse) -> HttpResponse:
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _tus_messages() -> dict[str, str]:
    """What the tus client says (evidence/tus-client.js and the pages using it), translated here (the scripts have no
    catalogue of their own)."""
    return {
        "progress": _("“%(name)s” (file %(index)s of %(count)s): %(percent)s sent."),
        "resuming": _("“%(name)s”: resuming the transfer where it stopped (%(percent)s already sent)."),
        "paused": _("Transfer paused. Press “Resume” to continue."),
        "pause": _("Pause"),
        "resume": _("Resume"),
        "retrying": _("The connection was interrupted: trying again…"),
        "checking": _("“%(name)s” is received: checking and sealing it…"),
        "sealed": _("received and sealed"),
        "done": _("Done: %(count)s file(s) received and sealed."),
        "stopped": _("The transfer stopped."),
        "refused": _("“%(name)s” was not accepted: %(reason)s"),
        "networkError": _(
            "The portal cannot be reached. Check your connection and send the file again: the "
            "transfer will resume where it stopped."
        ),
        "httpError": _("The portal answered with an error (%(status)s)."),
    }


@login_required
def detail(request: HttpRequest, pk: str) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    item = selectors.evidence_get(user=user, pk=pk)
    services.evidence_record_view(item=item, actor=user, purpose=_("Consultation of the item's page"))
    return _render_detail(request, user, item, EvidenceDownloadForm())


def _render_detail(
    request: HttpRequest, user: User, item: EvidenceItem, form: EvidenceDownloadForm, status: int = 200
) -> HttpResponse:
    working_copy = workingcopy.working_copy_of(item)
    return render(
        request,
        "evidence/detail.html",
        {
            "item": item,
            "seal": item.seal,
            "timeline": selectors.custody_timeline(item=item),
            "download_form": form,
            "can_download": permissions.can_download_evidence(user, item),
            "working_copy": working_copy,
            "can_download_working_copy": working_copy is not None
            and permissions.can_download_evidence(user, working_copy),
            "removed": workingcopy.removed_labels(working_copy or item),
            "antivirus": item.inspection.get(scan.NOTE_KEY) or {},
            "Status": EvidenceItem.Status,
        },
        status=status,
    )


@require_POST
@login_required
def download(request: HttpRequest, pk: str) -> HttpResponseBase:
    user: User = request.user  # type: ignore[assignment]
    item = selectors.evidence_get(user=user, pk=pk)
    form = EvidenceDownloadForm(request.POST)
    if not form.is_valid():
        return _render_detail(request, user, item, form, status=400)
    target = workingcopy.download_target(item=item, original=form.wants_original())
    try:
        result = services.evidence_download(item=target, actor=user, purpose=form.cleaned_data["purpose"])
    except ApplicationError as error:
        form.add_error(None, error.message)
        return _render_detail(request, user, item, form, status=409)
    except services.EvidenceIntegrityError:
        # Caught before a byte left (a file of one chunk, or a missing object): the item is blocked now.
        item.refresh_from_db()
        form.add_error(None, services.unavailable_message(item))
        return _render_detail(request, user, item, form, status=409)
    except StoreUnavailableError:
        logger.warning("evidence %s: download refused, the object store is unavailable", item.pk)
        form.add_error(None, STORE_UNAVAILABLE_MESSAGE)
        return _retry_later(_render_detail(request, user, item, form, status=503))
    response = StreamingHttpResponse(result.chunks, content_type=result.content_type)
    response["Content-Length"] = str(result.size)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=result.filename) or ""
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # Should a browser ever render it anyway, it gets no script, no plugin, no same-origin access.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


@login_required
def receipt(request: HttpRequest, pk: str) -> HttpResponse:
    """The seal receipt: the record, its inclusion proof and the signed checkpoint, checked by evidence.verify."""
    user: User = request.user  # type: ignore[assignment]
    item = selectors.evidence_get(user=user, pk=pk)
    response = HttpResponse(
        json.dumps(seal_receipt(item.seal), indent=2, ensure_ascii=False) + "\n",
        content_type="application/json; charset=utf-8",
    )
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"receipt-{item.pk}.json") or ""
    )
    return response


@login_required
def receipt_pdf(request: HttpRequest, pk: str) -> HttpResponse:
    """The human-readable seal receipt, PAdES-signed by the portal; same access as the JSON receipt."""
    user: User = request.user  # type: ignore[assignment]
    item = selectors.evidence_get(user=user, pk=pk)
    response = HttpResponse(seal_receipt_pdf(seal=item.seal), content_type="application/pdf")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"receipt-{item.pk}.pdf") or ""
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def log_status(request: HttpRequest) -> HttpResponse:
    """For the staff of courts and prosecutor's offices: the log's size, last checkpoint, time stamp, monitor."""
    user: User = request.user  # type: ignore[assignment]
    return render(request, "evidence/log_status.html", {"status": selectors.log_status_get(user=user)})
