"""Emails about accounts, sent by Celery workers."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse

from justice.accounts.models import Invitation


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=8, acks_late=True)
def send_invitation_email(invitation_id: int, token: str) -> None:
    """The invitee may read either language, so the message is in French, then English."""
    invitation = Invitation.objects.select_related("organisation", "invited_by").get(pk=invitation_id)
    if not invitation.is_pending:
        return
    context = {
        "invitation": invitation,
        "url": settings.PORTAL_BASE_URL.rstrip("/") + reverse("accounts:invitation_accept", args=[token]),
    }
    send_mail(
        subject=render_to_string("accounts/email/invitation_subject.txt", context).strip(),
        message=render_to_string("accounts/email/invitation_message.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@shared_task(ignore_result=True)
def purge_api_records() -> None:
    """Expired access tokens of API clients, and the record of their calls past its retention (Celery beat)."""
    from justice.accounts.services import api_records_purge

    api_records_purge()
