"""PostgreSQL restarted under load: the portal (gunicorn, persistent database connections) keeps answering; only
requests in flight while the database is down fail, and every request started once it is back succeeds.

The portal here has its own PostgreSQL cluster (restarting the suite's would cut the test's own connections)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.sandbox_idp import free_port

pytestmark = pytest.mark.integration

POSTGRES = Path(settings.BASE_DIR) / "scripts" / "services" / "postgres.sh"
CLIENTS = 8
SESSION_SCRIPT = """
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from justice.accounts.models import User
user = User.objects.create_user("charge@example.org", "x-not-used-x")
s = SessionStore()
s[SESSION_KEY] = str(user.pk)
s[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
s[HASH_SESSION_KEY] = user.get_session_auth_hash()
s.create()
print(f"{settings.SESSION_COOKIE_NAME}={s.session_key}")
"""


@dataclass
class Portal:
    url: str
    cookie: str
    postgres_env: dict[str, str]
    process: subprocess.Popen[bytes]
    log: Path


@pytest.fixture
def portal(tmp_path: Path) -> Iterator[Portal]:
    pg_port = free_port()
    # The postgres user must reach its data folder: not under pytest's private temporary folder.
    services_dir = tempfile.mkdtemp(prefix="justice-pg-restart-", dir="/tmp")
    os.chmod(services_dir, 0o755)  # noqa: S103 - a folder of folders; the data folder itself is 0700
    postgres_env = {**os.environ, "SERVICES_DIR": services_dir, "POSTGRES_PORT": str(pg_port)}
    subprocess.run(["bash", str(POSTGRES), "start"], env=postgres_env, check=True, capture_output=True, timeout=120)
    try:
        subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(pg_port), "-U", "postgres", "-qc", "CREATE DATABASE portal"],
            check=True,
            capture_output=True,
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "justice.settings.test",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/portal",
        }
        env.pop("CELERY_BROKER_URL", None)
        manage = [sys.executable, str(Path(settings.BASE_DIR) / "manage.py")]
        subprocess.run([*manage, "migrate", "-v0"], env=env, check=True, cwd=settings.BASE_DIR, timeout=600)
        cookie = (
            subprocess.run(
                [*manage, "shell", "-c", SESSION_SCRIPT], env=env, check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        http_port = free_port()
        log = tmp_path / "gunicorn.log"
        gunicorn = Path(sys.executable).with_name("gunicorn")
        with log.open("wb") as log_file:
            process = subprocess.Popen(
                [
                    str(gunicorn),
                    "--bind",
                    f"127.0.0.1:{http_port}",
                    "--workers",
                    "2",
                    "--worker-class",
                    "gthread",
                    "--threads",
                    "4",
                    "justice.wsgi:application",
                ],
                env=env,
                cwd=settings.BASE_DIR,
                stdout=subprocess.DEVNULL,
                stderr=log_file,
            )
        url = f"http://127.0.0.1:{http_port}"
        portal = Portal(url=url, cookie=cookie, postgres_env=postgres_env, process=process, log=log)
        deadline = time.monotonic() + 60
        while get(portal, "/health/") != 200:
            if time.monotonic() > deadline or process.poll() is not None:
                pytest.fail(f"gunicorn did not start:\n{log.read_text()[-3000:]}", pytrace=False)
            time.sleep(0.2)
        try:
            yield portal
        finally:
            process.terminate()
            process.wait(timeout=30)
    finally:
        subprocess.run(["bash", str(POSTGRES), "stop"], env=postgres_env, capture_output=True, timeout=120)
        shutil.rmtree(services_dir, ignore_errors=True)


def get(portal: Portal, path: str) -> int:
    """The status of a GET, or 0 when the connection failed."""
    headers = {"Cookie": portal.cookie, "Host": "localhost"}
    request = urllib.request.Request(portal.url + path, headers=headers)  # noqa: S310 - our own server on loopback
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            response.read()
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def run_clients(portal: Portal, seconds_before: float, seconds_after: float, *, pause: bool) -> Phase:
    """Clients loop on a page that reads the session, the user and their evidence; PostgreSQL restarts in the
    middle. ``pause``: the clients wait while it restarts (every server thread then holds an idle connection the
    restart cut); otherwise requests are in flight while it restarts."""
    results: list[tuple[float, float, int]] = []
    stop, running = threading.Event(), threading.Event()
    running.set()
    busy = threading.Semaphore(CLIENTS)

    def client() -> None:
        while not stop.is_set():
            running.wait()
            with busy:
                started = time.monotonic()
                status = get(portal, "/evidence/")
                results.append((started, time.monotonic(), status))

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(seconds_before)
    if pause:
        running.clear()
        for _ in range(CLIENTS):  # wait for the requests in flight to end
            busy.acquire()
    restart_began = time.monotonic()
    subprocess.run(["bash", str(POSTGRES), "restart"], env=portal.postgres_env, check=True, timeout=120)
    restart_ended = time.monotonic()
    if pause:
        for _ in range(CLIENTS):
            busy.release()
        running.set()
    time.sleep(seconds_after)
    stop.set()
    running.set()
    for thread in threads:
        thread.join(timeout=60)
    before = [r for r in results if r[1] < restart_began]
    after = [r for r in results if r[0] > restart_ended]
    during = [r for r in results if r not in before and r not in after]
    return Phase(before=before, during=during, after=after, restart_seconds=restart_ended - restart_began)


@dataclass
class Phase:
    before: list[tuple[float, float, int]]
    during: list[tuple[float, float, int]]
    after: list[tuple[float, float, int]]
    restart_seconds: float

    def check(self) -> str:
        assert self.before and len(self.after) >= CLIENTS, (len(self.before), len(self.after))
        assert {status for _s, _e, status in self.before} == {200}
        failed = [status for _s, _e, status in self.after if status != 200]
        assert failed == [], f"{len(failed)} of {len(self.after)} failed after the restart: {set(failed)}"
        return (
            f"{len(self.before)} requests before, {len(self.during)} during the restart "
            f"({sum(1 for r in self.during if r[2] != 200)} failed), {len(self.after)} after (all 200); "
            f"restart took {self.restart_seconds:.2f} s"
        )


def test_only_requests_in_flight_during_a_postgres_restart_fail(portal: Portal) -> None:
    assert get(portal, "/evidence/") == 200
    # Idle persistent connections cut by the restart are replaced: no request fails afterwards.
    idle = run_clients(portal, 4, 4, pause=True)
    assert idle.during == []
    print("idle connections cut:", idle.check())
    # Requests in flight while the database restarts may fail; none started once it is back.
    busy = run_clients(portal, 3, 5, pause=False)
    print("under load:", busy.check())
    assert portal.process.poll() is None
