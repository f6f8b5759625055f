"""Background work of hearings: building case bundles."""

from celery import shared_task
from django.utils import translation

from hearings import bundle


@shared_task(acks_late=True, ignore_result=True)
def build_case_bundle(bundle_id: int) -> None:
    with translation.override("fr"):
        bundle.build_now(bundle_id)
