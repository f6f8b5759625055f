"""Resumable uploads when the evidence store is S3 (real Ceph radosgw): chunks go straight into the Object Lock
evidence bucket as a multipart upload under the item's key (small bodies wait locally for a full part); the version
the last part completes is read back once and sealed where it is, never copied; a refused file's version is deleted,
an abandoned upload's multipart upload aborted. Run with ``scripts/test-integration.sh tests/evidence/test_tus_s3.py``.
"""

from __future__ import annotations

import base64
import datetime
import hashlib
import io
import os
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from PIL import Image

from evidence.ingest import magic_window
from evidence.models import EvidenceItem, TusUpload
from evidence.services import evidence_remove_orphans
from evidence.storage import evidence_storage
from evidence.tus import (
    TusError,
    data_path,
    ends_path,
    parse_checksum,
    tus_upload_append,
    tus_upload_complete,
    tus_uploads_expire,
)
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.conftest import stored_files
from tests.evidence.test_s3_storage import locked_bucket, s3  # noqa: F401 (fixtures)
from tests.evidence.test_store_outage import radosgw

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

MiB = 1024 * 1024
PART = 5 * MiB
MP4_HEADER = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


@pytest.fixture(autouse=True)
def small_parts(settings: Any) -> None:
    settings.EVIDENCE_TUS_S3_PART_SIZE = PART


@pytest.fixture
def citizen(client: Client) -> User:
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def store_comes_back() -> Iterator[None]:
    yield
    radosgw("start-rgw")


def create(client: Client, length: int, **metadata: str) -> str:
    metadata.setdefault("filename", "audition.txt")
    response = client.post(
        "/evidence/uploads/",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_LENGTH=str(length),
        HTTP_UPLOAD_METADATA=",".join(f"{k} {base64.b64encode(v.encode()).decode()}" for k, v in metadata.items()),
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 201, response.content
    return str(response["Location"])


def patch(client: Client, url: str, offset: int, chunk: bytes, algorithm: str = "sha256") -> Any:
    return client.generic(
        "PATCH",
        url,
        chunk,
        content_type="application/offset+octet-stream",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_OFFSET=str(offset),
        HTTP_UPLOAD_CHECKSUM=f"{algorithm} " + base64.b64encode(hashlib.new(algorithm, chunk).digest()).decode(),
        HTTP_ACCEPT_LANGUAGE="en",
    )


def send(
    client: Client, url: str, content: bytes, *, body: int = 2 * MiB, start: int = 0, algorithm: str = "sha256"
) -> int:
    offset = start
    while offset < len(content):
        response = patch(client, url, offset, content[offset : offset + body], algorithm)
        assert response.status_code == 204, response.content
        offset = int(response["Upload-Offset"])
    return offset


def started(client: Client, *, declared: bool = False) -> tuple[bytes, str]:
    """A text file of about 10 MiB (its SHA-256 declared if ``declared``) and the URL of its upload, whose first 6 MiB
    are sent (one part in the store)."""
    content = corpus.text(lines=250_000)
    url = create(client, len(content), **({"sha256": hashlib.sha256(content).hexdigest()} if declared else {}))
    assert patch(client, url, 0, content[: 6 * MiB]).status_code == 204
    return content, url


def versions(s3: Any, bucket: str) -> list[dict[str, Any]]:  # noqa: F811
    page = s3.list_object_versions(Bucket=bucket)
    return [*page.get("Versions", []), *page.get("DeleteMarkers", [])]


def multipart_uploads(s3: Any, bucket: str) -> list[dict[str, Any]]:  # noqa: F811
    return list(s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []))


def assert_nothing_kept(s3: Any, bucket: str, evidence_dirs: dict[str, Path]) -> None:  # noqa: F811
    """No object version (nor delete marker), no unfinished multipart upload, no local file."""
    assert versions(s3, bucket) == []
    assert multipart_uploads(s3, bucket) == []
    assert stored_files(evidence_dirs) == []


def video(size: int) -> bytes:
    return MP4_HEADER + os.urandom(size - len(MP4_HEADER))


def bytes_written() -> int:
    """What this process has written so far (files, sockets, pipes), as the kernel counts it."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise AssertionError("no wchar in /proc/self/io")


def test_parts_go_to_the_evidence_bucket_and_the_seal_adopts_the_version_they_make(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
) -> None:
    content = corpus.text(lines=450_000)
    assert len(content) > 2 * PART + MiB
    url = create(client, len(content))
    upload = TusUpload.objects.get()
    assert upload.backend == TusUpload.Backend.S3
    assert (upload.s3_bucket, upload.s3_key) == (locked_bucket, f"{upload.pk.hex[:2]}/{upload.pk}")
    offset = 0
    # Bodies of 2 MiB: smaller than a part, so they wait locally until 5 MiB are there.
    for start in range(0, len(content), 2 * MiB):
        chunk = content[start : start + 2 * MiB]
        response = patch(client, url, offset, chunk)
        assert response.status_code == 204, response.content
        offset = int(response["Upload-Offset"])
        if offset == 6 * MiB:
            # Mid-way: one part of 6 MiB (the buffer went past 5 MiB) under the item's key, no object yet.
            [mpu] = multipart_uploads(s3, locked_bucket)
            assert mpu["Key"] == upload.s3_key
            parts = s3.list_parts(Bucket=locked_bucket, Key=mpu["Key"], UploadId=mpu["UploadId"])["Parts"]
            assert [part["Size"] for part in parts] == [6 * MiB]
            assert versions(s3, locked_bucket) == []
    upload.refresh_from_db()
    assert upload.state == TusUpload.State.SEALED
    assert all(part["Size"] >= PART for part in upload.s3_parts[:-1])
    item = EvidenceItem.objects.get()
    assert item.storage_key == upload.pk
    assert item.seal.sha256 == hashlib.sha256(content).hexdigest()
    location = item.seal.record_data["storage"]
    assert (location["bucket"], location["key"], location["version_id"]) == (
        locked_bucket,
        upload.s3_key,
        upload.s3_version_id,
    )
    # One object, one version: the one the multipart upload made, sealed and locked where it is.
    [stored] = versions(s3, locked_bucket)
    assert (stored["Key"], stored["VersionId"], stored["Size"]) == (upload.s3_key, upload.s3_version_id, len(content))
    version = {"Bucket": locked_bucket, "Key": location["key"], "VersionId": location["version_id"]}
    assert s3.get_object_retention(**version)["Retention"]["Mode"] == "COMPLIANCE"
    assert hashlib.sha256(s3.get_object(**version)["Body"].read()).hexdigest() == item.seal.sha256
    assert multipart_uploads(s3, locked_bucket) == []
    assert stored_files(evidence_dirs) == []


def test_a_checksummed_chunk_of_a_part_or_more_streams_into_a_part_of_its_own(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
    settings: Any,
) -> None:
    # Buffered, 6 MiB bodies would wait locally until 16 MiB are there; these go each into a part as they arrive.
    settings.EVIDENCE_TUS_S3_PART_SIZE = 16 * MiB
    content = corpus.text(lines=700_000)[: 19 * MiB]
    url = create(client, len(content), sha256=hashlib.sha256(content).hexdigest())
    upload = TusUpload.objects.get()
    buffered: list[int] = []

    def note_the_local_buffer(**_: Any) -> None:
        buffered.append(sum(path.stat().st_size for path in data_path(upload).parent.glob(f"{upload.pk}*")))

    events = evidence_storage().parts_client.meta.events  # type: ignore[attr-defined]
    events.register("before-send.s3.UploadPart", note_the_local_buffer)
    try:
        send(client, url, content, body=6 * MiB)
    finally:
        events.unregister("before-send.s3.UploadPart", note_the_local_buffer)

    upload.refresh_from_db()
    assert upload.state == TusUpload.State.SEALED, upload.error_message
    assert [part["Size"] for part in upload.s3_parts] == [6 * MiB, 6 * MiB, 6 * MiB, MiB]
    assert buffered == [0] * 4  # nothing of them written to local disk on the way
    assert EvidenceItem.objects.get().seal.sha256 == hashlib.sha256(content).hexdigest()
    assert [(v["Key"], v["VersionId"]) for v in versions(s3, locked_bucket)] == [(upload.s3_key, upload.s3_version_id)]
    assert stored_files(evidence_dirs) == []


def parts_in_store(s3: Any, bucket: str) -> list[int]:  # noqa: F811
    [mpu] = multipart_uploads(s3, bucket)
    return [
        part["Size"] for part in s3.list_parts(Bucket=bucket, Key=mpu["Key"], UploadId=mpu["UploadId"]).get("Parts", [])
    ]


def test_a_streamed_chunk_that_does_not_match_its_checksum_never_becomes_a_part(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
) -> None:
    content, url = started(client, declared=True)
    damaged = bytes([content[6 * MiB] ^ 1]) + content[6 * MiB + 1 : 12 * MiB]

    response = client.generic(
        "PATCH",
        url,
        damaged,
        content_type="application/offset+octet-stream",
        HTTP_TUS_RESUMABLE="1.0.0",
        HTTP_UPLOAD_OFFSET=str(6 * MiB),
        HTTP_UPLOAD_CHECKSUM="sha256 "
        + base64.b64encode(hashlib.sha256(content[6 * MiB : 12 * MiB]).digest()).decode(),
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert response.status_code == 460
    assert "does not match its checksum" in response.content.decode()
    assert TusUpload.objects.get().offset == 6 * MiB
    # The store never got the chunk's last bytes: it kept no second part.
    assert parts_in_store(s3, locked_bucket) == [6 * MiB]
    assert send(client, url, content, body=6 * MiB, start=6 * MiB) == len(content)
    assert TusUpload.objects.get().state == TusUpload.State.SEALED


class _CutAfter(io.BytesIO):
    """A request body whose sender goes away after ``limit`` bytes."""

    def __init__(self, data: bytes, limit: int, *, error: bool) -> None:
        super().__init__(data[:limit])
        self.error = error

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data and self.error:
            raise OSError("connection reset by peer")
        return data


@pytest.mark.parametrize("error", [True, False], ids=["reset", "short"])
def test_a_sender_gone_mid_chunk_leaves_no_part_and_the_upload_resumes_from_its_offset(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    error: bool,
) -> None:
    content, url = started(client)
    upload = TusUpload.objects.get()
    chunk = content[6 * MiB : 12 * MiB]

    with pytest.raises(TusError) as refused:
        tus_upload_append(
            user=citizen,
            pk=upload.pk,
            offset=6 * MiB,
            content_length=len(chunk),
            body=_CutAfter(chunk, 3 * MiB, error=error),
            checksum=parse_checksum("sha256 " + base64.b64encode(hashlib.sha256(chunk).digest()).decode()),
        )

    assert (refused.value.status, refused.value.code) == (400, "interrupted")
    upload.refresh_from_db()
    assert (upload.offset, upload.buffered, len(upload.s3_parts)) == (6 * MiB, 0, 1)
    assert parts_in_store(s3, locked_bucket) == [6 * MiB]
    assert send(client, url, content, body=6 * MiB, start=6 * MiB) == len(content)
    assert TusUpload.objects.get().state == TusUpload.State.SEALED


def noisy_png(*, side: int) -> bytes:
    out = io.BytesIO()
    Image.frombytes("RGB", (side, side), os.urandom(side * side * 3)).save(out, format="PNG", compress_level=0)
    return out.getvalue()


@pytest.fixture
def reads_back() -> Iterator[list[str]]:
    """The keys of the evidence objects read from the store meanwhile."""
    read: list[str] = []

    def note(params: Any, **_: Any) -> None:
        read.append(params["Key"])

    events = evidence_storage().connection.meta.client.meta.events  # type: ignore[attr-defined]
    events.register("before-parameter-build.s3.GetObject", note)
    yield read
    events.unregister("before-parameter-build.s3.GetObject", note)


def test_md5_chunks_are_checked_by_the_store_and_a_video_hashed_on_arrival_is_not_read_back(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
    reads_back: list[str],
) -> None:
    content = video(3 * magic_window() + 5 * MiB + 100)
    url = create(client, len(content), filename="audition.mp4", sha256=hashlib.sha256(content).hexdigest())

    send(client, url, content, body=6 * MiB, algorithm="md5")

    upload = TusUpload.objects.get()
    assert upload.state == TusUpload.State.SEALED, upload.error_message
    # Every part went with the sender's MD5, which the store checked (its ETag is that MD5).
    assert [part["ETag"].strip('"') for part in upload.s3_parts] == [
        hashlib.md5(content[start : start + 6 * MiB]).hexdigest()  # noqa: S324 - the store's own part checksum
        for start in range(0, len(content), 6 * MiB)
    ]
    item = EvidenceItem.objects.get()
    assert (item.media_type, item.seal.sha256) == ("video/mp4", hashlib.sha256(content).hexdigest())
    assert reads_back == []  # hashed as it arrived: not read back from the store
    [stored] = versions(s3, locked_bucket)
    assert (stored["VersionId"], stored["Size"]) == (upload.s3_version_id, len(content))
    assert stored_files(evidence_dirs) == []
    assert not ends_path(upload).exists()


def test_an_md5_chunk_damaged_on_its_way_to_the_store_is_refused_by_the_store(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    reads_back: list[str],
) -> None:
    content = video(20 * MiB)
    url = create(client, len(content), filename="audition.mp4", sha256=hashlib.sha256(content).hexdigest())
    assert patch(client, url, 0, content[: 6 * MiB], "md5").status_code == 204
    events = evidence_storage().parts_client.meta.events  # type: ignore[attr-defined]

    def flip_a_byte_on_the_way(request: Any, **_: Any) -> None:
        body = request.body.read()
        request.body = io.BytesIO(bytes([body[0] ^ 1]) + body[1:])

    events.register("before-send.s3.UploadPart", flip_a_byte_on_the_way)
    try:
        response = patch(client, url, 6 * MiB, content[6 * MiB : 12 * MiB], "md5")
    finally:
        events.unregister("before-send.s3.UploadPart", flip_a_byte_on_the_way)

    assert response.status_code == 460
    assert "does not match its checksum (md5)" in response.content.decode()
    assert TusUpload.objects.get().offset == 6 * MiB
    assert parts_in_store(s3, locked_bucket) == [6 * MiB]
    assert send(client, url, content, body=6 * MiB, start=6 * MiB, algorithm="md5") == len(content)
    upload = TusUpload.objects.get()
    assert upload.state == TusUpload.State.SEALED, upload.error_message
    assert EvidenceItem.objects.get().seal.sha256 == hashlib.sha256(content).hexdigest()
    assert reads_back == []


@pytest.mark.parametrize(
    "kind",
    ["a chunk checked here", "a small chunk buffered", "a picture", "an archive at the end"],
)
def test_a_file_not_all_hashed_on_arrival_or_that_the_checks_read_whole_is_read_back(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    reads_back: list[str],
    kind: str,
) -> None:
    name, content, first = "audition.mp4", video(3 * magic_window() + MiB), "md5"
    if kind == "a chunk checked here":
        first = "sha256"  # the store did not check that part: the file is hashed from the store at the end
    elif kind == "a picture":
        name, content = "photo.png", noisy_png(side=2400)
        assert len(content) > 2 * magic_window()
    elif kind == "an archive at the end":
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as bundle:
            bundle.writestr("hidden.txt", b"not evidence")
        content += archive.getvalue()
    url = create(client, len(content), filename=name, sha256=hashlib.sha256(content).hexdigest())
    if kind == "a small chunk buffered":
        assert patch(client, url, 0, content[:MiB], "md5").status_code == 204
        offset = MiB
    else:
        assert patch(client, url, 0, content[: 6 * MiB], first).status_code == 204
        offset = 6 * MiB
    send(client, url, content, body=6 * MiB, start=offset, algorithm="md5")

    upload = TusUpload.objects.get()
    assert reads_back == [upload.s3_key]
    if kind == "an archive at the end":
        assert (upload.state, upload.error_code) == (TusUpload.State.REJECTED, "hidden_archive")
    else:
        assert upload.state == TusUpload.State.SEALED, upload.error_message
        assert EvidenceItem.objects.get().seal.sha256 == hashlib.sha256(content).hexdigest()


def test_a_declared_sha256_mismatch_deletes_the_received_version(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
) -> None:
    content = corpus.text(lines=250_000)
    url = create(client, len(content), sha256=hashlib.sha256(b"something else").hexdigest())
    send(client, url, content, body=6 * MiB)
    upload = TusUpload.objects.get()
    assert (upload.state, upload.error_code) == (TusUpload.State.REJECTED, "sha256_mismatch")
    assert upload.s3_version_id  # the parts were assembled before the check...
    assert EvidenceItem.objects.count() == 0
    assert_nothing_kept(s3, locked_bucket, evidence_dirs)  # ...and that version is gone for good


def test_a_file_refused_by_the_checks_leaves_nothing_in_the_bucket(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
) -> None:
    # A video with an archive appended: its end holds a ZIP record, so the whole file is read for the checks.
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as bundle:
        bundle.writestr("hidden.txt", b"not evidence")
    content = video(12 * MiB) + archive.getvalue()
    url = create(client, len(content), filename="audition.mp4")
    send(client, url, content, body=6 * MiB)
    upload = TusUpload.objects.get()
    assert (upload.state, upload.error_code) == (TusUpload.State.REJECTED, "hidden_archive")
    assert "archive (ZIP) hidden inside it" in upload.error_message
    assert EvidenceItem.objects.count() == 0
    assert_nothing_kept(s3, locked_bucket, evidence_dirs)


def test_a_videos_completion_writes_only_its_first_and_last_bytes_locally(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
) -> None:
    content = video(48 * MiB + 100)
    url = create(client, len(content), filename="audition.mp4")
    # Everything but the last 100 bytes; the last PATCH then sends 100 bytes, and the completion runs in it.
    offset = send(client, url, content[: 48 * MiB], body=8 * MiB)
    before = bytes_written()
    response = patch(client, url, offset, content[offset:])
    written = bytes_written() - before
    assert response.status_code == 204, response.content
    upload = TusUpload.objects.get()
    assert upload.state == TusUpload.State.SEALED, upload.error_message
    item = EvidenceItem.objects.get()
    assert item.media_type == "video/mp4"
    assert item.seal.sha256 == hashlib.sha256(content).hexdigest()
    # What libmagic reads at each end (7 MiB each with file 5.41+), the rest being the database, the requests to the
    # store and the logs: not the 48 MiB of the file (nor a second copy of it sent to the store).
    assert written < 2 * magic_window() + 2 * MiB, written
    assert len(content) > 3 * written
    assert len(versions(s3, locked_bucket)) == 1
    assert stored_files(evidence_dirs) == []


def test_termination_aborts_the_multipart_upload(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
) -> None:
    content, url = started(client)
    assert patch(client, url, 6 * MiB, content[6 * MiB : 7 * MiB]).status_code == 204
    assert len(multipart_uploads(s3, locked_bucket)) == 1
    response = client.delete(url, HTTP_TUS_RESUMABLE="1.0.0")
    assert response.status_code == 204
    assert_nothing_kept(s3, locked_bucket, evidence_dirs)
    assert TusUpload.objects.count() == 0


def test_expiry_aborts_the_multipart_upload(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
) -> None:
    started(client)
    assert len(multipart_uploads(s3, locked_bucket)) == 1

    assert tus_uploads_expire(now=timezone.now() + datetime.timedelta(days=2)) == 1

    assert_nothing_kept(s3, locked_bucket, evidence_dirs)
    assert TusUpload.objects.count() == 0


def test_the_store_cleanup_spares_a_live_uploads_parts_and_removes_an_abandoned_ones(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
) -> None:
    content = corpus.text(lines=250_000)
    live_url, dead_url = create(client, len(content)), create(client, len(content))
    for url in (live_url, dead_url):
        assert patch(client, url, 0, content[: 6 * MiB]).status_code == 204
    live, dead = (TusUpload.objects.get(pk=url.rstrip("/").rsplit("/", 1)[-1]) for url in (live_url, dead_url))
    # The dead one's row went (expired, terminated) but the abort never reached the store (a crash in between).
    TusUpload.objects.filter(pk=dead.pk).delete()

    # Whatever their age: a transmission may resume for days, a live upload's parts are never orphans.
    removed = evidence_remove_orphans(older_than=timezone.now() + datetime.timedelta(days=30))

    assert removed == 1
    assert [mpu["Key"] for mpu in multipart_uploads(s3, locked_bucket)] == [live.s3_key]
    # And the live one goes on to its seal.
    send(client, live_url, content, body=6 * MiB, start=6 * MiB)
    live.refresh_from_db()
    assert live.state == TusUpload.State.SEALED
    assert [(v["Key"], v["VersionId"]) for v in versions(s3, locked_bucket)] == [(live.s3_key, live.s3_version_id)]


def test_a_part_damaged_on_its_way_to_the_store_is_caught_by_the_completions_read_back(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    evidence_dirs: dict[str, Path],
) -> None:
    content = corpus.text(lines=250_000)
    url = create(client, len(content), sha256=hashlib.sha256(content).hexdigest())
    events = evidence_storage().parts_client.meta.events  # type: ignore[attr-defined]
    damaged: list[int] = []

    def flip_a_byte_on_the_way(request: Any, **_: Any) -> None:
        if not damaged:
            body = request.body.read()
            request.body = io.BytesIO(bytes([body[0] ^ 1]) + body[1:])
            damaged.append(len(body))

    events.register("before-send.s3.UploadPart", flip_a_byte_on_the_way)
    try:
        send(client, url, content, body=6 * MiB)
    finally:
        events.unregister("before-send.s3.UploadPart", flip_a_byte_on_the_way)

    # Parts carry no hash of their own: the store kept the damaged one, and the completion, reading back every
    # byte of the version, found that it is not the declared file. Nothing is sealed, nothing is left.
    assert damaged == [6 * MiB]
    upload = TusUpload.objects.get()
    assert (upload.state, upload.error_code) == (TusUpload.State.REJECTED, "sha256_mismatch")
    assert EvidenceItem.objects.count() == 0
    assert versions(s3, locked_bucket) == []
    assert stored_files(evidence_dirs) == []


def test_the_store_down_mid_transfer_answers_a_retryable_503_and_the_upload_resumes(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
    store_comes_back: None,
) -> None:
    content, url = started(client)
    radosgw("stop-rgw")

    response = patch(client, url, 6 * MiB, content[6 * MiB :])

    assert response.status_code == 503
    assert "unavailable for the moment: nothing was lost" in response.content.decode()
    assert TusUpload.objects.get().offset == 6 * MiB
    radosgw("start-rgw")
    assert send(client, url, content, body=6 * MiB, start=6 * MiB) == len(content)
    upload = TusUpload.objects.get()
    assert upload.state == TusUpload.State.SEALED
    assert [(v["Key"], v["VersionId"]) for v in versions(s3, locked_bucket)] == [(upload.s3_key, upload.s3_version_id)]


def test_a_version_missing_from_the_store_is_refused_with_its_reason(
    client: Client,
    citizen: User,
    s3: Any,  # noqa: F811
    locked_bucket: str,  # noqa: F811
) -> None:
    content = corpus.text(lines=250_000)
    url = create(client, len(content))
    events = evidence_storage().connection.meta.client.meta.events  # type: ignore[attr-defined]

    def remove_the_version(params: Any, **_: Any) -> None:
        # Someone removed the received version before the completion could read it.
        s3.delete_object(Bucket=params["Bucket"], Key=params["Key"], VersionId=params["VersionId"])

    events.register("before-parameter-build.s3.GetObject", remove_the_version)
    try:
        send(client, url, content, body=6 * MiB)
    finally:
        events.unregister("before-parameter-build.s3.GetObject", remove_the_version)

    upload = TusUpload.objects.get()
    assert (upload.state, upload.error_code) == (TusUpload.State.REJECTED, "missing")
    assert "no longer in the store" in upload.error_message
    assert tus_upload_complete(upload_id=upload.pk).state == TusUpload.State.REJECTED  # not retried for ever
    assert EvidenceItem.objects.count() == 0
    assert versions(s3, locked_bucket) == []
