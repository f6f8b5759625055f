"""Sealed evidence items made through the real ingest path (stage, check, store, seal)."""

from __future__ import annotations

from collections.abc import Iterable

from evidence.ingest import stage_stream
from evidence.models import EvidenceItem
from evidence.services import evidence_ingest
from justice.accounts.models import Organisation, User
from tests.evidence import corpus

NO_LIMIT = 1 << 40


def chunked(content: bytes, size: int = 64 * 1024) -> Iterable[bytes]:
    for start in range(0, len(content), size):
        yield content[start : start + size]


def sealed_item(
    *,
    uploader: User,
    content: bytes | None = None,
    name: str = "statement.pdf",
    organisation: Organisation | None = None,
) -> EvidenceItem:
    staged = stage_stream(chunked(corpus.pdf() if content is None else content), sent_name=name, max_bytes=NO_LIMIT)
    return evidence_ingest(
        upload=staged, uploader=uploader, organisation=organisation, channel=EvidenceItem.Channel.WEB
    )
