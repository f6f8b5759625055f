"""Files built in code for the tests: good ones, and a corpus of hostile or broken ones. Nothing is copied in."""

from __future__ import annotations

import io
import struct
import wave
import zipfile
import zlib

import pikepdf
from PIL import Image


def pdf(*, pages: int = 1) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def pdf_with_active_content() -> bytes:
    """JavaScript run on opening, a named JavaScript action and an embedded file: accepted (and noted) for now."""
    document = pikepdf.new()
    document.add_blank_page()
    script = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('opened');"))
    document.Root.OpenAction = document.make_indirect(script)
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("hello"), document.make_indirect(script)]))
    )
    document.attachments["payload.txt"] = pikepdf.AttachedFileSpec(document, b"an embedded file")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def encrypted_pdf(*, user_password: str) -> bytes:
    document = pikepdf.new()
    document.add_blank_page()
    out = io.BytesIO()
    document.save(out, encryption=pikepdf.Encryption(owner="owner-secret", user=user_password))
    return out.getvalue()


def truncated_pdf() -> bytes:
    whole = pdf(pages=3)
    return whole[: len(whole) // 2]


def zip_archive() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("hidden.exe", b"MZ" + b"\x00" * 100)
    return out.getvalue()


def pdf_with_appended_zip() -> bytes:
    return pdf() + zip_archive()


HTML = b"<!DOCTYPE html><html><head><title>x</title></head><body><script>alert(document.cookie)</script></body></html>"


def html_pdf_polyglot() -> bytes:
    """An HTML page that also carries a whole PDF: a browser runs the script, a PDF reader shows the page."""
    return b"<!DOCTYPE html><html><body><script>alert(1)</script><!--\n" + pdf() + b"\n--></body></html>"


SVG_WITH_SCRIPT = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(document.domain)</script></svg>'
)
GIF_JS_POLYGLOT = b"GIF89a/*\x0a\x00\x0a\x00\x00\x00\x00*/=1;alert(document.domain);//" + b"\x00" * 16


def png(width: int = 4, height: int = 3) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 120, 200)).save(out, format="JPEG")
    return out.getvalue()


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bomb(width: int = 20000, height: int = 20000) -> bytes:
    """A PNG header announcing width x height grey pixels, with a few compressed rows: a few hundred bytes that
    would ask any decoder for width x height bytes of memory. No pixel buffer is allocated here."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress((b"\x00" + b"\x00" * width) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows) + _png_chunk(b"IEND", b"")


def text(lines: int = 3) -> bytes:
    return "".join(f"Déclaration du témoin : ligne {n}.\n" for n in range(lines)).encode()


def docx() -> bytes:
    """The smallest WordprocessingML package: content types, relationships, one paragraph."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        package.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>',
        )
        package.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'officeDocument" Target="word/document.xml"/></Relationships>',
        )
        package.writestr(
            "word/document.xml",
            '<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            "<w:body><w:p><w:r><w:t>Procès-verbal</w:t></w:r></w:p></w:body></w:document>",
        )
    return out.getvalue()


def odt() -> bytes:
    """An OpenDocument text: the uncompressed ``mimetype`` entry first, as the format requires."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as package:
        package.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        package.writestr("content.xml", '<?xml version="1.0"?><office:document-content/>')
    return out.getvalue()


def wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as recording:
        recording.setnchannels(1)
        recording.setsampwidth(2)
        recording.setframerate(8000)
        recording.writeframes(b"\x00\x00" * 800)
    return out.getvalue()


def pdf_with_every_kind_of_active_content() -> bytes:
    """Active content at every level a reader looks at: document (open action, events, JavaScript name tree,
    attachments, XFA form), page (events, a link running JavaScript, a file attachment annotation), form field
    (events), bookmark (launching a program)."""
    document = pikepdf.new()
    document.add_blank_page()
    script = document.make_indirect(pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)")))
    document.Root.OpenAction = script
    document.Root.AA = pikepdf.Dictionary(WC=script)
    document.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("hello"), script]))
    )
    document.attachments["payload.txt"] = pikepdf.AttachedFileSpec(document, b"an embedded file")
    page = document.pages[0].obj
    page.AA = pikepdf.Dictionary(O=script)
    attached = pikepdf.AttachedFileSpec(document, b"attached to the page", filename="note.txt")
    field = document.make_indirect(
        pikepdf.Dictionary(
            FT=pikepdf.Name.Tx,
            T=pikepdf.String("name"),
            Subtype=pikepdf.Name.Widget,
            Rect=pikepdf.Array([0, 0, 10, 10]),
            AA=pikepdf.Dictionary(K=script),
        )
    )
    page.Annots = pikepdf.Array(
        [
            document.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=pikepdf.Array([0, 0, 50, 50]),
                    A=pikepdf.Dictionary(
                        S=pikepdf.Name.URI,
                        URI=pikepdf.String("https://example.org/"),
                        Next=pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(2)")),
                    ),
                )
            ),
            document.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.FileAttachment,
                    Rect=pikepdf.Array([60, 60, 70, 70]),
                    FS=attached.obj,
                )
            ),
            field,
        ]
    )
    document.Root.AcroForm = pikepdf.Dictionary(
        Fields=pikepdf.Array([field]), XFA=document.make_stream(b"<xdp:xdp xmlns:xdp='http://ns.adobe.com/xdp/'/>")
    )
    bookmark = document.make_indirect(
        pikepdf.Dictionary(
            Title=pikepdf.String("Open"), A=pikepdf.Dictionary(S=pikepdf.Name.Launch, F=pikepdf.String("calc.exe"))
        )
    )
    outlines = document.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Outlines, First=bookmark, Last=bookmark))
    bookmark.Parent = outlines
    document.Root.Outlines = outlines
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# The EICAR anti-virus test file (eicar.org), assembled here so that this source file is not itself detected.
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!" + b"$H+H*"
