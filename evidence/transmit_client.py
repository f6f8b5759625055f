"""Reference client of the police transmission API: ``python -m evidence.transmit_client MANIFEST_DIR --url URL
--client-id ID``.

A police unit may use it as is or copy it: it depends only on ``requests``, ``tuspy``, ``cryptography`` and the
standard library (and :mod:`evidence.checkpoint`, which has no Django import), never on Django.

``MANIFEST_DIR`` holds ``manifest.json`` and the files of the procedure::

    {"recipient": "PR-DEMO", "procedure_number": "2026/001234", "offence": "Vol avec effraction",
     "summary": "...", "persons": [{"name": "Jean Dupont", "role": "suspect", "birth_date": "1990-02-03"}],
     "items": [{"name": "pv.pdf", "kind": "record", "description": "..."}]}

``items`` is optional: without it every file of the folder is announced, its kind guessed from its extension. An
item may carry the ``size`` and ``sha256`` taken when the evidence was seized: they are announced as they are, so
the portal — not the client — decides whether the file still matches them. Files of the folder the manifest does
not list are sent as well, and the portal reports them as unexpected: the folder is the procedure.

The client computes each file's size and SHA-256, obtains a token (OAuth2 client credentials, the secret read from
the environment variable ``--client-secret-env``), creates the transmission with an ``Idempotency-Key``, uploads
each file with tus (chunked, each chunk with its ``Upload-Checksum``), waits for the portal to check them, submits,
and saves the signed acknowledgement in ``MANIFEST_DIR/acknowledgement.txt`` after checking it (signature with the
pinned log key ``--log-key``, every file with its SHA-256, the manifest's hash).

Interrupted (network, machine, days): run the same command again. ``MANIFEST_DIR/.transmission-state.json`` keeps
the transmission id, the idempotency key, the exact request body and each file's upload URL: the client resumes
each upload at the offset the portal has. Exit status: 0 acknowledged, 1 refused or failed (reasons printed),
2 usage error.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import sys
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import requests
from tusclient.client import TusClient
from tusclient.exceptions import TusCommunicationError, TusUploadFailed
from tusclient.uploader import Uploader

from evidence.checkpoint import Checkpoint, CheckpointError, Verifier, open_note

MANIFEST_NAME = "manifest.json"
STATE_NAME = ".transmission-state.json"
ACKNOWLEDGEMENT_NAME = "acknowledgement.txt"
# Files of the folder that are the client's own, never sent.
OWN_FILES = {MANIFEST_NAME, STATE_NAME, ACKNOWLEDGEMENT_NAME}
MANIFEST_FORMAT = "justice-transmission-manifest/1"
ACKNOWLEDGEMENT_FORMAT = "justice-transmission-acknowledgement/1"
API_PATH = "/api/v1/"
TOKEN_PATH = "/api/v1/oauth/token/"  # noqa: S105 - a URL, not a secret
SCOPE = "transmissions"
# Bytes per PATCH. Each PATCH is a request (token, the upload's row, a part in the store): a 700 MB procedure costs
# the portal's workers 4.0-4.5 CPU s in 32 MiB chunks, 5.1-5.4 in 8 MiB ones; an interrupted chunk is sent again.
DEFAULT_CHUNK_SIZE = 32 * 1024 * 1024
HASH_CHUNK = 1024 * 1024
TIMEOUT = 60
# Waits before sending a chunk again after a dropped connection or a server error (then the run stops).
RETRY_DELAYS = (1.0, 3.0, 10.0)
KINDS_BY_EXTENSION = {
    ".pdf": "record",
    ".jpg": "photo",
    ".jpeg": "photo",
    ".png": "photo",
    ".tif": "photo",
    ".tiff": "photo",
    ".heic": "photo",
    ".mp3": "audio",
    ".wav": "audio",
    ".m4a": "audio",
    ".ogg": "audio",
    ".mp4": "video",
    ".mov": "video",
    ".avi": "video",
    ".mkv": "video",
}


class ClientError(Exception):
    """The transmission cannot go on; the message says why and what to do."""


class Refused(ClientError):
    """The portal refused the submission; ``files`` is its report, file by file."""

    def __init__(self, message: str, files: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.files = files


class Unauthorized(ClientError):
    pass


def file_digest(path: Path) -> tuple[int, str]:
    """Size and SHA-256 of a file, read in chunks (a video of several GB never sits in memory)."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as stream:
        while chunk := stream.read(HASH_CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def digest_files(paths: list[Path]) -> dict[Path, tuple[int, str]]:
    """:func:`file_digest` of those of ``paths`` that are files, several at once (one per processor: hashing
    releases the interpreter's lock, so a procedure's files hash in parallel)."""
    present = [path for path in paths if path.is_file()]
    with ThreadPoolExecutor(max_workers=max(1, min(len(present), os.cpu_count() or 1))) as pool:
        return dict(zip(present, pool.map(file_digest, present), strict=True))


def canonical_json(document: Any) -> str:
    """Keys sorted, no spaces, UTF-8 as is: the form the portal hashes and signs."""
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# --- the manifest -----------------------------------------------------------------------------------------------


@dataclass
class LocalFile:
    name: str
    path: Path
    announced: bool


def load_manifest(folder: Path) -> tuple[dict[str, Any], list[LocalFile]]:
    """The request body announcing the procedure, and the files to send (announced or not)."""
    try:
        manifest = json.loads((folder / MANIFEST_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ClientError(f"{folder / MANIFEST_NAME} is missing: write the manifest of the procedure first.") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ClientError(f"{folder / MANIFEST_NAME} is not valid UTF-8 JSON: {error}") from None
    if not isinstance(manifest, dict):
        raise ClientError(f"{folder / MANIFEST_NAME} must be a JSON object.")
    for field in ("recipient", "procedure_number", "offence"):
        if not str(manifest.get(field) or "").strip():
            raise ClientError(f"{MANIFEST_NAME}: give “{field}”.")
    present = sorted(
        path.name
        for path in folder.iterdir()
        if path.is_file() and path.name not in OWN_FILES and not path.name.startswith(".")
    )
    listed = manifest.get("items")
    if listed is None:
        listed = [{"name": name} for name in present]
    if not isinstance(listed, list) or not all(isinstance(item, dict) and item.get("name") for item in listed):
        raise ClientError(f"{MANIFEST_NAME}: “items” must be a list of objects, each with a “name”.")
    for entry in listed:
        name = str(entry["name"])
        if (folder / name).name != name or name in OWN_FILES:
            raise ClientError(f"{MANIFEST_NAME}: “{name}” is not a plain file name of the folder.")
    digests = digest_files([folder / str(entry["name"]) for entry in listed])
    items: list[dict[str, Any]] = []
    for entry in listed:
        name = str(entry["name"])
        path = folder / name
        size, sha256 = entry.get("size"), entry.get("sha256")
        if path in digests:
            local_size, local_sha256 = digests[path]
            if size is not None and (size, str(sha256 or local_sha256).lower()) != (local_size, local_sha256):
                print(
                    f"warning: {name} no longer matches the size or SHA-256 that {MANIFEST_NAME} announces; it is "
                    "sent as it is and the portal will say whether it matches.",
                    file=sys.stderr,
                )
            size = local_size if size is None else size
            sha256 = local_sha256 if sha256 is None else sha256
        elif size is None or sha256 is None:
            raise ClientError(f"{name} is not in {folder}: put it there, or announce its size and sha256.")
        else:
            print(f"warning: {name} is not in {folder}: the portal will report it missing.", file=sys.stderr)
        kind = entry.get("kind") or KINDS_BY_EXTENSION.get(path.suffix.lower(), "other")
        items.append(
            {
                "name": name,
                "kind": kind,
                "size": int(size),
                "sha256": str(sha256).lower(),
                "description": str(entry.get("description") or ""),
            }
        )
    names = {item["name"] for item in items}
    files = [
        LocalFile(item["name"], folder / item["name"], True) for item in items if (folder / item["name"]).is_file()
    ]
    for name in present:
        if name not in names:
            print(
                f"warning: {name} is in the folder but not in {MANIFEST_NAME}: it is sent, and the portal will report "
                "it as unexpected.",
                file=sys.stderr,
            )
            files.append(LocalFile(name, folder / name, False))
    body = {
        "recipient": str(manifest["recipient"]),
        "procedure_number": str(manifest["procedure_number"]),
        "offence": str(manifest["offence"]),
        "summary": str(manifest.get("summary") or ""),
        "persons": manifest.get("persons") or [],
        "items": items,
    }
    if manifest.get("sender"):
        body["sender"] = str(manifest["sender"])
    return body, files


def manifest_sha256(body: dict[str, Any], sender: str) -> str:
    """The SHA-256 the portal computes for this manifest (its canonical JSON), recomputed here."""
    document = {
        "format": MANIFEST_FORMAT,
        "sender": sender,
        "recipient": body["recipient"],
        "procedure_number": body["procedure_number"].strip(),
        "offence": body["offence"].strip(),
        "summary": body["summary"].strip(),
        "persons": [
            {
                "name": str(person.get("name", "")).strip(),
                "role": str(person.get("role", "")).strip(),
                "birth_date": str(person.get("birth_date") or "").strip(),
            }
            for person in body["persons"]
        ],
        "items": [
            {
                "name": item["name"],
                "kind": item["kind"],
                "size": item["size"],
                "sha256": item["sha256"],
                "description": item["description"].strip(),
            }
            for item in body["items"]
        ],
    }
    return hashlib.sha256(canonical_json(document).encode()).hexdigest()


# --- state kept between runs ------------------------------------------------------------------------------------


class State:
    """``.transmission-state.json``: written after every step that the portal must not see twice."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data: dict[str, Any] = {}
        self.lock = threading.Lock()  # files are sent by several threads
        if path.exists():
            try:
                self.data = json.loads(path.read_text(encoding="utf-8"))
            except json.JSONDecodeError as error:
                raise ClientError(f"{path} is damaged ({error}): remove it to start a new transmission.") from None

    def save(self) -> None:
        with self.lock:
            temporary = self.path.with_suffix(".tmp")
            temporary.write_text(json.dumps(self.data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            temporary.replace(self.path)

    @property
    def uploads(self) -> dict[str, str]:
        return self.data.setdefault("uploads", {})  # type: ignore[no-any-return]


# --- the portal -------------------------------------------------------------------------------------------------


class Portal:
    """The API with a bearer token, renewed once when the portal says it is no longer valid (401)."""

    def __init__(self, url: str, client_id: str, secret: str, *, language: str = "", verify_tls: bool = True) -> None:
        self.url = url.rstrip("/") + "/"
        self.client_id = client_id
        self.secret = secret
        self.language = language
        self.session = requests.Session()
        self.session.verify = verify_tls
        if language:
            self.session.headers["Accept-Language"] = language
        self.token = ""
        self.token_lock = threading.Lock()

    def absolute(self, path: str) -> str:
        return urljoin(self.url, path.lstrip("/"))

    def authenticate(self, *, refused: str | None = None) -> None:
        """Obtain a token; ``refused``: the token the portal just refused (another thread may have renewed it)."""
        with self.token_lock:
            if refused is not None and self.token != refused:
                return
            self._authenticate()

    def _authenticate(self) -> None:
        try:
            response = self.session.post(
                self.absolute(TOKEN_PATH),
                data={"grant_type": "client_credentials", "scope": SCOPE},
                auth=(self.client_id, self.secret),
                timeout=TIMEOUT,
            )
        except requests.RequestException as error:
            raise ClientError(f"cannot reach the portal at {self.url}: {error}") from None
        if response.status_code != 200:
            raise Unauthorized(f"the portal refused the credentials of client {self.client_id}: {_detail(response)}")
        self.token = response.json()["access_token"]

    @property
    def headers(self) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"}
        if self.language:
            headers["Accept-Language"] = self.language  # the language of the portal's refusals
        return headers

    def call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if not self.token:
            self.authenticate()
        for attempt in (1, 2):
            headers = {**kwargs.pop("headers", {}), **self.headers}
            try:
                response = self.session.request(method, self.absolute(path), headers=headers, timeout=TIMEOUT, **kwargs)
            except requests.RequestException as error:
                raise ClientError(f"cannot reach the portal at {self.url}: {error}") from None
            if response.status_code != 401 or attempt == 2:
                break
            kwargs["headers"] = headers
            self.authenticate()  # the token expired, or the credentials were revoked (then this refuses)
        if response.status_code == 401:
            raise Unauthorized(f"the portal refused the access token: {_detail(response)}")
        return response

    def with_token(self, operation: Callable[[], Any], *, retry: Callable[[], Any] | None = None) -> Any:
        """Run a tus operation; on a 401, renew the token and run ``retry`` (or the operation) once more."""
        token = self.token
        try:
            return operation()
        except (TusCommunicationError, TusUploadFailed) as error:
            if error.status_code != 401:
                raise
            self.authenticate(refused=token)
            return (retry or operation)()


def _detail(response: requests.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return f"HTTP {response.status_code}: {response.text.strip()[:500]}"
    if isinstance(body, dict):
        text = body.get("detail") or body.get("error_description") or body
        return f"HTTP {response.status_code}: {text}"
    return f"HTTP {response.status_code}: {body}"


class Md5Uploader(Uploader):
    """tuspy's uploader, with each chunk's ``Upload-Checksum`` in MD5 (tuspy defaults to SHA-1): the portal hands it
    to its object store, which checks the chunk where it is kept, and the portal hashes the file (SHA-256) as it
    passes instead of reading it back at the end. The file's SHA-256 in the manifest is what it is sealed under."""

    CHECKSUM_ALGORITHM_PAIR = ("md5", functools.partial(hashlib.md5, usedforsecurity=False))


# --- the transmission -------------------------------------------------------------------------------------------


class Transmitter:
    def __init__(
        self,
        folder: Path,
        portal: Portal,
        *,
        chunk_size: int = DEFAULT_CHUNK_SIZE,
        recipient: str | None = None,
        poll_seconds: float = 1.0,
        check_timeout: float = 3600.0,
        parallel: int = 2,
        out: Any = sys.stdout,
    ) -> None:
        self.parallel = max(1, parallel)
        self.sending_started = time.monotonic()
        self.folder = folder
        self.portal = portal
        self.chunk_size = chunk_size
        self.recipient = recipient
        self.poll_seconds = poll_seconds
        self.check_timeout = check_timeout
        self.out = out
        self.state = State(folder / STATE_NAME)

    def say(self, text: str) -> None:
        print(text, file=self.out, flush=True)

    def run(self) -> dict[str, Any]:
        """Create or resume, upload, wait for the checks, submit; returns the acknowledged transmission."""
        body, files = self.prepare()
        transmission = self.open(body)
        if transmission["status"] == "acknowledged":
            self.say(f"Transmission {transmission['id']} was already acknowledged.")
            return transmission
        if transmission["status"] != "open":
            raise ClientError(
                f"transmission {transmission['id']} is {transmission['status']} ({transmission['status_label']}): "
                f"nothing more can be sent to it. Remove {self.state.path} to start a new transmission."
            )
        rows = {row["name"]: row for row in transmission["files"]}
        upload_url = transmission["upload_url"]
        # Largest first: the portal checks each file once it is complete (it reads it back from its store), so the
        # checks of the big videos then run while the small files arrive, instead of after everything was sent.
        files = sorted(files, key=lambda local: local.path.stat().st_size, reverse=True)
        self.sending_started = time.monotonic()
        if self.parallel == 1:
            for local in files:
                self.send(local, rows.get(local.name), upload_url, transmission["id"])
            return self.finish(transmission["id"])
        # Several files at once (each one's chunks in order): the portal checks one while the next arrives.
        with ThreadPoolExecutor(max_workers=self.parallel) as pool:
            sending = [
                pool.submit(self.send, local, rows.get(local.name), upload_url, transmission["id"]) for local in files
            ]
        failures = [future.exception() for future in sending if future.exception() is not None]
        if failures:
            for failure in failures[1:]:
                self.say(f"ERROR: {failure}")
            raise failures[0]  # type: ignore[misc]
        return self.finish(transmission["id"])

    def finish(self, transmission_id: str) -> dict[str, Any]:
        started = time.monotonic()
        self.say(f"All files sent in {started - self.sending_started:.1f} s.")
        self.wait_for_checks(transmission_id)
        self.say(f"The portal checked the files (waited {time.monotonic() - started:.1f} s).")
        return self.submit(transmission_id)

    def prepare(self) -> tuple[dict[str, Any], list[LocalFile]]:
        started = time.monotonic()
        body, files = load_manifest(self.folder)
        size = sum(item["size"] for item in body["items"])
        self.say(f"Manifest: {len(body['items'])} files, {size} bytes, hashed in {time.monotonic() - started:.1f} s.")
        if self.recipient:
            body["recipient"] = self.recipient
        if "body" in self.state.data and self.state.data["body"] != canonical_json(body):
            self.say(
                f"note: {MANIFEST_NAME} changed since the transmission was created; the manifest announced then "
                f"stays (a manifest cannot change). Remove {STATE_NAME} to send a new transmission."
            )
        return body, files

    def open(self, body: dict[str, Any]) -> dict[str, Any]:
        """The transmission of the state file, or a new one (created once, whatever the retries)."""
        if self.state.data.get("transmission"):
            response = self.portal.call("GET", f"{API_PATH}transmissions/{self.state.data['transmission']}/")
            if response.status_code == 404:
                raise ClientError(
                    f"the portal does not know transmission {self.state.data['transmission']} (or it is not your "
                    f"unit's). Remove {self.state.path} to start a new transmission."
                )
            if response.status_code != 200:
                raise ClientError(f"cannot read the transmission: {_detail(response)}")
            transmission: dict[str, Any] = response.json()
            self.say(f"Resuming transmission {transmission['id']} (procedure {transmission['procedure_number']}).")
            return transmission
        if "idempotency_key" not in self.state.data:
            self.state.data.update(idempotency_key=str(uuid.uuid4()), body=canonical_json(body), uploads={})
            self.state.save()  # before the request: a retry after a crash sends the same key and body
        response = self.portal.call(
            "POST",
            f"{API_PATH}transmissions/",
            data=self.state.data["body"].encode(),
            headers={"Content-Type": "application/json", "Idempotency-Key": self.state.data["idempotency_key"]},
        )
        if response.status_code != 201:
            problems = _detail(response)
            raise ClientError(f"the portal refused the manifest: {problems}")
        transmission = response.json()
        self.state.data["transmission"] = transmission["id"]
        self.state.save()
        sent = json.loads(self.state.data["body"])
        expected = manifest_sha256(sent, transmission["sender"]["code"])
        if transmission["manifest_sha256"] != expected:
            raise ClientError(
                f"the portal's manifest hash {transmission['manifest_sha256']} is not the one of the manifest sent "
                f"({expected}): do not go on, and report it."
            )
        self.say(
            f"Transmission {transmission['id']} created for procedure {transmission['procedure_number']} "
            f"(manifest SHA-256 {transmission['manifest_sha256']}), open until {transmission['expires_at']}."
        )
        return transmission

    def send(self, local: LocalFile, row: dict[str, Any] | None, upload_url: str, transmission_id: str) -> None:
        """Upload one file, or resume its upload at the offset the portal has."""
        status = row["status"] if row else None
        stored = self.state.uploads.get(local.name)
        if status in ("ok", "checking"):
            self.say(f"  {local.name}: already received.")
            return
        if status == "unexpected" and stored:
            self.say(f"  {local.name}: already sent (not in the manifest).")
            return
        if status == "refused":
            stored = None  # the portal refused what it received: send the file again
        with local.path.open("rb") as stream:
            self._send(local, stream, stored, upload_url, transmission_id)

    def _send(self, local: LocalFile, stream: Any, stored: str | None, upload_url: str, transmission_id: str) -> None:
        size = local.path.stat().st_size
        tus = TusClient(self.portal.absolute(upload_url))

        def uploader(url: str | None) -> Uploader:
            tus.headers = dict(self.portal.headers)
            return Md5Uploader(
                file_stream=stream,
                url=url,
                client=tus,
                chunk_size=self.chunk_size,
                metadata={"filename": local.name, "transmission": transmission_id},
                upload_checksum=True,
            )

        current: Uploader | None = None
        if stored:
            try:
                current = self.portal.with_token(lambda: uploader(stored))
            except TusCommunicationError as error:
                if error.status_code not in (404, 410):
                    raise ClientError(f"{local.name}: cannot resume its upload: {_tus_error(error)}") from None
                self.say(f"  {local.name}: its unfinished upload is gone ({error.status_code}); sending it again.")
            if current is not None and current.offset >= size:
                self.say(f"  {local.name}: already sent.")
                return
            if current is not None:
                self.say(f"  {local.name}: resuming at byte {current.offset} of {size}.")
        if current is None:
            fresh = uploader(None)

            def create() -> str:
                tus.headers = dict(self.portal.headers)
                return fresh.create_url()  # type: ignore[no-any-return]

            try:
                url = self.portal.with_token(create)
            except (TusCommunicationError, TusUploadFailed) as error:
                raise ClientError(f"{local.name}: the portal refused the upload: {_tus_error(error)}") from None
            fresh.set_url(url)
            fresh.offset = 0
            self.state.uploads[local.name] = url
            self.state.save()
            current = fresh
        upload = current
        started = time.monotonic()
        first = upload.offset

        def chunk() -> None:
            tus.headers = dict(self.portal.headers)
            upload.upload_chunk()  # type: ignore[no-untyped-call]

        def resume_chunk() -> None:  # after a new token: ask where the portal stopped, then go on
            tus.headers = dict(self.portal.headers)
            upload.offset = upload.get_offset()
            if upload.offset < size:
                upload.upload_chunk()  # type: ignore[no-untyped-call]

        failures = 0
        while upload.offset < size:
            try:
                self.portal.with_token(chunk, retry=resume_chunk)
                failures = 0
            except (TusCommunicationError, TusUploadFailed) as error:
                # A dropped connection or a server error: wait, ask the portal where it stopped, go on from there.
                transient = error.status_code is None or error.status_code >= 500
                failures += 1
                if not transient or failures > len(RETRY_DELAYS):
                    raise ClientError(
                        f"{local.name}: the upload stopped at byte {upload.offset} of {size}: {_tus_error(error)}. "
                        "Run the same command again to resume."
                    ) from None
                self.say(f"  {local.name}: {_tus_error(error)[:200]}; trying again from the portal's offset.")
                time.sleep(RETRY_DELAYS[failures - 1])
                try:
                    tus.headers = dict(self.portal.headers)
                    upload.offset = upload.get_offset()
                except TusCommunicationError:
                    continue  # counted at the next failure
        seconds = max(time.monotonic() - started, 1e-6)
        self.say(f"  {local.name}: sent {size - first} bytes in {seconds:.1f} s.")

    def wait_for_checks(self, transmission_id: str) -> dict[str, Any]:
        """The portal checks each complete file in the background: wait until none is being checked (asking
        again soon at first, a file's checks often take a second or two, then every ``poll_seconds``)."""
        deadline = time.monotonic() + self.check_timeout
        pause = min(0.1, self.poll_seconds)
        while True:
            response = self.portal.call("GET", f"{API_PATH}transmissions/{transmission_id}/")
            if response.status_code != 200:
                raise ClientError(f"cannot read the transmission: {_detail(response)}")
            transmission: dict[str, Any] = response.json()
            if not any(row["status"] == "checking" for row in transmission["files"]):
                return transmission
            if time.monotonic() > deadline:
                raise ClientError("the portal is still checking the files: run the same command again later.")
            time.sleep(pause)
            pause = min(pause * 2, self.poll_seconds)

    def submit(self, transmission_id: str) -> dict[str, Any]:
        response = self.portal.call("POST", f"{API_PATH}transmissions/{transmission_id}/submit/")
        if response.status_code == 409 and "files" in response.json():
            raise Refused(response.json()["detail"], response.json()["files"])
        if response.status_code != 200:
            raise ClientError(f"the submission failed: {_detail(response)}")
        return response.json()  # type: ignore[no-any-return]

    def acknowledgement(self, transmission: dict[str, Any], verifier: Verifier | None) -> dict[str, Any]:
        """Fetch, save and check the signed acknowledgement; returns its document."""
        response = self.portal.call("GET", f"{API_PATH}transmissions/{transmission['id']}/acknowledgement/")
        if response.status_code != 200:
            raise ClientError(f"cannot fetch the acknowledgement: {_detail(response)}")
        note = response.content.decode("utf-8")
        (self.folder / ACKNOWLEDGEMENT_NAME).write_text(note, encoding="utf-8", newline="")
        return check_acknowledgement(note, transmission, verifier)


def check_acknowledgement(note: str, transmission: dict[str, Any], verifier: Verifier | None) -> dict[str, Any]:
    """The acknowledgement's document, after checking its signature (when a key is pinned) and that it names the
    manifest and every file exactly as announced."""
    if verifier is not None:
        try:
            text = open_note(note, verifier)
            document = json.loads(text)
            checkpoint = Checkpoint.parse(open_note(document["checkpoint"], verifier))
        except (CheckpointError, ValueError, KeyError) as error:
            raise ClientError(
                f"the acknowledgement's signature does not verify with the pinned log key: {error}"
            ) from None
        if any(row["log_index"] >= checkpoint.size for row in document["items"]):
            raise ClientError("the acknowledgement names a log index beyond its checkpoint.")
    else:
        document = json.loads(note.partition("\n\n")[0])
    if document.get("format") != ACKNOWLEDGEMENT_FORMAT:
        raise ClientError(f"the acknowledgement is not of the format {ACKNOWLEDGEMENT_FORMAT}.")
    if document["transmission"] != transmission["id"] or document["manifest_sha256"] != transmission["manifest_sha256"]:
        raise ClientError("the acknowledgement is not the one of this transmission or of its manifest.")
    announced = [(item["name"], item["size"], item["sha256"]) for item in transmission["items"]]
    acknowledged = [(item["name"], item["size"], item["sha256"]) for item in document["items"]]
    if announced != acknowledged:
        raise ClientError("the acknowledgement does not list every file of the manifest with its size and SHA-256.")
    return document  # type: ignore[no-any-return]


def _tus_error(error: TusCommunicationError | TusUploadFailed) -> str:
    content = error.response_content
    text = content.decode("utf-8", "replace").strip() if isinstance(content, bytes) else str(content or "")
    return f"HTTP {error.status_code}: {text}" if error.status_code else str(error)


def load_verifier(value: str) -> Verifier:
    """The pinned log key, given as its text (``name+keyid+base64``) or as a file holding it."""
    text = value
    try:
        if Path(value).is_file():
            text = Path(value).read_text(encoding="utf-8")
    except OSError as error:
        raise ClientError(f"cannot read the log key {value}: {error}") from None
    try:
        return Verifier.decode(text.strip().splitlines()[0] if text.strip() else "")
    except CheckpointError as error:
        raise ClientError(f"the log key is not valid: {error}") from None


def print_report(files: list[dict[str, Any]], out: Any) -> None:
    width = max((len(row["name"]) for row in files), default=10)
    for row in files:
        mark = "ok" if row["status"] == "ok" else row["code"] or row["status"]
        reason = f"  {row['reason']}" if row.get("reason") else ""
        print(f"  {row['name']:<{width}}  {mark}{reason}", file=out)


def main(argv: Sequence[str] | None = None, *, out: Any = None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(
        prog="python -m evidence.transmit_client",
        description="Send a procedure (manifest.json and its files) to a prosecutor's office through the portal.",
    )
    parser.add_argument("folder", metavar="MANIFEST_DIR", type=Path)
    parser.add_argument("--url", required=True, help="the portal, e.g. https://portal.example")
    parser.add_argument("--client-id", required=True)
    parser.add_argument(
        "--client-secret-env",
        default="JUSTICE_CLIENT_SECRET",
        help="environment variable holding the client secret (default JUSTICE_CLIENT_SECRET)",
    )
    parser.add_argument("--recipient", help="code of the prosecutor's office (overrides manifest.json)")
    parser.add_argument(
        "--log-key", help="the transparency log's public key (file or text) to verify the acknowledgement"
    )
    parser.add_argument(
        "--language", default="", help="language of the portal's messages, e.g. fr or en (default: the portal's)"
    )
    parser.add_argument("--chunk-size", type=int, default=DEFAULT_CHUNK_SIZE, help="bytes per tus request")
    parser.add_argument("--parallel", type=int, default=2, help="files sent at the same time (default 2)")
    parser.add_argument("--check-timeout", type=float, default=3600.0, help="seconds to wait for the portal's checks")
    arguments = parser.parse_args(argv)
    secret = os.environ.get(arguments.client_secret_env, "")
    if not secret:
        parser.error(f"set the client secret in the environment variable {arguments.client_secret_env}")
    if not arguments.folder.is_dir():
        parser.error(f"{arguments.folder} is not a folder")
    try:
        verifier = load_verifier(arguments.log_key) if arguments.log_key else None
        portal = Portal(arguments.url, arguments.client_id, secret, language=arguments.language)
        transmitter = Transmitter(
            arguments.folder,
            portal,
            chunk_size=arguments.chunk_size,
            recipient=arguments.recipient,
            check_timeout=arguments.check_timeout,
            parallel=arguments.parallel,
            out=out,
        )
        transmission = transmitter.run()
        document = transmitter.acknowledgement(transmission, verifier)
    except Refused as refusal:
        print(f"REFUSED: {refusal}", file=out)
        print_report(refusal.files, out)
        print("Fix these files and run the same command again: what was received is kept.", file=out)
        return 1
    except ClientError as error:
        print(f"ERROR: {error}", file=out)
        return 1
    size = sum(item["size"] for item in document["items"])
    signed = "signature verified" if verifier is not None else "signature NOT verified (pass --log-key)"
    print(
        f"ACKNOWLEDGED: transmission {transmission['id']}, procedure {document['procedure_number']} to "
        f"{document['recipient']}, {len(document['items'])} files, {size} bytes, manifest {document['manifest_sha256']}"
        f", received {document['received_at']}, {signed}; saved {arguments.folder / ACKNOWLEDGEMENT_NAME}",
        file=out,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
