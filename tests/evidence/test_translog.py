"""The transparency log in the database: gap-free appends, cached subtrees, signed checkpoints, receipts that
the offline verifier accepts."""

from __future__ import annotations

import hashlib
import json
import math

import pytest

from evidence.checkpoint import Checkpoint as SignedCheckpoint
from evidence.keys import log_signer
from evidence.merkle import leaf_hash, memory_source, verify_consistency, verify_inclusion
from evidence.models import Checkpoint, CustodyEvent, LogEntry, LogNode
from evidence.services import evidence_record_view
from evidence.translog import (
    Leaf,
    hash_source,
    log_size,
    seal_receipt,
    translog_append,
    translog_checkpoint,
)
from evidence.verify import VerificationError, load_receipt, verify
from justice.appendonly import AppendOnlyError
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


def leaves(n: int, start: int = 0) -> list[Leaf]:
    return [Leaf(kind=LogEntry.Kind.CUSTODY, data=json.dumps({"n": i})) for i in range(start, start + n)]


def test_appends_are_gap_free_and_roots_match_a_tree_built_in_memory() -> None:
    expected: list[bytes] = []
    for i in range(40):
        translog_append(*leaves(1, i))
        expected.append(leaf_hash(json.dumps({"n": i}).encode()))
        assert log_size() == i + 1
        assert hash_source(i + 1).root() == memory_source(expected).root()
    assert list(LogEntry.objects.values_list("index", flat=True)) == list(range(40))


def test_batched_appends_give_the_same_tree_as_single_ones() -> None:
    translog_append(*leaves(5))
    translog_append(*leaves(27, 5))
    translog_append(*leaves(1, 32))
    expected = memory_source([leaf_hash(json.dumps({"n": i}).encode()) for i in range(33)])
    source = hash_source(33)
    assert source.root() == expected.root()
    # Cached nodes: one per closed perfect subtree (31 for 32 leaves, none added by the 33rd).
    assert LogNode.objects.count() == 31
    for m in range(33):
        assert source.inclusion_proof(m) == expected.inclusion_proof(m)


def test_a_proof_reads_its_logarithmic_number_of_hashes_in_two_queries(django_assert_max_num_queries) -> None:
    translog_append(*leaves(1000))
    source = hash_source(1000)
    root = memory_source([leaf_hash(json.dumps({"n": i}).encode()) for i in range(1000)]).root()
    with django_assert_max_num_queries(2):
        proof = hash_source(1000).inclusion_proof(617)
    assert len(proof) <= math.ceil(math.log2(1000))
    verify_inclusion(leaf_hash(json.dumps({"n": 617}).encode()), 617, 1000, proof, root)
    assert source.root() == root
    with django_assert_max_num_queries(2):
        consistency = hash_source(1000).consistency_proof(300)
    verify_consistency(300, 1000, hash_source(300).root(), root, consistency)


def test_a_seal_and_its_custody_events_are_logged_in_the_same_transaction() -> None:
    user = UserFactory()
    item = sealed_item(uploader=user)
    seal_entry = LogEntry.objects.get(seal=item.seal)
    sealed_event = CustodyEvent.objects.get(item=item, action=CustodyEvent.Action.SEALED)
    assert seal_entry.data == item.seal.record
    assert LogEntry.objects.get(custody_event=sealed_event).index == seal_entry.index + 1
    view = evidence_record_view(item=item, actor=user, purpose="reading")
    entry = LogEntry.objects.get(custody_event=view)
    record = json.loads(entry.data)
    assert record["type"] == "justice.evidence.custody" and record["action"] == "viewed"
    assert record["evidence_id"] == str(item.pk) and record["actor"] == user.pk


def test_a_checkpoint_is_signed_once_per_size_with_the_configured_key() -> None:
    translog_append(*leaves(3))
    first = translog_checkpoint()
    assert translog_checkpoint() == first
    opened = SignedCheckpoint.open(first.note, log_signer().verifier, origin="test.justice.localhost/log")
    assert opened.size == 3 and opened.root == bytes(first.root_hash)
    translog_append(*leaves(2, 3))
    second = translog_checkpoint()
    assert second.size == 5 and Checkpoint.objects.count() == 2


def test_log_rows_cannot_be_changed_through_the_orm() -> None:
    translog_append(*leaves(2))
    checkpoint = translog_checkpoint()
    entry = LogEntry.objects.first()
    assert entry is not None
    for action in (entry.save, entry.delete, checkpoint.delete):
        with pytest.raises(AppendOnlyError):
            action()
    with pytest.raises(AppendOnlyError):
        LogEntry.objects.all().update(data="x")
    with pytest.raises(AppendOnlyError):
        LogNode.objects.all().delete()


def test_the_receipt_of_a_real_seal_verifies_offline_against_the_stored_file(evidence_dirs) -> None:
    user = UserFactory()
    translog_append(*leaves(11))
    content = corpus.pdf(pages=3)
    item = sealed_item(uploader=user, content=content)
    translog_append(*leaves(6, 11))
    receipt = load_receipt(json.dumps(seal_receipt(item.seal)).encode())
    result = verify(
        file_sha256=hashlib.sha256(content).hexdigest(),
        file_size=len(content),
        receipt=receipt,
        verifier=log_signer().verifier,
    )
    assert result.evidence_id == str(item.pk)
    assert result.leaf_index == 11
    with pytest.raises(VerificationError) as error:
        verify(
            file_sha256=hashlib.sha256(content + b" ").hexdigest(),
            file_size=len(content) + 1,
            receipt=receipt,
            verifier=log_signer().verifier,
        )
    assert error.value.reason == "hash_mismatch"
