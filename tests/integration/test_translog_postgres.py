"""On PostgreSQL, the log's rows written through COPY are the rows the proofs read, and checkpoint time stamps
are append-only like the rest of the log, whatever the client."""

from __future__ import annotations

import json

import pytest
from django.db import ProgrammingError, connection, transaction

from evidence.merkle import leaf_hash, memory_source, verify_inclusion
from evidence.models import CheckpointTimestamp, LogEntry
from evidence.translog import Leaf, hash_source, translog_append, translog_checkpoint
from tests.tsa import LocalTSA

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_batched_appends_and_single_query_proofs_agree_with_a_tree_built_in_memory(
    django_assert_max_num_queries,
) -> None:
    data = [json.dumps({"n": i}) for i in range(1500)]
    assert translog_append(*[Leaf(kind=LogEntry.Kind.CUSTODY, data=d) for d in data[:1000]]) == range(1000)
    assert translog_append(*[Leaf(kind=LogEntry.Kind.CUSTODY, data=d) for d in data[1000:]]) == range(1000, 1500)
    expected = memory_source([leaf_hash(d.encode()) for d in data])
    assert hash_source(1500).root() == expected.root()
    for index in (0, 617, 1023, 1024, 1499):
        with django_assert_max_num_queries(1):
            proof = hash_source(1500).inclusion_proof(index)
        assert proof == expected.inclusion_proof(index)
        verify_inclusion(leaf_hash(data[index].encode()), index, 1500, proof, expected.root())
        with django_assert_max_num_queries(1):
            leaf, same_proof = hash_source(1500).leaf_and_inclusion_proof(index)
        assert (leaf, same_proof) == (leaf_hash(data[index].encode()), proof)
    assert hash_source(1500).consistency_proof(700) == expected.consistency_proof(700)


@pytest.mark.parametrize("statement", ["UPDATE evidence_checkpointtimestamp SET authority = 'x'",
                                       "DELETE FROM evidence_checkpointtimestamp"])  # fmt: skip
def test_checkpoint_time_stamps_refuse_update_and_delete(settings, tmp_path, statement: str) -> None:
    authority = LocalTSA(tmp_path / "tsa")
    with authority.serve() as url:
        settings.TSA_URL, settings.TSA_CA_CERTIFICATES_FILE = url, str(authority.ca_file)
        translog_append(Leaf(kind=LogEntry.Kind.CUSTODY, data="{}"))
        translog_checkpoint()
    assert CheckpointTimestamp.objects.count() == 1
    with pytest.raises(ProgrammingError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement)
    assert CheckpointTimestamp.objects.count() == 1
