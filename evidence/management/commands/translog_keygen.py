"""Create a signing key for the transparency log, in a file only the portal's user can read."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.checkpoint import Signer


class Command(BaseCommand):
    help = "Create the transparency log's Ed25519 signing key and print its public key."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", nargs="?", help="where to write the key (default: the configured key file)")
        parser.add_argument("--if-missing", action="store_true", help="do nothing when the file already exists")

    def handle(self, *args: Any, **options: Any) -> None:
        target = options["path"] or settings.TRANSPARENCY_LOG_SIGNING_KEY_FILE
        if not target:
            raise CommandError("Give a path, or set TRANSPARENCY_LOG_SIGNING_KEY_FILE.")
        path = Path(target)
        if path.exists():
            if options["if_missing"]:
                return
            raise CommandError(f"{path} exists: a signing key is never overwritten (rotate with a new file).")
        path.parent.mkdir(parents=True, exist_ok=True)
        signer = Signer.generate(settings.TRANSPARENCY_LOG_ORIGIN)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as key_file:
            key_file.write(signer.encode() + "\n")
        self.stdout.write(f"Signing key written to {path}. Public key (publish it, pin it in verifiers):")
        self.stdout.write(signer.verifier.encode())
