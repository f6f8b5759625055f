"""RFC 3161 time-stamp tokens over checkpoints: the request the portal sends to a time-stamping authority (TSA) and
the check of its reply, with ``rfc3161-client``. The message stamped is the checkpoint's signed note, byte for byte.

Pure code with no Django import and no network: the offline verifier (``evidence.verify``) runs the same check.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from rfc3161_client import (
    HashAlgorithm,
    TimeStampRequest,
    TimestampRequestBuilder,
    TimeStampResponse,
    VerifierBuilder,
    decode_timestamp_response,
)
from rfc3161_client.errors import VerificationError as TimestampLibraryError


class TimestampError(ValueError):
    """A time-stamp reply is malformed, not granted, not over the note, or not signed by a trusted TSA."""


@dataclass(frozen=True)
class StampedTime:
    time: datetime.datetime
    authority: str  # the subject of the TSA certificate that signed the token
    serial_number: int


def timestamp_request(note: str) -> TimeStampRequest:
    """A request for a token over SHA-256(note), with a nonce, asking the TSA to include its certificate."""
    return (
        TimestampRequestBuilder()
        .data(note.encode())
        .hash_algorithm(HashAlgorithm.SHA256)
        .nonce(nonce=True)
        .cert_request(cert_request=True)
        .build()
    )


def load_certificates(pem: bytes) -> list[x509.Certificate]:
    try:
        certificates = x509.load_pem_x509_certificates(pem)
    except ValueError as error:
        raise TimestampError(f"unreadable TSA certificate: {error}") from None
    return certificates


# Object identifiers, as DER contents: digest algorithms and the ECDSA / RSA signature algorithms that go with them.
_SHA2 = {
    bytes.fromhex("608648016503040201"): "sha256",
    bytes.fromhex("608648016503040202"): "sha384",
    bytes.fromhex("608648016503040203"): "sha512",
}
_ECDSA_WITH = {
    "sha256": bytes.fromhex("2a8648ce3d040302"),
    "sha384": bytes.fromhex("2a8648ce3d040303"),
    "sha512": bytes.fromhex("2a8648ce3d040304"),
}
_RSA_ENCRYPTION = bytes.fromhex("2a864886f70d010101")
_RSA_WITH = {
    "sha256": bytes.fromhex("2a864886f70d01010b"),
    "sha384": bytes.fromhex("2a864886f70d01010c"),
    "sha512": bytes.fromhex("2a864886f70d01010d"),
}


def _tlv(data: bytes, offset: int) -> tuple[int, bytes, int]:
    """One DER element at ``offset``: its tag, its contents, and the offset after it."""
    if offset + 2 > len(data):
        raise TimestampError("the time-stamp token is malformed (truncated)")
    tag, length = data[offset], data[offset + 1]
    offset += 2
    if length & 0x80:
        count = length & 0x7F
        if not 0 < count <= 4 or offset + count > len(data):
            raise TimestampError("the time-stamp token is malformed (bad length)")
        length = int.from_bytes(data[offset : offset + count], "big")
        offset += count
    if offset + length > len(data):
        raise TimestampError("the time-stamp token is malformed (truncated)")
    return tag, data[offset : offset + length], offset + length


def _children(contents: bytes) -> list[tuple[int, bytes]]:
    items, offset = [], 0
    while offset < len(contents):
        tag, value, offset = _tlv(contents, offset)
        items.append((tag, value))
    return items


def _check_unsigned_fields(response: bytes) -> None:
    """CMS leaves a few fields of the token outside the signature, and OpenSSL's PKCS#7 check overlooks them: the
    SignedData and SignerInfo versions, and the signature algorithm (it goes by the key). Any other value than
    the one the signature implies is refused, so that no byte of an accepted token can change unnoticed."""
    try:
        _, resp, _ = _tlv(response, 0)
        _, token = _children(resp)[1]
        _, content = _children(token)[1]
        (_, signed_data_der), *_ = _children(content)
        signed_data = _children(signed_data_der)
        signer_infos = _children(signed_data[-1][1])
        (_, signer_info_der), *_ = signer_infos
        signer_info = _children(signer_info_der)
    except (ValueError, IndexError):
        raise TimestampError("the time-stamp token is malformed") from None
    if signed_data[0] != (0x02, b"\x03") or len(signer_infos) != 1 or signer_info[0] != (0x02, b"\x01"):
        raise TimestampError("the time-stamp token's SignedData or SignerInfo version is not the expected one")
    digest = _SHA2.get(_children(signer_info[2][1])[0][1]) if signer_info[2][0] == 0x30 else None
    algorithm_index = 4 if signer_info[3][0] == 0xA0 else 3
    algorithm = _children(signer_info[algorithm_index][1])[0][1]
    if digest is None or algorithm not in (_ECDSA_WITH[digest], _RSA_WITH[digest], _RSA_ENCRYPTION):
        raise TimestampError("the time-stamp token's signature algorithm does not match its digest algorithm")


def _self_signed(certificate: x509.Certificate) -> bool:
    return certificate.issuer == certificate.subject


def check_timestamp(
    response: bytes,
    note: str,
    *,
    trusted: Sequence[x509.Certificate],
    chain: Sequence[x509.Certificate] = (),
    request: TimeStampRequest | None = None,
) -> StampedTime:
    """Checks that ``response`` (a DER ``TimeStampResp``) is a granted token over ``note``, signed by a TSA whose
    certificate chains to one of ``trusted`` (through ``chain``, the intermediates); with ``request``, also that it
    answers that very request (nonce). Returns when the TSA says the note existed."""
    if not trusted:
        raise TimestampError("no trusted TSA certificate to check the token against")
    try:
        decoded: TimeStampResponse = decode_timestamp_response(response)
    except ValueError as error:
        raise TimestampError(f"the time-stamp token is malformed ({error})") from None
    _check_unsigned_fields(response)
    builder = VerifierBuilder.from_request(request) if request is not None else VerifierBuilder()
    pinned = {certificate.public_bytes(Encoding.DER) for certificate in trusted}
    for certificate in trusted:
        builder = builder.add_root_certificate(certificate)
    for certificate in chain:
        if certificate.public_bytes(Encoding.DER) not in pinned and not _self_signed(certificate):
            builder = builder.add_intermediate_certificate(certificate)
    try:
        builder.build().verify_message(decoded, note.encode())
    except TimestampLibraryError as error:
        raise TimestampError(f"the time-stamp token does not verify: {error}") from None
    except ValueError as error:  # the library's ASN.1 layer, on a token damaged inside its signed content
        raise TimestampError(f"the time-stamp token is malformed ({error})") from None
    info = decoded.tst_info
    signer = next(iter(decoded.signed_data.signer_infos))
    authority = signer.issuer.rfc4514_string()
    for der in decoded.signed_data.certificates:
        certificate = x509.load_der_x509_certificate(der)
        if certificate.serial_number == signer.serial_number and certificate.issuer == signer.issuer:
            authority = certificate.subject.rfc4514_string()
    return StampedTime(time=info.gen_time, authority=authority, serial_number=info.serial_number)
