"""Production settings come from the environment only, refuse unsafe values at start-up, and pass Django's
deployment checks. Each case runs in a fresh process, since settings are read once per process."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys

import pytest
from django.conf import settings

from evidence.checkpoint import Signer

LOG_ORIGIN = "justice.example.org/log"
VALID_ENV = {
    "DJANGO_SETTINGS_MODULE": "justice.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(64),
    "DJANGO_ALLOWED_HOSTS": "justice.example.org, www.justice.example.org",
    # The checks do not connect to the database; SQLite keeps this test free of servers.
    "DATABASE_URL": "sqlite:///:memory:",
    "CELERY_BROKER_URL": "redis://redis.internal:6379/0",
    "REDIS_URL": "redis://redis.internal:6379/1",
    "AWS_STORAGE_BUCKET_NAME": "justice-files",
    "EVIDENCE_BUCKET_NAME": "justice-evidence",
    "PORTAL_BASE_URL": "https://justice.example.org",
    "TRANSPARENCY_LOG_ORIGIN": LOG_ORIGIN,
    "TRANSPARENCY_LOG_SIGNING_KEY": Signer.generate(LOG_ORIGIN).encode(),
    "CLAMD_ADDRESS": "clamav.internal:3310",
    # Read when a PDF is signed, not at start-up.
    "SEALING_CERTIFICATE_FILE": "/run/secrets/sealing.p12",
}
SETUP = "import django; django.setup()"


def run(code_or_args: str | list[str], **overrides: str | None) -> subprocess.CompletedProcess[str]:
    """Run Python with the valid production environment changed by ``overrides`` (``None`` unsets)."""
    env = {"PATH": os.environ.get("PATH", ""), **VALID_ENV, **overrides}
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env={name: value for name, value in env.items() if value is not None},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def assert_refused(result: subprocess.CompletedProcess[str], variable: str) -> None:
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert variable in result.stderr.strip().splitlines()[-1]


def test_valid_environment_starts_and_passes_the_deployment_checks() -> None:
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"])

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_settings_are_taken_from_the_environment() -> None:
    result = run(
        SETUP
        + """
import json
from django.conf import settings as s
print(json.dumps({
    "debug": s.DEBUG,
    "demo": s.DEMO,
    "allowed_hosts": s.ALLOWED_HOSTS,
    "csrf_trusted_origins": s.CSRF_TRUSTED_ORIGINS,
    "broker": s.CELERY_BROKER_URL,
    "cache": s.CACHES["default"]["LOCATION"],
    "cache_backend": s.CACHES["default"]["BACKEND"],
    "storage": s.STORAGES["default"]["BACKEND"],
    "bucket": s.STORAGES["default"]["OPTIONS"]["bucket_name"],
    "evidence_bucket": s.STORAGES["evidence"]["OPTIONS"]["bucket_name"],
    "base_url": s.PORTAL_BASE_URL,
}))
"""
    )

    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "debug": False,
        "demo": False,
        "allowed_hosts": ["justice.example.org", "www.justice.example.org"],
        "csrf_trusted_origins": ["https://justice.example.org", "https://www.justice.example.org"],
        "broker": "redis://redis.internal:6379/0",
        "cache": "redis://redis.internal:6379/1",
        "cache_backend": "justice.redis_cache.KeptClientRedisCache",
        "storage": "storages.backends.s3.S3Storage",
        "bucket": "justice-files",
        "evidence_bucket": "justice-evidence",
        "base_url": "https://justice.example.org",
    }


@pytest.mark.parametrize("value", ["1", "true", "on"])
def test_debug_is_refused(value: str) -> None:
    assert_refused(run(SETUP, DJANGO_DEBUG=value), "DJANGO_DEBUG")


@pytest.mark.parametrize("value", ["1", "yes"])
def test_demo_mode_is_refused(value: str) -> None:
    assert_refused(run(SETUP, DJANGO_DEMO=value), "DJANGO_DEMO")


@pytest.mark.parametrize(
    "secret_key",
    [
        pytest.param(None, id="missing"),
        pytest.param("", id="empty"),
        pytest.param("changeme", id="default"),
        pytest.param("local-development-only-not-secret", id="local-settings-key"),
        pytest.param("test-only-not-secret", id="test-settings-key"),
        pytest.param("django-insecure-" + secrets.token_urlsafe(48), id="startproject-key"),
        pytest.param(secrets.token_hex(24), id="shorter-than-50"),
    ],
)
def test_missing_default_or_short_secret_key_is_refused(secret_key: str | None) -> None:
    assert_refused(run(SETUP, DJANGO_SECRET_KEY=secret_key), "DJANGO_SECRET_KEY")


@pytest.mark.parametrize(
    "variable",
    [
        "DJANGO_ALLOWED_HOSTS",
        "DATABASE_URL",
        "CELERY_BROKER_URL",
        "REDIS_URL",
        "AWS_STORAGE_BUCKET_NAME",
        "EVIDENCE_BUCKET_NAME",
        "PORTAL_BASE_URL",
        "TRANSPARENCY_LOG_ORIGIN",
        # Or TRANSPARENCY_LOG_SIGNING_KEY_FILE, unset here.
        "TRANSPARENCY_LOG_SIGNING_KEY",
        "CLAMD_ADDRESS",
        "SEALING_CERTIFICATE_FILE",
    ],
)
def test_missing_required_variable_is_refused(variable: str) -> None:
    assert_refused(run(SETUP, **{variable: None}), variable)


def test_an_empty_antivirus_address_is_refused() -> None:
    assert_refused(run(SETUP, CLAMD_ADDRESS="  "), "CLAMD_ADDRESS")


def test_a_time_stamping_authority_without_its_ca_chain_is_refused() -> None:
    assert_refused(run(SETUP, TSA_URL="https://tsa.example.org/tsr"), "TSA_CA_CERTIFICATES_FILE")


def test_postgresql_queries_are_prepared_unless_switched_off_for_a_pooler() -> None:
    """Server-side binding with psycopg's threshold: a query run again on a connection is parsed and planned once."""
    code = f"{SETUP}; from django.conf import settings; print(settings.DATABASES['default'].get('OPTIONS', {{}}))"
    url = "postgres://justice@db.internal:5432/justice"
    assert run(code, DATABASE_URL=url).stdout.strip() == "{'server_side_binding': True, 'prepare_threshold': 5}"
    assert run(code, DATABASE_URL=url, DATABASE_PREPARED_STATEMENTS="off").stdout.strip() == "{}"
    assert run(code).stdout.strip() == "{}"  # SQLite: nothing to prepare
