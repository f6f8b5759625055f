"""A software FIDO2 authenticator: real keys, real signatures, the byte formats of the WebAuthn specification.

It answers the options the portal (allauth, on top of python-fido2's server) hands to the browser, exactly as a
security key or a phone would, so registration and sign-in are tested through the portal's own views.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fido2.cose import ES256
from fido2.utils import websafe_decode, websafe_encode
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorData,
    CollectedClientData,
)

FLAGS = AuthenticatorData.FLAG


def as_plain(options: Any) -> dict[str, Any]:
    """Options as the browser receives them (JSON), whatever mapping python-fido2 returned."""
    return json.loads(json.dumps(options, default=lambda value: dict(value)))


def as_bytes(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else websafe_decode(value)


@dataclass
class SoftwareAuthenticator:
    origin: str
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    credential_id: bytes = field(default_factory=lambda: os.urandom(32))
    user_handle: bytes = b""
    rp_id: str = ""
    counter: int = 0

    def create(self, creation_options: Any) -> dict[str, Any]:
        """navigator.credentials.create(): a new ES256 credential, attestation format "none"."""
        options = as_plain(creation_options)["publicKey"]
        self.rp_id = options["rp"]["id"]
        self.user_handle = as_bytes(options["user"]["id"])
        client_data = CollectedClientData.create(
            type="webauthn.create", challenge=as_bytes(options["challenge"]), origin=self.origin
        )
        credential_data = AttestedCredentialData.create(
            b"\0" * 16, self.credential_id, ES256.from_cryptography_key(self.key.public_key())
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(self.rp_id.encode()).digest(),
            FLAGS.UP | FLAGS.UV | FLAGS.AT,
            self.counter,
            credential_data,
        )
        attestation = AttestationObject.create("none", auth_data, {})
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "attestationObject": websafe_encode(attestation),
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
        }

    def get(self, request_options: Any, *, key: ec.EllipticCurvePrivateKey | None = None) -> dict[str, Any]:
        """navigator.credentials.get(): an assertion signed with the credential's key (or another, to cheat)."""
        options = as_plain(request_options)["publicKey"]
        self.counter += 1
        client_data = CollectedClientData.create(
            type="webauthn.get", challenge=as_bytes(options["challenge"]), origin=self.origin
        )
        auth_data = AuthenticatorData.create(
            hashlib.sha256(self.rp_id.encode()).digest(), FLAGS.UP | FLAGS.UV, self.counter
        )
        signature = (key or self.key).sign(bytes(auth_data) + client_data.hash, ec.ECDSA(hashes.SHA256()))
        return {
            "id": websafe_encode(self.credential_id),
            "rawId": websafe_encode(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": websafe_encode(client_data),
                "authenticatorData": websafe_encode(auth_data),
                "signature": websafe_encode(signature),
                "userHandle": websafe_encode(self.user_handle),
            },
            "clientExtensionResults": {},
        }
