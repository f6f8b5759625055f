"""Sign a checkpoint of the transparency log now (beat does it every few minutes) and print it."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from evidence.translog import translog_checkpoint


class Command(BaseCommand):
    help = "Sign a checkpoint of the transparency log if it has grown, and print the latest one."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(translog_checkpoint().note, ending="")
