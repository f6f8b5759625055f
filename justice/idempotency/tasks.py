from celery import shared_task

from justice.idempotency.services import idempotency_purge_expired


@shared_task(ignore_result=True)
def purge_expired_idempotency_keys() -> int:
    return idempotency_purge_expired()
