"""Remove from the evidence store what crashes and outages left behind; lock objects sealed while it was down."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from evidence.services import evidence_lock_pending, evidence_remove_orphans
from evidence.storage import StoreUnavailableError


class Command(BaseCommand):
    help = (
        "Abort unfinished uploads and delete unsealed objects older than --hours (default "
        "EVIDENCE_ORPHAN_AGE_HOURS), then lock the objects of items sealed but not yet locked."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--hours", type=float, default=None, help="minimum age of an orphan, in hours")

    def handle(self, *args: Any, **options: Any) -> None:
        hours = settings.EVIDENCE_ORPHAN_AGE_HOURS if options["hours"] is None else options["hours"]
        try:
            removed = evidence_remove_orphans(older_than=timezone.now() - datetime.timedelta(hours=hours))
            locked = evidence_lock_pending()
        except StoreUnavailableError as error:
            raise CommandError(f"the evidence store is unavailable, try again later: {error}") from error
        self.stdout.write(f"removed {removed} orphan object(s) or unfinished upload(s); locked {locked} item(s)")
