"""The OAuth2 token endpoint (RFC 6749 §4.4, client credentials) where an organisation's software obtains the
bearer tokens of ``justice.accounts.api_clients``. Errors follow RFC 6749 §5.2, described in the caller's language."""

from __future__ import annotations

import base64
import binascii
import logging
from typing import Any
from urllib.parse import unquote_plus

from django.conf import settings
from django.http import HttpRequest
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from justice.accounts import services
from justice.accounts.api_clients import REALM, mark_client
from justice.accounts.models import ApiClient, ApiScope, scopes_format
from justice.ratelimit import rate_limited

logger = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
# Token requests per minute from one address: software asks for a token per hour or so; more is an attack on
# the secrets.
TOKEN_RATE_LIMIT = 30


class OAuthError(Exception):
    def __init__(self, error: str, description: str, *, status: int = 400) -> None:
        super().__init__(error)
        self.error, self.description, self.status = error, description, status


def _invalid_client(description: str) -> OAuthError:
    return OAuthError("invalid_client", description, status=401)


TOKEN_REQUEST = inline_serializer(
    "Token",
    fields={
        "grant_type": serializers.ChoiceField(choices=["client_credentials"]),
        "scope": serializers.CharField(
            required=False, help_text="Space-separated scopes, among the client's own (all of them if omitted)."
        ),
        "client_id": serializers.CharField(required=False, help_text="Only without HTTP Basic authentication."),
        "client_secret": serializers.CharField(required=False, help_text="Only without HTTP Basic authentication."),
    },
)
TOKEN_RESPONSE = inline_serializer(
    "TokenResponse",
    fields={
        "access_token": serializers.CharField(),
        "token_type": serializers.ChoiceField(choices=["Bearer"]),
        "expires_in": serializers.IntegerField(help_text="Seconds."),
        "scope": serializers.CharField(),
    },
)
TOKEN_ERROR = OpenApiResponse(
    response=inline_serializer(
        "TokenError",
        fields={
            "error": serializers.ChoiceField(
                choices=["invalid_request", "invalid_client", "unsupported_grant_type", "invalid_scope"]
            ),
            "error_description": serializers.CharField(),
        },
    ),
    description="RFC 6749 §5.2; invalid_client answers 401 with WWW-Authenticate.",
)


@method_decorator(
    rate_limited("api-token", limit=TOKEN_RATE_LIMIT, window=60, methods=("POST",)),
    name="dispatch",
)
class TokenView(APIView):
    authentication_classes = ()
    permission_classes = (AllowAny,)
    parser_classes = (FormParser,)
    renderer_classes = (JSONRenderer,)

    @extend_schema(
        operation_id="oauth_token",
        summary="Obtain an access token (OAuth2 client credentials)",
        description=(
            "RFC 6749 §4.4. Authenticate the client with HTTP Basic (client id and secret; preferred) or with "
            "`client_id` and `client_secret` in the body. The token is sent as `Authorization: Bearer <token>` "
            "until it expires; then ask for a new one. Revoking the credentials stops their tokens at once."
        ),
        tags=["oauth"],
        auth=[],
        request={FORM: TOKEN_REQUEST},
        responses={200: TOKEN_RESPONSE, 400: TOKEN_ERROR, 401: TOKEN_ERROR},
        examples=[
            OpenApiExample(
                "Token",
                value={"access_token": "pct_…", "token_type": "Bearer", "expires_in": 3600, "scope": "transmissions"},
                response_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        try:
            client, secret, parameters = self._parse(request)
            return self._issue(request, client, secret, parameters)
        except OAuthError as error:
            logger.info("token request refused: %s (%s)", error.error, error.description)
            response = Response({"error": error.error, "error_description": error.description}, status=error.status)
            if error.status == 401:
                response["WWW-Authenticate"] = f'Basic realm="{REALM}"'
            return response

    def _parse(self, request: Request) -> tuple[str, str, dict[str, str]]:
        django_request: HttpRequest = request._request
        if django_request.content_type != FORM:
            raise OAuthError("invalid_request", _("Send the parameters as %(type)s.") % {"type": FORM})
        form = django_request.POST
        repeated = sorted(key for key in form if len(form.getlist(key)) > 1)
        if repeated:
            raise OAuthError(
                "invalid_request", _("Give each parameter once (repeated: %(names)s).") % {"names": ", ".join(repeated)}
            )
        parameters = {key: form[key] for key in form}
        header = django_request.headers.get("Authorization", "")
        if header:
            scheme, _space, encoded = header.partition(" ")
            if scheme.lower() != "basic":
                raise _invalid_client(_("Authenticate the client with HTTP Basic (its id and secret)."))
            try:
                decoded = base64.b64decode(encoded.strip(), validate=True).decode()
            except (binascii.Error, UnicodeDecodeError):
                raise _invalid_client(_("The HTTP Basic credentials cannot be read.")) from None
            client_id, colon, secret = decoded.partition(":")
            if not colon:
                raise _invalid_client(_("The HTTP Basic credentials cannot be read."))
            if "client_id" in parameters or "client_secret" in parameters:
                raise OAuthError(
                    "invalid_request",
                    _("Authenticate the client one way only: HTTP Basic or the body, not both."),
                )
            # RFC 6749 §2.3.1: both are form-encoded before the Basic encoding.
            return unquote_plus(client_id), unquote_plus(secret), parameters
        client_id, secret = parameters.get("client_id", ""), parameters.get("client_secret", "")
        if not client_id or not secret:
            raise _invalid_client(_("Authenticate the client: HTTP Basic, or client_id and client_secret."))
        return client_id, secret, parameters

    def _issue(self, request: Request, client_id: str, secret: str, parameters: dict[str, str]) -> Response:
        client = services.api_client_authenticate(client_id=client_id, secret=secret)
        if client is None:
            known = ApiClient.objects.filter(client_id=client_id).first()
            if known is not None:
                mark_client(request, known)  # a wrong secret for a real client: its administrators see it
            logger.warning("token request with wrong credentials for client id %r", client_id[:64])
            raise _invalid_client(_("Unknown client or wrong secret."))
        mark_client(request, client)
        if not client.is_usable:
            raise _invalid_client(_("These API credentials have been revoked or have expired."))
        grant_type = parameters.get("grant_type")
        if not grant_type:
            raise OAuthError("invalid_request", _("The grant_type parameter is missing."))
        if grant_type != "client_credentials":
            raise OAuthError("unsupported_grant_type", _("Only the client_credentials grant type is supported here."))
        requested = set(parameters["scope"].split()) if "scope" in parameters else set(client.scopes)
        unknown = requested - set(ApiScope.values)
        if not requested or unknown or not requested <= client.scopes:
            raise OAuthError(
                "invalid_scope",
                _("Ask for scopes among those of these credentials: %(scopes)s.")
                % {"scopes": scopes_format(client.scopes)},
            )
        token, value = services.api_token_issue(client=client, scopes=requested)
        return Response(
            {
                "access_token": value,
                "token_type": "Bearer",
                "expires_in": settings.API_ACCESS_TOKEN_LIFETIME_SECONDS,
                "scope": token.scope,
            }
        )

    def finalize_response(self, request: Request, response: Any, *args: Any, **kwargs: Any) -> Response:
        response = super().finalize_response(request, response, *args, **kwargs)
        response["Cache-Control"] = "no-store"
        response["Pragma"] = "no-cache"
        return response


token = TokenView.as_view()
