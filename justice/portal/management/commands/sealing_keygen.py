"""Create a self-signed demo sealing certificate for signing the portal's PDFs (embedded default, tests)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from justice.signing import demo_sealing_certificate_create


class Command(BaseCommand):
    help = "Create a self-signed demo sealing certificate and key (never for production) in the configured files."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--certificate", help="where to write the certificate (default: SEALING_CERTIFICATE_FILE)")
        parser.add_argument("--key", help="where to write the private key (default: SEALING_KEY_FILE)")
        parser.add_argument("--organisation", default="Portail justice (démo)", help="the certificate's organisation")
        parser.add_argument("--if-missing", action="store_true", help="do nothing when the files already exist")

    def handle(self, *args: Any, **options: Any) -> None:
        certificate = options["certificate"] or settings.SEALING_CERTIFICATE_FILE
        key = options["key"] or settings.SEALING_KEY_FILE
        if not certificate or not key:
            raise CommandError("Give --certificate and --key, or set SEALING_CERTIFICATE_FILE and SEALING_KEY_FILE.")
        paths = Path(certificate), Path(key)
        existing = [path for path in paths if path.exists()]
        if existing:
            if options["if_missing"] and len(existing) == 2:
                return
            raise CommandError(f"{existing[0]} exists: a sealing certificate is never overwritten.")
        created = demo_sealing_certificate_create(
            certificate_file=paths[0], key_file=paths[1], organisation=options["organisation"]
        )
        self.stdout.write(f"Demo sealing certificate written to {paths[0]} (key: {paths[1]}), valid until ")
        self.stdout.write(f"{created.not_valid_after_utc:%Y-%m-%d}. Self-signed: for demonstrations only.")
