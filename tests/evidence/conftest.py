"""Every evidence test gets its own private store and staging folder, so "nothing was stored" can be checked."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import LazySettings

from tests.tsa import LocalTSA


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


@pytest.fixture(scope="session")
def local_tsa(tmp_path_factory: pytest.TempPathFactory) -> LocalTSA:
    """A real RFC 3161 authority (OpenSSL), created once for the session."""
    return LocalTSA(tmp_path_factory.mktemp("tsa"))


@pytest.fixture
def tsa(settings: LazySettings, local_tsa: LocalTSA) -> Iterator[LocalTSA]:
    """The portal configured with the local authority, served over HTTP for the test's duration."""
    with local_tsa.serve() as url:
        settings.TSA_URL = url
        settings.TSA_CA_CERTIFICATES_FILE = str(local_tsa.ca_file)
        yield local_tsa


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    """Any attempt to open a network connection fails: what is tested must work on an isolated machine."""

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("networking is disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
