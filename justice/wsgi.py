"""WSGI entry point (gunicorn ``justice.wsgi``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "justice.settings.production")

application = get_wsgi_application()
