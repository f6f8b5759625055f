"""A police transmission end to end, against a plain copy of the same bytes to the same store (not a test).

A CD-sized procedure (700 MB: one 5 MB PDF record, 20 JPEG photos, two MP4 videos; random content behind real
headers, so that the portal's checks accept them) is sent with the reference client (``python -m
evidence.transmit_client``, 2 files at once in 32 MiB PATCHes, its defaults) over 127.0.0.1 to the portal (gunicorn
with 2 workers, PostgreSQL, a Celery worker on Redis with its default pool completing each upload, the Object Lock
evidence bucket in radosgw): token, manifest, tus uploads with a SHA-256 per chunk, their parts going straight into
the evidence bucket under each item's key, completion (one read of the assembled version: hash and checks; then the
seal adopts that version), submission, signed acknowledgement checked with the log key. The wall time of the whole
run is compared with boto3's ``upload_file`` of the same files to a plain bucket of the same radosgw, timed before
and after the transmission (the faster of the two is the baseline; its objects are deleted as soon as it is timed).
Target: <= 2x. ``--big`` adds the case of one 2 GiB video. A tiny transmission first warms the portal's processes up
(imports, database connections, S3 clients: about 1.5 s on each fresh worker), as in a running portal. Each step
prints the CPU seconds spent by the client, gunicorn's workers, the Celery worker, radosgw and the OSD (the latter
two when ``SERVICES_DIR`` is set).

Needs the services of scripts/services (started on your own ports), named as scripts/test-integration.sh does:
``DATABASE_URL`` (PostgreSQL; the benchmark creates and drops a database of its own on that server),
``REDIS_URL``, ``S3_ENDPOINT_URL``, ``S3_ACCESS_KEY``, ``S3_SECRET_KEY``. radosgw keeps its objects in memory: the
sealed ones stay (locked) until the cluster is stopped, 700 MB a CD run and 2 GiB more with ``--big``, on top of the
plain copies waiting a minute or two for radosgw's garbage collector; start it with ``CEPH_MEMSTORE_BYTES`` of
10 GiB (``10737418240``) for a run with ``--big``.

Usage: .venv/bin/python benchmarks/transmission.py [--scale 0.25] [--big] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pikepdf
import psycopg
import requests
from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
MB = 1000 * 1000
MiB = 1024 * 1024
SECRET_ENV = "BENCH_CLIENT_SECRET"  # noqa: S105 - the name of a variable


@dataclass(frozen=True)
class Services:
    database_url: str
    redis_url: str
    s3_endpoint: str
    s3_key: str
    s3_secret: str


def services() -> Services:
    missing = [
        name
        for name in ("DATABASE_URL", "REDIS_URL", "S3_ENDPOINT_URL", "S3_ACCESS_KEY", "S3_SECRET_KEY")
        if not os.environ.get(name)
    ]
    if missing:
        sys.exit(f"Set {', '.join(missing)} (start the services with scripts/services/*.sh; see the docstring).")
    return Services(
        os.environ["DATABASE_URL"],
        os.environ["REDIS_URL"],
        os.environ["S3_ENDPOINT_URL"],
        os.environ["S3_ACCESS_KEY"],
        os.environ["S3_SECRET_KEY"],
    )


def s3(svc: Services) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=svc.s3_endpoint,
        aws_access_key_id=svc.s3_key,
        aws_secret_access_key=svc.s3_secret,
        region_name="us-east-1",
    )


# --- the procedure ----------------------------------------------------------------------------------------------


def random_file(path: Path, size: int, header: bytes = b"") -> None:
    with path.open("wb") as out:
        out.write(header)
        left = size - len(header)
        while left > 0:
            block = os.urandom(min(left, 8 * MiB))
            out.write(block)
            left -= len(block)


def pdf_record(path: Path, size: int) -> None:
    """A one-page PDF carrying ``size`` random bytes in a stream (as a scanned record's images would)."""
    document = pikepdf.new()
    document.add_blank_page()
    document.Root.BenchScan = document.make_stream(os.urandom(size))
    document.save(path)


def photo(path: Path, pixels: int) -> None:
    """A real JPEG of random noise (the hardest to compress: a few MB, like a camera's)."""
    width = max(int((pixels * 4 / 3) ** 0.5), 16)
    height = max(pixels // width, 16)
    Image.frombytes("RGB", (width, height), os.urandom(width * height * 3)).save(path, format="JPEG", quality=92)


MP4_HEADER = b"\x00\x00\x00\x20ftypisom\x00\x00\x02\x00isomiso2avc1mp41"


def write_procedure(folder: Path, *, scale: float, big: bool) -> list[Path]:
    folder.mkdir(parents=True)
    if big:
        video = folder / "audition-video.mp4"
        random_file(video, int(2 * 1024 * MiB * scale), MP4_HEADER)
        files = [video]
        items = [{"name": video.name, "kind": "video", "description": "Audition filmée"}]
    else:
        record = folder / "pv-synthese.pdf"
        pdf_record(record, int(5 * MB * scale))
        files = [record]
        for n in range(1, 21):
            picture = folder / f"photo-{n:02d}.jpg"
            photo(picture, int(1_000_000 * scale))
            files.append(picture)
        used = sum(path.stat().st_size for path in files)
        each = (int(700 * MB * scale) - used) // 2
        for n in (1, 2):
            video = folder / f"video-{n}.mp4"
            random_file(video, each, MP4_HEADER)
            files.append(video)
        items = [{"name": path.name} for path in files]
    manifest = {
        "recipient": "PR-BENCH",
        "procedure_number": f"2026/{uuid.uuid4().hex[:8]}",
        "offence": "Vol avec effraction",
        "summary": "Procédure de taille CD pour la mesure.",
        "persons": [{"name": "Jean Dupont", "role": "suspect"}, {"name": "Marie Curie", "role": "victim"}],
        "items": items,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False), encoding="utf-8")
    return files


# --- the portal -------------------------------------------------------------------------------------------------


def create_database(svc: Services) -> str:
    parts = urllib.parse.urlsplit(svc.database_url)
    name = f"justice_bench_{os.getpid()}"
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    return parts._replace(path=f"/{name}").geturl()


def drop_database(svc: Services, url: str) -> None:
    name = urllib.parse.urlsplit(url).path.lstrip("/")
    admin = urllib.parse.urlsplit(svc.database_url)._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def write_settings(work: Path, svc: Services, evidence_bucket: str) -> None:
    options = {
        "endpoint_url": svc.s3_endpoint,
        "access_key": svc.s3_key,
        "secret_key": svc.s3_secret,
        "region_name": "us-east-1",
    }
    (work / "bench_settings.py").write_text(
        textwrap.dedent(
            f"""
            from justice.settings.test import *  # noqa: F403

            DEBUG = False
            ALLOWED_HOSTS = ["127.0.0.1"]
            STORAGES = {{
                **STORAGES,
                "evidence": {{
                    "BACKEND": "evidence.storage.EvidenceS3Storage",
                    "OPTIONS": {{**{options!r}, "bucket_name": {evidence_bucket!r}, "file_overwrite": False}},
                }},
            }}
            EVIDENCE_STAGING_DIR = {str(work / "staging")!r}
            EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE = {{role: 3 * 1024**3 for role in EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE}}
            LOGGING = {{"version": 1, "disable_existing_loggers": False, "root": {{"level": "WARNING"}}}}
            """
        )
    )
    (work / "staging").mkdir(exist_ok=True)


SETUP = """
import json, django
django.setup()
from justice.accounts.models import Organisation
from justice.accounts.services import api_client_create
from evidence.keys import log_verifiers
unit = Organisation.objects.create(kind=Organisation.Kind.POLICE_UNIT, name="Commissariat de mesure", code="CP-BENCH")
Organisation.objects.create(kind=Organisation.Kind.PROSECUTOR_OFFICE, name="Parquet de mesure", code="PR-BENCH")
client, secret = api_client_create(organisation=unit, name="Banc de mesure", scopes=["transmissions"], actor=None)
print(json.dumps({"client_id": client.client_id, "secret": secret, "log_key": log_verifiers()[0].encode()}))
"""


def free_port() -> int:
    """A port nobody listens on now (the machine may run other servers, other runs of this benchmark)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(command: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def transmit(
    folder: Path, url: str, credentials: dict[str, str], env: dict[str, str], client_options: list[str]
) -> tuple[float, str]:
    key = folder.parent / "log.pub"
    key.write_text(credentials["log_key"] + "\n")
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "evidence.transmit_client",
            str(folder),
            f"--url={url}",
            f"--client-id={credentials['client_id']}",
            f"--client-secret-env={SECRET_ENV}",
            f"--log-key={key}",
            *client_options,
        ],
        env={**env, SECRET_ENV: credentials["secret"]},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.monotonic() - started
    if done.returncode != 0 or "ACKNOWLEDGED" not in done.stdout:
        print(f"the transmission failed:\n{done.stdout}\n{done.stderr}", file=sys.stderr, flush=True)
        for log in ("gunicorn.log", "celery.log"):
            print(f"--- {log}:\n{(folder.parent.parent / log).read_text()[-5000:]}", file=sys.stderr, flush=True)
        raise SystemExit(1)
    hashing = sum(float(m) for m in re.findall(r"hashed in ([0-9.]+) s", done.stdout))
    uploads = sum(float(m) for m in re.findall(r"All files sent in ([0-9.]+) s", done.stdout))
    checks = sum(float(m) for m in re.findall(r"waited ([0-9.]+) s", done.stdout))
    print(
        f"  client: hashing {hashing:.2f} s, uploads {uploads:.2f} s, waiting for the last checks {checks:.2f} s, "
        f"the rest (token, manifest, submit, acknowledgement, start-up) {elapsed - hashing - uploads - checks:.2f} s",
        flush=True,
    )
    return elapsed, done.stdout.strip().splitlines()[-1]


# --- where the CPU goes -------------------------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a live process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    found = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True, check=False).stdout
    return [int(child) for child in found.split()]


class CpuMeter:
    """CPU seconds spent by each component between ``start`` and ``stop``: the portal's processes (gunicorn's
    workers, the Celery worker and its pool), radosgw and the OSD (when ``SERVICES_DIR`` says where their pid
    files are), and this process with its children (the plain copy's boto3 threads, or the reference client)."""

    def __init__(self, gunicorn: int | None, celery: int | None) -> None:
        self.gunicorn, self.celery = gunicorn, celery
        ceph_run = Path(os.environ.get("SERVICES_DIR", "/nonexistent")) / "ceph" / "run"
        self.ceph = {
            name: int(pid_file.read_text())
            for name, pid_file in (("radosgw", ceph_run / "client.rgw.a.pid"), ("ceph-osd", ceph_run / "osd.0.pid"))
            if pid_file.exists()
        }

    def sample(self) -> dict[str, float]:
        here = os.times()
        totals = {"this process + children": here.user + here.system + here.children_user + here.children_system}
        if self.gunicorn is not None:
            totals["gunicorn workers"] = sum(cpu_seconds(pid) for pid in children(self.gunicorn))
        if self.celery is not None:
            totals["celery worker"] = sum(cpu_seconds(pid) for pid in [self.celery, *children(self.celery)])
        for name, pid in self.ceph.items():
            totals[name] = cpu_seconds(pid)
        return totals

    def start(self) -> None:
        self.before = self.sample()

    def stop(self) -> str:
        after = self.sample()
        spent = {name: after[name] - self.before.get(name, 0.0) for name in after}
        return ", ".join(f"{name} {seconds:.1f}" for name, seconds in spent.items()) + " (CPU s)"


def plain_copy(svc: Services, files: list[Path]) -> float:
    client = s3(svc)
    bucket = f"bench-plain-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=bucket)
    try:
        started = time.monotonic()
        for path in files:
            client.upload_file(str(path), bucket, path.name)
        return time.monotonic() - started
    finally:
        for path in files:
            client.delete_object(Bucket=bucket, Key=path.name)
        client.delete_bucket(Bucket=bucket)
        reclaim_now()


def reclaim_now() -> None:
    """Have radosgw's garbage collector free the deleted copy's data at once (when ``SERVICES_DIR`` says where the
    cluster is): left to its own period, it ran during the next measure, which then shared the machine with it (the
    OSD's CPU time during a transmission went from 1.3 to 3.8 s)."""
    conf = Path(os.environ.get("SERVICES_DIR", "/nonexistent")) / "ceph" / "ceph.conf"
    if conf.exists():
        subprocess.run(
            ["radosgw-admin", "-c", str(conf), "gc", "process", "--include-all"], check=True, capture_output=True
        )


def run_case(
    label: str,
    folder: Path,
    files: list[Path],
    url: str,
    credentials: dict[str, str],
    env: dict[str, str],
    svc: Services,
    client_options: list[str],
    meter: CpuMeter,
) -> tuple[float, float, str]:
    size = sum(path.stat().st_size for path in files)
    print(f"{label}: {len(files)} files, {size:,} bytes ({size / MiB:,.0f} MiB)", flush=True)

    def baseline_run(when: str) -> float:
        meter.start()
        seconds = plain_copy(svc, files)
        print(
            f"  boto3 upload_file to radosgw ({when}): {seconds:.2f} s ({size / MiB / seconds:,.0f} MiB/s)", flush=True
        )
        print(f"    {meter.stop()}", flush=True)
        return seconds

    before = baseline_run("before")
    meter.start()
    elapsed, summary = transmit(folder, url, credentials, env, client_options)
    print(f"  reference client, acknowledged: {elapsed:.2f} s ({size / MiB / elapsed:,.0f} MiB/s)", flush=True)
    print(f"    {meter.stop()}", flush=True)
    # The plain copy's time moves from one run to the next (1.5x apart on a quiet machine): the faster of the two,
    # the stricter comparison, is the baseline.
    baseline = min(before, baseline_run("after"))
    print(f"  ratio: {elapsed / baseline:.2f}x the faster plain copy (target <= 2x)", flush=True)
    print(f"  {summary}", flush=True)
    return elapsed, baseline, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="scale the sizes (0.25: a quarter of a CD)")
    parser.add_argument("--big", action="store_true", help="also send one 2 GiB video")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--parallel", type=int, default=2, help="files the client sends at once")
    parser.add_argument("--chunk-size", type=int, default=32 * MiB, help="bytes per tus PATCH")
    parser.add_argument("--workdir", type=Path, help="where to write the files (default: a temporary folder)")
    arguments = parser.parse_args()
    svc = services()
    work = Path(tempfile.mkdtemp(prefix="bench-transmission-", dir=arguments.workdir))
    client = s3(svc)
    evidence_bucket = f"bench-evidence-{uuid.uuid4().hex[:12]}"
    client.create_bucket(Bucket=evidence_bucket, ObjectLockEnabledForBucket=True)
    database = create_database(svc)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        write_settings(work, svc, evidence_bucket)
        queue = f"bench-{uuid.uuid4().hex[:8]}"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "bench_settings",
            "PYTHONPATH": f"{work}{os.pathsep}{ROOT}",
            "DATABASE_URL": database,
            "CELERY_BROKER_URL": svc.redis_url,
            "CELERY_TASK_DEFAULT_QUEUE": queue,
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env=env, cwd=ROOT, check=True)
        credentials = json.loads(
            subprocess.run([sys.executable, "-c", SETUP], env=env, cwd=ROOT, check=True, capture_output=True, text=True)
            .stdout.strip()
            .splitlines()[-1]
        )
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        bin_dir = Path(sys.executable).parent
        processes.append(
            start(
                [
                    str(bin_dir / "gunicorn"),
                    f"--bind=127.0.0.1:{port}",
                    f"--workers={arguments.workers}",
                    "--timeout=3600",
                    "justice.wsgi:application",
                ],
                env,
                work / "gunicorn.log",
            )
        )
        processes.append(
            start(
                [
                    str(bin_dir / "celery"),
                    "-A",
                    "justice",
                    "worker",
                    # Celery's defaults: a prefork pool of one process per CPU (two files complete at once).
                    f"--queues={queue}",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=WARNING",
                ],
                env,
                work / "celery.log",
            )
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                requests.get(f"{url}/api/v1/transmissions/", timeout=10)
                break
            except requests.RequestException:
                if time.monotonic() > deadline:
                    sys.exit((work / "gunicorn.log").read_text())
                time.sleep(0.3)
        print(
            f"scale {arguments.scale}; client: {arguments.parallel} files at once, chunks of {arguments.chunk_size} "
            f"bytes; gunicorn {arguments.workers} workers, a Celery worker, "
            f"radosgw at {svc.s3_endpoint}"
        )
        client_options = [f"--parallel={arguments.parallel}", f"--chunk-size={arguments.chunk_size}"]
        # A running portal's processes have served requests before: a tiny transmission first, so that each
        # worker has imported its views, connected to the database and made its S3 client (the plain copy's
        # client is made before its clock starts too). What that first use costs is printed, not counted.
        warm_up = work / "warm-up" / "procedure"
        warm_up.parent.mkdir()
        write_procedure(warm_up, scale=0.0001, big=False)
        warm_up_seconds, _summary = transmit(warm_up, url, credentials, env, client_options)
        print(f"warm-up: a tiny procedure (23 files) on fresh processes, {warm_up_seconds:.2f} s (not counted)")
        cases = [("CD-sized procedure", False)] + ([("one video (2 GiB at scale 1)", True)] if arguments.big else [])
        for label, big in cases:
            folder = work / ("big" if big else "cd") / "procedure"
            folder.parent.mkdir()
            files = write_procedure(folder, scale=arguments.scale, big=big)
            meter = CpuMeter(gunicorn=processes[0].pid, celery=processes[1].pid)
            run_case(label, folder, files, url, credentials, env, svc, client_options, meter)
            shutil.rmtree(folder.parent)
    finally:
        for process in processes:
            stop(process)
        drop_database(svc, database)
        shutil.rmtree(work, ignore_errors=True)
        # The evidence bucket's objects are under Object Lock (COMPLIANCE): they stay until the store is removed.
        # (The plain copy's objects were deleted as soon as it was measured.)


if __name__ == "__main__":
    main()
