"""A police unit's software sends a whole transmission with its organisation's API credentials: token, manifest,
files through tus, submission, acknowledgement, all with the bearer token only (no session, no CSRF token); revoking
the credentials stops it at the next call."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import pytest
from django.test import Client

from justice.accounts import services
from justice.accounts.models import ApiCall, ApiScope, Membership
from tests.accounts.factories import staff_member
from tests.filings.conftest import make_jurisdiction

pytestmark = pytest.mark.django_db

FILES = {"pv-audition.txt": "Procès-verbal d'audition\n".encode() * 50, "photo.txt": b"Photo des lieux\n" * 30}


def b64(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def test_police_software_sends_a_transmission_with_its_token(django_capture_on_commit_callbacks) -> None:
    place = make_jurisdiction("DEMO")
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN, organisation=place.unit)
    credentials, secret = services.api_client_create(
        organisation=place.unit, name="Logiciel de procédure", scopes=[ApiScope.TRANSMISSIONS], actor=admin.user
    )
    software = Client()
    issued = software.post(
        "/api/v1/oauth/token/",
        "grant_type=client_credentials&scope=transmissions",
        content_type="application/x-www-form-urlencoded",
        headers={"Authorization": "Basic " + b64(f"{credentials.client_id}:{secret}")},
    )
    assert issued.status_code == 200, issued.content
    auth = {"Authorization": f"Bearer {issued.json()['access_token']}", "Accept-Language": "en"}
    payload: dict[str, Any] = {
        "recipient": place.office.code,
        "procedure_number": "2026/501",
        "offence": "Vol",
        "persons": [{"name": "X Y", "role": "suspect"}],
        "items": [
            {"name": name, "kind": "other", "size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            for name, data in FILES.items()
        ],
    }
    created = software.post("/api/v1/transmissions/", payload, content_type="application/json", headers=auth)
    assert created.status_code == 201, created.content
    body = created.json()
    tus = {**auth, "Tus-Resumable": "1.0.0"}
    for name, data in FILES.items():
        metadata = f"filename {b64(name)},transmission {b64(str(body['id']))}"
        upload = software.post(
            body["upload_url"], headers={**tus, "Upload-Length": str(len(data)), "Upload-Metadata": metadata}
        )
        assert upload.status_code == 201, upload.content
        with django_capture_on_commit_callbacks(execute=True):
            sent = software.generic(
                "PATCH",
                upload["Location"],
                data,
                content_type="application/offset+octet-stream",
                headers={**tus, "Upload-Offset": "0"},
            )
        assert sent.status_code == 204, sent.content
    done = software.post(f"/api/v1/transmissions/{body['id']}/submit/", headers=auth)
    assert done.status_code == 200 and done.json()["status"] == "acknowledged", done.content
    assert software.get(f"/api/v1/transmissions/{body['id']}/acknowledgement/", headers=auth).status_code == 200
    # The unit's officers see what their software sent; every call was recorded against the credentials.
    officer = Client()
    officer.force_login(place.police)
    assert officer.get(f"/api/v1/transmissions/{body['id']}/").status_code == 200
    assert ApiCall.objects.filter(client=credentials).count() == 1 + 1 + 2 * 2 + 1 + 1
    services.api_client_revoke(client=credentials, actor=admin.user)
    assert software.get(f"/api/v1/transmissions/{body['id']}/", headers=auth).status_code == 401
