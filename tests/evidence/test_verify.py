"""The offline verifier accepts an untouched file and receipt, and rejects every alteration with a named reason."""

from __future__ import annotations

import base64
import hashlib
import json
import random
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from evidence.checkpoint import Checkpoint, Signer
from evidence.merkle import leaf_hash, memory_source
from evidence.timestamp import timestamp_request
from evidence.verify import RECEIPT_FORMAT, SEAL_RECORD_TYPE, VerificationError, verify
from tests.tsa import LocalTSA

ORIGIN = "justice.example/log"
ROOT = Path(__file__).resolve().parents[2]


def canonical(record: dict[str, Any]) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


class Bundle:
    """A sealed file inside a log of other leaves, with its receipt, as the portal would hand them out."""

    def __init__(
        self,
        *,
        index: int = 5,
        size: int = 13,
        file: bytes | None = None,
        signer: Signer | None = None,
        tsa: LocalTSA | None = None,
    ) -> None:
        self.signer = signer or Signer(ORIGIN, Ed25519PrivateKey.generate())
        self.file = bytes(random.Random(1).randrange(256) for _ in range(4096)) if file is None else file
        self.record = canonical(
            {
                "type": SEAL_RECORD_TYPE,
                "version": 1,
                "evidence_id": "0b5e2f0c-3d1c-4a53-9f7b-3f1f2d9a7e11",
                "sha256": hashlib.sha256(self.file).hexdigest(),
                "size": len(self.file),
                "media_type": "application/pdf",
                "received_at": "2026-11-23T15:00:00.000000+00:00",
                "salt": "q5vR2cS8ZkA6m1Hn0yT3Bw",
            }
        )
        self.leaves = [leaf_hash(f"custody event {i}".encode()) for i in range(size)]
        self.leaves[index] = leaf_hash(self.record.encode())
        self.source = memory_source(self.leaves)
        self.receipt: dict[str, Any] = {
            "format": RECEIPT_FORMAT,
            "record": self.record,
            "leaf_index": index,
            "tree_size": size,
            "inclusion_proof": [base64.b64encode(h).decode() for h in self.source.inclusion_proof(index)],
            "checkpoint": Checkpoint(self.signer.name, size, self.source.root()).sign([self.signer]),
        }
        self.tsa = tsa
        if tsa is not None:
            # The authority's real reply (OpenSSL, no network) over the note, as the portal stores it.
            reply = tsa.reply(timestamp_request(self.receipt["checkpoint"]).as_bytes())
            self.receipt["timestamp"] = {
                "reply": base64.b64encode(reply).decode(),
                "certificates": tsa.ca_file.read_text(),
            }

    def check(self, *, file: bytes | None = None, receipt: dict[str, Any] | None = None, **kwargs: Any):
        data = self.file if file is None else file
        return verify(
            file_sha256=hashlib.sha256(data).hexdigest(),
            file_size=len(data),
            receipt=receipt or self.receipt,
            verifier=self.signer.verifier,
            **{"tsa_certificates": [self.tsa.ca_certificate] if self.tsa else None, **kwargs},
        )


def flip(data: bytes, rng: random.Random) -> bytes:
    position = rng.randrange(len(data))
    return data[:position] + bytes([data[position] ^ rng.randrange(1, 256)]) + data[position + 1 :]


def test_an_untouched_file_and_receipt_verify() -> None:
    bundle = Bundle()
    result = bundle.check()
    assert result.sha256 == hashlib.sha256(bundle.file).hexdigest()
    assert result.leaf_index == 5 and result.checkpoint.size == 13


def test_a_time_stamped_receipt_verifies_against_the_pinned_authority(local_tsa: LocalTSA) -> None:
    bundle = Bundle(tsa=local_tsa)
    result = bundle.check()
    assert result.timestamp is not None and result.timestamp_pinned
    assert "Test time-stamping unit" in result.timestamp.authority
    assert "time-stamped at" in result.summary() and "not pinned" not in result.summary()
    unpinned = bundle.check(tsa_certificates=None)
    assert unpinned.timestamp == result.timestamp and "TSA not pinned" in unpinned.summary()


def test_a_time_stamp_of_another_authority_or_none_at_all_is_refused(tmp_path: Path, local_tsa: LocalTSA) -> None:
    bundle = Bundle(tsa=local_tsa)
    stranger = LocalTSA(tmp_path / "other")
    with pytest.raises(VerificationError) as error:
        bundle.check(tsa_certificates=[stranger.ca_certificate])
    assert error.value.reason == "bad_timestamp"
    # A token over another note (the checkpoint of another size) does not vouch for this one.
    other_note = Checkpoint(ORIGIN, 12, bundle.source.root()).sign([bundle.signer])
    reply = local_tsa.reply(timestamp_request(other_note).as_bytes())
    stamp = {**bundle.receipt["timestamp"], "reply": base64.b64encode(reply).decode()}
    swapped = {**bundle.receipt, "timestamp": stamp}
    with pytest.raises(VerificationError) as error:
        bundle.check(receipt=swapped)
    assert error.value.reason == "bad_timestamp" and "Mismatch between messages" in str(error.value)
    without = {k: v for k, v in bundle.receipt.items() if k != "timestamp"}
    with pytest.raises(VerificationError) as error:
        bundle.check(receipt=without)
    assert error.value.reason == "missing_timestamp"


@pytest.mark.usefixtures("no_network")
def test_a_thousand_random_single_byte_mutations_are_all_rejected_with_a_named_reason(local_tsa: LocalTSA) -> None:
    bundle = Bundle(tsa=local_tsa)
    assert bundle.check().timestamp is not None
    rng = random.Random(20261123)
    reasons: dict[str, int] = {}
    targets = ["file", "record", "proof", "checkpoint", "timestamp"]
    for attempt in range(1000):
        target = targets[attempt % len(targets)]
        receipt = dict(bundle.receipt)
        file = bundle.file
        if target == "file":
            file = flip(bundle.file, rng)
        elif target == "record":
            receipt["record"] = flip(bundle.record.encode(), rng).decode("utf-8", "replace")
        elif target == "proof":
            proof = list(receipt["inclusion_proof"])
            which = rng.randrange(len(proof))
            proof[which] = base64.b64encode(flip(base64.b64decode(proof[which]), rng)).decode()
            receipt["inclusion_proof"] = proof
        elif target == "checkpoint":
            receipt["checkpoint"] = flip(bundle.receipt["checkpoint"].encode(), rng).decode("utf-8", "replace")
        else:
            token = base64.b64decode(bundle.receipt["timestamp"]["reply"])
            receipt["timestamp"] = {
                **bundle.receipt["timestamp"],
                "reply": base64.b64encode(flip(token, rng)).decode(),
            }
        with pytest.raises(VerificationError) as error:
            bundle.check(file=file, receipt=receipt)
        reasons[error.value.reason] = reasons.get(error.value.reason, 0) + 1
    assert sum(reasons.values()) == 1000
    assert reasons["bad_timestamp"] == 200
    assert {"hash_mismatch", "bad_inclusion", "bad_checkpoint"} <= set(reasons)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda r: {**r, "leaf_index": r["leaf_index"] + 1}, "bad_inclusion"),
        (lambda r: {**r, "tree_size": r["tree_size"] - 1}, "bad_inclusion"),
        (lambda r: {**r, "inclusion_proof": r["inclusion_proof"][:-1]}, "bad_inclusion"),
        (lambda r: {**r, "inclusion_proof": "AAAA"}, "malformed_receipt"),
        (lambda r: {**r, "record": r["record"].replace(".seal", ".custody")}, "malformed_record"),
        (lambda r: {k: v for k, v in r.items() if k != "checkpoint"}, "malformed_receipt"),
        (lambda r: {**r, "format": "something/else"}, "malformed_receipt"),
    ],
)
def test_structural_changes_to_the_receipt_are_named(change, reason: str) -> None:
    from evidence.verify import load_receipt

    bundle = Bundle()
    with pytest.raises(VerificationError) as error:
        bundle.check(receipt=load_receipt(json.dumps(change(bundle.receipt)).encode()))
    assert error.value.reason == reason


def test_a_file_of_another_size_is_named() -> None:
    bundle = Bundle()
    with pytest.raises(VerificationError) as error:
        verify(
            file_sha256=json.loads(bundle.record)["sha256"],
            file_size=1,
            receipt=bundle.receipt,
            verifier=bundle.signer.verifier,
        )
    assert error.value.reason == "size_mismatch"


def test_consistency_with_an_older_checkpoint_the_user_kept() -> None:
    bundle = Bundle(index=5, size=13)
    older = Checkpoint(ORIGIN, 9, memory_source(bundle.leaves[:9]).root()).sign([bundle.signer])
    proof = bundle.source.consistency_proof(9)
    assert bundle.check(older_checkpoint=older, consistency_proof=proof).checkpoint.size == 13
    forked = Checkpoint(ORIGIN, 9, hashlib.sha256(b"another history").digest()).sign([bundle.signer])
    with pytest.raises(VerificationError) as error:
        bundle.check(older_checkpoint=forked, consistency_proof=proof)
    assert error.value.reason == "inconsistent_log"


def run_cli(
    tmp_path: Path, bundle: Bundle, *, file: bytes | None = None, options: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    (tmp_path / "exhibit.pdf").write_bytes(bundle.file if file is None else file)
    (tmp_path / "receipt.json").write_text(json.dumps(bundle.receipt))
    (tmp_path / "log.pub").write_text(bundle.signer.verifier.encode())
    # No network namespace, no Django: the verifier must work on an isolated machine with only `cryptography`.
    code = (
        "import sys; from evidence.verify import main; rc = main(sys.argv[1:]); "
        "assert 'django' not in sys.modules, 'the verifier imported Django'; sys.exit(rc)"
    )
    command = [sys.executable, "-c", code, "exhibit.pdf", "receipt.json", "--key", "log.pub", *options]
    if shutil.which("unshare") and subprocess.run(["unshare", "-n", "true"], check=False).returncode == 0:
        command = ["unshare", "-n", *command]
    return subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, env={"PYTHONPATH": str(ROOT)}, check=False
    )


def test_the_command_line_verifies_offline_without_django(tmp_path: Path) -> None:
    bundle = Bundle()
    result = run_cli(tmp_path, bundle)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: " + hashlib.sha256(bundle.file).hexdigest())
    result = run_cli(tmp_path, bundle, file=bundle.file[:-1] + b"!")
    assert result.returncode == 1
    assert result.stdout.startswith("FAILED (hash_mismatch)")


def test_the_command_line_checks_the_time_stamp_against_the_pinned_authority(
    tmp_path: Path, local_tsa: LocalTSA
) -> None:
    bundle = Bundle(tsa=local_tsa)
    result = run_cli(tmp_path, bundle, options=("--tsa-cert", str(local_tsa.ca_file)))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "time-stamped at" in result.stdout and "not pinned" not in result.stdout
    stranger = LocalTSA(tmp_path / "other")
    result = run_cli(tmp_path, bundle, options=("--tsa-cert", str(stranger.ca_file)))
    assert result.returncode == 1
    assert result.stdout.startswith("FAILED (bad_timestamp)")
