"""Resumable uploads speak tus 1.0.0 (checked with the official Python client, tuspy, against a live server) and
refuse bad input with a precise message in French and English, leaving nothing behind.

Celery runs eagerly here: the completion task runs when the last byte arrives.
"""

from __future__ import annotations

import base64
import datetime
import fcntl
import hashlib
import io
import secrets
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import time_machine
from django.test import Client
from django.utils import timezone
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError
from tusclient.storage.filestorage import FileStorage

from evidence.models import CustodyEvent, EvidenceItem, Seal, TusUpload
from evidence.tus import (
    TusError,
    parse_metadata,
    tus_upload_append,
    tus_upload_complete,
    tus_upload_create,
    tus_upload_get,
    tus_upload_terminate,
    tus_uploads_expire,
)
from justice.accounts.models import Membership, User
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence import corpus
from tests.evidence.conftest import stored_files

KiB = 1024
CREATE_PATH = "/evidence/uploads/"


class Session:
    """A signed-in user's session cookie and CSRF token, as a browser page would send them."""

    def __init__(self, user: User, base_url: str) -> None:
        client = Client()
        client.force_login(user)
        self.user = user
        self.base_url = base_url
        self.csrf = secrets.token_hex(16)
        self.cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": self.csrf}

    @property
    def headers(self) -> dict[str, str]:
        cookie = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        return {"Cookie": cookie, "X-CSRFToken": self.csrf, "Accept-Language": "en"}

    def tus(self) -> TusClient:
        return TusClient(self.base_url + CREATE_PATH, headers=self.headers)

    def request(self, method: str, url: str, *, language: str = "en", **kwargs: Any) -> requests.Response:
        headers = {**self.headers, "Tus-Resumable": "1.0.0", "Accept-Language": language, **kwargs.pop("headers", {})}
        return requests.request(
            method, url if url.startswith("http") else self.base_url + url, headers=headers, timeout=60, **kwargs
        )

    def create(self, length: int, *, language: str = "en", **metadata: str) -> requests.Response:
        metadata.setdefault("filename", "statement.txt")
        encoded = ",".join(f"{key} {base64.b64encode(value.encode()).decode()}" for key, value in metadata.items())
        return self.request(
            "POST", CREATE_PATH, language=language, headers={"Upload-Length": str(length), "Upload-Metadata": encoded}
        )

    def patch(self, url: str, offset: int, chunk: bytes, **headers: str) -> requests.Response:
        return self.request(
            "PATCH",
            url,
            data=chunk,
            headers={"Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset), **headers},
        )


@pytest.fixture
def session(live_server: Any) -> Session:
    return Session(UserFactory(), live_server.url)


class Reopenable(io.BytesIO):
    """tuspy closes the stream after fingerprinting it (``with``), then reads it again: let it."""

    def close(self) -> None:
        self.seek(0)


def big_file(size: int = 300 * KiB) -> bytes:
    """A plain-text statement of exactly ``size`` bytes, so that it takes several chunks."""
    return corpus.text(lines=size // 30 + 1)[:size]


def status(session: Session, upload_url: str) -> dict[str, Any]:
    response = session.request("GET", upload_url + "/status")
    assert response.status_code == 200
    data: dict[str, Any] = response.json()
    return data


def assert_nothing_kept(evidence_dirs: dict[str, Path]) -> None:
    assert EvidenceItem.objects.count() == 0
    assert Seal.objects.count() == 0
    assert CustodyEvent.objects.count() == 0
    assert stored_files(evidence_dirs) == []


def test_options_advertises_version_extensions_and_the_callers_limit(session: Session, settings: Any) -> None:
    response = session.request("OPTIONS", CREATE_PATH)
    assert response.status_code == 204
    assert response.headers["Tus-Version"] == "1.0.0"
    assert set(response.headers["Tus-Extension"].split(",")) == {"creation", "checksum", "termination", "expiration"}
    assert {"sha1", "sha256"} <= set(response.headers["Tus-Checksum-Algorithm"].split(","))
    assert response.headers["Tus-Max-Size"] == str(settings.EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE["citizen"])


def test_tuspy_uploads_in_chunks_with_checksums_and_the_item_is_sealed(
    session: Session, evidence_dirs: dict[str, Path]
) -> None:
    content = big_file()
    uploader = session.tus().uploader(
        file_stream=io.BytesIO(content),
        chunk_size=64 * KiB,
        metadata={"filename": "statement.txt", "filetype": "text/plain", "case_ref": "RG 25/00042"},
        upload_checksum=True,
    )
    uploader.upload()
    upload = TusUpload.objects.get()
    assert upload.state == TusUpload.State.SEALED
    item = EvidenceItem.objects.get()
    assert item.seal.sha256 == hashlib.sha256(content).hexdigest()
    assert (item.size, item.original_name, item.case_ref, item.uploaded_by) == (
        len(content),
        "statement.txt",
        "RG 25/00042",
        session.user,
    )
    assert item.channel == EvidenceItem.Channel.WEB
    assert item.custody_events.get().action == CustodyEvent.Action.SEALED
    assert status(session, str(uploader.url)) == {
        "id": str(upload.pk),
        "state": "sealed",
        "state_label": "sealed",
        "offset": len(content),
        "length": len(content),
        "filename": "statement.txt",
        "error": None,
        "error_code": None,
        "item_url": f"/evidence/{item.pk}/",
        "sha256": item.seal.sha256,
    }
    # The chunks are gone from staging; only the sealed original remains in the store.
    assert [path.parent.parent for path in stored_files(evidence_dirs)] == [evidence_dirs["store"]]


def test_tuspy_resumes_an_interrupted_upload_from_the_servers_offset(
    session: Session, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    content = big_file()
    urls = FileStorage(str(tmp_path / "tus-urls.json"))
    request.addfinalizer(urls.close)
    first = session.tus().uploader(
        file_stream=Reopenable(content),
        chunk_size=50 * KiB,
        store_url=True,
        url_storage=urls,
        upload_checksum=True,
        metadata={"filename": "statement.txt"},
    )
    first.upload(stop_at=150 * KiB)
    assert TusUpload.objects.get().offset == 150 * KiB
    # A new client (after a crash, say) finds the upload by the file's fingerprint and asks the server where it is.
    second = session.tus().uploader(
        file_stream=Reopenable(content),
        chunk_size=50 * KiB,
        store_url=True,
        url_storage=urls,
        upload_checksum=True,
        metadata={"filename": "statement.txt"},
    )
    assert second.url == first.url
    assert second.offset == 150 * KiB
    second.upload()
    assert EvidenceItem.objects.get().seal.sha256 == hashlib.sha256(content).hexdigest()
    assert TusUpload.objects.count() == 1


def test_bytes_received_before_a_connection_drops_are_kept(session: Session) -> None:
    content = big_file()
    url = session.create(len(content)).headers["Location"]
    # Announce 100 KiB, send 40 KiB, hang up: without a checksum, what arrived is kept and the client resumes.
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port or 80)) as connection:
        head = (
            f"PATCH {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Content-Type: application/offset+octet-stream\r\nUpload-Offset: 0\r\nContent-Length: {100 * KiB}\r\n"
            f"Cookie: sessionid={session.cookies['sessionid']}; csrftoken={session.csrf}\r\n"
            f"X-CSRFToken: {session.csrf}\r\n\r\n"
        )
        connection.sendall(head.encode() + content[: 40 * KiB])
        connection.shutdown(socket.SHUT_WR)
        connection.recv(4096)
    offset = int(session.request("HEAD", url).headers["Upload-Offset"])
    assert offset == 40 * KiB
    response = session.patch(url, offset, content[offset:])
    assert response.status_code == 204
    assert EvidenceItem.objects.get().seal.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "This part does not match its checksum (sha256): it was damaged on the way and was not kept."),
        ("fr", "Cette partie ne correspond pas à sa somme de contrôle (sha256) : elle a été abîmée en route"),
    ],
)
def test_a_chunk_with_a_wrong_checksum_is_refused_with_460_and_discarded(
    session: Session, evidence_dirs: dict[str, Path], language: str, expected: str
) -> None:
    content = big_file()
    url = session.create(len(content)).headers["Location"]
    assert session.patch(url, 0, content[: 100 * KiB]).status_code == 204
    chunk = content[100 * KiB : 200 * KiB]
    wrong = base64.b64encode(hashlib.sha256(chunk + b"!").digest()).decode()
    response = session.request(
        "PATCH",
        url,
        language=language,
        data=chunk,
        headers={
            "Content-Type": "application/offset+octet-stream",
            "Upload-Offset": str(100 * KiB),
            "Upload-Checksum": f"sha256 {wrong}",
        },
    )
    assert response.status_code == 460
    assert expected in response.text
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert session.request("HEAD", url).headers["Upload-Offset"] == str(100 * KiB)
    # The right bytes, with the right checksum (sha1 this time), are then accepted.
    good = base64.b64encode(hashlib.sha1(content[100 * KiB :]).digest()).decode()  # noqa: S324
    assert session.patch(url, 100 * KiB, content[100 * KiB :], **{"Upload-Checksum": f"sha1 {good}"}).status_code == 204
    assert EvidenceItem.objects.get().seal.sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "is not the one announced: its SHA-256 fingerprint is"),
        ("fr", "n’est pas celui annoncé : son empreinte SHA-256 est"),
    ],
)
def test_a_declared_sha256_that_does_not_match_rejects_the_item_and_keeps_nothing(
    session: Session, evidence_dirs: dict[str, Path], language: str, expected: str
) -> None:
    content = big_file()
    declared = hashlib.sha256(b"another file").hexdigest()
    url = session.create(len(content), language=language, sha256=declared).headers["Location"]
    assert session.patch(url, 0, content).status_code == 204
    state = status(session, url)
    assert state["state"] == "rejected"
    assert state["error_code"] == "sha256_mismatch"
    assert expected in state["error"]
    assert declared in state["error"] and hashlib.sha256(content).hexdigest() in state["error"]
    assert state["item_url"] is None
    assert_nothing_kept(evidence_dirs)


def test_a_declared_sha256_that_matches_is_accepted(session: Session) -> None:
    content = big_file()
    url = session.create(len(content), sha256=hashlib.sha256(content).hexdigest().upper()).headers["Location"]
    assert session.patch(url, 0, content).status_code == 204
    assert status(session, url)["state"] == "sealed"


def test_a_file_refused_by_the_checks_shows_the_reason_and_keeps_nothing(
    session: Session, evidence_dirs: dict[str, Path]
) -> None:
    url = session.create(len(corpus.HTML), language="fr").headers["Location"]
    assert session.patch(url, 0, corpus.HTML).status_code == 204
    state = status(session, url)
    assert (state["state"], state["error_code"]) == ("rejected", "html")
    assert "est une page web (HTML)" in state["error"]
    assert_nothing_kept(evidence_dirs)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "is larger than the 200.0\xa0MB you may send: nothing was sent."),
        ("fr", "dépasse les 200,0\xa0Mio que vous pouvez envoyer : rien n’a été envoyé."),
    ],
)
def test_an_upload_longer_than_the_callers_limit_is_refused_at_creation(
    session: Session, evidence_dirs: dict[str, Path], language: str, expected: str
) -> None:
    response = session.create(200 * 1024 * 1024 + 1, language=language)
    assert response.status_code == 413
    assert expected in response.text
    assert TusUpload.objects.count() == 0
    assert stored_files(evidence_dirs) == []


@pytest.mark.django_db
def test_staff_may_announce_larger_files_when_acting_for_their_organisation() -> None:
    membership = staff_member(Membership.Role.POLICE_OFFICER)
    size = 500 * 1024 * 1024
    upload = tus_upload_create(
        user=membership.user,
        length=size,
        metadata=parse_metadata(
            f"filename {base64.b64encode(b'video.mp4').decode()},organisation "
            f"{base64.b64encode(str(membership.organisation_id).encode()).decode()}"
        ),
        channel=EvidenceItem.Channel.WEB,
    )
    assert (upload.length, upload.organisation) == (size, membership.organisation)
    # In a personal capacity the citizen limit applies.
    with pytest.raises(TusError) as refused:
        tus_upload_create(
            user=membership.user,
            length=size,
            metadata=parse_metadata(f"filename {base64.b64encode(b'video.mp4').decode()}"),
            channel=EvidenceItem.Channel.WEB,
        )
    assert refused.value.status == 413


def test_bytes_beyond_the_declared_length_are_refused(session: Session) -> None:
    url = session.create(10).headers["Location"]
    response = session.patch(url, 0, b"x" * 11)
    assert response.status_code == 400
    assert "beyond the declared length of 10 bytes" in response.text
    assert session.request("HEAD", url).headers["Upload-Offset"] == "0"


def test_a_wrong_offset_is_a_conflict(session: Session) -> None:
    url = session.create(100).headers["Location"]
    response = session.patch(url, 5, b"x" * 10)
    assert response.status_code == 409
    assert "does not match the 0 bytes already received" in response.text


def test_requests_without_the_tus_version_or_the_right_content_type_are_refused(session: Session) -> None:
    url = session.create(100).headers["Location"]
    response = requests.head(url, headers=session.headers, timeout=60)
    assert response.status_code == 412
    response = session.patch(url, 0, b"x", **{"Content-Type": "application/octet-stream"})
    assert response.status_code == 415
    assert "application/offset+octet-stream" in response.text


def test_metadata_without_a_file_name_is_refused(session: Session) -> None:
    response = session.request("POST", CREATE_PATH, headers={"Upload-Length": "10", "Upload-Metadata": ""})
    assert response.status_code == 400
    assert "Give the file’s name in the upload metadata (filename)." in response.text


def test_someone_elses_upload_is_not_found(session: Session, live_server: Any) -> None:
    url = session.create(100).headers["Location"]
    other = Session(UserFactory(), live_server.url)
    assert other.request("HEAD", url).status_code == 404
    assert other.patch(url, 0, b"x" * 10).status_code == 404
    response = other.request("DELETE", url, language="fr")
    assert response.status_code == 404
    assert "Ce téléversement n’existe pas, ou il n’est pas le vôtre." in response.text
    assert other.request("GET", url + "/status").status_code == 404
    assert session.request("HEAD", url).headers["Upload-Offset"] == "0"
    assert TusUpload.objects.get().offset == 0


def test_anonymous_callers_are_refused(live_server: Any) -> None:
    response = requests.post(
        live_server.url + CREATE_PATH, headers={"Tus-Resumable": "1.0.0", "Upload-Length": "10"}, timeout=60
    )
    assert response.status_code == 401


def test_a_missing_csrf_token_is_refused(session: Session) -> None:
    headers = {**session.headers, "X-CSRFToken": "", "Tus-Resumable": "1.0.0", "Upload-Length": "10"}
    response = requests.post(session.base_url + CREATE_PATH, headers=headers, timeout=60)
    assert response.status_code == 403
    assert TusUpload.objects.count() == 0


def test_termination_removes_the_upload_and_its_bytes(session: Session, evidence_dirs: dict[str, Path]) -> None:
    uploader = session.tus().uploader(
        file_stream=io.BytesIO(big_file()), chunk_size=64 * KiB, metadata={"filename": "statement.txt"}
    )
    uploader.upload_chunk()
    assert stored_files(evidence_dirs) != []
    assert session.request("DELETE", str(uploader.url)).status_code == 204
    assert session.request("HEAD", str(uploader.url)).status_code == 404
    assert TusUpload.objects.count() == 0
    assert stored_files(evidence_dirs) == []
    with pytest.raises(TusCommunicationError):
        uploader.upload_chunk()


def test_expired_uploads_answer_410_and_are_removed_by_the_periodic_task(
    session: Session, evidence_dirs: dict[str, Path], settings: Any
) -> None:
    settings.EVIDENCE_TUS_LIFETIME_HOURS = 2
    # The session must outlive the upload for the 410 to be seen.
    settings.SESSION_IDLE_TIMEOUT_CITIZEN = settings.SESSION_ABSOLUTE_LIFETIME = 24 * 3600
    response = session.create(100)
    url = response.headers["Location"]
    assert "GMT" in response.headers["Upload-Expires"]
    assert session.patch(url, 0, b"x" * 10).status_code == 204
    upload = TusUpload.objects.get()
    assert upload.expires_at - timezone.now() > datetime.timedelta(hours=1, minutes=59)
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=1), tick=False):
        assert tus_uploads_expire() == 0
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2, minutes=1), tick=False):
        assert session.request("HEAD", url).status_code == 410
        assert tus_uploads_expire() == 1
    assert TusUpload.objects.count() == 0
    assert stored_files(evidence_dirs) == []
    assert session.request("HEAD", url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_the_completion_task_seals_once_however_often_it_runs(session: Session) -> None:
    content = big_file()
    url = session.create(len(content)).headers["Location"]
    assert session.patch(url, 0, content).status_code == 204
    upload = TusUpload.objects.get()
    assert upload.state == TusUpload.State.SEALED
    # A redelivered message finds the upload sealed and does nothing.
    tus_upload_complete(upload_id=upload.pk)
    tus_upload_complete(upload_id=upload.pk)
    assert EvidenceItem.objects.count() == 1
    assert Seal.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("role", [*Membership.Role.values, "citizen"])
def test_an_upload_is_its_creators_only_whatever_the_role_of_the_others(role: str) -> None:
    """Even a colleague of the same organisation (or its administrator) cannot see, continue or cancel it."""
    creator = staff_member(Membership.Role.POLICE_OFFICER)
    upload = tus_upload_create(
        user=creator.user,
        length=100,
        metadata=parse_metadata(
            f"filename {base64.b64encode(b'pv.txt').decode()},organisation "
            f"{base64.b64encode(str(creator.organisation_id).encode()).decode()}"
        ),
        channel=EvidenceItem.Channel.WEB,
    )
    other = UserFactory() if role == "citizen" else staff_member(role, organisation=creator.organisation).user
    with pytest.raises(TusUpload.DoesNotExist):
        tus_upload_get(user=other, pk=upload.pk)
    with pytest.raises(TusUpload.DoesNotExist):
        tus_upload_append(user=other, pk=upload.pk, offset=0, content_length=3, body=io.BytesIO(b"abc"), checksum=None)
    with pytest.raises(TusUpload.DoesNotExist):
        tus_upload_terminate(user=other, pk=upload.pk)
    assert tus_upload_get(user=creator.user, pk=upload.pk).offset == 0


def test_a_second_request_while_one_is_sending_is_told_to_wait(
    session: Session, evidence_dirs: dict[str, Path]
) -> None:
    url = session.create(100).headers["Location"]
    upload = TusUpload.objects.get()
    with open(evidence_dirs["staging"] / "tus" / f"{upload.pk}.lock", "a+b") as lock:
        # What a request in progress holds while it writes.
        fcntl.flock(lock, fcntl.LOCK_EX)
        response = session.patch(url, 0, b"x" * 10)
        fcntl.flock(lock, fcntl.LOCK_UN)
    assert response.status_code == 423
    assert "Another request is already sending bytes to this upload" in response.text
    assert session.patch(url, 0, b"x" * 10).status_code == 204
