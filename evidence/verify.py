"""Offline verifier of seal receipts: ``python -m evidence.verify FILE RECEIPT --key PUBKEY [--tsa-cert CA.pem]``.

Checks, without Django and without any network access, that FILE is exactly the file the portal sealed: its
SHA-256 and size match the seal record, the record is a leaf of the transparency log (inclusion proof), and the
log's checkpoint is signed by the pinned key. When the receipt carries an RFC 3161 time stamp of the checkpoint,
it checks that too (imprint = the signed note, signature chaining to the pinned ``--tsa-cert``, or only to the
certificates in the receipt, said so, when none is pinned). Given an older checkpoint the user kept and a
consistency proof, it also checks that the log only grew since. Exit status 0 with a one-line summary, 1 with the
named reason of the failure, 2 for a usage error. Depends only on ``cryptography`` and ``rfc3161-client``.
"""

from __future__ import annotations

import argparse
import binascii
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from evidence.checkpoint import Checkpoint, CheckpointError, Verifier, b64decode_canonical
from evidence.merkle import ProofError, leaf_hash, verify_consistency, verify_inclusion
from evidence.timestamp import StampedTime, TimestampError, check_timestamp, load_certificates

RECEIPT_FORMAT = "justice-seal-receipt/v1"
# The "type" of the log's leaves: seal records (what receipts carry) and custody events.
SEAL_RECORD_TYPE = "justice.evidence.seal"
CUSTODY_RECORD_TYPE = "justice.evidence.custody"
CHUNK = 1 << 20


class VerificationError(Exception):
    """Verification failed; ``reason`` is a stable name, the message says what was wrong."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class Verified:
    evidence_id: str
    sha256: str
    size: int
    sealed_at: str
    leaf_index: int
    checkpoint: Checkpoint
    timestamp: StampedTime | None = None
    # Whether the time stamp chains to a TSA certificate the user pinned, not only to those in the receipt.
    timestamp_pinned: bool = False

    def summary(self) -> str:
        text = (
            f"OK: {self.sha256} ({self.size} bytes) is evidence {self.evidence_id}, sealed at {self.sealed_at}, "
            f"leaf {self.leaf_index} of {self.checkpoint.origin} at tree size {self.checkpoint.size}"
        )
        if self.timestamp is not None:
            text += f", checkpoint time-stamped at {self.timestamp.time.isoformat()} by {self.timestamp.authority}"
            if not self.timestamp_pinned:
                text += " (TSA not pinned: pass --tsa-cert to trust it)"
        return text


def file_digest(path: Path) -> tuple[str, int]:
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(CHUNK)
    view = memoryview(buffer)
    with path.open("rb", buffering=0) as stream:
        while n := stream.readinto(buffer):
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


def _b64_hashes(values: Any, what: str) -> list[bytes]:
    if not isinstance(values, list):
        raise VerificationError("malformed_receipt", f"the {what} is not a list of hashes")
    try:
        return [b64decode_canonical(value) for value in values]
    except (binascii.Error, TypeError, ValueError):
        raise VerificationError("malformed_receipt", f"the {what} holds a hash that is not base64") from None


def _field(mapping: dict[str, Any], name: str, kind: type, where: str) -> Any:
    value = mapping.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise VerificationError("malformed_receipt", f"the {where} has no valid {name!r}")
    return value


def load_receipt(data: bytes) -> dict[str, Any]:
    try:
        receipt = json.loads(data.decode("utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise VerificationError("malformed_receipt", "the receipt is not valid JSON") from None
    if not isinstance(receipt, dict) or receipt.get("format") != RECEIPT_FORMAT:
        raise VerificationError("malformed_receipt", f"the receipt is not a {RECEIPT_FORMAT} document")
    return receipt


def verify(
    *,
    file_sha256: str,
    file_size: int,
    receipt: dict[str, Any],
    verifier: Verifier,
    older_checkpoint: str | None = None,
    consistency_proof: Sequence[bytes] | None = None,
    tsa_certificates: Sequence[x509.Certificate] | None = None,
) -> Verified:
    record_text = _field(receipt, "record", str, "receipt")
    try:
        record = json.loads(record_text)
    except json.JSONDecodeError:
        raise VerificationError("malformed_record", "the seal record is not valid JSON") from None
    if not isinstance(record, dict) or record.get("type") != SEAL_RECORD_TYPE:
        raise VerificationError("malformed_record", "the receipt's record is not a seal record")
    sealed_sha256 = _field(record, "sha256", str, "seal record")
    sealed_size = _field(record, "size", int, "seal record")
    if file_sha256 != sealed_sha256:
        raise VerificationError("hash_mismatch", f"the file's SHA-256 is {file_sha256}, the seal says {sealed_sha256}")
    if file_size != sealed_size:
        raise VerificationError("size_mismatch", f"the file has {file_size} bytes, the seal says {sealed_size}")

    try:
        checkpoint = Checkpoint.open(_field(receipt, "checkpoint", str, "receipt"), verifier)
    except CheckpointError as error:
        raise VerificationError("bad_checkpoint", str(error)) from None
    index = _field(receipt, "leaf_index", int, "receipt")
    if _field(receipt, "tree_size", int, "receipt") != checkpoint.size:
        raise VerificationError("bad_inclusion", "the proof's tree size differs from the checkpoint's")
    proof = _b64_hashes(receipt.get("inclusion_proof"), "inclusion proof")
    try:
        verify_inclusion(leaf_hash(record_text.encode()), index, checkpoint.size, proof, checkpoint.root)
    except ProofError as error:
        raise VerificationError("bad_inclusion", str(error)) from None

    stamped = _check_timestamp(receipt, tsa_certificates)

    if older_checkpoint is not None:
        try:
            older = Checkpoint.open(older_checkpoint, verifier, origin=checkpoint.origin)
        except CheckpointError as error:
            raise VerificationError("bad_older_checkpoint", str(error)) from None
        try:
            if older.size > checkpoint.size:
                verify_consistency(checkpoint.size, older.size, checkpoint.root, older.root, consistency_proof or [])
            else:
                verify_consistency(older.size, checkpoint.size, older.root, checkpoint.root, consistency_proof or [])
        except ProofError as error:
            raise VerificationError("inconsistent_log", str(error)) from None

    return Verified(
        evidence_id=str(record.get("evidence_id", "?")),
        sha256=sealed_sha256,
        size=sealed_size,
        sealed_at=str(record.get("received_at", "?")),
        leaf_index=index,
        checkpoint=checkpoint,
        timestamp=stamped,
        timestamp_pinned=stamped is not None and bool(tsa_certificates),
    )


def _check_timestamp(receipt: dict[str, Any], pinned: Sequence[x509.Certificate] | None) -> StampedTime | None:
    """The receipt's RFC 3161 token over its checkpoint note, checked against the pinned TSA certificates, or
    (weaker, and reported as such) against the self-signed ones the receipt carries."""
    if "timestamp" not in receipt:
        if pinned:
            raise VerificationError("missing_timestamp", "a TSA is pinned but the receipt has no time stamp")
        return None
    timestamp = receipt["timestamp"]
    if not isinstance(timestamp, dict):
        raise VerificationError("malformed_receipt", "the receipt's time stamp is not an object")
    certificates_pem = _field(timestamp, "certificates", str, "time stamp")
    try:
        reply = b64decode_canonical(_field(timestamp, "reply", str, "time stamp"))
    except binascii.Error:
        raise VerificationError("bad_timestamp", "the time-stamp token is not valid base64") from None
    try:
        chain = load_certificates(certificates_pem.encode()) if certificates_pem else []
    except TimestampError as error:
        raise VerificationError("bad_timestamp", str(error)) from None
    trusted = list(pinned) if pinned else [c for c in chain if c.issuer == c.subject]
    try:
        return check_timestamp(reply, receipt["checkpoint"], trusted=trusted, chain=chain)
    except TimestampError as error:
        raise VerificationError("bad_timestamp", str(error)) from None


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evidence.verify",
        description="Check, offline, that a file is exactly what the justice portal sealed, and when.",
    )
    parser.add_argument("file", type=Path, help="the file to check")
    parser.add_argument("receipt", type=Path, help="its seal receipt (.json), downloaded from the portal")
    parser.add_argument("--key", required=True, help="the log's public key (name+keyid+base64), or a file holding it")
    parser.add_argument("--checkpoint", type=Path, help="an older checkpoint you kept, to check the log only grew")
    parser.add_argument(
        "--consistency-proof",
        type=Path,
        help="the consistency proof between --checkpoint and the receipt's checkpoint (base64 hashes, one a line)",
    )
    parser.add_argument(
        "--tsa-cert",
        type=Path,
        help="the time-stamping authority's root certificate (PEM) you trust; then the time stamp is required",
    )
    args = parser.parse_args(argv)
    try:
        key_text = Path(args.key).read_text() if Path(args.key).is_file() else args.key
        verifier = Verifier.decode(key_text)
        tsa_certificates = load_certificates(args.tsa_cert.read_bytes()) if args.tsa_cert else None
    except (CheckpointError, TimestampError, OSError) as error:
        print(f"usage error: {error}", file=sys.stderr)
        return 2
    try:
        receipt = load_receipt(args.receipt.read_bytes())
        sha256, size = file_digest(args.file)
        proof = None
        if args.consistency_proof is not None:
            proof = _b64_hashes(args.consistency_proof.read_text().split(), "consistency proof")
        result = verify(
            file_sha256=sha256,
            file_size=size,
            receipt=receipt,
            verifier=verifier,
            older_checkpoint=args.checkpoint.read_bytes().decode("utf-8", "replace") if args.checkpoint else None,
            consistency_proof=proof,
            tsa_certificates=tsa_certificates,
        )
    except OSError as error:
        print(f"usage error: {error}", file=sys.stderr)
        return 2
    except VerificationError as error:
        print(f"FAILED ({error.reason}): {error}")
        return 1
    print(result.summary())
    return 0


if __name__ == "__main__":
    sys.exit(main())
