"""Antivirus against a real clamd (started by scripts/test-integration.sh), whose only signatures are the ones
this module writes: EICAR, built here from the EICAR string. EICAR is quarantined and never downloadable; a clean
file becomes available; while clamd is out of reach an item stays pending and a later retry makes it available.
"""

from __future__ import annotations

import html
import io
import logging
import os
import socket
import time
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from django.core import mail
from django.test import Client

from evidence.clamd import ClamdClient
from evidence.models import CustodyEvent, EvidenceItem
from evidence.tasks import scan_evidence
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

SIGNATURE = "Justice.Test.EICAR"
RELOAD_TIMEOUT = 60.0


@pytest.fixture(scope="module")
def clamd_address() -> str:
    """clamd's unix socket, once it knows EICAR: the signature database is written here, then clamd reloads."""
    address, database = os.environ.get("CLAMD_TEST_ADDRESS"), os.environ.get("CLAMD_DATABASE_DIR")
    if not address or not database:
        pytest.fail(
            "CLAMD_TEST_ADDRESS and CLAMD_DATABASE_DIR are not set: run these tests with scripts/test-integration.sh",
            pytrace=False,
        )
    # An extended signature (.ndb): any file containing the EICAR string, at any offset.
    (Path(database) / "justice-eicar.ndb").write_text(f"{SIGNATURE}:0:*:{corpus.EICAR.hex()}\n")
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.connect(address)
        sock.sendall(b"zRELOAD\0")
        assert sock.recv(64).rstrip(b"\0") == b"RELOADING"
    client = ClamdClient(address, timeout=10)
    deadline = time.monotonic() + RELOAD_TIMEOUT
    while not client.scan([corpus.EICAR]).infected:
        if time.monotonic() > deadline:
            pytest.fail("clamd did not load the EICAR signature", pytrace=False)
        time.sleep(0.2)
    return address


@pytest.fixture
def scanner(clamd_address: str, settings: Any) -> str:
    settings.CLAMD_ADDRESS = clamd_address
    settings.ADMINS = [("Security", "security@justice.example.org")]
    return clamd_address


@pytest.fixture
def citizen(client: Client) -> User:
    user = UserFactory()
    client.force_login(user)
    return user


def upload(client: Client, content: bytes, name: str, on_commit: Any) -> EvidenceItem:
    """Upload through the web form; the scan task runs (in this process) once the seal is committed."""
    handle = io.BytesIO(content)
    handle.name = name
    with on_commit(execute=True):
        assert client.post("/evidence/upload/", {"files": [handle]}).status_code == 302
    return EvidenceItem.objects.get(original_name=name)


def download(client: Client, item: EvidenceItem, language: str = "en") -> Any:
    return client.post(f"/evidence/{item.pk}/download/", {"purpose": "Audience"}, HTTP_ACCEPT_LANGUAGE=language)


def test_eicar_is_quarantined_and_never_downloadable(
    client: Client,
    citizen: User,
    scanner: str,
    django_capture_on_commit_callbacks: Any,
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.ERROR, logger="evidence.scan"):
        item = upload(client, corpus.EICAR, "eicar.txt", django_capture_on_commit_callbacks)

    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.QUARANTINED
    note = item.inspection["antivirus"]
    assert note["result"] == "infected" and note["signature"].startswith(SIGNATURE)
    assert note["engine"].startswith("ClamAV ") and note["scanned_at"]
    event = item.custody_events.get(action=CustodyEvent.Action.QUARANTINED)
    assert event.actor is None and event.detail["signature"] == note["signature"]
    assert any("ALERT" in record.message and str(item.pk) in record.message for record in caplog.records)
    assert [message.to for message in mail.outbox] == [["security@justice.example.org"]]

    for language, refusal, notice in [
        ("en", "This item is quarantined", "Quarantined: this file may contain malicious software"),
        ("fr", "Cette pièce est en quarantaine", "En quarantaine : ce fichier peut contenir un logiciel malveillant"),
    ]:
        response = download(client, item, language)
        assert response.status_code == 409 and not getattr(response, "streaming", False)
        assert refusal in html.unescape(response.content.decode())
        page = html.unescape(client.get(f"/evidence/{item.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode())
        assert notice in page and note["signature"] in page
    assert not item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).exists()
    # A redelivered scan task changes nothing: quarantine is final.
    scan_evidence.apply(args=(str(item.pk),))
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.QUARANTINED
    assert item.custody_events.filter(action=CustodyEvent.Action.QUARANTINED).count() == 1


def test_a_clean_file_becomes_available_after_its_scan(
    client: Client, citizen: User, scanner: str, django_capture_on_commit_callbacks: Any
) -> None:
    content = corpus.text(lines=200_000)  # several MiB: several INSTREAM frames
    item = upload(client, content, "pv.txt", django_capture_on_commit_callbacks)

    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.AVAILABLE
    assert item.inspection["antivirus"]["result"] == "clean"
    scanned = item.custody_events.get(action=CustodyEvent.Action.SCANNED)
    assert scanned.detail["result"] == "clean" and scanned.detail["engine"].startswith("ClamAV ")
    page = html.unescape(client.get(f"/evidence/{item.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode())
    assert "Antivirus scan" in page and "nothing found" in page
    response = download(client, item)
    assert response.status_code == 200 and b"".join(response.streaming_content) == content


def test_while_clamd_is_unreachable_the_item_waits_and_a_later_retry_makes_it_available(
    client: Client, citizen: User, scanner: str, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.CLAMD_ADDRESS = "127.0.0.1:9"  # nothing listens: the scanner is down
    settings.CLAMD_TIMEOUT_SECONDS = 2
    item = upload(client, corpus.pdf(), "statement.pdf", django_capture_on_commit_callbacks)
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.PENDING_SCAN
    assert download(client, item).status_code == 409

    # clamd is back (reached over TCP this time): the retried task finds the file clean.
    settings.CLAMD_ADDRESS = os.environ.get("CLAMD_TEST_TCP_ADDRESS") or scanner
    scan_evidence.apply(args=(str(item.pk),))
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.AVAILABLE
    assert download(client, item).status_code == 200


def test_a_pdf_carrying_eicar_as_an_attachment_is_quarantined_and_its_working_copy_is_clean(
    client: Client, citizen: User, scanner: str, django_capture_on_commit_callbacks: Any
) -> None:
    document = pikepdf.new()
    document.add_blank_page()
    document.attachments["eicar.com"] = pikepdf.AttachedFileSpec(document, corpus.EICAR)
    out = io.BytesIO()
    document.save(out, compress_streams=False)

    original = upload(client, out.getvalue(), "courrier.pdf", django_capture_on_commit_callbacks)

    original.refresh_from_db()
    copy = EvidenceItem.objects.get(derived_from=original)
    assert original.status == EvidenceItem.Status.QUARANTINED
    assert copy.status == EvidenceItem.Status.AVAILABLE and copy.inspection["antivirus"]["result"] == "clean"
    assert download(client, original).status_code == 200  # readers get the clean working copy by default
    refused = client.post(f"/evidence/{original.pk}/download/", {"purpose": "Audience", "version": "original"})
    assert refused.status_code == 409
