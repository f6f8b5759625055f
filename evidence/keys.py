"""The transparency log's keys, from configuration (a setting, the environment, or a file), never the database.

``TRANSPARENCY_LOG_SIGNING_KEY`` holds the current signing key in the note format
(``PRIVATE+KEY+<name>+<id>+<base64>``), or ``TRANSPARENCY_LOG_SIGNING_KEY_FILE`` names a file holding it.
``TRANSPARENCY_LOG_PREVIOUS_KEYS`` lists the public keys of retired signing keys, so that checkpoints they signed
stay verifiable after a rotation.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from evidence.checkpoint import CheckpointError, Signer, Verifier


def log_signer() -> Signer:
    text = settings.TRANSPARENCY_LOG_SIGNING_KEY
    if not text and settings.TRANSPARENCY_LOG_SIGNING_KEY_FILE:
        try:
            text = Path(settings.TRANSPARENCY_LOG_SIGNING_KEY_FILE).read_text()
        except OSError as error:
            raise ImproperlyConfigured(f"Cannot read the transparency log's signing key: {error}") from error
    if not text:
        raise ImproperlyConfigured(
            "Set TRANSPARENCY_LOG_SIGNING_KEY or TRANSPARENCY_LOG_SIGNING_KEY_FILE "
            "(create one with `manage.py translog_keygen`)."
        )
    try:
        signer = Signer.decode(text)
    except CheckpointError as error:
        raise ImproperlyConfigured(f"The transparency log's signing key is invalid: {error}") from error
    if signer.name != settings.TRANSPARENCY_LOG_ORIGIN:
        raise ImproperlyConfigured(
            f"The signing key is named {signer.name!r} but the log's origin is {settings.TRANSPARENCY_LOG_ORIGIN!r}."
        )
    return signer


def log_verifiers() -> list[Verifier]:
    """The current public key first, then retired ones."""
    return [log_signer().verifier, *(Verifier.decode(text) for text in settings.TRANSPARENCY_LOG_PREVIOUS_KEYS)]
