"""Settings for the test suite: fast hashing, in-memory email, Celery tasks run in-process.

Integration tests start a real Celery worker with these settings; it writes its emails to ``EMAIL_FILE_PATH``
so the test can read them.
"""

import os
from pathlib import Path
from typing import Any

from justice.settings.base import *  # noqa: F403

DEBUG = False
DEMO = True
# Every query reused by justice.reused_sql is also compiled as Django would and must match (a name with two shapes
# fails the tests).
REUSED_SQL_CHECK = True
SECRET_KEY = "test-only-not-secret"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if "EMAIL_FILE_PATH" in os.environ:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["EMAIL_FILE_PATH"]
# Fault-injection tests give their worker an email backend that stops half-way (tests/integration/mail_faults.py).
if "EMAIL_BACKEND" in os.environ:
    EMAIL_BACKEND = os.environ["EMAIL_BACKEND"]
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405

# Integration tests point Celery at a real broker; the unit suite runs tasks eagerly.
CELERY_TASK_ALWAYS_EAGER = "CELERY_BROKER_URL" not in os.environ
CELERY_TASK_EAGER_PROPAGATES = True
if "CELERY_BROKER_URL" in os.environ:
    CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    # A worker of an integration test sends its own tasks (the outbox relay's) to the queue it consumes.
    if "CELERY_TASK_DEFAULT_QUEUE" in os.environ:
        CELERY_TASK_DEFAULT_QUEUE = os.environ["CELERY_TASK_DEFAULT_QUEUE"]
    # Fault-injection tests redeliver the task of a killed worker after seconds rather than the default hour.
    if "CELERY_VISIBILITY_TIMEOUT" in os.environ:
        CELERY_BROKER_TRANSPORT_OPTIONS = {
            "visibility_timeout": int(os.environ["CELERY_VISIBILITY_TIMEOUT"])  # type: ignore[dict-item]
        }
# Serve static files from the apps directly, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
# A fixed test key (never used outside tests): Ed25519 seed of 32 bytes 0x01..0x20.
TRANSPARENCY_LOG_ORIGIN = "test.justice.localhost/log"
TRANSPARENCY_LOG_SIGNING_KEY = (
    "PRIVATE+KEY+test.justice.localhost/log+ed612c78+AQECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8g"
)
# WebAuthn over plain http on testserver / 127.0.0.1 (the browser test's live server).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
# A Celery worker started by an integration test shares the test's evidence folders, and gets unacknowledged
# messages back quickly after a crash (Redis redelivers them after the visibility timeout).
if "EVIDENCE_STAGING_DIR" in os.environ:
    EVIDENCE_STAGING_DIR = Path(os.environ["EVIDENCE_STAGING_DIR"])
if "EVIDENCE_STORE_DIR" in os.environ:
    STORAGES["evidence"] = {  # noqa: F405
        "BACKEND": "evidence.storage.EvidenceFileSystemStorage",
        "OPTIONS": {"location": os.environ["EVIDENCE_STORE_DIR"]},
    }
if "EVIDENCE_S3_BUCKET" in os.environ:
    # The test's S3 evidence bucket, in the radosgw of scripts/test-integration.sh.
    STORAGES["evidence"] = {  # noqa: F405
        "BACKEND": "evidence.storage.EvidenceS3Storage",
        "OPTIONS": {
            "endpoint_url": os.environ["S3_ENDPOINT_URL"],
            "access_key": os.environ["S3_ACCESS_KEY"],
            "secret_key": os.environ["S3_SECRET_KEY"],
            "region_name": "us-east-1",
            "bucket_name": os.environ["EVIDENCE_S3_BUCKET"],
            "file_overwrite": False,
        },
    }
if "CELERY_VISIBILITY_TIMEOUT" in os.environ:
    _transport: dict[str, Any] = {
        "visibility_timeout": int(os.environ["CELERY_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
    CELERY_BROKER_TRANSPORT_OPTIONS = _transport
