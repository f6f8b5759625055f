"""Two clerks booking the same slot at once, from separate processes on PostgreSQL: one wins, the other is refused
with the conflict named. The exclusion constraints decide when neither process can see the other's row yet."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings

from hearings.models import CounselBooking, Hearing
from tests.hearings.conftest import court, court_case, next_monday  # noqa: F401  (fixture)
from tests.integration.conftest import _test_database_url

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

CLERK = """
import datetime, os, sys, time, django
django.setup()
from django.db import transaction
from filings.models import Case, Room
from hearings import services
from justice.accounts.models import User
mode, flags, case_pk, room_pk, judge_pk, clerk_pk, start = sys.argv[1:]
flag = lambda name: os.path.join(flags, name)
def wait(name):
    while not os.path.exists(flag(name)):
        time.sleep(0.02)
def book():
    return services.hearing_list(
        case=Case.objects.select_related("court").get(pk=case_pk), actor=User.objects.get(pk=clerk_pk),
        room=Room.objects.get(pk=room_pk), judge=User.objects.get(pk=judge_pk),
        starts_at=datetime.datetime.fromisoformat(start), duration_minutes=60,
    )
try:
    if mode == "holder":
        # Books, then keeps its transaction open until told: the other clerk's check cannot see this row.
        with transaction.atomic():
            book()
            open(flag("booked"), "w").close()
            wait("commit")
    elif mode == "late":
        wait("booked")
        open(flag("checking"), "w").close()
        book()
    else:
        wait("go")
        book()
    print("listed")
except services.ConflictError as error:
    print("conflict:", error.conflicts[0])
"""


def _clerk(mode: str, flags: Path, *args: object) -> subprocess.Popen[str]:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "justice.settings.test", "DATABASE_URL": _test_database_url()}
    return subprocess.Popen(
        [sys.executable, "-c", CLERK, mode, str(flags), *map(str, args)],
        cwd=settings.BASE_DIR, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip


def _results(*processes: subprocess.Popen[str]) -> list[str]:
    outputs = []
    for process in processes:
        out, errors = process.communicate(timeout=120)
        assert process.returncode == 0, errors
        outputs.append(out.strip())
    return outputs


@pytest.mark.parametrize("shared", ["room", "judge", "counsel"])
def test_the_database_refuses_the_second_booking_it_could_not_see(court, shared: str, tmp_path: Path) -> None:  # noqa: F811
    j = court.j
    lawyer = j.lawyer if shared == "counsel" else None
    first, second = court_case(j, lawyer=lawyer), court_case(j, lawyer=lawyer)
    room_1, room_2 = court.room_a, (court.room_a if shared == "room" else court.room_b)
    judge_1, judge_2 = j.judge, (j.judge if shared == "judge" else court.judge2)
    start = next_monday(10)
    holder = _clerk("holder", tmp_path, first.pk, room_1.pk, judge_1.pk, j.clerk.pk, start.isoformat())
    late = _clerk(
        "late", tmp_path, second.pk, room_2.pk, judge_2.pk, j.clerk.pk, (start.replace(minute=30)).isoformat()
    )
    # Let the late clerk pass its check (the holder's row is not committed) and reach the insert, where it waits.
    while not (tmp_path / "checking").exists():
        time.sleep(0.02)
    time.sleep(1.0)
    (tmp_path / "commit").touch()
    results = _results(holder, late)
    assert results[0] == "listed"
    assert results[1].startswith("conflict:"), results
    assert Hearing.objects.filter(status=Hearing.Status.LISTED).count() == 1
    assert Hearing.objects.get().case_id == first.pk
    if shared == "counsel":
        assert CounselBooking.objects.filter(active=True).count() == 1


def test_two_clerks_at_once_one_wins(court, tmp_path: Path) -> None:  # noqa: F811
    j = court.j
    start = next_monday(14).isoformat()
    clerks = [
        _clerk("race", tmp_path, court_case(j).pk, court.room_a.pk, judge.pk, j.clerk.pk, start)
        for judge in (j.judge, court.judge2)
    ]
    (tmp_path / "go").touch()
    results = sorted(_results(*clerks))
    assert results[0].startswith("conflict:") and "Salle A" in results[0]
    assert results[1] == "listed"
    assert Hearing.objects.filter(status=Hearing.Status.LISTED).count() == 1
