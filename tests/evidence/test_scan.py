"""Antivirus before download: without a scanner (embedded default) items are available and say so; with a scanner
configured, an item waits "pending scan" and cannot be downloaded until clamd finds it clean, and an unreachable
scanner keeps it waiting (fail closed). The verdicts of a real clamd are in tests/integration/test_clamd.py."""

from __future__ import annotations

import datetime
import html
import io
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.conf import LazySettings
from django.test import Client
from django.utils import timezone

from evidence.clamd import ClamdAddress, ClamdClient, ScannerUnavailableError
from evidence.models import CustodyEvent, EvidenceItem
from evidence.scan import evidence_scan
from evidence.tasks import rescan_pending_evidence
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus

pytestmark = pytest.mark.django_db


@pytest.fixture
def citizen(client: Client) -> User:
    user = UserFactory()
    client.force_login(user)
    return user


@pytest.fixture
def unreachable_scanner(settings: LazySettings, tmp_path: Path) -> str:
    """A scanner configured at a socket where nothing listens: clamd is down."""
    settings.CLAMD_ADDRESS = str(tmp_path / "clamd.sock")
    settings.CLAMD_TIMEOUT_SECONDS = 2
    return settings.CLAMD_ADDRESS


def upload(client: Client, content: bytes, name: str) -> Any:
    handle = io.BytesIO(content)
    handle.name = name
    return client.post("/evidence/upload/", {"files": [handle]})


def page(client: Client, item: EvidenceItem, language: str) -> str:
    return html.unescape(client.get(f"/evidence/{item.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode())


@pytest.mark.parametrize(
    ("language", "notice"),
    [
        ("en", "No antivirus scanner is configured on this portal: this file was not scanned for viruses."),
        ("fr", "Aucun antivirus n’est configuré sur ce portail : ce fichier n’a pas été analysé."),
    ],
)
def test_without_a_scanner_items_are_available_and_their_page_says_so(
    client: Client, citizen: User, language: str, notice: str
) -> None:
    assert upload(client, corpus.text(), "pv.txt").status_code == 302
    item = EvidenceItem.objects.get()
    assert item.status == EvidenceItem.Status.AVAILABLE
    assert item.inspection["antivirus"] == {"result": "no_scanner"}
    assert notice in page(client, item, language)
    response: Any = client.post(f"/evidence/{item.pk}/download/", {"purpose": "Audience"})
    assert b"".join(response.streaming_content) == corpus.text()


@pytest.mark.parametrize(
    ("language", "on_page", "refusal"),
    [
        (
            "en",
            "Pending antivirus scan: this file cannot be downloaded until the scan finds it clean.",
            "This item is waiting for its antivirus scan and cannot be downloaded yet.",
        ),
        (
            "fr",
            "En attente d’analyse antivirus : ce fichier ne peut pas être téléchargé tant que l’analyse ne l’a "
            "pas trouvé sain.",
            "Cette pièce attend son analyse antivirus et ne peut pas encore être téléchargée.",
        ),
    ],
)
def test_with_the_scanner_unreachable_an_item_stays_pending_and_cannot_be_downloaded(
    client: Client,
    citizen: User,
    unreachable_scanner: str,
    django_capture_on_commit_callbacks: Any,
    language: str,
    on_page: str,
    refusal: str,
) -> None:
    # The scan task runs (eagerly) once the seal is committed, retries, and gives up: the upload still succeeds.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        assert upload(client, corpus.text(), "pv.txt").status_code == 302
    # The scan, and the lock of the stored object (a no-op on the local store).
    assert len(callbacks) == 2
    item = EvidenceItem.objects.get()
    assert item.status == EvidenceItem.Status.PENDING_SCAN
    assert item.inspection["antivirus"] == {"result": "pending"}
    body = page(client, item, language)
    assert on_page in body and "fr-badge--warning" in body

    response = client.post(f"/evidence/{item.pk}/download/", {"purpose": "Audience"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 409
    assert refusal in html.unescape(response.content.decode())
    assert not item.custody_events.filter(action=CustodyEvent.Action.DOWNLOADED).exists()

    with pytest.raises(ScannerUnavailableError):
        evidence_scan(item_id=item.pk)
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.PENDING_SCAN
    assert not item.custody_events.filter(
        action__in=[CustodyEvent.Action.SCANNED, CustodyEvent.Action.QUARANTINED]
    ).exists()


def test_the_sweep_queues_again_items_left_pending_and_they_still_wait(
    client: Client, citizen: User, unreachable_scanner: str
) -> None:
    assert upload(client, corpus.text(), "pv.txt").status_code == 302
    item = EvidenceItem.objects.get()
    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        rescan_pending_evidence()
    item.refresh_from_db()
    assert item.status == EvidenceItem.Status.PENDING_SCAN


def test_an_item_no_longer_pending_is_not_scanned_again(client: Client, citizen: User, settings: LazySettings) -> None:
    assert upload(client, corpus.text(), "pv.txt").status_code == 302
    item = EvidenceItem.objects.get()
    settings.CLAMD_ADDRESS = "127.0.0.1:9"  # would fail if it were contacted
    assert evidence_scan(item_id=item.pk) == EvidenceItem.Status.AVAILABLE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/run/clamav/clamd.ctl", ClamdAddress(unix_path="/run/clamav/clamd.ctl")),
        ("unix:///run/clamav/clamd.ctl", ClamdAddress(unix_path="/run/clamav/clamd.ctl")),
        ("clamav:3310", ClamdAddress(host="clamav", port=3310)),
        ("tcp://127.0.0.1:3310", ClamdAddress(host="127.0.0.1", port=3310)),
        ("[::1]:3310", ClamdAddress(host="::1", port=3310)),
    ],
)
def test_clamd_addresses_are_a_socket_path_or_host_and_port(value: str, expected: ClamdAddress) -> None:
    assert ClamdAddress.parse(value) == expected


@pytest.mark.parametrize("value", ["clamav", "clamav:port", ":3310"])
def test_a_malformed_clamd_address_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="clamd address"):
        ClamdAddress.parse(value)


def test_a_closed_port_is_an_unavailable_scanner() -> None:
    with pytest.raises(ScannerUnavailableError, match="unreachable"):
        ClamdClient("127.0.0.1:9", timeout=2).scan([b"data"])
