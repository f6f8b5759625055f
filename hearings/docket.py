"""The docket of the day as a printable PDF (reportlab): one line per hearing, in order."""

from __future__ import annotations

import datetime
import io
from collections.abc import Sequence

from django.utils import timezone
from django.utils.translation import gettext as _
from reportlab.lib.pagesizes import A4, landscape
from reportlab.pdfgen import canvas

from hearings.models import Hearing
from justice.accounts.models import Organisation

COLUMNS = (40, 110, 260, 430, 600)  # time, case, room, judge, status


def docket_pdf(*, court: Organisation, day: datetime.date, hearings: Sequence[Hearing]) -> bytes:
    buffer = io.BytesIO()
    size = landscape(A4)
    pdf = canvas.Canvas(buffer, pagesize=size, pageCompression=1)
    title = _("Docket of %(date)s — %(court)s") % {"date": day.strftime("%d/%m/%Y"), "court": court.name}
    pdf.setTitle(title)
    headers = (_("Time"), _("Case"), _("Room"), _("Judge"), _("Status"))

    def header() -> float:
        pdf.setFont("Helvetica-Bold", 14)
        pdf.drawString(COLUMNS[0], size[1] - 50, title)
        pdf.setFont("Helvetica-Bold", 10)
        for x, text in zip(COLUMNS, headers, strict=True):
            pdf.drawString(x, size[1] - 80, text)
        pdf.setFont("Helvetica", 10)
        return size[1] - 100

    y = header()
    if not hearings:
        pdf.drawString(COLUMNS[0], y, _("No hearing on this day."))
    for hearing in hearings:
        if y < 50:
            pdf.showPage()
            y = header()
        start = timezone.localtime(hearing.starts_at).strftime("%H:%M")
        end = timezone.localtime(hearing.ends_at).strftime("%H:%M")
        values = (
            f"{start}–{end}",
            hearing.case.reference,
            hearing.room.name if hearing.room else "",
            str(hearing.judge or ""),
            hearing.get_status_display(),
        )
        for x, text in zip(COLUMNS, values, strict=True):
            pdf.drawString(x, y, text[:40])
        y -= 18
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
