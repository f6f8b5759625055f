"""Sealing cost, as ratios measured in one run on one machine (not a test).

(a) Our streaming SHA-256 (the chunk loop of evidence.ingest, hashing only, then hashing + writing the staging
    file) against ``openssl dgst -sha256`` on the same file, read from the page cache in both cases.
(b) A full HTTP upload of the same file through the portal (gunicorn, one sync worker, 127.0.0.1), through the
    evidence upload view (stream, hash, check, store, seal) and through a plain Django upload view without sealing
    (Django's own upload handlers, saved as is), with the server worker's peak RSS for each.
(c) A resumable upload (tus 1.0.0) of the same file through the same server: creation, PATCH requests of
    ``--tus-chunk`` bytes (without, then with an Upload-Checksum per chunk), and the completion (one hashing pass,
    checks, store, seal; Celery runs eagerly, inside the last PATCH), reported against the plain upload of (b).

Usage: .venv/bin/python benchmarks/seal_ingest.py [--size 2GiB] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parent.parent
CHUNK = 256 * 1024  # evidence.ingest.STAGING_CHUNK_SIZE, the size the upload handler receives
PORT = 58123
T = TypeVar("T")
UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}


def parse_size(text: str) -> int:
    match = re.fullmatch(r"(\d+)\s*([kKmMgG]?)(i?[bB])?", text.strip())
    if not match:
        raise argparse.ArgumentTypeError(f"not a size: {text}")
    return int(match.group(1)) * UNITS[match.group(2).lower()]


def generate(path: Path, size: int) -> None:
    """A plain-text file (so the portal accepts it), written in 1 MiB blocks."""
    line = b"Transcription d'audition : le temoin declare avoir vu le vehicule a 21 h 40.\n"
    block = line * (1024 * 1024 // len(line) + 1)
    block = block[: 1024 * 1024]
    with open(path, "wb") as out:
        left = size
        while left > 0:
            out.write(block[: min(left, len(block))])
            left -= min(left, len(block))


def warm(path: Path) -> None:
    with open(path, "rb") as source:
        while source.read(8 * 1024 * 1024):
            pass


def timed(fn: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def openssl_sha256(path: Path) -> str:
    out = subprocess.run(["openssl", "dgst", "-sha256", "-r", str(path)], check=True, capture_output=True, text=True)
    return out.stdout.split()[0]


def python_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as source:
        while chunk := source.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def write_settings(work: Path, size: int) -> None:
    (work / "bench_settings.py").write_text(
        textwrap.dedent(
            f"""
            from justice.settings.test import *  # noqa: F403

            DEBUG = False
            ALLOWED_HOSTS = ["127.0.0.1"]
            DATABASES = {{"default": {{"ENGINE": "django.db.backends.sqlite3", "NAME": {str(work / "db.sqlite3")!r}}}}}
            STORAGES = {{
                **STORAGES,
                "default": {{"BACKEND": "django.core.files.storage.FileSystemStorage",
                             "OPTIONS": {{"location": {str(work / "plain")!r}}}}},
                "evidence": {{"BACKEND": "evidence.storage.EvidenceFileSystemStorage",
                              "OPTIONS": {{"location": {str(work / "evidence")!r}}}}},
            }}
            EVIDENCE_STAGING_DIR = {str(work / "staging")!r}
            FILE_UPLOAD_TEMP_DIR = {str(work / "staging")!r}
            EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE = {{
                role: {size + 1024 * 1024} for role in EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE
            }}
            ROOT_URLCONF = "bench_urls"
            LOGGING = {{"version": 1, "disable_existing_loggers": False, "root": {{"level": "WARNING"}}}}
            """
        )
    )
    # The baseline: Django's stock upload handling, saved to disk as is: no hash, no check, no seal.
    (work / "bench_urls.py").write_text(
        textwrap.dedent(
            """
            from django.core.files.storage import default_storage
            from django.http import HttpResponse
            from django.urls import include, path
            from django.views.decorators.csrf import csrf_exempt


            @csrf_exempt
            def plain_upload(request):
                for uploaded in request.FILES.getlist("files"):
                    default_storage.save(uploaded.name, uploaded)
                return HttpResponse(status=201)


            urlpatterns = [path("bench/plain-upload/", plain_upload), path("", include("justice.urls"))]
            """
        )
    )
    (work / "staging").mkdir(exist_ok=True)


def django_env(work: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench_settings",
        "PYTHONPATH": f"{work}{os.pathsep}{ROOT}",
    }


def prepare_database(work: Path) -> dict[str, str]:
    """Migrate, create a user and a signed-in session; returns the cookies to send."""
    env = django_env(work)
    python = sys.executable
    subprocess.run([python, str(ROOT / "manage.py"), "migrate", "--noinput", "-v0"], check=True, env=env, cwd=ROOT)
    script = textwrap.dedent(
        """
        import django; django.setup()
        from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
        from django.contrib.sessions.backends.db import SessionStore
        from justice.accounts.models import User
        user = User.objects.create_user("bench@example.org", "a long benchmark password")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        print(session.session_key)
        """
    )
    out = subprocess.run([python, "-c", script], check=True, env=env, cwd=work, capture_output=True, text=True)
    return {"sessionid": out.stdout.strip().splitlines()[-1], "csrftoken": secrets.token_hex(16)}


def worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM")


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def upload(path: Path, size: int, url_path: str, cookies: dict[str, str]) -> tuple[float, int]:
    boundary = "----justice-bench-" + secrets.token_hex(8)
    fields = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{cookies["csrftoken"]}\r\n'
    )
    head = (
        fields + f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="audition.txt"\r\n'
        "Content-Type: text/plain\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=3600)
    start = time.perf_counter()
    connection.putrequest("POST", url_path)
    connection.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
    connection.putheader("Content-Length", str(len(head) + size + len(tail)))
    connection.putheader("Cookie", "; ".join(f"{k}={v}" for k, v in cookies.items()))
    connection.putheader("Referer", f"http://127.0.0.1:{PORT}/evidence/upload/")
    connection.endheaders()
    connection.send(head)
    with open(path, "rb") as source:
        while chunk := source.read(1024 * 1024):
            connection.send(chunk)
    connection.send(tail)
    response = connection.getresponse()
    response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return elapsed, response.status


def tus_upload(path: Path, size: int, cookies: dict[str, str], chunk: int, *, checksum: bool) -> tuple[float, int]:
    """Create a tus upload, send the file in PATCH requests of ``chunk`` bytes; returns (seconds, final status)."""
    common = {
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "X-CSRFToken": cookies["csrftoken"],
        "Tus-Resumable": "1.0.0",
    }
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=3600)
    start = time.perf_counter()
    name = base64.b64encode(b"audition.txt").decode()
    connection.request(
        "POST",
        "/evidence/uploads/",
        headers={**common, "Upload-Length": str(size), "Upload-Metadata": f"filename {name}"},
    )
    response = connection.getresponse()
    response.read()
    if response.status != 201:
        raise SystemExit(f"tus creation failed: {response.status}")
    location = urllib.parse.urlsplit(response.getheader("Location") or "").path
    offset = 0
    status = 0
    with open(path, "rb") as source:
        while offset < size:
            length = min(chunk, size - offset)
            headers = {
                **common,
                "Content-Type": "application/offset+octet-stream",
                "Upload-Offset": str(offset),
                "Content-Length": str(length),
            }
            if checksum:
                digest = hashlib.sha256()
                source.seek(offset)
                remaining = length
                while remaining and (piece := source.read(min(1024 * 1024, remaining))):
                    digest.update(piece)
                    remaining -= len(piece)
                headers["Upload-Checksum"] = "sha256 " + base64.b64encode(digest.digest()).decode()
            source.seek(offset)
            connection.putrequest("PATCH", location)
            for key, value in headers.items():
                connection.putheader(key, value)
            connection.endheaders()
            remaining = length
            while remaining and (piece := source.read(min(1024 * 1024, remaining))):
                connection.send(piece)
                remaining -= len(piece)
            response = connection.getresponse()
            response.read()
            status = response.status
            if status != 204:
                raise SystemExit(f"tus PATCH at {offset} failed: {status}")
            offset = int(response.getheader("Upload-Offset") or 0)
    elapsed = time.perf_counter() - start
    connection.request("GET", location + "/status", headers=common)
    response = connection.getresponse()
    state = json.loads(response.read())["state"]
    connection.close()
    if state != "sealed":
        raise SystemExit(f"tus upload ended {state}")
    return elapsed, status


def serve_and_upload(
    work: Path,
    path: Path,
    size: int,
    url_path: str,
    cookies: dict[str, str],
    send: Callable[[], tuple[float, int]] | None = None,
) -> tuple[float, int, int, int]:
    server = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            "1",
            "--timeout",
            "3600",
            "justice.wsgi:application",
        ],
        env=django_env(work),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{PORT}/accessibility/", timeout=2).read()
                break
            except OSError:
                time.sleep(0.1)
        worker = worker_pid(server.pid)
        idle = rss_kib(worker)
        elapsed, status = send() if send else upload(path, size, url_path, cookies)
        peak = peak_rss_kib(worker)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    return elapsed, status, idle, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=parse_size, default=parse_size("2GiB"), help="file size, e.g. 512MiB, 2GiB")
    parser.add_argument(
        "--tus-chunk", type=parse_size, default=parse_size("64MiB"), help="bytes per tus PATCH request (c)"
    )
    parser.add_argument("--workdir", type=Path, default=None, help="where to put the file (default: a temp dir)")
    args = parser.parse_args()
    size: int = args.size
    work = Path(tempfile.mkdtemp(prefix="seal-bench-", dir=args.workdir))
    try:
        run(work, size, args.tus_chunk)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run(work: Path, size: int, tus_chunk: int) -> None:
    source = work / "audition.txt"
    print(f"Generating {size / 1024**3:.2f} GiB ({size} bytes) in {work} ...", flush=True)
    generate(source, size)
    warm(source)
    mib = size / 1024**2

    t_openssl, h_openssl = timed(lambda: openssl_sha256(source))
    t_python, h_python = timed(lambda: python_sha256(source))
    write_settings(work, size)
    sys.path[:0] = [str(work), str(ROOT)]
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench_settings"
    import django

    django.setup()
    from evidence.ingest import stage_stream

    def stage() -> str:
        with open(source, "rb") as stream:
            staged = stage_stream(iter(lambda: stream.read(CHUNK), b""), sent_name="audition.txt", max_bytes=size)
        digest = staged.sha256
        staged.close()
        return digest

    warm(source)
    t_stage, h_stage = timed(stage)
    if not h_openssl == h_python == h_stage:
        raise SystemExit(f"hash mismatch: openssl {h_openssl}, python {h_python}, staging {h_stage}")

    cookies = prepare_database(work)
    warm(source)
    plain = serve_and_upload(work, source, size, "/bench/plain-upload/", cookies)
    shutil.rmtree(work / "plain", ignore_errors=True)
    warm(source)
    sealed = serve_and_upload(work, source, size, "/evidence/upload/", cookies)
    if plain[1] != 201 or sealed[1] != 302:
        raise SystemExit(f"unexpected HTTP status: plain {plain[1]}, sealed {sealed[1]}")
    tus: dict[bool, tuple[float, int, int, int]] = {}
    for checksum in (False, True):

        def send(checksum: bool = checksum) -> tuple[float, int]:
            return tus_upload(source, size, cookies, tus_chunk, checksum=checksum)

        warm(source)
        tus[checksum] = serve_and_upload(work, source, size, "", cookies, send)

    print()
    print(f"File: {size} bytes ({mib:.0f} MiB), plain text, page-cached; {os.cpu_count()} CPUs")
    print()
    print("(a) SHA-256 throughput on the same cached file")
    print(f"{'':44} {'seconds':>8} {'MiB/s':>8} {'vs openssl':>11}")
    for label, seconds in (
        ("openssl dgst -sha256", t_openssl),
        (f"hashlib, {CHUNK // 1024} KiB chunks (our loop)", t_python),
        ("stage_stream: hash + write staging file", t_stage),
    ):
        print(f"{label:44} {seconds:8.2f} {mib / seconds:8.0f} {t_openssl / seconds:10.2f}x")
    print()
    print("(b) HTTP upload through gunicorn on 127.0.0.1 (1 sync worker)")
    print(f"{'':44} {'seconds':>8} {'MiB/s':>8} {'idle RSS':>9} {'peak RSS':>9}")
    for label, (seconds, _status, idle, peak) in (
        ("plain Django upload, no seal", plain),
        ("evidence upload: hash, checks, store, seal", sealed),
    ):
        print(f"{label:44} {seconds:8.2f} {mib / seconds:8.0f} {idle / 1024:7.0f}Mi {peak / 1024:7.0f}Mi")
    for label, (seconds, _status, idle, peak) in (
        (f"tus, {tus_chunk // 1024**2} MiB PATCHes, then seal", tus[False]),
        ("tus, same, Upload-Checksum sha256 per PATCH", tus[True]),
    ):
        print(f"{label:44} {seconds:8.2f} {mib / seconds:8.0f} {idle / 1024:7.0f}Mi {peak / 1024:7.0f}Mi")
    print()
    print(f"Sealed upload time / plain upload time: {sealed[0] / plain[0]:.2f}")
    print(f"(c) tus upload time / plain upload time: {tus[False][0] / plain[0]:.2f}")
    print(f"(c) tus upload with checksums / plain upload time: {tus[True][0] / plain[0]:.2f}")
    print(f"Our hashing throughput / openssl: {t_openssl / t_python:.2f}")


if __name__ == "__main__":
    main()
