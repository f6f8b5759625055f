"""Checkpoints get an RFC 3161 time stamp from a real (local, OpenSSL) authority when one is configured; an
authority that is down or untrustworthy leaves the checkpoint signed and the token to the next beat."""

from __future__ import annotations

import hashlib
import json
import socket
from pathlib import Path

import pytest
from django.conf import LazySettings

from evidence.keys import log_signer
from evidence.models import Checkpoint, CheckpointTimestamp, LogEntry
from evidence.tasks import sign_checkpoint
from evidence.translog import Leaf, seal_receipt, translog_append, translog_checkpoint
from evidence.tsa import checkpoints_timestamp_missing
from evidence.verify import load_receipt, verify
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.factories import sealed_item
from tests.tsa import LocalTSA

pytestmark = pytest.mark.django_db


def grow(n: int, start: int = 0) -> None:
    translog_append(*[Leaf(kind=LogEntry.Kind.CUSTODY, data=json.dumps({"n": i})) for i in range(start, start + n)])


def closed_port_url() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/tsr"


def test_without_an_authority_checkpoints_are_signed_without_time_stamp() -> None:
    grow(3)
    checkpoint = translog_checkpoint()
    assert not CheckpointTimestamp.objects.exists()
    assert checkpoints_timestamp_missing() == 0
    assert checkpoint.size == 3


def test_each_new_checkpoint_is_time_stamped_over_its_note(tsa: LocalTSA) -> None:
    grow(3)
    checkpoint = translog_checkpoint()
    timestamp = CheckpointTimestamp.objects.get(checkpoint=checkpoint)
    assert "Test time-stamping unit" in timestamp.authority
    assert timestamp.certificates == tsa.ca_file.read_text()
    # The stored reply is the authority's, over SHA-256 of the signed note exactly.
    from rfc3161_client import decode_timestamp_response

    imprint = decode_timestamp_response(bytes(timestamp.response)).tst_info.message_imprint.message
    assert imprint == hashlib.sha256(checkpoint.note.encode()).digest()
    # Signing again at the same size asks for nothing more.
    assert translog_checkpoint() == checkpoint
    assert CheckpointTimestamp.objects.count() == 1


def test_an_authority_that_is_down_leaves_the_checkpoint_signed_and_beat_adds_the_token_later(
    settings: LazySettings, local_tsa: LocalTSA
) -> None:
    settings.TSA_URL = closed_port_url()
    settings.TSA_CA_CERTIFICATES_FILE = str(local_tsa.ca_file)
    grow(4)
    checkpoint = translog_checkpoint()
    assert Checkpoint.objects.filter(size=4).exists()
    assert not CheckpointTimestamp.objects.exists()
    sign_checkpoint.delay()  # the authority is still down: nothing changes, nothing raises
    assert not CheckpointTimestamp.objects.exists()
    with local_tsa.serve() as url:
        settings.TSA_URL = url
        sign_checkpoint.delay()
    assert CheckpointTimestamp.objects.get().checkpoint == checkpoint


def test_a_reply_from_an_authority_the_portal_does_not_trust_is_not_stored(
    settings: LazySettings, tmp_path: Path, local_tsa: LocalTSA
) -> None:
    impostor = LocalTSA(tmp_path / "impostor")
    settings.TSA_CA_CERTIFICATES_FILE = str(local_tsa.ca_file)
    with impostor.serve() as url:
        settings.TSA_URL = url
        grow(2)
        translog_checkpoint()
        assert checkpoints_timestamp_missing() == 0
    assert not CheckpointTimestamp.objects.exists()


def test_the_receipt_carries_the_time_stamp_and_verifies_offline_against_the_pinned_authority(
    tsa: LocalTSA, evidence_dirs
) -> None:
    content = corpus.pdf(pages=2)
    item = sealed_item(uploader=UserFactory(), content=content)
    receipt = load_receipt(json.dumps(seal_receipt(item.seal)).encode())
    assert set(receipt["timestamp"]) == {"reply", "certificates"}
    result = verify(
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
        receipt=receipt,
        verifier=log_signer().verifier,
        tsa_certificates=[tsa.ca_certificate],
    )
    assert result.timestamp is not None and result.timestamp_pinned
    stored = CheckpointTimestamp.objects.get()
    assert result.timestamp.time == stored.stamped_at
