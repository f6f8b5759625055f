"""Receivers of django-allauth's signals (connected in ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialLogin
from django.db import transaction
from django.http import HttpRequest

from justice.accounts.adapters import federation_succeeded


def on_social_account_added(sender: Any, request: HttpRequest, sociallogin: SocialLogin, **kwargs: Any) -> None:
    """A signed-in person linked their identity: the session now has the level the provider asserted."""
    if sociallogin.state.get("assurance_obtained"):
        federation_succeeded(request, user=request.user, sociallogin=sociallogin)


def on_authenticator_deleted(sender: Any, instance: Authenticator, **kwargs: Any) -> None:
    """A second factor was removed: whether its owner still has one is read again (see the staff MFA middleware)."""
    from justice.accounts.middleware import forget_mfa_set_up

    user_id = instance.user_id
    transaction.on_commit(lambda: forget_mfa_set_up(user_id))
