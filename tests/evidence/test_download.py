"""Upload, seal, download: the bytes come back exactly, re-checked against the seal on the way out."""

from __future__ import annotations

import hashlib
import html
import json
import logging
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from evidence.models import CustodyEvent, EvidenceItem
from evidence.services import EvidenceIntegrityError, evidence_verify
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(client: Client) -> User:
    user = UserFactory()
    client.force_login(user)
    return user


def download(client: Client, item: EvidenceItem, purpose: str = "Preparing my hearing", **extra: Any) -> Any:
    return client.post(f"/evidence/{item.pk}/download/", {"purpose": purpose}, **extra)


def stored_path(item: EvidenceItem, evidence_dirs: dict[str, Path]) -> Path:
    return evidence_dirs["store"] / item.seal.record_data["storage"]["key"]


def test_upload_seal_and_download_give_back_the_exact_bytes_with_safe_headers(citizen: User, client: Client) -> None:
    content = corpus.pdf(pages=2)
    response = client.post("/evidence/upload/", {"files": [_named(content, "mon dépôt.pdf")]})
    item = EvidenceItem.objects.get()
    assert response.status_code == 302

    seal = item.seal
    assert seal.sha256 == hashlib.sha256(content).hexdigest() and seal.size == len(content)
    record = json.loads(seal.record)
    assert seal.record == json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert record["v"] == 1 and record["evidence_id"] == str(item.pk) and record["sha256"] == seal.sha256
    assert record["media_type"] == "application/pdf" and record["channel"] == "web"
    assert record["submitter"] == {
        "user_id": citizen.pk,
        "role": "citizen",
        "organisation": None,
        "assurance_level": "low",
    }
    assert record["storage"]["backend"] == "filesystem" and str(item.storage_key) in record["storage"]["key"]
    assert len(record["salt"]) == 64 and record["received_at"].endswith("Z")

    response = download(client, item)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == content
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Length"] == str(len(content))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''mon%20d%C3%A9p%C3%B4t.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert list(item.custody_events.values_list("action", "purpose")) == [
        (CustodyEvent.Action.SEALED, "Dépôt de la pièce"),
        (CustodyEvent.Action.DOWNLOADED, "Preparing my hearing"),
    ]


def _named(content: bytes, name: str) -> Any:
    import io

    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_a_download_needs_a_purpose(citizen: User, client: Client) -> None:
    item = sealed_item(uploader=citizen)
    response = download(client, item, purpose="  ", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert not item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).exists()


def test_a_byte_flipped_in_the_store_is_detected_on_download(
    citizen: User, client: Client, evidence_dirs: dict[str, Path], caplog: pytest.LogCaptureFixture
) -> None:
    content = corpus.text(lines=200_000)  # several read chunks
    item = sealed_item(uploader=citizen, content=content, name="statement.txt")
    path = stored_path(item, evidence_dirs)
    os.chmod(path, 0o600)
    with open(path, "r+b") as stored:
        stored.seek(10)
        original = stored.read(1)
        stored.seek(10)
        stored.write(bytes([original[0] ^ 0x01]))

    response = download(client, item)
    assert response.status_code == 200  # headers leave before the last chunk is checked
    received = 0
    with caplog.at_level(logging.ERROR, logger="evidence.services"), pytest.raises(EvidenceIntegrityError):
        for chunk in response.streaming_content:
            received += len(chunk)
    # The complete altered file never left: the last chunk was held back.
    assert received < len(content)

    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.BLOCKED
    failure = item.custody_events.get(action=CustodyEvent.Action.VERIFICATION_FAILED)
    assert failure.actor is None
    assert failure.detail["during"] == "download" and failure.detail["requested_by"] == citizen.pk
    assert failure.detail["expected_sha256"] == hashlib.sha256(content).hexdigest()
    assert failure.detail["found_sha256"] != failure.detail["expected_sha256"]
    assert any("ALERT" in record.message and str(item.pk) in record.message for record in caplog.records)

    # Blocked from now on, and the page says why, in both languages.
    again = download(client, item, HTTP_ACCEPT_LANGUAGE="en")
    assert again.status_code == 409
    assert "This item is blocked: its stored bytes no longer match its seal." in html.unescape(again.content.decode())
    page = client.get(f"/evidence/{item.pk}/", HTTP_ACCEPT_LANGUAGE="fr")
    assert "Bloquée : le fichier conservé ne correspond plus à son scellé." in html.unescape(page.content.decode())


def test_a_truncated_or_missing_stored_file_is_detected(
    citizen: User, client: Client, evidence_dirs: dict[str, Path]
) -> None:
    short = sealed_item(uploader=citizen, content=corpus.text(lines=50), name="a.txt")
    path = stored_path(short, evidence_dirs)
    os.chmod(path, 0o600)
    with open(path, "r+b") as stored:
        stored.truncate(100)
    # A file of one chunk is checked whole before any answer: nothing is sent, the page says why.
    refused = download(client, short, HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 409
    assert "This item is blocked: its stored bytes no longer match its seal." in html.unescape(refused.content.decode())
    missing = sealed_item(uploader=citizen, content=corpus.text(lines=50), name="b.txt")
    stored_path(missing, evidence_dirs).unlink()
    assert download(client, missing).status_code == 409
    for item in (short, missing):
        item.refresh_from_db()
        assert item.status == EvidenceItem.Status.BLOCKED
        # Nothing left, so no download in the chain of custody: only the failed check.
        assert not item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).exists()
        assert item.custody_events.filter(action=CustodyEvent.Action.VERIFICATION_FAILED).count() == 1


def test_verification_records_verified_or_blocks(citizen: User, evidence_dirs: dict[str, Path]) -> None:
    item = sealed_item(uploader=citizen, content=corpus.text(), name="a.txt")
    assert evidence_verify(item=item, actor=None, purpose="Scheduled check") is True
    assert item.custody_events.filter(action=CustodyEvent.Action.VERIFIED, purpose="Scheduled check").exists()
    path = stored_path(item, evidence_dirs)
    os.chmod(path, 0o600)
    path.write_bytes(path.read_bytes().replace(b"ligne", b"LIGNE", 1))
    assert evidence_verify(item=item, actor=None, purpose="Scheduled check") is False
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.BLOCKED


def test_the_stored_original_is_read_only_and_named_by_its_uuid(citizen: User, evidence_dirs: dict[str, Path]) -> None:
    item = sealed_item(uploader=citizen, name="../../secret.pdf")
    path = stored_path(item, evidence_dirs)
    assert path.name == str(item.storage_key) and path.parent.parent == evidence_dirs["store"]
    assert path.stat().st_mode & 0o777 == 0o440
    assert list(evidence_dirs["staging"].iterdir()) == []
