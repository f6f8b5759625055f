"""PDF documents the portal issues (seal receipts, and later decisions and filing acknowledgements), built with
ReportLab from one page template: the portal's header, a title, blocks of text and label/value tables, and a
footer with the page number. Sign the result with :func:`justice.signing.sign_pdf`.

Text given to these helpers is plain text (escaped here), never ReportLab markup, so a file name sent by a user
cannot change the document.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import reportlab
from django.utils.translation import get_language
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Paragraph, Preformatted, SimpleDocTemplate, Spacer, Table, TableStyle

# Bitstream Vera ships with ReportLab: embedded, so accents and typographic punctuation render everywhere.
_FONTS = Path(reportlab.__file__).parent / "fonts"
FONT, FONT_BOLD, FONT_MONO = "JusticeSans", "JusticeSans-Bold", "Courier"
BLUE_FRANCE = colors.HexColor("#000091")


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(_FONTS / "Vera.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(_FONTS / "VeraBd.ttf")))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


# Paragraphs are laid out as soon as they are made: the fonts must be known before any helper below runs.
_register_fonts()

STYLES = {
    "title": ParagraphStyle("title", fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=4 * mm),
    "heading": ParagraphStyle(
        "heading", fontName=FONT_BOLD, fontSize=11.5, leading=15, spaceBefore=4 * mm, spaceAfter=2 * mm
    ),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=13, spaceAfter=2 * mm),
    "label": ParagraphStyle("label", fontName=FONT_BOLD, fontSize=9, leading=12),
    "value": ParagraphStyle("value", fontName=FONT, fontSize=9, leading=12),
    # Hashes and ids may break anywhere: "CJK" wrapping is ReportLab's break-between-any-characters mode.
    "mono": ParagraphStyle("mono", fontName=FONT_MONO, fontSize=8, leading=10.5, wordWrap="CJK"),
    "code": ParagraphStyle(
        "code", fontName=FONT_MONO, fontSize=7.5, leading=9.5, backColor=colors.HexColor("#F6F6F6"), borderPadding=4
    ),
}


def text(value: str) -> str:
    """Plain text as ReportLab paragraph markup: escaped, line breaks kept."""
    return escape(value).replace("\n", "<br/>")


def heading(value: str) -> Flowable:
    return Paragraph(text(value), STYLES["heading"])


def paragraph(value: str) -> Flowable:
    return Paragraph(text(value), STYLES["body"])


def code(value: str) -> Flowable:
    """Monospaced text kept as it is (commands, keys, signed notes), wrapped at the page's width."""
    return Preformatted(value, STYLES["code"], maxLineLength=95, newLineChars="")


def facts(rows: Sequence[tuple[str, str]], *, monospaced: Sequence[str] = ()) -> Flowable:
    """A two-column table of labels and values; the values of the labels in ``monospaced`` (hashes, ids) are set
    in a fixed-width font and may break anywhere."""
    data = []
    for label, value in rows:
        style = STYLES["mono"] if label in monospaced else STYLES["value"]
        data.append([Paragraph(text(label), STYLES["label"]), Paragraph(text(value), style)])
    table = Table(data, colWidths=[48 * mm, None], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#DDDDDD")),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def space(height_mm: float = 3) -> Flowable:
    return Spacer(1, height_mm * mm)


def render_pdf(
    *,
    title: str,
    blocks: Sequence[Flowable],
    issuer: str,
    subject: str = "",
    footer: str = "",
) -> bytes:
    """The document: ``issuer`` in the header of every page, ``title`` on the first, then ``blocks``; ``footer``
    and the page number at the bottom. Metadata (title, author, subject) is set for readers and indexers."""
    buffer = io.BytesIO()

    def decorate(canvas: Canvas, document: SimpleDocTemplate) -> None:
        canvas.saveState()
        width, height = A4
        canvas.setFillColor(BLUE_FRANCE)
        canvas.rect(18 * mm, height - 16 * mm, 14 * mm, 2.2 * mm, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        canvas.setFont(FONT_BOLD, 9)
        canvas.drawString(35 * mm, height - 16 * mm, issuer)
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#555555"))
        if footer:
            canvas.drawString(18 * mm, 10 * mm, footer)
        canvas.drawRightString(width - 18 * mm, 10 * mm, f"{document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=24 * mm,
        bottomMargin=18 * mm,
        title=title,
        author=issuer,
        subject=subject,
        creator=issuer,
        lang=get_language() or "fr",
    )
    story = [Paragraph(text(title), STYLES["title"]), *blocks]
    document.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()
