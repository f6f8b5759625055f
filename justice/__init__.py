"""The justice e-filing portal: settings, URLs, the Celery app and the cross-cutting apps."""

from justice.celery import app as celery_app

__all__ = ["celery_app"]
