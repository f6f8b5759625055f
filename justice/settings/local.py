"""The embedded default served by ``make run``: SQLite, local files, Celery on the filesystem transport, demo data."""

from justice.settings.base import *  # noqa: F403

DEBUG = True
DEMO = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
# A fixed key is acceptable only here: production settings refuse to start without their own.
SECRET_KEY = "local-development-only-not-secret"  # noqa: S105
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Serve static files from the apps directly, without collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
TRANSPARENCY_LOG_SIGNING_KEY_FILE = str(VAR_DIR / "keys" / "transparency-log.key")  # noqa: F405
