"""The tus endpoint accepts the bearer tokens of API clients: a police unit's software uploads evidence for its unit,
sealed as sent through the API channel, with no session and no CSRF token."""

from __future__ import annotations

import base64
import hashlib

import pytest
from django.test import Client

from evidence.models import EvidenceItem, TusUpload
from justice.accounts import services
from justice.accounts.models import ApiScope, Organisation
from tests.accounts.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

CREATE_PATH = "/evidence/uploads/"


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


@pytest.fixture
def token() -> tuple[str, Organisation]:
    unit = OrganisationFactory(kind=Organisation.Kind.POLICE_UNIT)
    client, secret = services.api_client_create(
        organisation=unit, name="Logiciel LRP", scopes=[ApiScope.TRANSMISSIONS], actor=None
    )
    basic = "Basic " + base64.b64encode(f"{client.client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/api/v1/oauth/token/",
        "grant_type=client_credentials",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": basic},
    )
    return response.json()["access_token"], unit


def test_a_token_uploads_evidence_for_its_unit(token, django_capture_on_commit_callbacks) -> None:
    value, unit = token
    auth = {"Authorization": f"Bearer {value}", "Tus-Resumable": "1.0.0", "Accept-Language": "en"}
    options = Client().options(CREATE_PATH, headers=auth)
    assert options.status_code == 204 and int(options["Tus-Max-Size"]) > 0
    content = b"Proces-verbal d'audition.\n" * 100
    metadata = ",".join(
        f"{key} {b64(item)}"
        for key, item in {
            "filename": "pv-audition.txt",
            "sha256": hashlib.sha256(content).hexdigest(),
            "organisation": str(unit.pk),
        }.items()
    )
    created = Client().post(
        CREATE_PATH, headers={**auth, "Upload-Length": str(len(content)), "Upload-Metadata": metadata}
    )
    assert created.status_code == 201, created.content
    upload = TusUpload.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        patched = Client().generic(
            "PATCH",
            created["Location"],
            content,
            content_type="application/offset+octet-stream",
            headers={**auth, "Upload-Offset": "0"},
        )
    assert patched.status_code == 204, patched.content
    upload.refresh_from_db()
    assert upload.state == TusUpload.State.SEALED
    item = EvidenceItem.objects.get()
    assert item.channel == EvidenceItem.Channel.API
    assert item.organisation == unit and item.uploaded_by.is_service_account


def test_a_bad_token_is_refused_with_a_bearer_challenge() -> None:
    response = Client().post(
        CREATE_PATH, headers={"Authorization": "Bearer pct_nope", "Tus-Resumable": "1.0.0", "Upload-Length": "10"}
    )
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
    assert not TusUpload.objects.exists()
