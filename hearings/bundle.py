"""The case bundle: the case file as the court sees it, as one PDF — an index page, then every accepted exhibit and
every issued decision in order, pages numbered, one bookmark per document; sealed as evidence like any derived item.

What goes in, in this order:

1. the accepted exhibits of the case's filings that the court took in (accepted, accepted in part, registered),
   filing by filing in official receipt order (``submitted_at``), then by exhibit number. Rejected exhibits, drafts,
   filings awaiting review and rejected or cancelled filings never appear;
2. the issued decisions of the case, in order of issue (the signed PDF as sealed).

Each document is printed from what readers get: the working copy of a PDF when one was made (its active content
taken out, see ``evidence.workingcopy``), otherwise the sealed item itself. What cannot be printed — photos, audio,
video, unreadable PDFs, items withheld by the antivirus — still has its line in the index, with its seal fingerprint
and the reason ("not printable: see the electronic file"), never skipped silently. Each source is streamed to a
temporary file, checked against its seal on the way (``verified_chunks``), and opened lazily by qpdf: memory does not
grow with the size of the case.
"""

from __future__ import annotations

import datetime
import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.db import transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from evidence.custody import custody_record
from evidence.ingest import stage_stream
from evidence.models import CustodyEvent, EvidenceItem
from evidence.permissions import role_upload_limit
from evidence.services import evidence_ingest, verified_chunks
from evidence.workingcopy import download_target
from filings.models import Case, Exhibit, Filing
from hearings.models import CaseBundle, Decision
from justice.accounts.models import Membership, User

logger = logging.getLogger(__name__)

PDF = "application/pdf"
# The statuses in which an item may be read (evidence.permissions): quarantined and blocked items are only listed.
DOWNLOADABLE = (EvidenceItem.Status.PENDING_SCAN, EvidenceItem.Status.AVAILABLE)
# Filings whose accepted exhibits are part of the case file.
FILED = (Filing.Status.ACCEPTED, Filing.Status.PARTIALLY_ACCEPTED, Filing.Status.DOCKETED)
INDEX_LINES_PER_PAGE = 30


@dataclass
class Source:
    """One document of the bundle: an accepted exhibit or an issued decision."""

    item: EvidenceItem  # the sealed item (the exhibit's, or the signed decision)
    label: str  # what the index and the bookmark call it
    origin: str  # "Complaint no. 12, exhibit no. 3" or "Decision"
    date: datetime.datetime | None
    exhibit: Exhibit | None = None
    decision: Decision | None = None
    read: EvidenceItem | None = None  # what is printed: the working copy of the item when readers get one
    path: Path | None = None
    pages: int = 0
    first_page: int = 0  # 1-based page of the bundle where it starts; 0 when not printed
    reason: str = ""  # why it is not printed

    @property
    def included(self) -> bool:
        return self.path is not None


def bundle_exhibits(case: Case) -> QuerySet[Exhibit]:
    """The accepted exhibits of the filings the court took in, in filing order (official receipt time), then by
    exhibit number."""
    return (
        Exhibit.objects.filter(filing__case=case, filing__status__in=FILED, status=Exhibit.Status.ACCEPTED)
        .select_related("item", "item__seal", "filing")
        .order_by(F("filing__submitted_at").asc(nulls_last=True), "filing__pk", "number")
    )


def bundle_decisions(case: Case) -> QuerySet[Decision]:
    return (
        Decision.objects.filter(case=case, status=Decision.Status.ISSUED)
        .select_related("item", "item__seal")
        .defer("draft_pdf")
        .order_by("issued_at", "pk")
    )


def bundle_sources(case: Case) -> list[Source]:
    """The documents of the bundle, in order: exhibits first, then decisions."""
    sources = [
        Source(
            item=exhibit.item,
            label=_("%(filing)s, exhibit no. %(number)s: %(title)s")
            % {"filing": exhibit.filing, "number": exhibit.number, "title": exhibit.title},
            origin=_("%(filing)s, exhibit no. %(number)s") % {"filing": exhibit.filing, "number": exhibit.number},
            date=exhibit.filing.submitted_at,
            exhibit=exhibit,
        )
        for exhibit in bundle_exhibits(case)
    ]
    sources += [
        Source(
            item=decision.item,
            label=_("Decision: %(title)s") % {"title": decision.title},
            origin=_("Decision"),
            date=decision.issued_at,
            decision=decision,
        )
        for decision in bundle_decisions(case)
        if decision.item is not None
    ]
    return sources


def _date(moment: datetime.datetime | None) -> str:
    return timezone.localtime(moment).strftime("%d/%m/%Y") if moment else "—"


def _index_pdf(case: Case, sources: list[Source], index_pages: int) -> bytes:
    """The index: case reference, date, and two lines per document — its number and name with its first page (or
    why it is not printed), then where it comes from, its date and its seal fingerprint."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    width, height = A4
    pdf.setTitle(_("Case bundle %(reference)s") % {"reference": case.reference})
    for page in range(index_pages):
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(50, height - 60, _("Case bundle %(reference)s") % {"reference": case.reference})
        pdf.setFont("Helvetica", 9)
        pdf.drawString(
            50, height - 78, _("Built on %(date)s — index") % {"date": timezone.localtime().strftime("%d/%m/%Y %H:%M")}
        )
        y = height - 110
        for number, source in enumerate(
            sources[page * INDEX_LINES_PER_PAGE : (page + 1) * INDEX_LINES_PER_PAGE], page * INDEX_LINES_PER_PAGE + 1
        ):
            where = _("page %(page)s") % {"page": source.first_page} if source.included else source.reason
            name = f"{number}. {source.label}"
            room = width - 100 - pdf.stringWidth(where, "Helvetica", 9) - 12
            while len(name) > 8 and pdf.stringWidth(name, "Helvetica", 9) > room:
                name = name[:-2] + "…"
            pdf.drawString(50, y, name)
            pdf.drawRightString(width - 50, y, where)
            pdf.setFont("Helvetica", 6)
            pdf.drawString(62, y - 9, f"{source.origin} — {_date(source.date)} — SHA-256 {source.item.seal.sha256}")
            pdf.setFont("Helvetica", 9)
            y -= 22
        pdf.showPage()
    pdf.save()
    return buffer.getvalue()


def _stamp(pdf: pikepdf.Pdf, total: int) -> None:
    """Write "n / total" at the foot of every page, in its own graphics state so the page's drawing is untouched."""
    font = pdf.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
    )
    for number, page in enumerate(pdf.pages, 1):
        name = page.add_resource(font, pikepdf.Name.Font, prefix="BundleF")
        box = page.mediabox
        x = (float(box[0]) + float(box[2])) / 2 - 15
        y = float(box[1]) + 14
        page.contents_add(pikepdf.Stream(pdf, b"q"), prepend=True)
        text = f"Q q BT {name} 9 Tf 0 g {x:.1f} {y:.1f} Td ({number} / {total}) Tj ET Q".encode()
        page.contents_add(pikepdf.Stream(pdf, text), prepend=False)


def _fetch(source: Source, path: Path, actor: User) -> None:
    """Copy what readers get of ``source`` to ``path`` (checked against its seal on the way) when it can be
    printed, or say why not. A source failing its seal check fails the bundle (nothing sealed then)."""
    item = source.item
    if item.status not in DOWNLOADABLE:
        source.reason = _("not available (%(status)s)") % {"status": item.get_status_display()}
        return
    if item.media_type != PDF:
        source.reason = _("not printable: see the electronic file")
        return
    read = download_target(item=item, original=False)
    with path.open("wb") as out:
        for chunk in verified_chunks(item=read, during="case bundle", requested_by=actor):
            out.write(chunk)
    try:
        with pikepdf.open(path) as document:
            source.pages = len(document.pages)
    except pikepdf.PdfError:
        logger.warning("case bundle: evidence %s is not a readable PDF, listed only", read.pk)
        path.unlink()
        source.reason = _("not printable: see the electronic file")
        return
    if source.pages == 0:
        source.reason = _("not printable: see the electronic file")
        return
    source.read = read
    source.path = path


def _acting_organisation(user: User, case: Case) -> int | None:
    return (
        Membership.objects.active()
        .filter(user=user, organisation=case.court_id)
        .values_list("organisation", flat=True)
        .first()
    )


def _summary(source: Source) -> dict[str, object]:
    """What the bundle records of a source: which document, which sealed bytes were printed, and where."""
    return {
        "kind": "exhibit" if source.exhibit is not None else "decision",
        "exhibit": source.exhibit.pk if source.exhibit is not None else None,
        "decision": source.decision.pk if source.decision is not None else None,
        "item": str(source.item.pk),
        "sha256": source.item.seal.sha256,
        "printed": str(source.read.pk) if source.read is not None else None,
        "first_page": source.first_page,
        "pages": source.pages,
        "reason": source.reason,
    }


def build(bundle: CaseBundle, *, progress: Callable[[int, int], None] | None = None) -> EvidenceItem:
    """Build, seal and attach the bundle's PDF. Raises on failure (nothing sealed then)."""
    case = bundle.case
    actor = bundle.requested_by
    organisation = case.court if _acting_organisation(actor, case) else None
    sources = bundle_sources(case)
    total = len(sources)
    with tempfile.TemporaryDirectory(prefix="bundle-") as workdir:
        work = Path(workdir)
        for number, source in enumerate(sources, 1):
            _fetch(source, work / f"{number:05d}.pdf", actor)
            if progress:
                progress(number, total)
        index_pages = max(1, -(-total // INDEX_LINES_PER_PAGE))
        page = index_pages + 1
        for source in sources:
            if source.included:
                source.first_page = page
                page += source.pages
        total_pages = page - 1
        index_path = work / "index.pdf"
        index_path.write_bytes(_index_pdf(case, sources, index_pages))
        out_path = work / "bundle.pdf"
        opened: list[pikepdf.Pdf] = []
        try:
            result = pikepdf.open(index_path)
            opened.append(result)
            with result.open_outline() as outline:
                outline.root.append(pikepdf.OutlineItem(_("Index"), 0))
                for number, source in enumerate(sources, 1):
                    if not source.included:
                        continue
                    document = pikepdf.open(source.path)  # type: ignore[arg-type]
                    opened.append(document)
                    result.pages.extend(document.pages)
                    outline.root.append(pikepdf.OutlineItem(f"{number}. {source.label}", source.first_page - 1))
            _stamp(result, total_pages)
            result.docinfo[pikepdf.Name.Title] = _("Case bundle %(reference)s") % {"reference": case.reference}
            result.save(out_path)
        finally:
            for document in opened:
                document.close()
        with out_path.open("rb") as stream:
            staged = stage_stream(
                iter(lambda: stream.read(1 << 20), b""),
                sent_name=f"bundle-{case.reference}.pdf",
                max_bytes=max(role_upload_limit(Membership.Role.CLERK), out_path.stat().st_size),
            )
        with transaction.atomic():
            # Two deliveries of the task (one redelivered while the first still ran): the first to commit wins; the
            # other seals nothing and removes its staged copy.
            current = CaseBundle.objects.select_for_update().get(pk=bundle.pk)
            if current.item_id is not None:
                staged.close()
                logger.info("case bundle %s was built meanwhile by another delivery: nothing sealed", bundle.pk)
                return current.item  # type: ignore[return-value]
            item = evidence_ingest(
                upload=staged,
                uploader=actor,
                organisation=organisation,
                channel=EvidenceItem.Channel.WEB,
                case_ref=case.reference,
            )
            for source in sources:
                custody_record(
                    item=source.read or source.item,
                    action=CustodyEvent.Action.VIEWED,
                    actor=actor,
                    organisation=organisation,
                    purpose=str(_("Included in the case bundle %(item)s") % {"item": item.pk})
                    if source.included
                    else str(_("Listed in the case bundle %(item)s") % {"item": item.pk}),
                )
            CaseBundle.objects.filter(pk=bundle.pk).update(
                item=item,
                status=CaseBundle.Status.READY,
                pages=total_pages,
                done=total,
                total=total,
                finished_at=timezone.now(),
                sources=[_summary(s) for s in sources],
            )
    logger.info("case bundle %s of case %s: %s documents, %s pages", bundle.pk, case.pk, total, total_pages)
    return item


def build_now(bundle_id: int) -> None:
    """Run by the task: marks progress as it goes, and the bundle failed (with the reason logged) on error."""
    bundle = CaseBundle.objects.select_related("case", "case__court", "requested_by").get(pk=bundle_id)
    if bundle.status not in (CaseBundle.Status.QUEUED, CaseBundle.Status.BUILDING):
        return
    CaseBundle.objects.filter(pk=bundle.pk).update(status=CaseBundle.Status.BUILDING)

    def progress(done: int, total: int) -> None:
        CaseBundle.objects.filter(pk=bundle.pk).update(done=done, total=total)

    try:
        build(bundle, progress=progress)
    except Exception:
        logger.exception("case bundle %s failed", bundle.pk)
        CaseBundle.objects.filter(pk=bundle.pk).update(
            status=CaseBundle.Status.FAILED, error=str(_("The bundle could not be built.")), finished_at=timezone.now()
        )
