"""Fixtures shared by the whole suite."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value, yield_hotp_counters_from_time
from django.conf import LazySettings
from django.core.cache import cache
from django.test import Client

from justice.accounts.models import User
from justice.signing import demo_sealing_certificate_create
from tests.accounts.factories import PASSWORD
from tests.sandbox_idp import federation, sandbox_idp

__all__ = ["federation", "login_with_password", "sandbox_idp"]


@pytest.fixture(autouse=True)
def fresh_cache() -> None:
    """Rate-limit counters and used TOTP codes live in the cache: no test inherits another's."""
    cache.clear()


pytest_plugins = ["tests.browser", "tests.keyboard"]


def totp_now(secret: str) -> str:
    counters = list(yield_hotp_counters_from_time())
    return format_hotp_value(hotp_value(secret, counters[len(counters) // 2]))


@pytest.fixture
def login_with_password() -> Callable[[Client, User], object]:
    """Sign in through allauth's real login form (not force_login), so sessions are tracked like in production."""

    def login(client: Client, user: User, *, totp_secret: str | None = None) -> object:
        response = client.post("/account/login/", {"login": user.email, "password": PASSWORD})
        if totp_secret is not None:
            assert response.status_code == 302 and response["Location"] == "/account/2fa/authenticate/"
            response = client.post("/account/2fa/authenticate/", {"code": totp_now(totp_secret)})
        assert response.status_code == 302, getattr(response, "content", b"")[:2000]
        return response

    return login


@pytest.fixture(scope="session")
def sealing_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A demo sealing certificate and key (PEM), made once per session like `manage.py sealing_keygen` does."""
    folder = tmp_path_factory.mktemp("sealing")
    certificate, key = folder / "sealing.pem", folder / "sealing.key"
    demo_sealing_certificate_create(certificate_file=certificate, key_file=key, organisation="Portail justice (tests)")
    return certificate, key


@pytest.fixture(autouse=True)
def sealing_certificate(settings: LazySettings, sealing_files: tuple[Path, Path]) -> Path:
    """The portal configured with the demo sealing certificate (as `make run` does): receipts, decisions and
    bundles are signed PDFs. Returns the certificate's PEM file."""
    settings.SEALING_CERTIFICATE_FILE, settings.SEALING_KEY_FILE = (str(path) for path in sealing_files)
    settings.SEALING_KEY_PASSPHRASE = ""
    return sealing_files[0]
