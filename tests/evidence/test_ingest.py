"""Ingest refuses hostile and broken files with a precise message in French and English, and keeps nothing of them.

The corpus is built in code (tests/evidence/corpus.py). Each file goes through the real web upload: the streaming
upload handler, the checks, the service.
"""

from __future__ import annotations

import hashlib
import html
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.test import Client

from evidence.ingest import IngestError, StagedUpload, inspect, magic_window, stage_for_inspection
from evidence.models import CustodyEvent, EvidenceItem, Seal
from evidence.services import evidence_ingest
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.conftest import stored_files

pytestmark = pytest.mark.django_db

UPLOAD_URL = "/evidence/upload/"


def upload(
    client: Client, files: list[tuple[str, bytes]], *, language: str = "en", fields: dict[str, Any] | None = None
) -> Any:
    payload = []
    for name, content in files:
        handle = io.BytesIO(content)
        handle.name = name
        payload.append(handle)
    return client.post(UPLOAD_URL, {"files": payload, **(fields or {})}, HTTP_ACCEPT_LANGUAGE=language)


@pytest.fixture
def citizen(client: Client) -> User:
    user = UserFactory()
    client.force_login(user)
    return user


def assert_nothing_kept(evidence_dirs: dict[str, Path]) -> None:
    assert EvidenceItem.objects.count() == 0
    assert Seal.objects.count() == 0
    assert CustodyEvent.objects.count() == 0
    assert stored_files(evidence_dirs) == []


REFUSALS = [
    pytest.param(
        "empty.pdf",
        b"",
        "The file “empty.pdf” is empty.",
        "Le fichier « empty.pdf » est vide.",
        id="empty file",
    ),
    pytest.param(
        "statement.pdf",
        corpus.HTML,
        "is a web page (HTML)",
        "est une page web (HTML)",
        id="HTML named .pdf",
    ),
    pytest.param(
        "statement.pdf",
        corpus.html_pdf_polyglot(),
        "is a web page (HTML)",
        "est une page web (HTML)",
        id="HTML+PDF polyglot",
    ),
    pytest.param(
        "statement.pdf",
        corpus.pdf_with_appended_zip(),
        "has an archive (ZIP) hidden inside it",
        "contient une archive (ZIP) cachée",
        id="PDF with appended ZIP",
    ),
    pytest.param(
        "statement.pdf",
        corpus.zip_archive(),
        "is an archive (application/zip): send the files it contains one by one.",
        "est une archive (application/zip) : envoyez un par un les fichiers qu’elle contient.",
        id="ZIP named .pdf",
    ),
    pytest.param(
        "statement.pdf",
        corpus.encrypted_pdf(user_password="open sesame"),
        "The PDF “statement.pdf” is encrypted or protected by a password",
        "Le PDF « statement.pdf » est chiffré ou protégé par un mot de passe",
        id="password-protected PDF",
    ),
    pytest.param(
        "statement.pdf",
        corpus.encrypted_pdf(user_password=""),
        "The PDF “statement.pdf” is encrypted or protected by a password",
        "Le PDF « statement.pdf » est chiffré ou protégé par un mot de passe",
        id="encrypted PDF that opens without a password",
    ),
    pytest.param(
        "statement.pdf",
        corpus.truncated_pdf(),
        "is damaged or incomplete and cannot be opened without repairing it",
        "est endommagé ou incomplet",
        id="truncated PDF",
    ),
    pytest.param(
        "scan.png",
        corpus.png_bomb(),
        "has too many pixels to be opened safely",
        "compte trop de pixels pour être ouverte sans risque",
        id="20000x20000 PNG",
    ),
    pytest.param(
        "photo.gif",
        corpus.GIF_JS_POLYGLOT,
        "is of a type that is not accepted (image/gif)",
        "est d’un type qui n’est pas accepté (image/gif)",
        id="GIF/JavaScript polyglot",
    ),
    pytest.param(
        "drawing.svg",
        corpus.SVG_WITH_SCRIPT,
        "is an SVG image, which can contain code",
        "est une image SVG, qui peut contenir du code",
        id="SVG with script",
    ),
    pytest.param(
        "drawing.png",
        corpus.SVG_WITH_SCRIPT,
        "is an SVG image, which can contain code",
        "est une image SVG, qui peut contenir du code",
        id="SVG named .png",
    ),
    pytest.param(
        "photo.jpg",
        corpus.png(),
        "ends in .jpg but its content is of type image/png",
        "se termine par .jpg mais son contenu est de type image/png",
        id="extension that disagrees with the content",
    ),
    pytest.param(
        "statement",
        corpus.pdf(),
        "has no extension: add the one that matches its content (.pdf)",
        "n’a pas d’extension : ajoutez celle qui correspond à son contenu (.pdf)",
        id="no extension",
    ),
    pytest.param(
        "photo\u202egnp.exe",
        corpus.png(),
        "“photognp.exe” ends in .exe but its content is of type image/png",
        "« photognp.exe » se termine par .exe mais son contenu est de type image/png",
        id="right-to-left override hiding .exe",
    ),
]


@pytest.mark.parametrize(("name", "content", "english", "french"), REFUSALS)
def test_a_refused_file_gets_a_precise_message_in_both_languages_and_leaves_nothing(
    client: Client, citizen: User, evidence_dirs: dict[str, Path], name: str, content: bytes, english: str, french: str
) -> None:
    for language, expected in (("en", english), ("fr", french)):
        response = upload(client, [(name, content)], language=language)
        assert response.status_code == 400
        body = html.unescape(response.content.decode())
        assert expected in body, body[-3000:]
        assert_nothing_kept(evidence_dirs)


def test_a_pdf_with_javascript_open_action_and_embedded_file_is_accepted_and_its_active_content_noted(
    client: Client, citizen: User
) -> None:
    response = upload(client, [("tract.pdf", corpus.pdf_with_active_content())])
    item = EvidenceItem.objects.get(derived_from=None)
    assert response.status_code == 302 and response["Location"] == f"/evidence/{item.pk}/"
    notes = item.inspection["pdf"]
    assert notes["open_action"] and notes["javascript"] and notes["embedded_files"]
    page = client.get(f"/evidence/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "This PDF contained active content" in page
    # Its working copy (tests/evidence/test_workingcopy.py) has none of it.
    copy = item.derivatives.get()
    assert not any(copy.inspection["pdf"][key] for key in ("open_action", "javascript", "embedded_files"))


@pytest.mark.parametrize(
    ("sent", "shown"),
    [
        ("../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\Windows\\system32\\report.pdf", "report.pdf"),
        ("report\x00.pdf", "report.pdf"),
        ("re\u202eport.pdf", "report.pdf"),
        ("  .hidden  report .pdf", "hidden report .pdf"),
    ],
)
def test_hostile_names_are_neutralised_for_display_and_never_used_as_paths(
    client: Client, citizen: User, evidence_dirs: dict[str, Path], sent: str, shown: str
) -> None:
    response = upload(client, [(sent, corpus.pdf())])
    assert response.status_code == 302, response.content.decode()[-2000:]
    item = EvidenceItem.objects.get()
    assert item.original_name == shown
    (stored,) = [path for path in stored_files(evidence_dirs)]
    assert stored.name == str(item.storage_key)
    assert stored.is_relative_to(evidence_dirs["store"])


def test_a_300_character_name_is_shortened_for_display_keeping_its_extension(client: Client, citizen: User) -> None:
    response = upload(client, [("p" * 300 + ".pdf", corpus.pdf())])
    assert response.status_code == 302
    name = EvidenceItem.objects.get().original_name
    assert len(name) <= 150 and name.endswith("….pdf") and name.startswith("ppp")


class CountingInput(io.BytesIO):
    """wsgi.input that counts what the server read of the request body."""

    consumed = 0

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        self.consumed += len(data)
        return data

    def readline(self, size: int | None = -1) -> bytes:
        data = super().readline(size)
        self.consumed += len(data)
        return data


def multipart_body(name: str, content: bytes, boundary: str = "BoUnDaRy") -> bytes:
    return (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )


def test_an_oversize_file_is_stopped_while_streaming_before_the_whole_body_is_read(
    client: Client, citizen: User, settings: Any, evidence_dirs: dict[str, Path]
) -> None:
    limit = 1024 * 1024
    settings.EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE = {**settings.EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE, "citizen": limit}
    body = multipart_body("recording.txt", corpus.text(lines=200_000))  # about 7 MiB
    assert len(body) > 6 * limit
    for language, expected in (
        ("en", "is larger than the 1.0\xa0MB you may send: the transfer was stopped at that size"),
        ("fr", "dépasse les 1,0\xa0Mio que vous pouvez envoyer : le transfert a été arrêté à cette taille"),
    ):
        stream = CountingInput(body)
        environ: dict[str, Any] = {"wsgi.input": stream}
        response = client.post(
            UPLOAD_URL,
            data=body,
            content_type="multipart/form-data; boundary=BoUnDaRy",
            HTTP_ACCEPT_LANGUAGE=language,
            **environ,
        )
        assert response.status_code == 413
        assert expected in html.unescape(response.content.decode())
        # Stopped within a couple of chunks past the limit, far from the whole body.
        assert limit < stream.consumed < limit + 1024 * 1024
        assert_nothing_kept(evidence_dirs)


def test_the_limit_depends_on_the_role(client: Client, settings: Any) -> None:
    from tests.accounts.factories import staff_member

    settings.EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE = {
        **settings.EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE,
        "citizen": 1000,
        "police_officer": 100_000,
    }
    content = corpus.text(lines=200)  # over 1000 bytes, under 100 000
    client.force_login(UserFactory())
    assert upload(client, [("pv.txt", content)]).status_code == 413
    officer = staff_member("police_officer")
    client.force_login(officer.user)
    # In a personal capacity, an officer is a citizen like any other.
    assert upload(client, [("pv.txt", content)], fields={"organisation": ""}).status_code == 400
    response = upload(client, [("pv.txt", content)], fields={"organisation": officer.organisation.pk})
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.organisation == officer.organisation
    assert item.seal.record_data["submitter"]["role"] == "police_officer"


def test_too_many_files_in_one_request_are_all_refused(
    client: Client, citizen: User, settings: Any, evidence_dirs: dict[str, Path]
) -> None:
    settings.EVIDENCE_MAX_FILES_PER_REQUEST = 3
    files = [(f"note{n}.txt", corpus.text()) for n in range(4)]
    response = upload(client, files, language="fr")
    assert response.status_code == 400
    assert "Vous pouvez envoyer au plus 3 fichiers à la fois" in html.unescape(response.content.decode())
    response = upload(client, files, language="en")
    assert "You can send at most 3 files at once: nothing was kept." in html.unescape(response.content.decode())
    assert_nothing_kept(evidence_dirs)


def test_in_a_batch_good_files_are_sealed_and_bad_ones_refused_with_their_reason(
    client: Client, citizen: User, evidence_dirs: dict[str, Path]
) -> None:
    response = upload(client, [("good.txt", corpus.text()), ("bad.pdf", corpus.HTML)])
    assert response.status_code == 400
    body = html.unescape(response.content.decode())
    assert "is a web page (HTML)" in body and "“good.txt” was received and sealed." in body
    item = EvidenceItem.objects.get()
    assert item.original_name == "good.txt"
    assert len(stored_files(evidence_dirs)) == 1


@pytest.mark.parametrize(
    ("name", "content", "media_type"),
    [
        ("statement.pdf", corpus.pdf(), "application/pdf"),
        ("photo.png", corpus.png(), "image/png"),
        ("photo.JPEG", corpus.jpeg(), "image/jpeg"),
        ("statement.txt", corpus.text(), "text/plain"),
        ("pv.docx", corpus.docx(), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("pv.odt", corpus.odt(), "application/vnd.oasis.opendocument.text"),
        ("call.wav", corpus.wav(), "audio/x-wav"),
    ],
)
def test_accepted_types_are_sealed_with_their_sniffed_media_type(
    client: Client, citizen: User, name: str, content: bytes, media_type: str
) -> None:
    response = upload(client, [(name, content)])
    assert response.status_code == 302
    item = EvidenceItem.objects.get()
    assert item.media_type == media_type
    assert item.size == len(content)
    # No antivirus configured (the embedded default and the unit tests): available at once, and noted.
    assert item.status == EvidenceItem.Status.AVAILABLE
    assert item.inspection["antivirus"] == {"result": "no_scanner"}


def test_the_upload_form_needs_a_sign_in(client: Client) -> None:
    response = client.get(UPLOAD_URL)
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    response = upload(client, [("statement.pdf", corpus.pdf())])
    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    assert EvidenceItem.objects.count() == 0


def test_the_upload_form_is_plain_html_and_checks_csrf(citizen: User) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(citizen)
    page = client.get(UPLOAD_URL, HTTP_ACCEPT_LANGUAGE="fr")
    body = page.content.decode()
    assert page.status_code == 200
    assert 'enctype="multipart/form-data"' in body and 'type="file"' in body and "multiple" in body
    assert "Envoyer des pièces" in body
    assert upload(client, [("statement.pdf", corpus.pdf())]).status_code == 403
    assert EvidenceItem.objects.count() == 0


# --- reading back a file kept elsewhere (a resumable upload's version in the S3 store) for the checks -----------

MiB = 1024 * 1024
MP4_HEADER = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


class Reader:
    """The bytes of a stored file, in 1 MiB chunks, each time it is called (counted)."""

    def __init__(self, content: bytes) -> None:
        self.content = content
        self.reads = 0

    def __call__(self) -> Iterator[bytes]:
        self.reads += 1
        for start in range(0, len(self.content), MiB):
            yield self.content[start : start + MiB]


def disk_usage(staged: StagedUpload) -> int:
    return os.stat(staged.temporary_file_path()).st_blocks * 512


def test_a_video_read_back_for_the_checks_keeps_only_its_first_and_last_bytes_on_disk() -> None:
    content = MP4_HEADER + os.urandom(40 * MiB)
    window = magic_window()
    read = Reader(content)

    staged = stage_for_inspection(read, sent_name="audition.mp4", max_bytes=len(content))

    try:
        assert read.reads == 1
        assert (staged.received, staged.sha256) == (len(content), hashlib.sha256(content).hexdigest())
        assert not staged.whole
        assert os.stat(staged.temporary_file_path()).st_size == len(content)
        assert disk_usage(staged) <= 2 * window + 64 * 1024  # a hole where the middle would be
        with open(staged.temporary_file_path(), "rb") as kept:
            assert kept.read(window) == content[:window]
            kept.seek(len(content) - window)
            assert kept.read() == content[-window:]
        assert inspect(staged).media_type == "video/mp4"
        with pytest.raises(ValueError, match="only part of this upload was staged"):
            evidence_ingest(upload=staged, uploader=UserFactory(), organisation=None, channel="api")
    finally:
        staged.close()
    assert not Path(staged.temporary_file_path()).exists()


def test_a_pdf_read_back_for_the_checks_is_staged_whole(tmp_path: Path) -> None:
    document = pikepdf.new()
    document.add_blank_page()
    document.Root.Scan = document.make_stream(os.urandom(20 * MiB))
    document.save(tmp_path / "pv.pdf")
    content = (tmp_path / "pv.pdf").read_bytes()
    read = Reader(content)

    staged = stage_for_inspection(read, sent_name="pv.pdf", max_bytes=len(content))

    try:
        assert read.reads == 1 and staged.whole
        assert disk_usage(staged) >= len(content)
        assert inspect(staged).notes["pdf"]["pages"] == 1  # pikepdf parsed the whole file
    finally:
        staged.close()


def test_a_video_ending_with_a_zip_record_is_read_again_whole_and_refused() -> None:
    content = MP4_HEADER + os.urandom(20 * MiB) + corpus.zip_archive()
    read = Reader(content)

    staged = stage_for_inspection(read, sent_name="audition.mp4", max_bytes=len(content))

    try:
        # is_zipfile may read the central directory anywhere in the file: the middle is needed too.
        assert read.reads == 2 and staged.whole
        assert staged.sha256 == hashlib.sha256(content).hexdigest()
        with pytest.raises(IngestError) as refused:
            inspect(staged)
        assert refused.value.code == "hidden_archive"
    finally:
        staged.close()


def test_a_file_smaller_than_what_libmagic_reads_is_staged_whole() -> None:
    content = corpus.text(lines=1000)
    staged = stage_for_inspection(Reader(content), sent_name="pv.txt", max_bytes=len(content))
    try:
        assert staged.whole and Path(staged.temporary_file_path()).read_bytes() == content
        assert inspect(staged).media_type == "text/plain"
    finally:
        staged.close()
