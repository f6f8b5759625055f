"""How an organisation's software calls the API: bearer tokens of API clients (OAuth2 client credentials).

- ``ApiClientTokenAuthentication`` (DRF): ``Authorization: Bearer <token>`` -> ``(client.user, token)``;
  ``request.auth.client`` is the :class:`~justice.accounts.models.ApiClient`, ``request.auth.scopes`` a set.
  Checked against the database on every call, so a revoked client is refused at its next call.
- ``scope_required(scope)``: a DRF permission class; token callers need ``scope``, people signed in with their
  session are unaffected (their ordinary permissions apply).
- ``ApiCallLogMiddleware``: every call of a client (the token endpoint's included) is logged and recorded.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from justice.accounts.models import ApiAccessToken, ApiCall, ApiClient, ApiScope, User, hash_api_secret
from justice.ratelimit import client_address

logger = logging.getLogger(__name__)

REALM = "api"
TOKEN_PATH = "/api/v1/oauth/token/"  # noqa: S105 - a URL, not a secret
# last_used_at is written at most this often per client, so that a burst of calls does not write it each time.
LAST_USED_RESOLUTION = timedelta(minutes=1)
# Set on the Django request for ApiCallLogMiddleware: the client that called (authenticated or refused).
REQUEST_CLIENT_ATTRIBUTE = "api_client"


def mark_client(request: HttpRequest | Request, client: ApiClient) -> None:
    django_request = request._request if isinstance(request, Request) else request
    setattr(django_request, REQUEST_CLIENT_ATTRIBUTE, client)


class ApiClientTokenAuthentication(BaseAuthentication):
    """RFC 6750 bearer tokens issued by ``POST /api/v1/oauth/token/``."""

    def authenticate(self, request: Request) -> tuple[User, ApiAccessToken] | None:
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != b"bearer":
            return None
        request._api_token_refused = True  # type: ignore[attr-defined]
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("The Authorization header must be “Bearer” and the token."))
        try:
            value = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("The access token is not valid.")) from None
        token = (
            ApiAccessToken.objects.select_related("client", "client__user", "client__organisation")
            .filter(token_hash=hash_api_secret(value))
            .first()
        )
        if token is None:
            logger.warning("API call refused: unknown access token (%s %s)", request.method, request.path)
            raise exceptions.AuthenticationFailed(_("The access token is not valid."))
        client = token.client
        mark_client(request, client)
        now = timezone.now()
        if token.expires_at <= now:
            logger.info("API call refused: expired token of client %s", client.client_id)
            raise exceptions.AuthenticationFailed(_("The access token has expired: obtain a new one."))
        if not client.is_usable or not client.user.is_active:
            logger.warning("API call refused: token of revoked or expired client %s", client.client_id)
            raise exceptions.AuthenticationFailed(_("These API credentials have been revoked or have expired."))
        if client.last_used_at is None or now - client.last_used_at >= LAST_USED_RESOLUTION:
            ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
            client.last_used_at = now
        request._api_token_refused = False  # type: ignore[attr-defined]
        return client.user, token

    def authenticate_header(self, request: Request) -> str:
        if getattr(request, "_api_token_refused", False):
            return f'Bearer realm="{REALM}", error="invalid_token"'
        return f'Bearer realm="{REALM}"'


class _ScopeRequired(BasePermission):
    scope: str = ""

    def has_permission(self, request: Request, view: Any) -> bool:
        token = request.auth
        if not isinstance(token, ApiAccessToken):
            return True  # a person with a session: scopes concern API clients only
        if self.scope in token.scopes:
            return True
        logger.info("API call refused: client %s lacks scope %s", token.client.client_id, self.scope)
        raise exceptions.PermissionDenied(
            _("The access token does not carry the scope “%(scope)s” this call needs.") % {"scope": self.scope},
            code="insufficient_scope",
        )


def scope_required(scope: str) -> type[BasePermission]:
    """A DRF permission class: a call authenticated by an API token needs ``scope`` (an :class:`ApiScope`)."""
    if scope not in ApiScope.values:
        raise ValueError(f"Unknown API scope: {scope!r}")
    return type(f"ScopeRequired_{scope}", (_ScopeRequired,), {"scope": scope})


class ApiCallLogMiddleware:
    """Every call of an API client is one log line and one row (one INSERT), shown on the client's page."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        client: ApiClient | None = getattr(request, REQUEST_CLIENT_ATTRIBUTE, None)
        if client is not None:
            address = client_address(request)
            path = request.path[:500]
            logger.info(
                "API call by client %s from %s: %s %s -> %s",
                client.client_id,
                address,
                request.method,
                path,
                response.status_code,
            )
            ApiCall.objects.create(
                client=client,
                method=(request.method or "")[:10],
                path=path,
                status_code=response.status_code,
                ip_address=address[:64],
            )
        return response


class ApiClientTokenScheme(OpenApiAuthenticationExtension):
    """The OpenAPI security scheme: OAuth2 client credentials, with the scope catalogue."""

    target_class = "justice.accounts.api_clients.ApiClientTokenAuthentication"
    name = "apiClientCredentials"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "oauth2",
            "description": str(
                gettext_lazy(
                    "Software of an organisation, with the API credentials its administrator issued: obtain a "
                    "bearer token from the token endpoint (HTTP Basic with the client id and secret), then send "
                    "it as “Authorization: Bearer <token>”."
                )
            ),
            "flows": {
                "clientCredentials": {
                    "tokenUrl": TOKEN_PATH,
                    "scopes": {scope.value: str(scope.label) for scope in ApiScope},
                }
            },
        }

    def get_security_requirement(self, auto_schema: Any) -> dict[str, list[str]]:
        view = auto_schema.view
        scopes = sorted(
            {permission.scope for permission in view.get_permissions() if isinstance(permission, _ScopeRequired)}
        )
        return {self.name: scopes}
