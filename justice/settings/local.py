"""The embedded default served by ``make run``: SQLite, local files, Celery on the filesystem transport, demo data."""

import os

from justice.settings.base import *  # noqa: F403

DEBUG = True
DEMO = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# A fixed key is acceptable only here: production settings refuse to start without their own.
SECRET_KEY = "local-development-only-not-secret"  # noqa: S105
CACHES = {**CACHES, "layout": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}  # noqa: F405
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Serve static files from the apps directly, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
TRANSPARENCY_LOG_SIGNING_KEY_FILE = str(VAR_DIR / "keys" / "transparency-log.key")  # noqa: F405
# A self-signed demo sealing certificate, made by `manage.py sealing_keygen --if-missing` (make run).
SEALING_CERTIFICATE_FILE = str(VAR_DIR / "keys" / "sealing-certificate.pem")  # noqa: F405
SEALING_KEY_FILE = str(VAR_DIR / "keys" / "sealing-key.pem")  # noqa: F405

# The sandbox identity provider (idp/) that scripts/run-local.sh starts beside the portal. Its client
# registration is made by `idp/manage.py idp_seed` with the same (sandbox-only) credentials.
SANDBOX_IDP_PORT = os.environ.get("IDP_PORT", "8001")
SOCIALACCOUNT_PROVIDERS["openid_connect"]["APPS"] = [  # noqa: F405
    {
        "provider_id": "sandbox",
        "name": "Fournisseur d’identité de test (sandbox)",
        "client_id": "justice-portal-local",
        "secret": "sandbox-client-secret-local",
        "settings": {
            "server_url": f"http://127.0.0.1:{SANDBOX_IDP_PORT}/o",
            "oauth_pkce_enabled": True,
            # Claims come from the signed ID token only.
            "fetch_userinfo": False,
            "token_auth_method": "client_secret_post",
        },
    }
]
# Passkeys over plain http (use http://localhost:8000: browsers refuse an IP address as WebAuthn relying party).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True
