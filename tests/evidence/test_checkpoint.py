"""C2SP signed notes and checkpoints, including the Go sumdb/note reference vector."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from evidence.checkpoint import Checkpoint, CheckpointError, Signer, Verifier, open_note, sign_note

# golang.org/x/mod/sumdb/note's documented example: an independent implementation of the same format.
GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_SIGNER_SEED = "AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_NOTE = (
    GO_TEXT
    + "\n— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n"
)


def go_signer() -> Signer:
    seed = base64.b64decode(GO_SIGNER_SEED)[1:]
    return Signer("PeterNeumann", Ed25519PrivateKey.from_private_bytes(seed))


def test_the_go_reference_note_verifies() -> None:
    assert open_note(GO_NOTE, Verifier.decode(GO_VERIFIER)) == GO_TEXT


def test_signing_reproduces_the_go_reference_note_byte_for_byte() -> None:
    signer = go_signer()
    assert signer.verifier.encode() == GO_VERIFIER
    assert sign_note(GO_TEXT, [signer]) == GO_NOTE


def test_a_checkpoint_round_trips() -> None:
    signer = Signer("justice.example/log", Ed25519PrivateKey.generate())
    checkpoint = Checkpoint("justice.example/log", 42, bytes(range(32)))
    note = checkpoint.sign([signer])
    assert note.startswith("justice.example/log\n42\nAAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\n\n— ")
    assert Checkpoint.open(note, signer.verifier, origin="justice.example/log") == checkpoint


def test_old_checkpoints_stay_verifiable_after_a_key_rotation() -> None:
    old, new = (Signer("justice.example/log", Ed25519PrivateKey.generate()) for _ in range(2))
    note = Checkpoint("justice.example/log", 1, bytes(32)).sign([old])
    rotated = Checkpoint("justice.example/log", 2, bytes(32)).sign([new, old])
    assert Checkpoint.open(note, old.verifier).size == 1
    assert Checkpoint.open(rotated, new.verifier).size == 2
    assert Checkpoint.open(rotated, old.verifier).size == 2
    with pytest.raises(CheckpointError, match="not signed by the pinned key"):
        Checkpoint.open(note, new.verifier)


@pytest.mark.parametrize(
    ("tamper", "reason"),
    [
        (lambda note: note.replace("\n42\n", "\n43\n"), "does not verify"),
        (lambda note: note.replace("justice.example/log\n", "other.example/log\n", 1), "does not verify"),
        (lambda note: note.split("\n\n")[0] + "\n", "no signature"),
        (lambda note: note[:-3] + ("A" if note[-3] != "A" else "B") + note[-2:], "base64|does not verify"),
    ],
)
def test_a_tampered_checkpoint_is_refused(tamper, reason: str) -> None:
    signer = Signer("justice.example/log", Ed25519PrivateKey.generate())
    note = Checkpoint("justice.example/log", 42, bytes(32)).sign([signer])
    with pytest.raises(CheckpointError, match=reason):
        Checkpoint.open(tamper(note), signer.verifier)


def test_a_checkpoint_of_another_log_is_refused() -> None:
    signer = Signer("other.example/log", Ed25519PrivateKey.generate())
    note = Checkpoint("other.example/log", 1, bytes(32)).sign([signer])
    with pytest.raises(CheckpointError, match=r"not 'justice\.example/log'"):
        Checkpoint.open(note, signer.verifier, origin="justice.example/log")


@pytest.mark.parametrize(
    "key",
    [
        "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T",
        "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW",
        "not a key",
    ],
)
def test_malformed_public_keys_are_refused(key: str) -> None:
    with pytest.raises(CheckpointError):
        Verifier.decode(key)


def test_the_go_signing_key_format_round_trips() -> None:
    text = "PRIVATE+KEY+PeterNeumann+c74f20a3+" + GO_SIGNER_SEED
    signer = Signer.decode(text)
    assert signer.encode() == text
    assert signer.verifier.encode() == GO_VERIFIER
    with pytest.raises(CheckpointError):
        Signer.decode(text.replace("c74f20a3", "c74f20a4"))
