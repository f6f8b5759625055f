"""Settings shared by every environment.

Environment-specific modules (``local``, ``test``, ``production``) import everything from here and change only
what differs. Nothing here reads a secret: ``production`` takes those from the environment.
"""

import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

# Lets admin and model classes be subscripted for type checking (ModelAdmin[Model]).
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

DEBUG = False
# DEMO turns on demo accounts and the demo MFA hint; production settings refuse it.
DEMO = False

ALLOWED_HOSTS: list[str] = []

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "widget_tweaks",
    "dsfr",
    "rest_framework",
    "drf_spectacular",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "allauth.usersessions",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.openid_connect",
    "justice.accounts",
    "justice.audit",
    "justice.portal",
    "justice.idempotency",
    "filings",
    "evidence",
    "justice.outbox",
    "justice.notifications",
    "hearings",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "justice.portal.middleware.PortalCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "justice.accounts.middleware.SessionLifetimeMiddleware",
    "justice.accounts.middleware.StaffMFARequiredMiddleware",
    "justice.portal.middleware.NoStoreForSignedInMiddleware",
    "justice.notifications.middleware.RecipientLanguageMiddleware",
    "justice.accounts.api_clients.ApiCallLogMiddleware",
]

ROOT_URLCONF = "justice.urls"
WSGI_APPLICATION = "justice.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "justice.portal.context_processors.portal",
                "justice.notifications.context_processors.notifications",
            ],
        },
    },
]


def with_prepared_statements(database: dj_database_url.DBConfig) -> dj_database_url.DBConfig:
    """On PostgreSQL, parameters are sent apart from the SQL (psycopg's server-side binding, not Django's default),
    so that a query run again on the same connection is prepared: PostgreSQL then parses and plans it once per
    connection instead of on every run. A page's short queries cost the database three times less CPU that way (the
    case page: 2.3 ms -> 0.7 ms). ``DATABASE_PREPARED_STATEMENTS=off`` goes back to Django's default, for a
    connection pooler in transaction mode that cannot keep prepared statements."""
    if "postgresql" in database.get("ENGINE", "") and os.environ.get("DATABASE_PREPARED_STATEMENTS", "on") != "off":
        database["OPTIONS"] = {**database.get("OPTIONS", {}), "server_side_binding": True, "prepare_threshold": 5}
    return database


DATABASES = {
    "default": with_prepared_statements(
        dj_database_url.config(
            default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
            conn_max_age=60,
            # A persistent connection cut by a database restart is replaced at the next request's first query,
            # instead of failing that request.
            conn_health_checks=True,
        )
    ),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's backends, refusing the service accounts of API clients (justice/accounts/backends.py).
AUTHENTICATION_BACKENDS = [
    "justice.accounts.backends.ModelBackend",
    "justice.accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:dashboard"

# django-allauth: email is the login, verified before use; MFA for staff is enforced by our middleware.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Justice] "
ACCOUNT_ADAPTER = "justice.accounts.adapters.AccountAdapter"
# Same answer whether or not an address has an account (login, sign-up, password reset).
ACCOUNT_PREVENT_ENUMERATION = True
# allauth's defaults, written out: failed logins are throttled per IP and per account (needs a shared cache).
ACCOUNT_RATE_LIMITS = {"login": "30/m/ip", "login_failed": "10/m/ip,5/300s/key"}
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_FORMS = {"authenticate": "justice.accounts.forms.AuthenticateForm"}
MFA_TOTP_ISSUER = "Justice"
# Signed-in devices' last activity: recorded by justice.accounts.middleware.SessionLifetimeMiddleware once a
# minute at most (allauth's UserSessionsMiddleware, which writes on every request, is not installed).
USERSESSIONS_TRACK_ACTIVITY = True

# Identity federation (OpenID Connect, eIDAS levels): allauth's generic provider with our checks added
# (justice/accounts/oidc/). Each environment lists its identity providers in ["openid_connect"]["APPS"].
SOCIALACCOUNT_ADAPTER = "justice.accounts.adapters.SocialAccountAdapter"
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {
    "openid_connect": {
        "provider_class": "justice.accounts.oidc.provider.EidasOpenIDConnectProvider",
        "OAUTH_PKCE_ENABLED": True,
        "APPS": [],
    }
}
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_STORE_TOKENS = False

# Sessions: idle timeouts (staff, others) and an absolute lifetime, enforced by SessionLifetimeMiddleware.
SESSION_IDLE_TIMEOUT_STAFF = 30 * 60
SESSION_IDLE_TIMEOUT_CITIZEN = 60 * 60
SESSION_ABSOLUTE_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIFETIME

# Organisation admins invite staff; an invitation is single-use and expires.
INVITATION_TTL_DAYS = 7
# API credentials of an organisation's software (justice/accounts/api_clients.py): lifetime of a client's
# credentials (default, and the longest an admin may choose), of the bearer tokens it obtains (seconds), and how
# long the record of its calls is kept.
API_CLIENT_DEFAULT_LIFETIME_DAYS = 365
API_CLIENT_MAX_LIFETIME_DAYS = 730
API_ACCESS_TOKEN_LIFETIME_SECONDS = 3600
API_CALL_RETENTION_DAYS = 365

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

# The parts of the page layout that are the same for everyone who sees them (by language, by page, by whether one is
# signed in: templates/base.html and includes/header.html say under which key) are rendered once per process and
# kept in its memory: they change only with the code, which restarts it. Local development renders them every time.
# Django's process-memory cache, keeping the markup without pickling it (justice/layout_cache.py).
LAYOUT_CACHE = {
    "BACKEND": "justice.layout_cache.LayoutCache",
    "LOCATION": "layout",
    "TIMEOUT": None,
    "OPTIONS": {"MAX_ENTRIES": 5000},
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}, "layout": LAYOUT_CACHE}

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT, "base_url": None},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    # Evidence originals: private, never served by URL; production puts them in an Object Lock bucket.
    "evidence": {
        "BACKEND": "evidence.storage.EvidenceFileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "evidence"},
    },
}

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Scripts only from our origin and with the per-response nonce; no inline code, no eval, no plugins, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "report-uri": ["/csp-report/"],
    },
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = "Justice <no-reply@justice.localhost>"

# Celery: the embedded default uses the filesystem transport, production a Redis broker.
CELERY_BROKER_URL = "filesystem://"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "data_folder_in": str(VAR_DIR / "celery" / "queue"),
    "data_folder_out": str(VAR_DIR / "celery" / "queue"),
    "control_folder": str(VAR_DIR / "celery" / "control"),
}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
# The transactional outbox (justice/outbox): seconds between two runs of the relay, the most messages it publishes
# per run, the longest wait between two attempts at a message the broker refused, and how long published messages
# are kept (to investigate).
OUTBOX_RELAY_SECONDS = 5
OUTBOX_RELAY_BATCH = 200
OUTBOX_MAX_BACKOFF_SECONDS = 60
OUTBOX_KEEP_PUBLISHED_DAYS = 7
# Minutes between two checkpoints of the transparency log (signed only when the log has grown).
TRANSPARENCY_LOG_CHECKPOINT_MINUTES = 5
CELERY_BEAT_SCHEDULE = {
    "sign-transparency-log-checkpoint": {
        "task": "evidence.tasks.sign_checkpoint",
        "schedule": TRANSPARENCY_LOG_CHECKPOINT_MINUTES * 60,
    },
    "monitor-transparency-log": {"task": "evidence.tasks.monitor_transparency_log", "schedule": 15 * 60},
    "lock-evidence-objects": {"task": "evidence.tasks.lock_evidence_objects", "schedule": 5 * 60},
    "remove-orphan-evidence-objects": {
        "task": "evidence.tasks.remove_orphan_evidence_objects",
        "schedule": crontab(hour=4, minute=15),
    },
    "reverify-evidence": {"task": "evidence.tasks.reverify_evidence", "schedule": 60 * 60},
    "rescan-pending-evidence": {"task": "evidence.tasks.rescan_pending_evidence", "schedule": 60 * 60},
    "purge-stale-evidence-staging": {"task": "evidence.tasks.purge_stale_staging", "schedule": 60 * 60},
    "expire-resumable-uploads": {"task": "evidence.tasks.expire_tus_uploads", "schedule": 30 * 60},
    "purge-unconfirmed-pre-complaints": {
        "task": "filings.tasks.purge_unconfirmed_pre_complaints",
        "schedule": crontab(hour=3, minute=30),
    },
    "purge-expired-idempotency-keys": {
        "task": "justice.idempotency.tasks.purge_expired_idempotency_keys",
        "schedule": crontab(hour=4, minute=0),
    },
    # The transactional outbox's relay (justice/outbox): a run older than its interval is dropped, a newer follows.
    "relay-outbox": {
        "task": "justice.outbox.tasks.relay_outbox",
        "schedule": OUTBOX_RELAY_SECONDS,
        "options": {"expires": OUTBOX_RELAY_SECONDS},
    },
    "purge-api-records": {
        "task": "justice.accounts.tasks.purge_api_records",
        "schedule": crontab(hour=4, minute=20),
    },
    "purge-published-outbox": {
        "task": "justice.outbox.tasks.purge_published_outbox",
        "schedule": crontab(hour=4, minute=10),
    },
}

REST_FRAMEWORK = {
    # The bearer token first: unauthenticated calls then get a 401 with WWW-Authenticate: Bearer (RFC 6750).
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "justice.accounts.api_clients.ApiClientTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
}
# The API's OpenAPI description (drf-spectacular); docs/openapi.yaml holds the committed copy a test compares.
SPECTACULAR_SETTINGS = {
    "TITLE": "Justice portal API",
    "DESCRIPTION": "Cases and filings of the person signed in: list, read, file a civil referral, send it, follow it.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "FilingStatusEnum": "filings.models.Filing.Status",
        "FilingKindEnum": "filings.models.Filing.Kind",
        "CaseKindEnum": "filings.models.Case.Kind",
        "CaseStatusEnum": "filings.models.Case.Status",
        "OrganisationKindEnum": "justice.accounts.models.Organisation.Kind",
    },
}
# A retried API call with the same Idempotency-Key replays the first response for this long.
IDEMPOTENCY_KEY_TTL_HOURS = 24
# A claim code printed on the receipt of an assisted filing can be used for this many days, and this many wrong
# codes lock it (the clerk then prints a new one).
ASSISTED_CLAIM_CODE_TTL_DAYS = 90
ASSISTED_CLAIM_MAX_FAILURES = 5
# An unconfirmed pre-complaint (not confirmed at the police appointment) is deleted this many days after it was sent.
PRE_COMPLAINT_RETENTION_DAYS = 30

DSFR_USE_INTEGRITY_CHECKSUMS = True
DSFR_MARK_OPTIONAL_FIELDS = True

# The transparency log of seals (see evidence/keys.py): its name, and its keys from configuration only.
TRANSPARENCY_LOG_ORIGIN = "justice.localhost/log"
TRANSPARENCY_LOG_SIGNING_KEY = ""
TRANSPARENCY_LOG_SIGNING_KEY_FILE: str | None = None
TRANSPARENCY_LOG_PREVIOUS_KEYS: list[str] = []
# RFC 3161 time stamps of checkpoints (optional; none in the embedded default): the authority's URL, and a PEM file
# of its certificate chain (root last) that its tokens must chain to. Receipts carry that chain for offline checks.
TSA_URL = ""
TSA_CA_CERTIFICATES_FILE: str | None = None
TSA_TIMEOUT_SECONDS = 10
# The portal's sealing certificate, which PAdES-signs the PDFs it issues (justice/signing.py): a PKCS#12 file
# (SEALING_KEY_FILE unset), or a PEM certificate (chain) and a PEM private key. SEALING_KEY_PASSPHRASE if encrypted.
SEALING_CERTIFICATE_FILE: str | None = None
SEALING_KEY_FILE: str | None = None
SEALING_KEY_PASSPHRASE = ""
# Evidence ingest. Uploads stream into EVIDENCE_STAGING_DIR (hashed on the way in) and are checked there, so a
# refused file never reaches the write-once evidence store. Keep it on the same file system as the local
# evidence store: accepting a file is then a rename.
EVIDENCE_STAGING_DIR = VAR_DIR / "evidence-staging"
MiB = 1024 * 1024
# The largest file each role may upload ("citizen": someone without any membership); a user with several roles
# gets the largest of their limits. Enforced while the bytes arrive.
EVIDENCE_MAX_UPLOAD_BYTES_BY_ROLE = {
    "citizen": 200 * MiB,
    "lawyer": 200 * MiB,
    "clerk": 2048 * MiB,
    "judge": 2048 * MiB,
    "prosecutor": 2048 * MiB,
    "police_officer": 2048 * MiB,
    "organisation_admin": 2048 * MiB,
}
EVIDENCE_MAX_FILES_PER_REQUEST = 10
# Images larger than this (width x height) are refused as possible decompression bombs.
EVIDENCE_MAX_IMAGE_PIXELS = 100_000_000
# Object Lock (COMPLIANCE) retention of each original in the S3 evidence store, from its upload.
EVIDENCE_RETENTION_DAYS = 3650
# An object in the evidence store that no item points at after this long was left by a crash or an outage
# between its write and the commit of its seal (or is an unfinished multipart upload): it is removed.
EVIDENCE_ORPHAN_AGE_HOURS = 24
# The working copy of a PDF (without its active content) is written by qpdf, which holds one whole stream in memory
# at a time: PDFs with a larger stream get no working copy (their page warns about active content instead).
EVIDENCE_WORKING_COPY_MAX_STREAM_BYTES = 256 * MiB
# Staging files older than this are left over by crashed or abandoned uploads: a beat task removes them.
EVIDENCE_STAGING_MAX_AGE_HOURS = 48
# Each hourly re-verification run re-reads at most this many stored items and bytes, those checked longest ago
# first (a run always checks at least one item, however large).
EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN = 500
EVIDENCE_REVERIFY_MAX_BYTES_PER_RUN = 20 * 1024 * MiB
# Antivirus: the ClamAV daemon's address, a unix socket path ("/run/clamav/clamd.ctl") or "host:port". When set,
# each new item stays "pending scan", and cannot be downloaded, until clamd has found it clean; if clamd cannot be
# reached the item waits (fail closed) and the scan is retried. Unset (the embedded default only: production
# requires it), items are available at once and their page says that no antivirus scanner looked at them.
CLAMD_ADDRESS = ""
# How long to wait for clamd's verdict once the whole file is sent (large files take a while).
CLAMD_TIMEOUT_SECONDS = 600
# Resumable (tus) uploads: hours an unfinished upload is kept after its last chunk (then removed by Celery beat).
EVIDENCE_TUS_LIFETIME_HOURS = 24
# Police transmissions: how long an unfinished one may be resumed, and how many files a manifest may list.
TRANSMISSION_RESUME_DAYS = 14
TRANSMISSION_MAX_FILES = 1000
# When the evidence store is S3, chunks go into the evidence bucket as a multipart upload under the item's key, in
# parts of this size (at least 5 MiB, S3's minimum); the version they complete into is locked only once sealed.
EVIDENCE_TUS_S3_PART_SIZE = 8 * MiB
# Size of the chunks the upload page sends (each is held in the browser's memory while it is sent).
EVIDENCE_TUS_BROWSER_CHUNK_SIZE = 8 * MiB
# Who may use the tus endpoint: DRF authentication classes (session for the browser; API clients' bearer tokens).
EVIDENCE_TUS_AUTHENTICATION_CLASSES = [
    "justice.accounts.api_clients.ApiClientTokenAuthentication",
    "rest_framework.authentication.SessionAuthentication",
]

# Absolute links in emails point here.
PORTAL_BASE_URL = "http://127.0.0.1:8000"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
