"""Production settings: everything comes from the environment, and unsafe values stop the process at start-up.

Required: ``DJANGO_SECRET_KEY``, ``DJANGO_ALLOWED_HOSTS``, ``DATABASE_URL``, ``CELERY_BROKER_URL``, ``REDIS_URL``.
Identity federation (optional): ``OIDC_SERVER_URL``, ``OIDC_CLIENT_ID``, ``OIDC_CLIENT_SECRET``, ``OIDC_PROVIDER_NAME``.
Object storage: ``AWS_STORAGE_BUCKET_NAME``, ``EVIDENCE_BUCKET_NAME`` (Object Lock enabled) and the usual ``AWS_*``
credentials (``AWS_S3_ENDPOINT_URL`` for a non-AWS store). See ``docker/README.md`` for the full list.
"""

import email.utils
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from justice.settings.base import *  # noqa: F403

INSECURE_SECRET_KEYS = {
    "",
    "changeme",
    "change-me",
    "secret",
    "local-development-only-not-secret",
    "test-only-not-secret",
}
TRUTHY = {"1", "true", "yes", "on"}


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in TRUTHY


if env_flag("DJANGO_DEBUG"):
    raise ImproperlyConfigured("DEBUG must never be on in production: unset DJANGO_DEBUG.")
if env_flag("DJANGO_DEMO"):
    raise ImproperlyConfigured("DEMO (demo accounts, MFA hints) must never be on in production: unset DJANGO_DEMO.")
DEBUG = False
DEMO = False

SECRET_KEY = env("DJANGO_SECRET_KEY")
if SECRET_KEY.lower() in INSECURE_SECRET_KEYS or SECRET_KEY.startswith("django-insecure") or len(SECRET_KEY) < 50:
    raise ImproperlyConfigured(
        "DJANGO_SECRET_KEY is a default or too short: generate one with "
        "`python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
    )
ALLOWED_HOSTS = [host.strip() for host in env("DJANGO_ALLOWED_HOSTS").split(",") if host.strip()]
PORTAL_BASE_URL = env("PORTAL_BASE_URL")
CSRF_TRUSTED_ORIGINS = [f"https://{host.lstrip('.')}" for host in ALLOWED_HOSTS]

DATABASES = {
    "default": with_prepared_statements(  # noqa: F405
        dj_database_url.parse(env("DATABASE_URL"), conn_max_age=60, conn_health_checks=True)
    )
}
CACHES = {
    "default": {"BACKEND": "justice.redis_cache.KeptClientRedisCache", "LOCATION": env("REDIS_URL")},
    "layout": LAYOUT_CACHE,  # noqa: F405
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}  # type: ignore[dict-item]

STORAGES["default"] = {  # noqa: F405
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "default_acl": "private",
        "querystring_auth": True,
        "querystring_expire": 300,
        "file_overwrite": False,
    },
}

TRANSPARENCY_LOG_ORIGIN = env("TRANSPARENCY_LOG_ORIGIN")
TRANSPARENCY_LOG_SIGNING_KEY = os.environ.get("TRANSPARENCY_LOG_SIGNING_KEY", "")
TRANSPARENCY_LOG_SIGNING_KEY_FILE = os.environ.get("TRANSPARENCY_LOG_SIGNING_KEY_FILE") or None
if not TRANSPARENCY_LOG_SIGNING_KEY and not TRANSPARENCY_LOG_SIGNING_KEY_FILE:
    raise ImproperlyConfigured("Set TRANSPARENCY_LOG_SIGNING_KEY or TRANSPARENCY_LOG_SIGNING_KEY_FILE.")
TRANSPARENCY_LOG_PREVIOUS_KEYS = [k for k in os.environ.get("TRANSPARENCY_LOG_PREVIOUS_KEYS", "").split() if k]
# RFC 3161 time stamps of checkpoints: optional, but an authority is trusted only with its CA chain.
TSA_URL = os.environ.get("TSA_URL", "")
TSA_CA_CERTIFICATES_FILE = os.environ.get("TSA_CA_CERTIFICATES_FILE") or None
if TSA_URL and not TSA_CA_CERTIFICATES_FILE:
    raise ImproperlyConfigured("TSA_URL is set: set TSA_CA_CERTIFICATES_FILE to the authority's CA chain (PEM).")
# The sealing certificate that PAdES-signs the PDFs the portal issues (PKCS#12, or PEM with SEALING_KEY_FILE).
SEALING_CERTIFICATE_FILE = env("SEALING_CERTIFICATE_FILE")
SEALING_KEY_FILE = os.environ.get("SEALING_KEY_FILE") or None
SEALING_KEY_PASSPHRASE = os.environ.get("SEALING_KEY_PASSPHRASE", "")
# Evidence originals: a bucket of their own, created with Object Lock enabled (versioning on); each object gets a
# COMPLIANCE retention of EVIDENCE_RETENTION_DAYS, set per object at upload.
STORAGES["evidence"] = {  # noqa: F405
    "BACKEND": "evidence.storage.EvidenceS3Storage",
    "OPTIONS": {
        "bucket_name": env("EVIDENCE_BUCKET_NAME"),
        "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
        "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
        "default_acl": "private",
        "file_overwrite": False,
    },
}
EVIDENCE_RETENTION_DAYS = int(env("EVIDENCE_RETENTION_DAYS", str(EVIDENCE_RETENTION_DAYS)))  # noqa: F405
EVIDENCE_TUS_LIFETIME_HOURS = int(env("EVIDENCE_TUS_LIFETIME_HOURS", str(EVIDENCE_TUS_LIFETIME_HOURS)))  # noqa: F405
TRANSMISSION_RESUME_DAYS = int(env("TRANSMISSION_RESUME_DAYS", str(TRANSMISSION_RESUME_DAYS)))  # noqa: F405
EVIDENCE_STAGING_DIR = Path(env("EVIDENCE_STAGING_DIR", str(EVIDENCE_STAGING_DIR)))  # noqa: F405
EVIDENCE_STAGING_MAX_AGE_HOURS = int(env("EVIDENCE_STAGING_MAX_AGE_HOURS", str(EVIDENCE_STAGING_MAX_AGE_HOURS)))  # noqa: F405
EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN = int(
    env("EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN", str(EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN))  # noqa: F405
)
EVIDENCE_REVERIFY_MAX_BYTES_PER_RUN = int(
    env("EVIDENCE_REVERIFY_MAX_BYTES_PER_RUN", str(EVIDENCE_REVERIFY_MAX_BYTES_PER_RUN))  # noqa: F405
)
# No evidence is downloadable before an antivirus has read it: production does not start without a scanner.
CLAMD_ADDRESS = env("CLAMD_ADDRESS", "").strip()
if not CLAMD_ADDRESS:
    raise ImproperlyConfigured(
        "Set CLAMD_ADDRESS to the ClamAV daemon's unix socket path or host:port: evidence must be scanned."
    )
CLAMD_TIMEOUT_SECONDS = int(env("CLAMD_TIMEOUT_SECONDS", str(CLAMD_TIMEOUT_SECONDS)))  # noqa: F405

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_flag("EMAIL_USE_TLS")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", DEFAULT_FROM_EMAIL)  # noqa: F405
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who receives alerts (evidence integrity failures, quarantined files): "Name <address>" or addresses, comma-separated.
ADMINS = [
    (name.strip() or address, address)
    for entry in env("DJANGO_ADMINS", "").split(",")
    if entry.strip()
    for name, address in [email.utils.parseaddr(entry)]
]

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = True
# The liveness probe is called over plain HTTP from inside the host or the cluster.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SECURE_HSTS_SECONDS = 63072000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Host-sessionid"
CSRF_COOKIE_SECURE = True
CSRF_COOKIE_NAME = "__Host-csrftoken"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"

# Identity federation (optional): an OpenID Provider asserting eIDAS levels in `acr` (eidas2, eidas3).
if os.environ.get("OIDC_SERVER_URL"):
    SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [  # noqa: F405
        {
            "provider_id": env("OIDC_PROVIDER_ID", "identity"),
            "name": env("OIDC_PROVIDER_NAME", "Identity provider"),
            "client_id": env("OIDC_CLIENT_ID"),
            "secret": env("OIDC_CLIENT_SECRET"),
            "settings": {
                "server_url": env("OIDC_SERVER_URL"),
                "oauth_pkce_enabled": True,
                "fetch_userinfo": False,
                "token_auth_method": env("OIDC_TOKEN_AUTH_METHOD", "client_secret_post"),
            },
        }
    ]
