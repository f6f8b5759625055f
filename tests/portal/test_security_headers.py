"""Every page answers with the security headers; pages of signed-in people are never cached."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.accounts.factories import UserFactory

pytestmark = pytest.mark.django_db


def get_routes() -> list[str]:
    """Every URL pattern of the project that takes no argument, as a path."""
    routes: list[str] = []

    def walk(patterns: list[URLPattern | URLResolver], prefix: str) -> None:
        for pattern in patterns:
            text = str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + text)
            elif "<" not in text and "(?P" not in text and "^" not in text:
                routes.append("/" + prefix + text)

    walk(get_resolver().url_patterns, "")
    return sorted(set(routes))


ROUTES = get_routes()


def test_the_crawl_covers_the_main_pages() -> None:
    for path in ("/", "/dashboard/", "/account/login/", "/verify/", "/account/access-log/"):
        assert path in ROUTES


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_every_get_route_has_the_security_headers(client: Client, signed_in: bool) -> None:
    if signed_in:
        client.force_login(UserFactory())
    checked = 0
    for path in ROUTES:
        response = client.get(path)
        if response.status_code in (405,):
            continue
        checked += 1
        policy = response.headers.get("Content-Security-Policy", "")
        for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
            assert directive in policy, (path, policy)
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, path
        assert "report-uri /csp-report/" in policy
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["X-Frame-Options"] == "DENY", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
        if signed_in:
            assert "no-store" in response.headers.get("Cache-Control", ""), path
    assert checked > 20


def test_csp_reports_are_accepted_and_logged(client: Client, caplog) -> None:
    report = {"csp-report": {"violated-directive": "script-src", "blocked-uri": "inline"}}
    response = client.post("/csp-report/", json.dumps(report), content_type="application/csp-report")
    assert response.status_code == 204
    assert "csp violation" in caplog.text
    assert client.post("/csp-report/", "not json", content_type="application/csp-report").status_code == 400
