"""Memory stays flat whatever the file size: a 64 MiB file is staged, hashed, checked and stored in a few MiB."""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator

import pytest

from evidence.ingest import stage_stream
from evidence.models import EvidenceItem
from evidence.services import evidence_ingest
from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db

SIZE = 64 * 1024 * 1024
CHUNK = 256 * 1024


def generated_text() -> Iterator[bytes]:
    line = b"Transcription de l'enregistrement : la suite du texte est ici.\n"
    block = line * (CHUNK // len(line))
    sent = 0
    while sent < SIZE:
        chunk = block[: SIZE - sent]
        sent += len(chunk)
        yield chunk


def test_ingesting_64_mib_keeps_the_python_heap_peak_under_4_mib() -> None:
    uploader = UserFactory()
    expected = hashlib.sha256()
    for chunk in generated_text():
        expected.update(chunk)

    tracemalloc.start()
    try:
        staged = stage_stream(generated_text(), sent_name="transcription.txt", max_bytes=SIZE)
        item = evidence_ingest(upload=staged, uploader=uploader, organisation=None, channel=EvidenceItem.Channel.API)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert item.size == SIZE and item.seal.sha256 == expected.hexdigest()
    assert peak < 4 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MiB"
    print(f"tracemalloc peak while ingesting 64 MiB: {peak / 1024 / 1024:.2f} MiB")
