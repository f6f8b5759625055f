"""The case bundle: an index page, then every accepted document of the case in order, pages numbered, one bookmark
per document; sealed as evidence like any derived item.

Documents are the evidence items of the case (``case_ref`` = the case reference; the exhibits model that will tie
items to filings is not in this branch), downloadable (not quarantined or blocked), originals (not derived items,
so not earlier bundles), oldest first. PDFs are included page
by page; other types are listed in the index with their SHA-256, marked "not included (type)" — they stay
downloadable as items. Each source is streamed to a temporary file, checked against its seal on the way
(``verified_chunks``), and opened lazily by qpdf: memory does not grow with the size of the case.
"""

from __future__ import annotations

import io
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pikepdf
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from evidence.custody import custody_record
from evidence.ingest import stage_stream
from evidence.models import CustodyEvent, EvidenceItem
from evidence.permissions import role_upload_limit
from evidence.services import evidence_ingest, verified_chunks
from filings.models import Case
from hearings.models import CaseBundle
from justice.accounts.models import Membership, User

logger = logging.getLogger(__name__)

PDF = "application/pdf"
# The statuses in which an item may be downloaded (evidence.permissions): quarantined and blocked items are left out.
DOWNLOADABLE = (EvidenceItem.Status.PENDING_SCAN, EvidenceItem.Status.AVAILABLE)
INDEX_LINES_PER_PAGE = 30


@dataclass
class Source:
    item: EvidenceItem
    path: Path | None = None
    pages: int = 0
    first_page: int = 0  # 1-based page of the bundle where it starts; 0 when not included

    @property
    def included(self) -> bool:
        return self.path is not None


def bundle_documents(case: Case) -> QuerySet[EvidenceItem]:
    return (
        EvidenceItem.objects.filter(
            case_ref=case.reference, status__in=DOWNLOADABLE, case_bundle__isnull=True, derived_from__isnull=True
        )
        .select_related("seal")
        .order_by("created_at", "pk")
    )


def _index_pdf(case: Case, sources: list[Source], index_pages: int) -> bytes:
    """The index: case reference, date, and one line per document with its first page (or why it is not in)."""
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
            name = source.item.original_name[:70]
            where = (
                _("page %(page)s") % {"page": source.first_page}
                if source.included
                else _("not included (%(type)s)") % {"type": source.item.media_type}
            )
            pdf.drawString(50, y, f"{number}. {name}")
            pdf.drawRightString(width - 50, y, where)
            pdf.setFont("Helvetica", 6)
            pdf.drawString(62, y - 9, f"SHA-256 {source.item.seal.sha256}")
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


def _acting_organisation(user: User, case: Case) -> int | None:
    return (
        Membership.objects.active()
        .filter(user=user, organisation=case.court_id)
        .values_list("organisation", flat=True)
        .first()
    )


def build(bundle: CaseBundle, *, progress: Callable[[int, int], None] | None = None) -> EvidenceItem:
    """Build, seal and attach the bundle's PDF. Raises on failure (nothing sealed then)."""
    case = bundle.case
    actor = bundle.requested_by
    organisation = case.court if _acting_organisation(actor, case) else None
    sources = [Source(item=item) for item in bundle_documents(case)]
    total = len(sources)
    with tempfile.TemporaryDirectory(prefix="bundle-") as workdir:
        work = Path(workdir)
        for number, source in enumerate(sources, 1):
            if source.item.media_type == PDF:
                path = work / f"{number:05d}.pdf"
                with path.open("wb") as out:
                    for chunk in verified_chunks(item=source.item, during="case bundle", requested_by=actor):
                        out.write(chunk)
                with pikepdf.open(path) as document:
                    source.pages = len(document.pages)
                source.path = path
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
                    outline.root.append(
                        pikepdf.OutlineItem(f"{number}. {source.item.original_name}", source.first_page - 1)
                    )
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
                    item=source.item,
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
                sources=[
                    {"item": str(s.item.pk), "sha256": s.item.seal.sha256, "first_page": s.first_page, "pages": s.pages}
                    for s in sources
                ],
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
