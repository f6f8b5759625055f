"""What a crash leaves in the local evidence store (a file written, its seal never committed) is removed by the
cleanup once old enough; sealed files are never touched."""

from __future__ import annotations

import datetime
import io
import os
import uuid
from pathlib import Path

import pytest
from django.core.files import File
from django.core.management import call_command
from django.utils import timezone

from evidence.services import evidence_remove_orphans
from evidence.storage import evidence_storage
from justice.accounts.models import User
from tests.accounts.factories import UserFactory
from tests.evidence import corpus
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


def write_orphan(age: datetime.timedelta) -> Path:
    key = uuid.uuid4()
    location = evidence_storage().store(key=f"{key.hex[:2]}/{key}", content=File(io.BytesIO(b"never sealed")))
    path = Path(evidence_storage().path(location.key))  # type: ignore[attr-defined]
    then = (timezone.now() - age).timestamp()
    os.utime(path, (then, then))
    return path


def test_an_old_unsealed_file_is_removed_and_sealed_ones_stay(evidence_dirs: dict[str, Path]) -> None:
    citizen: User = UserFactory()
    item = sealed_item(uploader=citizen, content=corpus.text(lines=10), name="a.txt")
    sealed_path = Path(evidence_storage().path(item.seal.record_data["storage"]["key"]))  # type: ignore[attr-defined]
    os.utime(sealed_path, (0, 0))  # as old as can be: age alone never condemns a sealed file
    orphan = write_orphan(datetime.timedelta(days=2))
    recent = write_orphan(datetime.timedelta(minutes=5))  # may belong to a transaction still running

    removed = evidence_remove_orphans(older_than=timezone.now() - datetime.timedelta(days=1))

    assert removed == 1
    assert not orphan.exists()
    assert recent.exists() and sealed_path.exists()


def test_the_cleanup_command_reports_what_it_did(evidence_dirs: dict[str, Path]) -> None:
    write_orphan(datetime.timedelta(hours=30))
    out = io.StringIO()
    call_command("evidence_store_cleanup", stdout=out)
    assert out.getvalue().strip() == "removed 1 orphan object(s) or unfinished upload(s); locked 0 item(s)"
