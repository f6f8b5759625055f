"""The exhibit list of a filing (*bordereau de pièces*) as a PDF: for each exhibit its number, title, file name,
size, SHA-256 fingerprint and seal time, so that anyone holding a file can check it is the exhibit listed."""

from __future__ import annotations

import io
from collections.abc import Sequence

from django.template.defaultfilters import filesizeformat
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from filings.models import Exhibit, Filing


def _when(value: object) -> str:
    return str(formats.date_format(timezone.localtime(value), "DATETIME_FORMAT"))  # type: ignore[arg-type]


def exhibit_list_pdf(*, filing: Filing, exhibits: Sequence[Exhibit]) -> bytes:
    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    mono = small.clone("mono", fontName="Courier", fontSize=7, leading=9)
    story: list[object] = [
        Paragraph(escape(_("Exhibit list")), styles["Title"]),
        Paragraph(escape(str(filing)), styles["Heading2"]),
    ]
    if filing.case is not None:
        story.append(Paragraph(escape(_("Case %(reference)s") % {"reference": filing.case.reference}), small))
    if filing.submitted_at is not None:
        story.append(
            Paragraph(escape(_("Official filing time: %(time)s") % {"time": _when(filing.submitted_at)}), small)
        )
    story.append(Paragraph(escape(_("Prepared on %(time)s") % {"time": _when(timezone.now())}), small))
    story.append(Spacer(1, 6 * mm))
    header = [_("No."), _("Title"), _("File name"), _("Size"), _("SHA-256"), _("Sealed at"), _("Status")]
    rows: list[list[object]] = [[Paragraph(f"<b>{escape(h)}</b>", small) for h in header]]
    for exhibit in exhibits:
        item = exhibit.item
        rows.append(
            [
                Paragraph(str(exhibit.number), small),
                Paragraph(escape(exhibit.title), small),
                Paragraph(escape(item.original_name), small),
                Paragraph(escape(str(filesizeformat(item.size))), small),
                Paragraph(f"{item.seal.sha256[:32]}<br/>{item.seal.sha256[32:]}", mono),
                Paragraph(escape(_when(item.seal.sealed_at)), small),
                Paragraph(escape(exhibit.get_status_display()), small),
            ]
        )
    if not exhibits:
        rows.append([Paragraph(escape(_("No exhibits.")), small), "", "", "", "", "", ""])
    table = Table(rows, colWidths=[12 * mm, 62 * mm, 55 * mm, 20 * mm, 55 * mm, 38 * mm, 23 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e3e3fd")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story.append(table)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        title=_("Exhibit list"),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
    )
    document.build(story)
    return buffer.getvalue()
