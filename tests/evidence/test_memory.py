"""Memory stays flat whatever the file size: a 64 MiB file is staged, hashed, checked and stored in a few MiB."""

from __future__ import annotations

import hashlib
import os
import tracemalloc
from collections.abc import Iterator
from pathlib import Path

import pikepdf
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


def test_the_working_copy_of_a_64_mib_pdf_is_made_with_a_flat_python_heap(tmp_path: Path) -> None:
    """pikepdf (qpdf) works from temporary files: the original is read back, cleaned and stored without the
    Python heap ever holding it. (tracemalloc does not see qpdf's own memory, which holds one stream at a time
    while writing: hence EVIDENCE_WORKING_COPY_MAX_STREAM_BYTES, tested in test_workingcopy.)"""
    uploader = UserFactory()
    source = tmp_path / "big.pdf"
    document = pikepdf.new()
    document.add_blank_page()
    # Incompressible bytes, stored as they are: the file really is 64 MiB.
    document.pages[0].obj.Resources = pikepdf.Dictionary(
        XObject=pikepdf.Dictionary(Blob=document.make_stream(os.urandom(SIZE)))
    )
    document.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))
    document.save(source, compress_streams=False)
    del document

    def chunks() -> Iterator[bytes]:
        with source.open("rb") as stream:
            while chunk := stream.read(CHUNK):
                yield chunk

    tracemalloc.start()
    try:
        staged = stage_stream(chunks(), sent_name="big.pdf", max_bytes=2 * SIZE)
        original = evidence_ingest(
            upload=staged, uploader=uploader, organisation=None, channel=EvidenceItem.Channel.API
        )
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    copy = EvidenceItem.objects.get(derived_from=original)
    assert original.size > SIZE and copy.size > SIZE
    assert copy.inspection["sanitised"]["removed"] == ["open_action"]
    assert peak < 8 * 1024 * 1024, f"peak {peak / 1024 / 1024:.1f} MiB"
    print(f"tracemalloc peak while ingesting a 64 MiB PDF and making its working copy: {peak / 1024 / 1024:.2f} MiB")
