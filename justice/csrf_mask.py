"""Django's masking of CSRF tokens, computed with bytes and table look-ups instead of a Python loop per character.

Every page carries a CSRF token (the header's sign-out and language forms), and Django masks the person's secret
anew for each response, against BREACH: a mask of 32 characters drawn one at a time with ``secrets.choice``, then
each character of the secret shifted by the mask's character at the same place. That is some 500 Python calls and
about 0.12 ms per page, 2-3% of a page's processor time.

``mask_cipher_secret`` gives a token of the same form from the same kind of randomness: the mask is 32 characters of
``CSRF_ALLOWED_CHARS`` (62 of them), each uniformly random, from the operating system's random source (what
``secrets`` uses): random bytes below 248 (4 x 62) map four to a character, the others are dropped. The cipher is
the secret shifted by the mask, modulo 62, read from a table of the 62 x 62 sums. Django's own check
(``_unmask_cipher_token``, on every POST) reads these tokens as its own.

It takes the place of Django's ``_mask_cipher_secret``, which ``get_token`` looks up at each call, when the portal's
app is ready (justice/portal/apps.py). tests/test_csrf_mask.py checks that Django still calls that function, and
still unmasks what this one makes.
"""

from __future__ import annotations

import os

from django.middleware import csrf

_CHARS = csrf.CSRF_ALLOWED_CHARS
_USABLE = 256 - 256 % len(_CHARS)  # random bytes below this map uniformly onto the characters
_TO_CHAR = bytes(ord(_CHARS[value % len(_CHARS)]) for value in range(_USABLE)) + bytes(256 - _USABLE)
_DROPPED = bytes(range(_USABLE, 256))
_SUMS = {
    (secret_char, mask_char): _CHARS[(i + j) % len(_CHARS)]
    for i, secret_char in enumerate(_CHARS)
    for j, mask_char in enumerate(_CHARS)
}


def random_chars(count: int) -> str:
    """``count`` characters of ``CSRF_ALLOWED_CHARS``, each uniformly random (as ``get_random_string`` draws them)."""
    drawn = b""
    while len(drawn) < count:
        drawn += os.urandom(count + 8).translate(_TO_CHAR, _DROPPED)
    return drawn[:count].decode("ascii")


def mask_cipher_secret(secret: str) -> str:
    """The token for ``secret``: a new mask, then the secret shifted by it (as ``csrf._mask_cipher_secret``)."""
    if len(secret) != csrf.CSRF_SECRET_LENGTH:
        raise ValueError("A CSRF secret has 32 characters.")
    mask = random_chars(csrf.CSRF_SECRET_LENGTH)
    try:
        return mask + "".join(map(_SUMS.__getitem__, zip(secret, mask, strict=True)))
    except KeyError:
        raise ValueError("A CSRF secret is made of letters and digits.") from None


def install() -> None:
    csrf._mask_cipher_secret = mask_cipher_secret  # type: ignore[attr-defined]
