"""Django's and allauth's authentication backends, refusing the service accounts of API clients: their software
authenticates with bearer tokens only, never with a password or a session."""

from __future__ import annotations

from typing import Any

from allauth.account import auth_backends
from django.contrib.auth import backends


def _is_service_account(user: Any) -> bool:
    return bool(getattr(user, "is_service_account", False))


class ModelBackend(backends.ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not _is_service_account(user)


class AuthenticationBackend(auth_backends.AuthenticationBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not _is_service_account(user)
