"""Settings of the sandbox OpenID Provider used by ``make run`` and the test suite; never deployed.

Everything it keeps (SQLite database, RSA signing key) lives in ``IDP_DATA_DIR`` (default ``var/idp/`` of the
checkout), so a test run can start a throwaway provider in a temporary folder.
"""

import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("IDP_DATA_DIR", BASE_DIR.parent.parent / "var" / "idp"))
DATA_DIR.mkdir(parents=True, exist_ok=True)


def signing_key() -> str:
    """The provider's RSA key, made on first start: its public half is what the portal fetches from the JWKS."""
    path = DATA_DIR / "oidc-signing-key.pem"
    if not path.exists():
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        path.write_bytes(pem)
        path.chmod(0o600)
    return path.read_text()


# A sandbox: the key below signs nothing but the sandbox's own sessions on 127.0.0.1.
SECRET_KEY = "sandbox-idp-not-secret"  # noqa: S105
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
    "sandbox_idp",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]
ROOT_URLCONF = "sandbox_idp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "idp.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Sandbox identities have a published password: a fast hash keeps the demo and the tests quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
LOGIN_URL = "login"

# The portal runs on the same host (another port) and cookies ignore ports: keep ours apart from the portal's.
SESSION_COOKIE_NAME = "sandbox_idp_sessionid"
CSRF_COOKIE_NAME = "sandbox_idp_csrftoken"

LANGUAGE_CODE = "fr"
USE_I18N = False
TIME_ZONE = "Europe/Paris"
USE_TZ = True

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": signing_key(),
    "PKCE_REQUIRED": True,
    "OAUTH2_VALIDATOR_CLASS": "sandbox_idp.validators.SandboxValidator",
    "SCOPES": {
        "openid": "Identifiant unique / Unique identifier",
        "profile": "Nom, prénoms, date et lieu de naissance / Names, date and place of birth",
        "email": "Adresse électronique / Email address",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": 300,
    "ID_TOKEN_EXPIRE_SECONDS": 300,
    "REQUEST_APPROVAL_PROMPT": "force",
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": ["client_secret_post", "client_secret_basic"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
