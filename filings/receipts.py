"""The acknowledgement of receipt of a filing as a PDF, in the language of the request: what was filed, where, and
the official filing time (the server's time of receipt)."""

from __future__ import annotations

import io

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from filings.models import Filing
from justice.signing import sign_pdf


def filing_receipt_rows(filing: Filing) -> list[tuple[str, str]]:
    rows = [
        (_("Filing number"), str(filing.pk)),
        (_("Kind"), filing.get_kind_display().capitalize()),
        (_("Sent to"), str(filing.recipient or "—")),
        (
            _("Official filing time"),
            formats.date_format(timezone.localtime(filing.submitted_at), "DATETIME_FORMAT")
            if filing.submitted_at
            else "—",
        ),
        (_("Level of assurance of your identity when sending"), filing.get_assurance_level_display().capitalize()),
    ]
    if filing.on_behalf_of is not None:
        rows.append((_("On behalf of"), str(filing.on_behalf_of)))
    if filing.case is not None:
        rows.append((_("Case"), filing.case.reference))
    return rows


def filing_receipt_pdf(*, filing: Filing) -> bytes:
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, pageCompression=1)
    title = _("Acknowledgement of receipt")
    pdf.setTitle(f"{title} — {filing}")
    pdf.setAuthor(str(filing.recipient or ""))
    height = A4[1]
    y = height - 30 * mm
    pdf.setFont("Helvetica-Bold", 18)
    pdf.drawString(20 * mm, y, title)
    y -= 14 * mm
    for label, value in filing_receipt_rows(filing):
        pdf.setFont("Helvetica-Bold", 10)
        pdf.drawString(20 * mm, y, label)
        pdf.setFont("Helvetica", 11)
        pdf.drawString(20 * mm, y - 5 * mm, value)
        y -= 13 * mm
    pdf.setFont("Helvetica", 9)
    pdf.drawString(20 * mm, y - 5 * mm, _("Keep this acknowledgement: it proves when your filing was received."))
    pdf.drawString(
        20 * mm,
        y - 10 * mm,
        _("This document is sealed by the portal: a PDF reader shows whether it was changed since it was issued."),
    )
    pdf.showPage()
    pdf.save()
    # PAdES-sealed with the portal's certificate: the official filing time above cannot be altered unnoticed.
    return sign_pdf(buffer.getvalue(), reason=str(_("Acknowledgement of receipt of a filing")))
