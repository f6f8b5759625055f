"""Every evidence test gets its own private store and staging folder, so "nothing was stored" can be checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import LazySettings


@pytest.fixture(autouse=True)
def evidence_dirs(settings: LazySettings, tmp_path: Path) -> dict[str, Path]:
    store, staging = tmp_path / "evidence", tmp_path / "staging"
    staging.mkdir()
    settings.STORAGES = {
        **settings.STORAGES,
        "evidence": {"BACKEND": "evidence.storage.EvidenceFileSystemStorage", "OPTIONS": {"location": store}},
    }
    settings.EVIDENCE_STAGING_DIR = staging
    return {"store": store, "staging": staging}


def stored_files(dirs: dict[str, Path]) -> list[Path]:
    """Whatever is left in the store and in staging."""
    return [path for root in dirs.values() if root.exists() for path in root.rglob("*") if path.is_file()]
