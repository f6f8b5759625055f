"""Police transmissions: manifest, files checked against it, submission refused file by file or acknowledged with a
signed note, the procedure in the office's queue, and who sees what."""

from __future__ import annotations

import datetime
import hashlib
import io
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from evidence import transmissions
from evidence.checkpoint import Checkpoint as SignedCheckpoint
from evidence.checkpoint import open_note
from evidence.keys import log_verifiers
from evidence.models import CustodyEvent, Transmission, TusUpload
from evidence.transmissions import ManifestEntry, TransmissionError
from evidence.tus import Metadata, TusError, tus_upload_append, tus_upload_complete, tus_upload_create
from filings import services as filing_services
from filings.models import Case, Filing, Party
from justice.accounts.models import User
from tests.filings.conftest import Jurisdiction, make_jurisdiction

pytestmark = pytest.mark.django_db

RECORD = b"%PDF-1.4\n" + b"1 0 obj << >> endobj\n" * 10 + b"trailer << /Root 1 0 R >>\n%%EOF\n"
PHOTO_TEXT = b"Photo du lieu des faits (texte pour le test)\n" * 40


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def place() -> Jurisdiction:
    return make_jurisdiction("DEMO")


FILES = {"pv-audition.txt": "Procès-verbal d'audition\n".encode() * 100, "notes.txt": PHOTO_TEXT}


def open_transmission(place: Jurisdiction, files: dict[str, bytes] = FILES, **kwargs: Any) -> Transmission:
    return transmissions.transmission_create(
        user=kwargs.pop("user", place.police),
        sender=None,
        recipient=kwargs.pop("recipient", place.office),
        procedure_number="2026/001234",
        offence="Vol avec effraction",
        summary="Cambriolage d'un appartement.",
        persons=[
            {"name": "Jean Dupont", "role": "suspect", "birth_date": "1990-02-03"},
            {"name": "Marie Curie", "role": "victim"},
            {"name": "Paul Témoin", "role": "witness"},
        ],
        entries=[
            ManifestEntry(name, "record" if name.startswith("pv") else "other", len(data), sha(data))
            for name, data in files.items()
        ],
        channel="api",
        **kwargs,
    )


def send(user: User, transmission: Transmission, name: str, data: bytes) -> TusUpload:
    metadata = Metadata(
        filename=name, filetype="", sha256="", case_ref="", organisation="", transmission=str(transmission.pk)
    )
    upload = tus_upload_create(user=user, length=len(data), metadata=metadata, channel="api", language="en")
    tus_upload_append(user=user, pk=upload.pk, offset=0, content_length=len(data), body=io.BytesIO(data), checksum=None)
    return tus_upload_complete(upload_id=upload.pk)


def test_a_complete_transmission_is_acknowledged_sealed_logged_and_queued_at_the_office(place: Jurisdiction) -> None:
    transmission = open_transmission(place)
    for name, data in FILES.items():
        upload = send(place.police, transmission, name, data)
        assert upload.state == TusUpload.State.SEALED, upload.error_message
    transmission = transmissions.transmission_submit(transmission=transmission, user=place.police)

    assert transmission.status == Transmission.Status.ACKNOWLEDGED
    # The acknowledgement is signed with the log's key and names every file with its seal and place in the log.
    text = open_note(transmission.acknowledgement, log_verifiers()[0])
    document = json.loads(text)
    assert document["manifest_sha256"] == transmission.manifest_sha256
    assert [(row["name"], row["sha256"]) for row in document["items"]] == [(n, sha(d)) for n, d in FILES.items()]
    checkpoint = SignedCheckpoint.parse(open_note(document["checkpoint"], log_verifiers()[0]))
    assert all(row["log_index"] < checkpoint.size for row in document["items"])
    # The manifest hash is the SHA-256 of its canonical JSON, which a client can recompute.
    manifest = transmissions.manifest_document(transmission)
    assert sha(transmissions.canonical_json(manifest).encode()) == transmission.manifest_sha256
    for entry in transmission.items.all():
        assert entry.item is not None
        assert entry.item.seal.sha256 == entry.sha256
        assert entry.item.custody_events.filter(action=CustodyEvent.Action.TRANSMITTED).count() == 1
    # The office finds it in its queue, and opens a criminal case from it: the unit and the persons are parties.
    filing = transmission.filing
    assert filing is not None and filing.kind == Filing.Kind.POLICE_TRANSMISSION
    assert filing.status == Filing.Status.SUBMITTED and filing.recipient == place.office
    assert [exhibit.item_id for exhibit in filing.exhibits.order_by("number")] == [
        entry.item_id for entry in transmission.items.order_by("position")
    ]
    filing = filing_services.filing_review(filing=filing, actor=place.prosecutor, decision=Filing.Decision.ACCEPTED)
    assert filing.status == Filing.Status.DOCKETED
    case = filing.case
    assert case is not None
    assert case.kind == Case.Kind.CRIMINAL and case.court == place.office
    roles = sorted((party.role, party.name) for party in case.parties.all())
    assert roles == [
        (Party.Role.DEFENDANT, "Jean Dupont"),
        (Party.Role.POLICE_UNIT, ""),
        (Party.Role.VICTIM, "Marie Curie"),
    ]
    # Submitting again changes nothing.
    again = transmissions.transmission_submit(transmission=transmission, user=place.police)
    assert again.acknowledgement == transmission.acknowledgement


def test_each_wrong_file_is_refused_with_its_reason_and_blocks_the_submission(place: Jurisdiction) -> None:
    files = {"a.txt": b"A" * 1000, "b.txt": b"B" * 1000, "c.txt": b"C" * 1000, "d.txt": b"D" * 1000}
    transmission = open_transmission(place, files)
    flipped = bytearray(files["a.txt"])
    flipped[500] ^= 0x01
    refused = send(place.police, transmission, "a.txt", bytes(flipped))
    assert refused.state == TusUpload.State.REJECTED and refused.error_code == "sha256_mismatch"
    longer = send(place.police, transmission, "b.txt", files["b.txt"] + b"!")
    assert longer.state == TusUpload.State.REJECTED and longer.error_code == "size_mismatch"
    # c.txt never sent; d.txt fine; an extra file the manifest does not announce.
    send(place.police, transmission, "d.txt", files["d.txt"])
    extra = send(place.police, transmission, "extra.txt", b"E" * 10)
    assert extra.state == TusUpload.State.REJECTED and extra.error_code == "unexpected_item"

    with pytest.raises(TransmissionError) as refusal:
        transmissions.transmission_submit(transmission=transmission, user=place.police)
    assert refusal.value.code == "mismatch"
    by_name = {row["name"]: row for row in refusal.value.errors}
    assert by_name["a.txt"]["code"] == "sha256_mismatch"
    assert by_name["b.txt"]["code"] == "size_mismatch"
    assert by_name["c.txt"]["status"] == "missing"
    assert by_name["d.txt"]["status"] == "ok"
    assert by_name["extra.txt"]["status"] == "unexpected"
    transmission.refresh_from_db()
    assert transmission.status == Transmission.Status.OPEN and transmission.report == refusal.value.errors
    assert transmission.filing is None

    # Corrected: the right files, the extra upload removed.
    send(place.police, transmission, "a.txt", files["a.txt"])
    send(place.police, transmission, "b.txt", files["b.txt"])
    send(place.police, transmission, "c.txt", files["c.txt"])
    TusUpload.objects.filter(pk=extra.pk).delete()
    transmission = transmissions.transmission_submit(transmission=transmission, user=place.police)
    assert transmission.status == Transmission.Status.ACKNOWLEDGED


def test_a_file_already_received_cannot_be_sent_twice(place: Jurisdiction) -> None:
    transmission = open_transmission(place)
    send(place.police, transmission, "notes.txt", FILES["notes.txt"])
    metadata = Metadata("notes.txt", "", "", "", "", transmission=str(transmission.pk))
    with pytest.raises(TusError) as refusal:
        tus_upload_create(user=place.police, length=10, metadata=metadata, channel="api")
    assert refusal.value.status == 409


def test_manifests_are_checked_entry_by_entry(place: Jurisdiction) -> None:
    bad = [
        ManifestEntry("../etc/passwd", "record", 10, "0" * 64),
        ManifestEntry("x.pdf", "sound", 10, "0" * 64),
        ManifestEntry("y.pdf", "record", 0, "nothex"),
        ManifestEntry("x.pdf", "photo", 10, "0" * 64),
    ]
    with pytest.raises(TransmissionError) as refusal:
        transmissions.transmission_create(
            user=place.police,
            sender=None,
            recipient=place.office,
            procedure_number="1",
            offence="Vol",
            entries=bad,
            channel="api",
        )
    assert len(refusal.value.errors) == 5
    with pytest.raises(TransmissionError) as refusal:
        open_transmission(place, recipient=place.court)
    assert refusal.value.code == "recipient"
    with pytest.raises(TransmissionError) as refusal:
        open_transmission(place, user=place.prosecutor)
    assert refusal.value.code == "sender"


def test_an_expired_transmission_takes_no_more_files(place: Jurisdiction) -> None:
    transmission = open_transmission(place)
    Transmission.objects.filter(pk=transmission.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    metadata = Metadata("notes.txt", "", "", "", "", transmission=str(transmission.pk))
    with pytest.raises(TusError) as refusal:
        tus_upload_create(user=place.police, length=10, metadata=metadata, channel="api")
    assert refusal.value.status == 410
    assert transmissions.transmissions_expire() == 1
    transmission.refresh_from_db()
    assert transmission.status == Transmission.Status.EXPIRED


def test_who_sees_a_transmission(place: Jurisdiction) -> None:
    elsewhere = make_jurisdiction("AILLEURS")
    transmission = open_transmission(place)
    visible = lambda user: transmissions.transmission_list(user=user).filter(pk=transmission.pk).exists()  # noqa: E731
    assert visible(place.police)
    # The office sees it only once acknowledged; other units and offices, judges and clerks of courts never.
    for user in (place.prosecutor, elsewhere.police, elsewhere.prosecutor, place.clerk, place.judge, place.lawyer):
        assert not visible(user)
    for name, data in FILES.items():
        send(place.police, transmission, name, data)
    transmissions.transmission_submit(transmission=transmission, user=place.police)
    assert visible(place.prosecutor) and visible(place.office_clerk)
    for user in (elsewhere.police, elsewhere.prosecutor, place.clerk, place.judge, place.lawyer):
        assert not visible(user)
    # Another unit cannot send files to it either.
    metadata = Metadata("notes.txt", "", "", "", "", transmission=str(transmission.pk))
    with pytest.raises(TusError) as refusal:
        tus_upload_create(user=elsewhere.police, length=10, metadata=metadata, channel="api")
    assert refusal.value.status == 404


def test_the_api_flow_with_a_session(place: Jurisdiction, client: Client) -> None:
    client.force_login(place.police)
    payload: dict[str, Any] = {
        "recipient": place.office.code,
        "procedure_number": "2026/77",
        "offence": "Dégradation",
        "persons": [{"name": "X Y", "role": "suspect"}],
        "items": [{"name": n, "kind": "other", "size": len(d), "sha256": sha(d)} for n, d in FILES.items()],
    }
    created = client.post("/api/v1/transmissions/", payload, content_type="application/json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "open" and body["upload_url"].endswith("/evidence/uploads/")
    assert [row["status"] for row in body["files"]] == ["missing", "missing"]
    refused = client.post(f"/api/v1/transmissions/{body['id']}/submit/")
    assert refused.status_code == 409 and refused.json()["code"] == "mismatch"
    assert client.get(f"/api/v1/transmissions/{body['id']}/acknowledgement/").status_code == 409
    transmission = Transmission.objects.get(pk=body["id"])
    for name, data in FILES.items():
        send(place.police, transmission, name, data)
    done = client.post(f"/api/v1/transmissions/{body['id']}/submit/")
    assert done.status_code == 200 and done.json()["status"] == "acknowledged"
    note = client.get(f"/api/v1/transmissions/{body['id']}/acknowledgement/")
    assert note.status_code == 200 and note["Content-Type"].startswith("text/plain")
    assert json.loads(open_note(note.content.decode(), log_verifiers()[0]))["transmission"] == body["id"]
    # A bad manifest: a precise message, nothing created.
    bad = client.post(
        "/api/v1/transmissions/",
        {**payload, "items": [{**payload["items"][0], "sha256": "x"}]},
        content_type="application/json",
    )
    assert bad.status_code == 400 and "sha256" in bad.json()["items"]["0"]
    # Another unit's officer gets 404.
    elsewhere = make_jurisdiction("AILLEURS")
    client.force_login(elsewhere.police)
    assert client.get(f"/api/v1/transmissions/{body['id']}/").status_code == 404
    assert client.post(f"/api/v1/transmissions/{body['id']}/submit/").status_code == 404
