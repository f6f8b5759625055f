"""The transparency log of seals and custody events, stored in the database.

Leaves are appended under a lock on the single ``LogHead`` row, so concurrent writers are serialised and the
log never forks; hashes of complete perfect subtrees are cached as they close (``LogNode``), so proofs read
O(log n) rows. Checkpoints are C2SP signed notes made with the key from configuration (``evidence.keys``).
Hashing and proofs are ``evidence.merkle``'s, the very code the offline verifier runs.
"""

from __future__ import annotations

import base64
import datetime
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import Q
from django.utils import timezone

from evidence.checkpoint import Checkpoint as SignedCheckpoint
from evidence.keys import log_signer
from evidence.merkle import HashSource, leaf_hash, node_hash
from evidence.models import Checkpoint, CheckpointTimestamp, CustodyEvent, LogEntry, LogHead, LogNode, Seal
from evidence.seal import canonical_json, utc_timestamp
from evidence.tsa import checkpoint_timestamp_try
from evidence.verify import CUSTODY_RECORD_TYPE, RECEIPT_FORMAT

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Leaf:
    kind: str
    data: str
    seal: Seal | None = None
    custody_event: CustodyEvent | None = None


def custody_leaf(event: CustodyEvent) -> Leaf:
    """The canonical record of a custody event; the salt keeps its hash from being guessed."""
    organisation = event.organisation
    data = canonical_json(
        {
            "v": 1,
            "type": CUSTODY_RECORD_TYPE,
            "event_id": event.pk,
            "evidence_id": str(event.item_id),
            "action": event.action,
            "actor": event.actor_id,
            "organisation": organisation.code if organisation is not None else None,
            "purpose": event.purpose,
            "at": utc_timestamp(event.created_at),
            "salt": secrets.token_hex(16),
        }
    )
    return Leaf(kind=LogEntry.Kind.CUSTODY, data=data, custody_event=event)


def seal_leaf(seal: Seal) -> Leaf:
    return Leaf(kind=LogEntry.Kind.SEAL, data=seal.record, seal=seal)


def translog_append(*leaves: Leaf) -> range:
    """Append ``leaves`` in order, in the caller's transaction; returns the indices they were given."""
    if not leaves:
        return range(0)
    now = timezone.now()
    # No savepoint: an error here must undo the caller's whole transaction anyway.
    with transaction.atomic(savepoint=False):
        # The lock on the head row serialises writers: each one starts where the previous one ended.
        head, _created = LogHead.objects.select_for_update().get_or_create(pk=1)
        first = head.size
        hashes = [leaf_hash(leaf.data.encode()) for leaf in leaves]
        frontier = [bytes.fromhex(h) for h in head.frontier]
        nodes: list[tuple[int, int, bytes]] = []
        for offset, carry in enumerate(hashes):
            index, level = first + offset, 0
            while index % 2 == 1:  # this subtree closes its parent, whose left half is the frontier's last
                carry = node_hash(frontier.pop(), carry)
                index, level = index // 2, level + 1
                nodes.append((level, index, carry))
            frontier.append(carry)
        entries = [
            (first + offset, leaf.kind, leaf.data, hashes[offset], _pk(leaf.seal), _pk(leaf.custody_event), now)
            for offset, leaf in enumerate(leaves)
        ]
        _insert(LogEntry, ENTRY_COLUMNS, entries)
        _insert(LogNode, NODE_COLUMNS, nodes)
        LogHead.objects.filter(pk=1).update(size=first + len(leaves), frontier=[h.hex() for h in frontier])
    return range(first, first + len(leaves))


ENTRY_COLUMNS = ("index", "kind", "data", "leaf_hash", "seal_id", "custody_event_id", "created_at")
NODE_COLUMNS = ("level", "index", "hash")


def _pk(row: Seal | CustodyEvent | None) -> int | None:
    return row.pk if row is not None else None


def _insert(model: type[models.Model], columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    """Insert ``rows`` at once: PostgreSQL's COPY (no SQL to build or parse, whatever the batch size), or one
    bulk INSERT elsewhere. Rows are plain tuples, so no model instance is built."""
    if not rows:
        return
    connection = connections[router.db_for_write(model)]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(column) for column in columns)
        with connection.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
    else:
        model._default_manager.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in rows])


def log_size() -> int:
    head = LogHead.objects.filter(pk=1).first()
    return head.size if head else 0


PROOF_HASHES_SQL = """
SELECT 0, e."index", e."leaf_hash" FROM "evidence_logentry" e WHERE e."index" = ANY(%s::bigint[])
UNION ALL
SELECT n."level", n."index", n."hash" FROM "evidence_lognode" n
JOIN unnest(%s::smallint[], %s::bigint[]) AS wanted(level, index)
  ON n."level" = wanted.level AND n."index" = wanted.index
"""


class DatabaseHashSource(HashSource):
    """Roots and proofs of the log as it was at ``size`` leaves. Each operation first works out which leaves and
    cached subtrees it needs, then reads them all at once: one query on PostgreSQL (two elsewhere), whatever the
    size of the log."""

    def __init__(self, size: int) -> None:
        self.known: dict[tuple[int, int], bytes] = {}
        super().__init__(size, self._lookup)

    def _lookup(self, level: int, index: int) -> bytes:
        if (level, index) not in self.known:
            self._fetch({(level, index)})
        return self.known[(level, index)]

    def _prefetch(self, operation: Callable[[HashSource], object]) -> None:
        wanted: set[tuple[int, int]] = set()

        def record(level: int, index: int) -> bytes:
            wanted.add((level, index))
            return bytes(32)

        operation(HashSource(self.size, record))
        self._fetch(wanted - self.known.keys())

    def _fetch(self, keys: set[tuple[int, int]]) -> None:
        if not keys:
            return
        leaves = [index for level, index in keys if level == 0]
        nodes = [key for key in keys if key[0] > 0]
        connection = connections[router.db_for_read(LogNode)]
        if connection.vendor == "postgresql":
            # One round trip, no ORM: leaves by primary key, nodes through the (level, index) unique index.
            with connection.cursor() as cursor:
                cursor.execute(PROOF_HASHES_SQL, [leaves, [k[0] for k in nodes], [k[1] for k in nodes]])
                for level, index, value in cursor.fetchall():
                    self.known[(level, index)] = bytes(value)
        else:
            if leaves:
                for index, value in LogEntry.objects.filter(index__in=leaves).values_list("index", "leaf_hash"):
                    self.known[(0, index)] = bytes(value)
            if nodes:
                condition = Q()
                for level, index in nodes:
                    condition |= Q(level=level, index=index)
                for level, index, value in LogNode.objects.filter(condition).values_list("level", "index", "hash"):
                    self.known[(level, index)] = bytes(value)
        missing = keys - self.known.keys()
        if missing:
            raise LookupError(f"transparency log hashes missing from the database: {sorted(missing)[:5]}")

    def root(self) -> bytes:
        self._prefetch(HashSource.root)
        return super().root()

    def inclusion_proof(self, index: int) -> list[bytes]:
        self._prefetch(lambda source: source.inclusion_proof(index))
        return super().inclusion_proof(index)

    def leaf_and_inclusion_proof(self, index: int) -> tuple[bytes, list[bytes]]:
        """The hash of leaf ``index`` and its inclusion proof, read in the same query."""

        def leaf_and_proof(source: HashSource) -> tuple[bytes, list[bytes]]:
            return source.perfect(0, index), HashSource.inclusion_proof(source, index)

        self._prefetch(leaf_and_proof)
        return leaf_and_proof(self)

    def consistency_proof(self, old_size: int) -> list[bytes]:
        self._prefetch(lambda source: source.consistency_proof(old_size))
        return super().consistency_proof(old_size)


def hash_source(size: int) -> DatabaseHashSource:
    return DatabaseHashSource(size)


def translog_checkpoint(*, now: datetime.datetime | None = None) -> Checkpoint:
    """Sign a checkpoint of the log's current size, unless one exists already for that size."""
    size = log_size()
    existing = Checkpoint.objects.filter(size=size).first()
    if existing is not None:
        return existing
    signer = log_signer()
    root = hash_source(size).root()
    note = SignedCheckpoint(settings.TRANSPARENCY_LOG_ORIGIN, size, root).sign([signer])
    checkpoint, created = Checkpoint.objects.get_or_create(
        size=size, defaults={"root_hash": root, "note": note, "key_id": signer.verifier.key_id.hex()}
    )
    if created:
        logger.info("transparency log checkpoint signed at size %s", size)
        checkpoint_timestamp_try(checkpoint=checkpoint)
    return checkpoint


def checkpoint_covering(index: int) -> Checkpoint:
    """The oldest checkpoint that includes leaf ``index``; signs a new one when none does yet."""
    checkpoint = Checkpoint.objects.filter(size__gt=index).order_by("size").first()
    return checkpoint or translog_checkpoint()


def seal_receipt(seal: Seal) -> dict[str, Any]:
    """The receipt bundle of a seal: its record, where it stands in the log, the proof, the signed checkpoint and
    its time stamp when it has one (with the authority's certificates). ``evidence.verify`` checks it offline."""
    entry = LogEntry.objects.get(seal=seal)
    checkpoint = checkpoint_covering(entry.index)
    proof = hash_source(checkpoint.size).inclusion_proof(entry.index)
    receipt: dict[str, Any] = {
        "format": RECEIPT_FORMAT,
        "record": entry.data,
        "leaf_index": entry.index,
        "tree_size": checkpoint.size,
        "inclusion_proof": [base64.b64encode(h).decode() for h in proof],
        "checkpoint": checkpoint.note,
    }
    timestamp = CheckpointTimestamp.objects.filter(checkpoint=checkpoint).first()
    if timestamp is not None:
        receipt["timestamp"] = {
            "reply": base64.b64encode(bytes(timestamp.response)).decode(),
            "certificates": timestamp.certificates,
        }
    return receipt
