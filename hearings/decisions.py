"""Decisions: prepared by the bench (a PDF upload, or the portal's template), issued by the clerk, downloaded by the
parties, certified copies.

Issuing signs the PDF (PAdES, the portal's sealing certificate, in an incremental update that keeps the draft's
bytes as the first revision) and seals **the signed PDF** as evidence of the case: the sealed fingerprint then
covers the signature, so a party holding the file and its seal receipt can check both, and nothing unsigned is ever
handed out as the decision. A certified copy is made on request from the sealed bytes (re-checked against the
seal): the first page is stamped with the seal receipt's reference (item id, SHA-256, log entry) and the result is
signed afresh; the original's signature is dropped from the copy, since stamping changes the pages it covers.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass

import pikepdf
from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from evidence.custody import custody_record
from evidence.ingest import stage_stream
from evidence.models import CustodyEvent, EvidenceItem, LogEntry
from evidence.permissions import role_upload_limit
from evidence.services import evidence_ingest, unavailable_message, verified_chunks
from filings.models import Case, Party
from hearings import notifications, permissions
from hearings.models import Decision
from justice import pdf as portal_pdf
from justice.accounts.models import Membership, User
from justice.audit.models import AccessEvent
from justice.audit.services import access_record
from justice.errors import ApplicationError
from justice.signing import sign_pdf

logger = logging.getLogger(__name__)

MAX_DECISION_BYTES = 20 * 1024 * 1024
# Fewer letters and digits than this per page, on average, and the PDF is a scan (an image of each page, perhaps with
# a stamp or a page number as text): its text cannot be read for open data.
MIN_TEXT_CHARACTERS = 80
MAX_TEXT_LENGTH = 200_000


class DecisionError(ApplicationError):
    pass


# --- Preparing ------------------------------------------------------------------------------------------------------


def _check_pdf(content: bytes, name: str) -> pikepdf.Pdf:
    """The upload must be a readable, unencrypted PDF of a reasonable size; the error says which rule failed."""
    if not content:
        raise DecisionError(_("The file “%(name)s” is empty.") % {"name": name}, code="empty")
    if len(content) > MAX_DECISION_BYTES:
        raise DecisionError(
            _("The file “%(name)s” is larger than %(limit)s MB.") % {"name": name, "limit": MAX_DECISION_BYTES >> 20},
            code="too_large",
        )
    if not content.lstrip()[:5] == b"%PDF-":
        raise DecisionError(_("The file “%(name)s” is not a PDF.") % {"name": name}, code="not_pdf")
    try:
        document = pikepdf.open(io.BytesIO(content))
    except pikepdf.PasswordError as error:
        raise DecisionError(
            _("The file “%(name)s” is protected by a password: upload it without protection.") % {"name": name},
            code="encrypted",
        ) from error
    except pikepdf.PdfError as error:
        raise DecisionError(_("The file “%(name)s” is a damaged PDF.") % {"name": name}, code="damaged") from error
    if document.is_encrypted:
        document.close()
        raise DecisionError(
            _("The file “%(name)s” is protected by a password: upload it without protection.") % {"name": name},
            code="encrypted",
        )
    return document


def pdf_text(content: bytes) -> str:
    """The text layer of a PDF (empty for a scan): what open data and the pseudonymisation read."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        return "\n".join((page.extract_text() or "").strip() for page in reader.pages).strip()
    except Exception:  # a PDF pikepdf accepts but pypdf cannot read: no text, the decision itself is fine
        logger.warning("decision PDF: its text could not be extracted", exc_info=True)
        return ""


def text_layer_missing(content: bytes) -> bool:
    """Whether the PDF has no usable text layer: no, or almost no, text to extract for its number of pages."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(content))
        pages = max(1, len(reader.pages))
        characters = sum(character.isalnum() for page in reader.pages for character in (page.extract_text() or ""))
    except Exception:  # unreadable by pypdf: no text either, as pdf_text says
        logger.warning("decision PDF: its text layer could not be read", exc_info=True)
        return True
    return characters < MIN_TEXT_CHARACTERS * pages


def _check_preparer(case: Case, actor: User) -> None:
    if not permissions.can_prepare_decision(actor, case):
        raise DecisionError(_("Only the court’s judges and clerks prepare its decisions."), code="forbidden")
    if not case.parties.exists():
        raise DecisionError(_("This case has no party to give the decision to."), code="no_party")


def decision_upload(*, case: Case, actor: User, title: str, content: bytes, name: str) -> Decision:
    """A draft decision from the judge's PDF."""
    _check_preparer(case, actor)
    _check_pdf(content, name).close()
    scanned = text_layer_missing(content)
    decision = Decision.objects.create(
        case=case,
        title=title.strip(),
        source=Decision.Source.UPLOAD,
        draft_pdf=content,
        text=pdf_text(content),
        text_layer_missing=scanned,
        prepared_by=actor,
    )
    logger.info(
        "decision %s of case %s prepared (upload, %s bytes%s) by user %s",
        decision.pk,
        case.pk,
        len(content),
        ", a scan without a text layer" if scanned else "",
        actor.pk,
    )
    return decision


@dataclass(frozen=True)
class TemplateFields:
    title: str
    reasons: str
    operative_part: str


def template_text(*, case: Case, fields: TemplateFields, parties: list[Party]) -> str:
    """The decision as plain text, in the order of the PDF: heading, parties, reasons, operative part."""
    lines = [
        fields.title,
        f"{case.court.name} — {case.reference}",
        "",
        str(_("Parties")),
        *(f"{party.display_name} ({party.get_role_display()})" for party in parties),
        "",
        str(_("Reasons")),
        fields.reasons.strip(),
        "",
        str(_("Operative part")),
        fields.operative_part.strip(),
    ]
    return "\n".join(lines)


def template_pdf(*, case: Case, fields: TemplateFields, parties: list[Party], when: str) -> bytes:
    blocks = [
        portal_pdf.facts(
            [
                (_("Court"), case.court.name),
                (_("Case"), case.reference),
                (_("Kind"), case.get_kind_display().capitalize()),
                (_("Date of the decision"), when),
            ]
        ),
        portal_pdf.heading(_("Parties")),
        portal_pdf.facts([(party.get_role_display().capitalize(), party.display_name) for party in parties]),
        portal_pdf.heading(_("Reasons")),
        portal_pdf.paragraph(fields.reasons.strip()),
        portal_pdf.heading(_("Operative part")),
        portal_pdf.paragraph(fields.operative_part.strip()),
    ]
    return portal_pdf.render_pdf(
        title=fields.title,
        blocks=blocks,
        issuer=case.court.name,
        subject=_("Decision in case %(reference)s") % {"reference": case.reference},
        footer=_("Decision — case %(reference)s") % {"reference": case.reference},
    )


def decision_generate(*, case: Case, actor: User, fields: TemplateFields) -> Decision:
    """A draft decision written in the portal's template (ReportLab)."""
    _check_preparer(case, actor)
    if not fields.title.strip() or not fields.operative_part.strip():
        raise DecisionError(_("A decision needs a title and an operative part."), code="incomplete")
    parties = list(case.parties.select_related("user", "organisation").exclude(role=Party.Role.COUNSEL))
    when = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    decision = Decision.objects.create(
        case=case,
        title=fields.title.strip(),
        source=Decision.Source.TEMPLATE,
        draft_pdf=template_pdf(case=case, fields=fields, parties=parties, when=when),
        text=template_text(case=case, fields=fields, parties=parties),
        prepared_by=actor,
    )
    logger.info("decision %s of case %s prepared (template) by user %s", decision.pk, case.pk, actor.pk)
    return decision


# --- Issuing --------------------------------------------------------------------------------------------------------


def decision_issue(*, decision: Decision, actor: User) -> Decision:
    """Sign the draft, seal the signed PDF as evidence of the case, mark the decision issued and tell the parties
    and counsel, all or nothing: a failure leaves the draft as it was (an object already written to the store is
    accounted for by the evidence store's orphan clean-up)."""
    case = decision.case
    if not permissions.can_issue_decision(actor, case):
        raise DecisionError(_("Only the court’s clerks issue its decisions."), code="forbidden")
    if decision.status != Decision.Status.DRAFT:
        raise DecisionError(_("This decision is already issued."), code="issued")
    signed = sign_pdf(
        bytes(decision.draft_pdf),
        reason=_("Decision in case %(reference)s, issued by the clerk of the court") % {"reference": case.reference},
        location=case.court.name,
        field_name="CourtSeal",
    )
    staged = stage_stream(
        [signed],
        sent_name=f"decision-{case.reference}-{decision.pk}.pdf",
        max_bytes=max(role_upload_limit(Membership.Role.CLERK), len(signed)),
    )
    with transaction.atomic():
        locked = Decision.objects.select_for_update().get(pk=decision.pk)
        if locked.status != Decision.Status.DRAFT:
            staged.close()
            raise DecisionError(_("This decision is already issued."), code="issued")
        item = evidence_ingest(
            upload=staged,
            uploader=actor,
            organisation=case.court,
            channel=EvidenceItem.Channel.WEB,
            case_ref=case.reference,
        )
        now = timezone.now()
        Decision.objects.filter(pk=decision.pk).update(
            status=Decision.Status.ISSUED, item=item, issued_at=now, issued_by=actor, draft_pdf=b""
        )
        decision.refresh_from_db()
        notifications.notify_decision_issued(decision)
    logger.info(
        "decision %s of case %s issued by user %s, sealed as evidence %s", decision.pk, case.pk, actor.pk, item.pk
    )
    return decision


# --- Reading --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DecisionFile:
    filename: str
    chunks: Iterator[bytes]
    size: int | None


def _people(case: Case) -> list[User]:
    return [
        party.user
        for party in case.parties.select_related("user").exclude(role=Party.Role.COUNSEL)
        if party.user is not None
    ]


def _record_download(*, decision: Decision, item: EvidenceItem, actor: User, purpose: str) -> None:
    """The download goes in the item's chain of custody (a transparency-log leaf) and, for the people named in
    the decision, in their access log."""
    organisation = decision.case.court if permissions.is_bench_of(actor, decision.case.court_id) else None
    custody_record(
        item=item, action=CustodyEvent.Action.DOWNLOADED, actor=actor, organisation=organisation, purpose=purpose
    )
    access_record(
        actor=actor,
        subjects=_people(decision.case),
        action=AccessEvent.Action.DOWNLOAD,
        obj=decision,
        what=_("The decision in case %(reference)s") % {"reference": decision.case.reference},
        purpose=purpose,
        organisation=organisation,
    )


def _sealed(decision: Decision, actor: User, during: str) -> tuple[EvidenceItem, Iterator[bytes], bytes]:
    """The sealed item and its re-checked bytes; the first chunk is read before anything is recorded (a store
    outage or a missing object then records no download that did not happen)."""
    item = decision.item
    if decision.status != Decision.Status.ISSUED or item is None:
        raise DecisionError(_("This decision is not issued yet."), code="draft")
    if item.status != EvidenceItem.Status.AVAILABLE:
        raise DecisionError(unavailable_message(item), code="unavailable")
    chunks = verified_chunks(item=item, during=during, requested_by=actor)
    first = next(chunks, b"")
    return item, chunks, first


def decision_download(*, decision: Decision, actor: User) -> DecisionFile:
    """The issued decision exactly as sealed (the signed PDF), re-checked against its seal as it streams out."""
    item, chunks, first = _sealed(decision, actor, "decision download")
    _record_download(decision=decision, item=item, actor=actor, purpose=str(_("Download of the issued decision")))

    def stream() -> Iterator[bytes]:
        yield first
        yield from chunks

    return DecisionFile(filename=f"decision-{decision.case.reference}.pdf", chunks=stream(), size=item.seal.size)


def receipt_reference(item: EvidenceItem) -> dict[str, str]:
    """What a certified copy quotes of the seal receipt: the item, its fingerprint and its log entry."""
    index = LogEntry.objects.filter(seal=item.seal).values_list("index", flat=True).first()
    return {"item": str(item.pk), "sha256": item.seal.sha256, "log_index": "" if index is None else str(index)}


def _stamp_overlay(lines: list[str], width: float, height: float) -> pikepdf.Pdf:
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=(width, height))
    box_height = 8 * mm + 3.6 * mm * len(lines)
    page.setStrokeColor(portal_pdf.BLUE_FRANCE)
    page.setFillColorRGB(1, 1, 1)
    page.rect(10 * mm, 8 * mm, width - 20 * mm, box_height, stroke=1, fill=1)
    page.setFillColor(portal_pdf.BLUE_FRANCE)
    y = 8 * mm + box_height - 5 * mm
    for number, line in enumerate(lines):
        page.setFont(portal_pdf.FONT_BOLD if number == 0 else portal_pdf.FONT, 7.5 if number == 0 else 6.5)
        page.drawString(13 * mm, y, line)
        y -= 3.6 * mm
    page.showPage()
    page.save()
    return pikepdf.open(io.BytesIO(buffer.getvalue()))


def _without_signatures(document: pikepdf.Pdf) -> None:
    for page in document.pages:
        annotations = page.obj.get("/Annots")
        if annotations is None:
            continue
        kept = [a for a in annotations if a.get("/FT") != "/Sig"]
        page.obj.Annots = pikepdf.Array(kept)
    if "/AcroForm" in document.Root:
        del document.Root["/AcroForm"]


def certified_copy_pdf(*, decision: Decision, signed: bytes, reference: dict[str, str]) -> bytes:
    """The sealed decision with the receipt reference stamped at the foot of its first page, signed afresh."""
    lines = [
        _("Certified copy of the decision issued on %(date)s — case %(reference)s")
        % {
            "date": formats.date_format(timezone.localtime(decision.issued_at), "DATE_FORMAT"),
            "reference": decision.case.reference,
        },
        _("Sealed original: evidence item %(item)s — transparency log entry %(index)s")
        % {"item": reference["item"], "index": reference["log_index"] or "—"},
        f"SHA-256 {reference['sha256']}",
        _("Check the original and its seal receipt at %(url)s")
        % {"url": settings.PORTAL_BASE_URL.rstrip("/") + "/verify/"},
    ]
    with pikepdf.open(io.BytesIO(signed)) as document:
        _without_signatures(document)
        first = document.pages[0]
        box = first.mediabox
        width, height = float(box[2]) - float(box[0]), float(box[3]) - float(box[1])
        with _stamp_overlay(lines, width, height) as overlay:
            first.add_overlay(overlay.pages[0], pikepdf.Rectangle(*(float(v) for v in box)))
            out = io.BytesIO()
            document.save(out)
    return sign_pdf(
        out.getvalue(),
        reason=_("Certified copy of the decision in case %(reference)s (sealed original %(item)s)")
        % {"reference": decision.case.reference, "item": reference["item"]},
        location=decision.case.court.name,
        field_name="CertifiedCopy",
    )


def decision_certified_copy(*, decision: Decision, actor: User) -> DecisionFile:
    item, chunks, first = _sealed(decision, actor, "certified copy")
    signed = first + b"".join(chunks)
    copy = certified_copy_pdf(decision=decision, signed=signed, reference=receipt_reference(item))
    _record_download(decision=decision, item=item, actor=actor, purpose=str(_("Certified copy of the issued decision")))
    return DecisionFile(
        filename=f"decision-{decision.case.reference}-certified-copy.pdf", chunks=iter([copy]), size=len(copy)
    )


# --- Open data release ----------------------------------------------------------------------------------------------


def needs_text(decision: Decision) -> bool:
    """A scan whose text no clerk has pasted yet: it cannot go to open data."""
    return decision.text_layer_missing and decision.text_confirmed_at is None


def decision_text_confirm(*, decision: Decision, actor: User, text: str) -> Decision:
    """A clerk pastes (or corrects) and confirms the text of the decision that open data reads, for a scan whose
    PDF has no text layer. Only before release: the published data set does not change behind its readers."""
    if not permissions.can_review_open_data(actor, decision.case.court_id):
        raise DecisionError(_("Only the court’s clerks confirm the text of its decisions."), code="forbidden")
    if decision.published_at is not None:
        raise DecisionError(_("This decision is already released: its text can no longer change."), code="released")
    text = text.replace("\r\n", "\n").strip()
    if sum(character.isalnum() for character in text) < MIN_TEXT_CHARACTERS:
        raise DecisionError(
            _("This text is too short to be the decision: paste its whole text (at least %(count)s letters or digits).")
            % {"count": MIN_TEXT_CHARACTERS},
            code="too_short",
        )
    if len(text) > MAX_TEXT_LENGTH:
        raise DecisionError(
            _("This text is longer than %(count)s characters.") % {"count": MAX_TEXT_LENGTH}, code="too_long"
        )
    updated = Decision.objects.filter(pk=decision.pk, published_at__isnull=True).update(
        text=text, text_confirmed_at=timezone.now(), text_confirmed_by=actor
    )
    if not updated:
        raise DecisionError(_("This decision is already released: its text can no longer change."), code="released")
    decision.refresh_from_db()
    logger.info(
        "decision %s: text for open data confirmed by user %s (%s characters)", decision.pk, actor.pk, len(text)
    )
    return decision


def decision_release(*, decision: Decision, actor: User) -> Decision:
    """A clerk reviewed what the pseudonymisation replaced and releases the decision to the open data set."""
    if not permissions.can_review_open_data(actor, decision.case.court_id):
        raise DecisionError(_("Only the court’s clerks release its decisions as open data."), code="forbidden")
    if decision.status != Decision.Status.ISSUED:
        raise DecisionError(_("Only issued decisions are released as open data."), code="draft")
    if needs_text(decision):
        raise DecisionError(
            _(
                "This decision is a scan without a text layer: paste and confirm its text before releasing it to "
                "open data."
            ),
            code="no_text",
        )
    updated = Decision.objects.filter(pk=decision.pk, published_at__isnull=True).update(
        published_at=timezone.now(), published_by=actor
    )
    if not updated:
        raise DecisionError(_("This decision is already released."), code="released")
    decision.refresh_from_db()
    logger.info("decision %s released as open data by user %s", decision.pk, actor.pk)
    return decision
