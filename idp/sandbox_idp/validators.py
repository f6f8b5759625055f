"""The provider's OAuth 2 / OpenID Connect rules: django-oauth-toolkit's, plus eIDAS `acr` and identity claims.

The level the person chose on the consent screen travels with the authorization code (as the OIDC ``claims``
request ``{"id_token": {"acr": {"value": ...}}}`` stored on the grant) and ends up in the ID token. Misbehaving
test identities (see ``identities.py``) get an ID token that is wrong in one way.
"""

from __future__ import annotations

import base64
import functools
import time
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from oauth2_provider.oauth2_validators import OAuth2Validator

from sandbox_idp.identities import BY_USERNAME, Identity, Misbehaviour


@functools.cache
def impostor_key() -> rsa.RSAPrivateKey:
    """A key that is not in the provider's JWKS."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def chosen_acr(request: Any) -> str | None:
    claims = request.claims if isinstance(request.claims, dict) else {}
    acr = claims.get("id_token", {}).get("acr", {})
    return acr.get("value") if isinstance(acr, dict) else None


class SandboxValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "birthplace": "profile",
        "birthcountry": "profile",
        "acr": "openid",
    }

    def identity(self, request: Any) -> Identity | None:
        return BY_USERNAME.get(request.user.username)

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        identity = self.identity(request)
        claims: dict[str, Any] = identity.claims() if identity else {}
        acr = chosen_acr(request)
        if acr:
            claims["acr"] = acr
        return claims

    def get_id_token_dictionary(self, token: Any, token_handler: Any, request: Any) -> tuple[dict[str, Any], Any]:
        claims, expiration_time = super().get_id_token_dictionary(token, token_handler, request)
        identity = self.identity(request)
        misbehaviour = identity.misbehaviour if identity else Misbehaviour.NONE
        if misbehaviour is Misbehaviour.WRONG_AUDIENCE:
            claims["aud"] = "another-relying-party"
        elif misbehaviour is Misbehaviour.WRONG_NONCE:
            claims["nonce"] = "not-the-nonce-you-sent"
        elif misbehaviour is Misbehaviour.EXPIRED:
            now = int(time.time())
            claims.update(iat=now - 7200, auth_time=now - 7200, exp=now - 3600)
        return claims, expiration_time

    def finalize_id_token(self, id_token: dict[str, Any], token: Any, token_handler: Any, request: Any) -> str:
        jwt = super().finalize_id_token(id_token, token, token_handler, request)
        identity = self.identity(request)
        if identity is None or identity.misbehaviour is not Misbehaviour.BAD_SIGNATURE:
            return jwt
        # Same header (and key id), same claims, but signed by a key the relying party cannot know.
        signing_input = jwt.rsplit(".", 1)[0]
        signature = impostor_key().sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + base64.urlsafe_b64encode(signature).rstrip(b"=").decode()
