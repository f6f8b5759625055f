"""The people the sandbox provider knows, and the test identities that make it misbehave on purpose.

A misbehaving identity signs in like any other, but the ID token the provider then issues is wrong in one
precise way, so the portal's checks are exercised against a real server rather than against hand-made tokens.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

# One password for every sandbox identity: the sandbox only ever runs on 127.0.0.1.
PASSWORD = "sandbox-identity-2026"  # noqa: S105


class Misbehaviour(enum.StrEnum):
    NONE = ""
    BAD_SIGNATURE = "bad_signature"  # signed with a key that is not in the provider's JWKS
    WRONG_AUDIENCE = "wrong_audience"  # issued for another client
    WRONG_NONCE = "wrong_nonce"  # does not echo the nonce of the authorization request
    EXPIRED = "expired"  # expired an hour ago


@dataclass(frozen=True)
class Identity:
    username: str
    subject: str
    given_name: str
    family_name: str
    birthdate: str
    birthplace: str
    birthcountry: str
    email: str
    misbehaviour: Misbehaviour = Misbehaviour.NONE

    def claims(self) -> dict[str, str | bool]:
        return {
            "sub": self.subject,
            "given_name": self.given_name,
            "family_name": self.family_name,
            "birthdate": self.birthdate,
            "birthplace": self.birthplace,
            "birthcountry": self.birthcountry,
            "email": self.email,
            "email_verified": True,
        }


IDENTITIES = [
    Identity(
        "camille",
        "sbx-7f3a9c21",
        "Camille Marie",
        "MARTIN",
        "1988-04-12",
        "Orléans (45)",
        "France",
        "citoyen@demo.justice.localhost",
    ),
    Identity(
        "alix",
        "sbx-4be01d77",
        "Alix Jeanne",
        "DUBOIS",
        "1975-11-30",
        "Lyon 3e (69)",
        "France",
        "alix.dubois@idp.sandbox.localhost",
    ),
    Identity(
        "noa",
        "sbx-91c4e2f0",
        "Noa",
        "LEROY",
        "2001-02-03",
        "Bruxelles",
        "Belgique",
        "noa.leroy@idp.sandbox.localhost",
    ),
    *(
        Identity(
            f"tamper-{m.value.replace('_', '-')}",
            f"sbx-tamper-{m.value}",
            "Test",
            m.value.upper(),
            "1970-01-01",
            "Nulle-part",
            "France",
            f"tamper-{m.value.replace('_', '-')}@idp.sandbox.localhost",
            m,
        )
        for m in Misbehaviour
        if m is not Misbehaviour.NONE
    ),
]
BY_USERNAME = {identity.username: identity for identity in IDENTITIES}

# eIDAS levels as FranceConnect+ names them in `acr`, lowest first.
ACR_LEVELS = [
    ("eidas1", "Faible / Low (eidas1)"),
    ("eidas2", "Substantiel / Substantial (eidas2)"),
    ("eidas3", "Élevé / High (eidas3)"),
]
