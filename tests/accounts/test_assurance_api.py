"""The DRF permission enforces the same assurance rules as the views' decorator, with a 403 saying the level."""

from __future__ import annotations

import pytest
from django.test import Client

from justice.accounts.assurance import SESSION_KEY, Level
from tests.accounts.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.accounts.urls")]


def with_level(client: Client, level: str) -> None:
    client.force_login(UserFactory())
    session = client.session
    session[SESSION_KEY] = {"level": level, "at": "2026-11-23T10:00:00+00:00", "method": "federation"}
    session.save()


@pytest.mark.parametrize(
    ("language", "expected"), [("en", "at the “substantial” level"), ("fr", "au niveau « substantiel »")]
)
def test_a_low_session_is_refused_with_the_level_needed(client: Client, language: str, expected: str) -> None:
    with_level(client, Level.LOW)
    response = client.post("/test/api/complaint/", HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 403
    assert expected in response.json()["detail"]


@pytest.mark.parametrize("level", [Level.SUBSTANTIAL, Level.HIGH])
def test_substantial_and_high_sessions_pass(client: Client, level: str) -> None:
    with_level(client, level)
    assert client.post("/test/api/complaint/").status_code == 201


def test_anonymous_callers_are_refused(client: Client) -> None:
    assert client.post("/test/api/complaint/").status_code == 401
