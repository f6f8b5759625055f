"""Re-read stored evidence against its seals now (what the hourly beat task does), and print a report."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from evidence.reverify import evidence_reverify


class Command(BaseCommand):
    help = (
        "Re-hash stored evidence items against their seals, those checked longest ago first; a mismatch blocks "
        "the item, records verification_failed and alerts the administrators. Exits with an error if any failed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--max-items",
            type=int,
            default=settings.EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN,
            help="items to check at most (default EVIDENCE_REVERIFY_MAX_ITEMS_PER_RUN)",
        )
        parser.add_argument(
            "--max-bytes",
            type=int,
            default=settings.EVIDENCE_REVERIFY_MAX_BYTES_PER_RUN,
            help="bytes to read at most; at least one item is checked (default EVIDENCE_REVERIFY_MAX_BYTES_PER_RUN)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["max_items"] < 1 or options["max_bytes"] < 1:
            raise CommandError("--max-items and --max-bytes must be positive")
        report = evidence_reverify(max_items=options["max_items"], max_bytes=options["max_bytes"])
        if report.skipped_running:
            raise CommandError("another re-verification is running: try again when it is over")
        self.stdout.write(
            f"Checked {report.checked} item(s), {filesizeformat(report.bytes_read)} read: "
            f"{report.matched} matched their seal, {len(report.failed)} failed."
        )
        self.stdout.write(f"{report.waiting} item(s) wait for a later run (blocked items are not re-checked).")
        if report.failed:
            for pk in report.failed:
                self.stdout.write(f"FAILED {pk}: blocked, see its chain of custody")
            raise CommandError(f"ALERT: {len(report.failed)} item(s) no longer match their seal")
