"""End to end: the reference client (``python -m evidence.transmit_client``) against the portal running as a real
process (gunicorn, its own SQLite database file, Celery eager in the server), authenticated with organisation API
credentials. The test process reads and writes the same database file to set up units and offices and to check
what the server did (seals, log entries, tokens); nothing of the server or the client is replaced."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connections
from django.db.backends.sqlite3.base import DatabaseWrapper
from django.utils import timezone
from PIL import Image

from evidence import transmit_client
from evidence.checkpoint import Checkpoint, open_note
from evidence.keys import log_verifiers
from evidence.models import LogEntry, Transmission, TusUpload
from justice.accounts import services as account_services
from justice.accounts.models import ApiAccessToken, ApiClient, Membership, Organisation
from tests.accounts.factories import OrganisationFactory, staff_member
from tests.evidence import corpus
from tests.sandbox_idp import free_port

ROOT = Path(__file__).resolve().parents[2]
SECRET_ENV = "JUSTICE_TEST_CLIENT_SECRET"


@dataclass(frozen=True)
class LivePortal:
    url: str
    database: Path
    log: Path
    env: dict[str, str]
    pid: int  # gunicorn's master: it starts a new worker when one dies


@pytest.fixture(scope="module")
def live_portal(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LivePortal]:
    root = tmp_path_factory.mktemp("portal")
    database = root / "db.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "justice.settings.test",
        "DATABASE_URL": f"sqlite:///{database}",
        "EVIDENCE_STORE_DIR": str(root / "evidence"),
        "EVIDENCE_STAGING_DIR": str(root / "staging"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)  # Celery eager in the server: a complete upload is checked in its request
    subprocess.run([sys.executable, "manage.py", "migrate", "--verbosity", "0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    log = root / "server.log"
    gunicorn = Path(sys.executable).with_name("gunicorn")
    # One request at a time: SQLite refuses a second writer at once ("database is locked") where PostgreSQL waits.
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(gunicorn), "justice.wsgi", f"--bind=127.0.0.1:{port}", "--workers=1", "--threads=1", "--timeout=120"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    portal = LivePortal(url=f"http://127.0.0.1:{port}", database=database, log=log, env=env, pid=process.pid)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{portal.url}/api/v1/transmissions/", timeout=30)
                break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the portal did not start:\n{log.read_text()}")
            time.sleep(0.3)
        yield portal
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.fixture
def portal(live_portal: LivePortal, django_db_blocker: Any) -> Iterator[LivePortal]:
    """The live portal, with this process's ORM pointed at its database file (rows committed at once)."""
    original = connections["default"]
    # A SQLite file, whichever database the suite runs on: none of another engine's options.
    options = original.settings_dict["OPTIONS"] if original.vendor == "sqlite" else {}
    shared = DatabaseWrapper(
        {**original.settings_dict, "NAME": str(live_portal.database), "OPTIONS": options}, alias="default"
    )
    connections["default"] = shared
    try:
        with django_db_blocker.unblock():
            yield live_portal
    finally:
        shared.close()
        connections["default"] = original


@dataclass(frozen=True)
class Unit:
    unit: Organisation
    office: Organisation
    client_id: str
    secret: str
    office_client_id: str
    office_secret: str


def make_unit() -> Unit:
    tag = uuid.uuid4().hex[:6].upper()
    unit = OrganisationFactory(kind=Organisation.Kind.POLICE_UNIT, name=f"Commissariat {tag}", code=f"CP-{tag}")
    office = OrganisationFactory(kind=Organisation.Kind.PROSECUTOR_OFFICE, name=f"Parquet {tag}", code=f"PR-{tag}")
    client, secret = account_services.api_client_create(
        organisation=unit, name="Logiciel de rédaction des procédures", scopes=["transmissions"], actor=None
    )
    office_client, office_secret = account_services.api_client_create(
        organisation=office, name="Logiciel du parquet", scopes=["transmissions"], actor=None
    )
    return Unit(unit, office, client.client_id, secret, office_client.client_id, office_secret)


def jpeg(seed: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), color=(seed % 256, 80, 160)).save(out, format="JPEG")
    return out.getvalue()


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def procedure(folder: Path, unit: Unit, files: dict[str, bytes], items: list[dict[str, Any]] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    manifest: dict[str, Any] = {
        "recipient": unit.office.code,
        "procedure_number": f"2026/{uuid.uuid4().hex[:8]}",
        "offence": "Vol avec effraction",
        "summary": "Cambriolage d'un appartement, relevés et auditions.",
        "persons": [
            {"name": "Jean Dupont", "role": "suspect", "birth_date": "1990-02-03"},
            {"name": "Marie Témoin", "role": "witness"},
        ],
    }
    if items is not None:
        manifest["items"] = items
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return folder


def run_client(
    portal: LivePortal, folder: Path, unit: Unit, monkeypatch: pytest.MonkeyPatch, *extra: str
) -> tuple[int, str]:
    monkeypatch.setenv(SECRET_ENV, unit.secret)
    out = io.StringIO()
    code = transmit_client.main(
        [
            str(folder),
            "--url",
            portal.url,
            "--client-id",
            unit.client_id,
            "--client-secret-env",
            SECRET_ENV,
            "--language=en",
            *extra,
        ],
        out=out,
    )
    return code, out.getvalue()


def log_key(tmp_path: Path) -> Path:
    path = tmp_path / "log.pub"
    path.write_text(log_verifiers()[0].encode() + "\n")
    return path


def state(folder: Path) -> dict[str, Any]:
    return json.loads((folder / ".transmission-state.json").read_text())


def test_a_complete_transmission_is_acknowledged_sealed_and_logged(portal: LivePortal, tmp_path: Path) -> None:
    unit = make_unit()
    files = {"pv-audition.pdf": corpus.pdf(pages=2), "photo-1.jpg": jpeg(1), "photo-2.jpg": jpeg(2)}
    folder = procedure(tmp_path / "procedure", unit, files)
    key = log_key(tmp_path)
    env = {**portal.env, SECRET_ENV: unit.secret}
    command = [
        sys.executable,
        "-m",
        "evidence.transmit_client",
        str(folder),
        f"--url={portal.url}",
        f"--client-id={unit.client_id}",
        f"--client-secret-env={SECRET_ENV}",
        f"--log-key={key}",
    ]
    # As a unit runs it: a process of its own, without Django.
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ACKNOWLEDGED" in done.stdout and "signature verified" in done.stdout

    transmission = Transmission.objects.get(pk=state(folder)["transmission"])
    assert transmission.status == Transmission.Status.ACKNOWLEDGED and transmission.sender == unit.unit
    note = (folder / "acknowledgement.txt").read_text()
    assert note == transmission.acknowledgement
    document = json.loads(open_note(note, log_verifiers()[0]))
    checkpoint = Checkpoint.parse(open_note(document["checkpoint"], log_verifiers()[0]))
    assert document["manifest_sha256"] == transmission.manifest_sha256
    assert sorted((row["name"], row["sha256"]) for row in document["items"]) == sorted(
        (name, sha(data)) for name, data in files.items()
    )
    for row in document["items"]:
        entry = transmission.items.get(name=row["name"])
        assert entry.item is not None and entry.item.seal.sha256 == row["sha256"]
        log_entry = LogEntry.objects.get(seal__item=entry.item)
        assert log_entry.index == row["log_index"] < checkpoint.size

    # Run again: nothing is sent or created twice.
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "already acknowledged" in again.stdout
    assert Transmission.objects.filter(sender=unit.unit).count() == 1
    # The client imports no Django: a unit can copy it.
    probe = "import sys, evidence.transmit_client; print(sorted(m for m in sys.modules if m.startswith('django')))"
    modules = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert modules.stdout.strip() == "[]"


def test_each_wrong_file_is_refused_with_its_reason(
    portal: LivePortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = make_unit()
    original = {name: (name[0].upper() * 2000).encode() for name in ("a.txt", "b.txt", "c.txt", "d.txt")}
    flipped = bytearray(original["a.txt"])
    flipped[1000] ^= 0x01
    items: list[dict[str, Any]] = [
        # Seized with this SHA-256; one byte changed since.
        {"name": "a.txt", "kind": "other", "size": 2000, "sha256": sha(original["a.txt"])},
        # The manifest's size is wrong.
        {"name": "b.txt", "kind": "other", "size": 2001, "sha256": sha(original["b.txt"])},
        # Announced, never put in the folder.
        {"name": "c.txt", "kind": "other", "size": 2000, "sha256": sha(original["c.txt"])},
        {"name": "d.txt", "kind": "other"},
    ]
    files = {"a.txt": bytes(flipped), "b.txt": original["b.txt"], "d.txt": original["d.txt"], "extra.txt": b"E" * 10}
    folder = procedure(tmp_path / "procedure", unit, files, items)

    code, output = run_client(portal, folder, unit, monkeypatch)

    assert code == 1, output
    assert "REFUSED" in output
    lines = {line.split()[0]: line for line in output.splitlines() if line.startswith("  ") and len(line.split()) > 1}
    assert "sha256_mismatch" in lines["a.txt"] and "does not match the manifest" in lines["a.txt"]
    assert "size_mismatch" in lines["b.txt"]
    assert "missing" in lines["c.txt"] and "not sent" in lines["c.txt"]
    assert lines["d.txt"].split()[1] == "ok"
    assert "unexpected_item" in lines["extra.txt"]
    transmission = Transmission.objects.get(pk=state(folder)["transmission"])
    assert transmission.status == Transmission.Status.OPEN and not transmission.acknowledgement
    assert not (folder / "acknowledgement.txt").exists()
    assert {row["name"]: row["code"] for row in transmission.report if row["status"] != "ok"} == {
        "a.txt": "sha256_mismatch",
        "b.txt": "size_mismatch",
        "c.txt": "missing",
        "extra.txt": "unexpected_item",
    }

    # The right a.txt comes back and c.txt is found: run again; only what is refused or missing is sent.
    (folder / "a.txt").write_bytes(original["a.txt"])
    (folder / "c.txt").write_bytes(original["c.txt"])
    code, output = run_client(portal, folder, unit, monkeypatch)
    assert code == 1
    assert "d.txt: already received" in output and "extra.txt: already sent" in output
    lines = {line.split()[0]: line for line in output.splitlines() if line.startswith("  ") and len(line.split()) > 1}
    assert lines["a.txt"].split()[1] == "ok" and lines["c.txt"].split()[1] == "ok"
    assert "size_mismatch" in lines["b.txt"]


def test_an_interrupted_upload_resumes_where_it_stopped(
    portal: LivePortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = make_unit()
    video = b"\x00\x00\x00\x18ftypmp42" + os.urandom(3 * 1024 * 1024)
    folder = procedure(tmp_path / "procedure", unit, {"audition.mp4": video, "pv.pdf": corpus.pdf()})
    env = {**portal.env, SECRET_ENV: unit.secret}
    command = [
        sys.executable,
        "-m",
        "evidence.transmit_client",
        str(folder),
        f"--url={portal.url}",
        f"--client-id={unit.client_id}",
        f"--client-secret-env={SECRET_ENV}",
        "--chunk-size=65536",
    ]
    with (tmp_path / "client.log").open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    upload = None
    while time.monotonic() < deadline:
        upload = TusUpload.objects.filter(filename="audition.mp4", organisation=unit.unit).first()
        if upload is not None and upload.offset >= 512 * 1024:
            break
        time.sleep(0.05)
    process.send_signal(signal.SIGKILL)  # the machine goes down mid-transfer
    process.wait(timeout=10)
    assert upload is not None
    # A chunk the client had fully sent may still be being written: wait until the offset holds still.
    stopped_at = -1
    while upload.offset != stopped_at:
        stopped_at = upload.offset
        time.sleep(1)
        upload.refresh_from_db()
    assert 0 < stopped_at < len(video), stopped_at

    code, output = run_client(portal, folder, unit, monkeypatch, "--chunk-size=1048576")

    assert code == 0, output
    assert f"audition.mp4: resuming at byte {stopped_at} of {len(video)}" in output
    assert f"audition.mp4: sent {len(video) - stopped_at} bytes" in output
    # The same upload was continued, not started again.
    assert list(TusUpload.objects.filter(filename="audition.mp4", organisation=unit.unit)) == [upload]
    transmission = Transmission.objects.get(pk=state(folder)["transmission"])
    assert transmission.status == Transmission.Status.ACKNOWLEDGED
    assert transmission.items.get(name="audition.mp4").item.seal.sha256 == sha(video)  # type: ignore[union-attr]


def test_a_token_expiring_mid_transfer_is_renewed(
    portal: LivePortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = make_unit()
    files = {f"photo-{n}.jpg": jpeg(n) for n in range(3)}
    folder = procedure(tmp_path / "procedure", unit, files)
    client = ApiClient.objects.get(client_id=unit.client_id)

    # Expire the token in the database once the first file is sent: the next call gets a 401.
    def expire_tokens(text: str) -> None:
        if "photo-0.jpg: sent" in text:
            ApiAccessToken.objects.filter(client=client).update(expires_at=timezone.now())

    class Out(io.StringIO):
        def write(self, text: str) -> int:
            expire_tokens(text)
            return super().write(text)

    monkeypatch.setenv(SECRET_ENV, unit.secret)
    out = Out()
    # One file at a time, in this thread: the hook above uses this thread's database connection.
    arguments = [
        str(folder),
        f"--url={portal.url}",
        f"--client-id={unit.client_id}",
        f"--client-secret-env={SECRET_ENV}",
    ]
    code = transmit_client.main([*arguments, "--parallel=1"], out=out)
    assert code == 0, out.getvalue()
    assert ApiAccessToken.objects.filter(client=client).count() == 2


def test_revoked_credentials_are_refused_at_once(
    portal: LivePortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit = make_unit()
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN, organisation=unit.unit).user
    token = requests.post(
        f"{portal.url}/api/v1/oauth/token/",
        data={"grant_type": "client_credentials", "scope": "transmissions"},
        auth=(unit.client_id, unit.secret),
        timeout=10,
    ).json()["access_token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{portal.url}/api/v1/transmissions/", headers=bearer, timeout=10).status_code == 200

    account_services.api_client_revoke(client=ApiClient.objects.get(client_id=unit.client_id), actor=admin)

    refused = requests.get(f"{portal.url}/api/v1/transmissions/", headers=bearer, timeout=10)
    assert refused.status_code == 401
    tus = requests.post(
        f"{portal.url}/evidence/uploads/",
        headers={**bearer, "Tus-Resumable": "1.0.0", "Upload-Length": "10", "Upload-Metadata": "filename YS50eHQ="},
        timeout=10,
    )
    assert tus.status_code == 401
    folder = procedure(tmp_path / "procedure", unit, {"pv.pdf": corpus.pdf()})
    code, output = run_client(portal, folder, unit, monkeypatch)
    assert code == 1 and "refused the credentials" in output, output
    assert not Transmission.objects.filter(sender=unit.unit).exists()


def test_a_unit_reads_only_its_own_transmissions_and_an_office_only_its_inbox(
    portal: LivePortal, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    unit, other = make_unit(), make_unit()
    folder = procedure(tmp_path / "procedure", unit, {"pv.pdf": corpus.pdf()})
    code, output = run_client(portal, folder, unit, monkeypatch)
    assert code == 0, output
    transmission_id = state(folder)["transmission"]

    def session(client_id: str, secret: str) -> requests.Session:
        token = requests.post(
            f"{portal.url}/api/v1/oauth/token/",
            data={"grant_type": "client_credentials", "scope": "transmissions"},
            auth=(client_id, secret),
            timeout=10,
        ).json()["access_token"]
        http = requests.Session()
        http.headers["Authorization"] = f"Bearer {token}"
        return http

    def listed(http: requests.Session) -> list[str]:
        response = http.get(f"{portal.url}/api/v1/transmissions/", timeout=10)
        assert response.status_code == 200
        return [row["id"] for row in response.json()["results"]]

    detail = f"{portal.url}/api/v1/transmissions/{transmission_id}/"
    own_unit = session(unit.client_id, unit.secret)
    own_office = session(unit.office_client_id, unit.office_secret)
    for http in (own_unit, own_office):
        assert transmission_id in listed(http)
        assert http.get(detail, timeout=10).status_code == 200
        assert http.get(f"{detail}acknowledgement/", timeout=10).status_code == 200
    for http in (session(other.client_id, other.secret), session(other.office_client_id, other.office_secret)):
        assert transmission_id not in listed(http)
        assert http.get(detail, timeout=10).status_code == 404
        assert http.get(f"{detail}acknowledgement/", timeout=10).status_code == 404
        assert http.post(f"{detail}submit/", timeout=10).status_code == 404


def test_a_connection_dropped_by_the_server_is_resumed_in_the_same_run(portal: LivePortal, tmp_path: Path) -> None:
    unit = make_unit()
    # Large enough, in small chunks, for the kills below to land mid-transfer even on a fast machine.
    video = b"\x00\x00\x00\x18ftypmp42" + os.urandom(24 * 1024 * 1024)
    folder = procedure(tmp_path / "procedure", unit, {"audition.mp4": video})
    env = {**portal.env, SECRET_ENV: unit.secret}
    command = [
        sys.executable,
        "-m",
        "evidence.transmit_client",
        str(folder),
        f"--url={portal.url}",
        f"--client-id={unit.client_id}",
        f"--client-secret-env={SECRET_ENV}",
        "--chunk-size=262144",
    ]
    log = tmp_path / "client.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    # The server's worker dies mid-transfer (gunicorn starts another): the client's connection is cut. A kill can
    # land between two requests (nothing to cut then), so the worker is killed again, once the upload has moved
    # on, until the client says it tried again; each try is a real cut.
    offset, kills = 0, 0
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and kills < 10 and "trying again" not in log.read_text():
        upload = TusUpload.objects.filter(filename="audition.mp4", organisation=unit.unit).first()
        if upload is None or upload.offset < offset + 512 * 1024:
            time.sleep(0.02)
            continue
        assert upload.offset < upload.length, "the upload ended before the client was cut"
        workers = subprocess.run(["pgrep", "-P", str(portal.pid)], capture_output=True, text=True).stdout.split()
        for worker in workers:
            os.kill(int(worker), signal.SIGKILL)
        offset, kills = upload.offset, kills + 1
    process.wait(timeout=120)

    output = log.read_text()
    assert process.returncode == 0, output
    assert "trying again from the portal's offset" in output
    assert "ACKNOWLEDGED" in output
    transmission = Transmission.objects.get(pk=state(folder)["transmission"])
    assert transmission.status == Transmission.Status.ACKNOWLEDGED
    # One upload, continued: nothing was sent from the start again.
    assert TusUpload.objects.filter(filename="audition.mp4", organisation=unit.unit).count() == 1
