"""Django's and allauth's authentication backends, refusing the service accounts of API clients: their software
authenticates with bearer tokens only, never with a password or a session."""

from __future__ import annotations

from typing import Any

from allauth.account import auth_backends
from django.contrib.auth import backends, get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from justice.reused_sql import reused


def _is_service_account(user: Any) -> bool:
    return bool(getattr(user, "is_service_account", False))


def _user_by_key(pk: int) -> QuerySet[Any]:
    return get_user_model()._default_manager.filter(pk=pk)


class _SessionUser:
    """The signed-in person of each request, read by the key the session holds, in a query compiled once per
    process (see justice.reused_sql): Django's own ``get()`` compiles it on every request."""

    def get_user(self, user_id: Any) -> Any:
        try:
            pk = get_user_model()._meta.pk.to_python(user_id)
        except ValidationError:
            return None
        user = next(iter(reused("accounts:session-user", _user_by_key, pk)), None)
        return user if user is not None and self.user_can_authenticate(user) else None  # type: ignore[attr-defined]


class ModelBackend(_SessionUser, backends.ModelBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not _is_service_account(user)


class AuthenticationBackend(_SessionUser, auth_backends.AuthenticationBackend):
    def user_can_authenticate(self, user: Any) -> bool:
        return super().user_can_authenticate(user) and not _is_service_account(user)
