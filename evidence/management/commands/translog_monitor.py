"""Check that the transparency log only grows: locally, or as an outside auditor through a portal's public URLs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from evidence.checkpoint import CheckpointError, Verifier
from evidence.monitor import LogForkError, monitor_local_log, monitor_remote_log


class Command(BaseCommand):
    help = "Verify the latest checkpoint and its consistency with the last one seen; fails loudly on a fork."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--url", help="a portal's base URL, to monitor it from outside through /log/…")
        parser.add_argument("--key", action="append", default=[], help="a public key of the log (repeatable)")
        parser.add_argument("--state", type=Path, help="file keeping the last checkpoint seen (with --url)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["url"]:
                if not options["key"] or not options["state"]:
                    raise CommandError("--url needs the log's public key (--key) and a --state file")
                verifiers = [Verifier.decode(key) for key in options["key"]]
                observation = monitor_remote_log(base_url=options["url"], verifiers=verifiers, state=options["state"])
            else:
                observation = monitor_local_log()
        except (LogForkError, CheckpointError) as error:
            raise CommandError(f"ALERT: {error}") from error
        checkpoint = observation.checkpoint
        self.stdout.write(f"OK: {checkpoint.origin} at size {checkpoint.size} extends the last checkpoint seen")
