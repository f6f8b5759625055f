"""allauth's OpenID Connect provider, asking for an eIDAS level and a nonce, and verifying every ID token."""

from __future__ import annotations

import secrets
from typing import Any

import jwt
from allauth.socialaccount.internal import jwtkit
from allauth.socialaccount.models import SocialApp
from allauth.socialaccount.providers.oauth2.client import OAuth2Error
from allauth.socialaccount.providers.openid_connect.provider import OpenIDConnectProvider
from allauth.socialaccount.providers.openid_connect.views import OpenIDConnectOAuth2Adapter
from allauth.utils import get_request_param
from django.http import HttpRequest, HttpResponse

from justice.accounts.assurance import ACR_BY_LEVEL, Level

# Clock difference tolerated between the provider and us when checking `exp` and `iat`.
CLOCK_SKEW_SECONDS = 30
# Claims an ID token must carry (OpenID Connect Core 1.0 §2), plus our nonce and level.
REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "nonce", "acr"]
FEDERATION_LEVELS = (Level.SUBSTANTIAL, Level.HIGH)


class EidasOpenIDConnectAdapter(OpenIDConnectOAuth2Adapter):
    def _decode_id_token(self, app: SocialApp, id_token: str) -> dict[str, Any]:
        """Signature (JWKS), issuer, audience, expiry, and the presence of every claim we rely on."""
        config = self.openid_config
        try:
            algorithm, key = jwtkit.fetch_key(id_token, config["jwks_uri"], jwtkit.lookup_kid_jwk)
            if algorithm not in ("RS256", "ES256", "PS256"):
                raise OAuth2Error(f"Refused ID token algorithm {algorithm!r}")
            return jwt.decode(
                id_token,
                key=key,
                algorithms=[algorithm],
                issuer=config["issuer"],
                audience=app.client_id,
                leeway=CLOCK_SKEW_SECONDS,
                options={"require": REQUIRED_CLAIMS},
            )
        except (jwt.PyJWTError, KeyError) as error:
            raise OAuth2Error(f"Invalid ID token: {error}") from error


class EidasOpenIDConnectProvider(OpenIDConnectProvider):
    # Our views (justice.accounts.oidc.urls) build the adapter above; allauth's would build its own.
    package = "justice.accounts.oidc"
    oauth2_adapter_class = EidasOpenIDConnectAdapter

    def get_redirect_from_request_kwargs(self, request: HttpRequest) -> dict[str, Any]:
        kwargs = super().get_redirect_from_request_kwargs(request)
        level = get_request_param(request, "level", Level.SUBSTANTIAL)
        kwargs["assurance_requested"] = level if level in FEDERATION_LEVELS else Level.SUBSTANTIAL
        return kwargs

    def redirect(
        self, request: HttpRequest, process: str, next_url: str | None = None, data: Any = None, **kwargs: Any
    ) -> HttpResponse:
        level = Level(kwargs.pop("assurance_requested", Level.SUBSTANTIAL))
        nonce = secrets.token_urlsafe(32)
        auth_params = dict(kwargs.pop("auth_params", None) or self.get_auth_params())
        # Set last, so that nothing passed in the request can lower the level or choose the nonce.
        auth_params.update(nonce=nonce, acr_values=ACR_BY_LEVEL[level])
        # Extra keyword arguments end up in allauth's stashed state, which comes back with the callback.
        return super().redirect(
            request,
            process,
            next_url,
            data,
            auth_params=auth_params,
            nonce=nonce,
            assurance_requested=level.value,
            **kwargs,
        )


provider_classes = [EidasOpenIDConnectProvider]
