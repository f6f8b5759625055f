"""PDFs built from the portal's template and PAdES-signed with its sealing certificate: pyHanko finds the
signature intact, trusted and covering the whole file; any modified byte breaks it."""

from __future__ import annotations

import asyncio
import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.conf import LazySettings
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from pyhanko.keys import load_cert_from_pemder
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko.sign.validation.status import PdfSignatureStatus, SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from justice.pdf import code, facts, heading, paragraph, render_pdf
from justice.signing import outside_event_loop, sign_pdf


def signature_status(pdf: bytes, certificate: Path) -> PdfSignatureStatus:
    reader = PdfFileReader(io.BytesIO(pdf))
    (signature,) = reader.embedded_signatures
    context = ValidationContext(trust_roots=[load_cert_from_pemder(str(certificate))])
    # Like signing, pyHanko's validation runs its own event loop (see justice.signing.outside_event_loop).
    return outside_event_loop(lambda: validate_pdf_signature(signature, context))


def sample_pdf() -> bytes:
    return render_pdf(
        title="Reçu — essai",
        issuer="Portail justice",
        blocks=[
            heading("Pièce"),
            facts([("Nom", "<b>not markup</b> & l’été.pdf"), ("SHA-256", "ab" * 32)], monospaced=["SHA-256"]),
            paragraph("Texte\nsur deux lignes."),
            code("python -m evidence.verify FILE receipt.json --key " + "x" * 120),
        ],
    )


def test_a_rendered_pdf_keeps_user_text_as_text() -> None:
    pdf = sample_pdf()
    assert pdf.startswith(b"%PDF-")
    reader = PdfFileReader(io.BytesIO(pdf))
    assert reader.trailer["/Info"]["/Title"] == "Reçu — essai"


def test_a_signed_pdf_is_intact_trusted_and_covers_the_whole_file(sealing_certificate: Path) -> None:
    signed = sign_pdf(sample_pdf(), reason="Test")
    status = signature_status(signed, sealing_certificate)
    assert status.intact and status.valid and status.trusted
    assert status.coverage == SignatureCoverageLevel.ENTIRE_FILE
    assert status.bottom_line


def test_a_modified_byte_breaks_the_signature(sealing_certificate: Path) -> None:
    signed = sign_pdf(sample_pdf(), reason="Test")
    position = signed.index(b"stream\n") + 20  # inside the first page's compressed content
    tampered = signed[:position] + bytes([signed[position] ^ 0x01]) + signed[position + 1 :]
    status = signature_status(tampered, sealing_certificate)
    assert not status.intact and not status.bottom_line


def test_bytes_added_after_signing_are_not_covered(sealing_certificate: Path) -> None:
    signed = sign_pdf(sample_pdf(), reason="Test")
    status = signature_status(signed + b"\n% appended\n", sealing_certificate)
    assert status.intact
    assert status.coverage != SignatureCoverageLevel.ENTIRE_FILE


def test_the_sealing_certificate_is_required(settings: LazySettings) -> None:
    settings.SEALING_CERTIFICATE_FILE = None
    with pytest.raises(ImproperlyConfigured, match="SEALING_CERTIFICATE_FILE"):
        sign_pdf(sample_pdf(), reason="Test")


def test_a_pkcs12_sealing_certificate_works_too(settings: LazySettings, tmp_path: Path, sealing_files) -> None:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, load_pem_private_key, pkcs12
    from cryptography.x509 import load_pem_x509_certificate

    certificate_file, key_file = sealing_files
    archive = pkcs12.serialize_key_and_certificates(
        b"sealing",
        load_pem_private_key(key_file.read_bytes(), None),  # type: ignore[arg-type]
        load_pem_x509_certificate(certificate_file.read_bytes()),
        None,
        BestAvailableEncryption(b"passphrase"),
    )
    (tmp_path / "sealing.p12").write_bytes(archive)
    settings.SEALING_CERTIFICATE_FILE = str(tmp_path / "sealing.p12")
    settings.SEALING_KEY_FILE = None
    settings.SEALING_KEY_PASSPHRASE = "passphrase"
    status = signature_status(sign_pdf(sample_pdf(), reason="Test"), certificate_file)
    assert status.bottom_line


def test_the_keygen_command_makes_a_usable_demo_certificate_once(settings: LazySettings, tmp_path: Path) -> None:
    settings.SEALING_CERTIFICATE_FILE = str(tmp_path / "keys" / "sealing.pem")
    settings.SEALING_KEY_FILE = str(tmp_path / "keys" / "sealing.key")
    call_command("sealing_keygen", stdout=io.StringIO())
    assert (tmp_path / "keys" / "sealing.key").stat().st_mode & 0o777 == 0o600
    before = (tmp_path / "keys" / "sealing.pem").read_bytes()
    call_command("sealing_keygen", "--if-missing", stdout=io.StringIO())
    assert (tmp_path / "keys" / "sealing.pem").read_bytes() == before
    with pytest.raises(CommandError, match="never overwritten"):
        call_command("sealing_keygen", stdout=io.StringIO())
    assert signature_status(sign_pdf(sample_pdf(), reason="Test"), tmp_path / "keys" / "sealing.pem").bottom_line


def test_signing_works_inside_a_running_event_loop(sealing_certificate: Path) -> None:
    """pyHanko runs its own loop: from a thread already running one (an ASGI server, Playwright's browser in the
    same test process), the portal signs in a thread of its own."""

    async def inside() -> bytes:
        return sign_pdf(sample_pdf(), reason="Test")

    with ThreadPoolExecutor(max_workers=1) as thread:  # a thread of our own, whatever runs in this one
        signed = thread.submit(asyncio.run, inside()).result()
    assert signature_status(signed, sealing_certificate).bottom_line
