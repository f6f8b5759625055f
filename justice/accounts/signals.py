"""Receivers of django-allauth's signals (connected in ``AccountsConfig.ready``)."""

from __future__ import annotations

from typing import Any

from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest

from justice.accounts.adapters import federation_succeeded


def on_social_account_added(sender: Any, request: HttpRequest, sociallogin: SocialLogin, **kwargs: Any) -> None:
    """A signed-in person linked their identity: the session now has the level the provider asserted."""
    if sociallogin.state.get("assurance_obtained"):
        federation_succeeded(request, user=request.user, sociallogin=sociallogin)
