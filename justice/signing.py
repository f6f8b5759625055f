"""PAdES signatures of the PDFs the portal issues, with its sealing certificate (pyHanko).

The certificate and key come from configuration only: ``SEALING_CERTIFICATE_FILE`` is a PKCS#12 archive (when
``SEALING_KEY_FILE`` is unset) or a PEM certificate followed by its chain, ``SEALING_KEY_FILE`` the PEM private key,
``SEALING_KEY_PASSPHRASE`` their passphrase if any. Production settings require them; the embedded default
uses a self-signed demo certificate made by ``manage.py sealing_keygen``.
"""

from __future__ import annotations

import asyncio
import datetime
import io
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers

T = TypeVar("T")


def sealing_signer() -> signers.SimpleSigner:
    certificate_file = settings.SEALING_CERTIFICATE_FILE
    if not certificate_file:
        raise ImproperlyConfigured(
            "Set SEALING_CERTIFICATE_FILE (and SEALING_KEY_FILE for PEM) to sign PDFs "
            "(a demo certificate: `manage.py sealing_keygen`)."
        )
    passphrase = settings.SEALING_KEY_PASSPHRASE.encode() or None
    if not Path(certificate_file).is_file():
        raise ImproperlyConfigured(f"The sealing certificate {certificate_file} does not exist.")
    if settings.SEALING_KEY_FILE:
        signer = signers.SimpleSigner.load(
            settings.SEALING_KEY_FILE, certificate_file, ca_chain_files=(certificate_file,), key_passphrase=passphrase
        )
    else:
        signer = signers.SimpleSigner.load_pkcs12(certificate_file, passphrase=passphrase)
    if signer is None:  # pyHanko logs the reason and returns None
        raise ImproperlyConfigured("The sealing certificate or its key could not be loaded (see the log above).")
    return signer


def sign_pdf(pdf: bytes, *, reason: str, location: str = "", field_name: str = "PortalSeal") -> bytes:
    """``pdf`` with a PAdES baseline signature (B-B) of the portal's sealing certificate over the whole file, in
    an incremental update; any later change to the bytes breaks it."""
    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    metadata = signers.PdfSignatureMetadata(
        field_name=field_name,
        reason=reason,
        location=location or None,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    signer = sealing_signer()

    def sign() -> bytes:
        return signers.sign_pdf(writer, metadata, signer=signer).getvalue()

    return outside_event_loop(sign)


def outside_event_loop(function: Callable[[], T]) -> T:
    """pyHanko's synchronous API runs its own asyncio loop, which fails in a thread already running one (an ASGI
    server, or a test process holding Playwright's browser): run it in a thread of its own then."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function()
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(function).result()


def demo_sealing_certificate_create(*, certificate_file: Path, key_file: Path, organisation: str) -> x509.Certificate:
    """A self-signed sealing certificate for demonstrations and tests (never production), with its key in a file
    only the portal's user can read. Neither file may exist already."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "FR"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation),
            x509.NameAttribute(NameOID.COMMON_NAME, f"{organisation} — cachet de démonstration (demo seal)"),
        ]
    )
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    key_file.parent.mkdir(parents=True, exist_ok=True)
    certificate_file.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                    serialization.NoEncryption()))  # fmt: skip
    with certificate_file.open("xb") as out:
        out.write(certificate.public_bytes(serialization.Encoding.PEM))
    return certificate
