"""Pages of police transmissions, for officers whose unit has no software of its own: the unit's list, the new
procedure (its files fingerprinted in the browser, then sent by tus: evidence/transmission.js), and a transmission's
page (the state of each file, resuming, submitting, the acknowledgement and what the office did with it). The
office's prosecutors and clerks see an acknowledged transmission's page too; they review it in their queue.
Thin: the services and selectors of :mod:`evidence.transmissions`."""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from evidence import transmissions
from evidence.forms import TransmissionForm
from evidence.models import PersonRole, Transmission, TransmissionItem
from evidence.views import _tus_messages
from filings import permissions as filing_permissions
from filings.forms import PersonFormSet
from filings.models import Filing
from justice.accounts.models import User

logger = logging.getLogger(__name__)

PERSONS_PREFIX = "persons"


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _units(user: User) -> list[Any]:
    units = list(transmissions.sending_units(user).order_by("name"))
    if not units:
        raise Http404
    return units


def _get(user: User, pk: Any) -> Transmission:
    try:
        return transmissions.transmission_get(user=user, pk=pk)
    except Transmission.DoesNotExist:
        raise Http404 from None


@login_required
def transmission_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    _units(user)
    page = Paginator(transmissions.unit_transmission_list(user=user), 50).get_page(request.GET.get("page"))
    return render(request, "evidence/transmissions/list.html", {"page_obj": page})


def _page_messages() -> dict[str, Any]:
    """What evidence/transmission.js says (the script has no catalogue of its own)."""
    return {
        **_tus_messages(),
        "hashing": _("Computing the fingerprint (SHA-256) of “%(name)s” (file %(index)s of %(count)s): %(percent)s."),
        "creating": _("Recording the manifest of the procedure…"),
        "noFiles": _("Choose at least one file of the procedure."),
        "sameName": _("Two files are named “%(name)s”: rename one of them, the manifest needs distinct names."),
        "kindLabel": _("Kind of “%(name)s”"),
        "kinds": dict(TransmissionItem.Kind.choices),
        "formErrors": _("The procedure was not recorded: correct what is shown below."),
        "uploaded": _("All the files were sent. Opening the transmission's page…"),
        "notInManifest": _("“%(name)s” is not in the manifest of this transmission: it was not sent."),
        "resumed": _("The files were sent. Reloading the page…"),
    }


def _form_errors(form: TransmissionForm, persons: Any) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    for name, field_errors in form.errors.items():
        key = "__all__" if name == "__all__" else form.add_prefix(name)
        errors[key] = [str(error) for error in field_errors]
    for person in persons.forms:
        for name, field_errors in person.errors.items():
            errors[person.add_prefix(name)] = [str(error) for error in field_errors]
    if persons.non_form_errors():
        errors.setdefault("__all__", []).extend(str(error) for error in persons.non_form_errors())
    return errors


@login_required
def transmission_new(request: HttpRequest) -> HttpResponse:
    """Step 1: the procedure and its persons, with the files chosen (their fingerprints computed by the page). The
    page posts it with fetch and gets JSON back; a post without the page's script gets the form again, saying why."""
    user = _user(request)
    units = _units(user)
    wants_json = "application/json" in request.headers.get("Accept", "")
    complaint = None
    source = request.POST.get("source_filing") if request.method == "POST" else request.GET.get("from")
    if source:
        try:
            complaint = transmissions.source_complaint_get(user=user, pk=source)
        except Filing.DoesNotExist:
            raise Http404 from None
    if request.method == "POST":
        form = TransmissionForm(request.POST, units=units)
        persons = PersonFormSet(request.POST, prefix=PERSONS_PREFIX)
        if form.is_valid() and persons.is_valid():
            data = form.cleaned_data
            try:
                transmission = transmissions.transmission_create(
                    user=user,
                    sender=data["sender"],
                    recipient=data["recipient"],
                    procedure_number=data["procedure_number"],
                    offence=data["offence"],
                    summary=data["summary"],
                    persons=persons.to_content(),
                    entries=[_entry(item) for item in data["items"]],
                    channel="web",
                    source_filing=complaint,
                )
            except transmissions.TransmissionError as error:
                logger.info("transmission refused for user %s: %s", user.pk, error.code)
                problems = error.errors if isinstance(error.errors, list) else [error.message]
                for problem in problems:
                    form.add_error(None, str(problem))
            else:
                url = reverse("evidence:transmission_detail", args=[transmission.pk])
                if wants_json:
                    return JsonResponse({"id": str(transmission.pk), "url": url}, status=201)
                return redirect(url)
        logger.info("transmission form refused for user %s", user.pk)
        if wants_json:
            return JsonResponse({"errors": _form_errors(form, persons)}, status=400)
        status = 400
    else:
        initial: dict[str, Any] = {}
        people: list[dict[str, str]] = []
        if complaint is not None:
            initial, people = transmissions.procedure_from_complaint(complaint)
        office = transmissions.default_office(units[0])
        if office is not None:
            initial["recipient"] = office.pk
        form = TransmissionForm(initial=initial, units=units)
        persons = PersonFormSet(initial=people or None, prefix=PERSONS_PREFIX)
        status = 200
    return render(
        request,
        "evidence/transmissions/new.html",
        {
            "form": form,
            "persons": persons,
            "complaint": complaint,
            "kinds": TransmissionItem.Kind.choices,
            "max_bytes": transmissions.file_size_limit(),
            "tus_chunk_size": settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE,
            "page_messages": _page_messages(),
        },
        status=status,
    )


def _entry(item: dict[str, Any]) -> transmissions.ManifestEntry:
    size = item.get("size")
    return transmissions.ManifestEntry(
        name=str(item.get("name") or ""),
        kind=str(item.get("kind") or ""),
        size=size if isinstance(size, int) else 0,
        sha256=str(item.get("sha256") or ""),
        description=str(item.get("description") or ""),
    )


@login_required
def transmission_detail(request: HttpRequest, pk: str) -> HttpResponse:
    return _render_detail(request, _get(_user(request), pk))


def _render_detail(
    request: HttpRequest, transmission: Transmission, *, refusal: str = "", status: int = 200
) -> HttpResponse:
    user = _user(request)
    is_sender = transmissions.can_send_for(user, transmission.sender)
    report = (
        transmission.report
        if transmission.status == Transmission.Status.ACKNOWLEDGED and transmission.report
        else transmissions.transmission_report(transmission)
    )
    states = {row["position"]: row for row in report if row.get("position") is not None}
    indexes = transmissions.log_indexes(transmission) if transmission.status == Transmission.Status.ACKNOWLEDGED else {}
    entries = [
        {"entry": entry, "state": states.get(entry.position), "log_index": indexes.get(entry.position)}
        for entry in transmission.items.select_related("item", "item__seal").order_by("position")
    ]
    unexpected = [row for row in report if row.get("status") == "unexpected"]
    awaited = [
        {"name": row["name"], "size": row["size"]}
        for row in report
        if row.get("position") is not None and row["status"] in ("missing", "incomplete", "refused")
    ]
    filing = transmission.filing
    return render(
        request,
        "evidence/transmissions/detail.html",
        {
            "transmission": transmission,
            "entries": entries,
            "unexpected": unexpected,
            "persons": [
                {
                    **person,
                    "role_label": _role_label(person.get("role", "")),
                    "born": parse_date(person.get("birth_date") or ""),
                }
                for person in transmission.persons
            ],
            "awaited": awaited,
            "is_sender": is_sender,
            "can_send": is_sender and transmission.status == Transmission.Status.OPEN,
            "complete": transmissions.report_is_complete(report),
            "refusal": refusal,
            "filing": filing,
            "can_review": filing is not None and filing_permissions.can_review_filing(user, filing),
            "status_help": transmissions.STATUS_HELP.get(Transmission.Status(transmission.status), ""),
            "tus_chunk_size": settings.EVIDENCE_TUS_BROWSER_CHUNK_SIZE,
            "page_messages": _page_messages(),
        },
        status=status,
    )


def _role_label(role: str) -> str:
    return str(PersonRole(role).label) if role in PersonRole.values else role


@require_POST
@login_required
def transmission_submit(request: HttpRequest, pk: str) -> HttpResponse:
    user = _user(request)
    transmission = _get(user, pk)
    if not transmissions.can_send_for(user, transmission.sender):
        raise Http404
    try:
        transmission = transmissions.transmission_submit(transmission=transmission, user=user)
    except transmissions.TransmissionError as error:
        logger.info("transmission %s: submission refused for user %s: %s", transmission.pk, user.pk, error.code)
        transmission.refresh_from_db()
        return _render_detail(request, transmission, refusal=str(error.message), status=409)
    messages.success(
        request,
        _("Procedure %(number)s was received by %(office)s: every file matched the manifest.")
        % {"number": transmission.procedure_number, "office": transmission.recipient.name},
    )
    return redirect("evidence:transmission_detail", pk=transmission.pk)


@login_required
def transmission_acknowledgement(request: HttpRequest, pk: str) -> HttpResponse:
    """The signed acknowledgement, as the API gives it (a signed note)."""
    transmission = _get(_user(request), pk)
    if transmission.status != Transmission.Status.ACKNOWLEDGED:
        raise Http404
    response = HttpResponse(transmission.acknowledgement, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = (
        content_disposition_header(as_attachment=True, filename=f"acknowledgement-{transmission.pk}.txt") or ""
    )
    return response
