"""Issue API credentials to an organisation's software from the command line (operators, end-to-end tests).

Prints the client id and the secret once: the portal keeps only the secret's hash."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from justice.accounts.models import ApiScope, Organisation
from justice.accounts.services import ApiClientError, api_client_create


class Command(BaseCommand):
    help = "Create API credentials (OAuth2 client credentials) for an organisation's software; prints the secret once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--organisation", required=True, help="The organisation's code (for example CP-DEMO).")
        parser.add_argument("--name", required=True, help="A name to recognise the software by.")
        parser.add_argument(
            "--scopes",
            nargs="+",
            default=[ApiScope.TRANSMISSIONS.value],
            choices=ApiScope.values,
            help="What the software may do (default: transmissions).",
        )
        parser.add_argument("--days", type=int, default=None, help="Validity in days (default: the setting).")

    def handle(self, *args: Any, **options: Any) -> None:
        organisation = Organisation.objects.filter(code=options["organisation"]).first()
        if organisation is None:
            raise CommandError(f"No organisation has the code {options['organisation']!r}.")
        days = options["days"] if options["days"] is not None else settings.API_CLIENT_DEFAULT_LIFETIME_DAYS
        try:
            client, secret = api_client_create(
                organisation=organisation,
                name=options["name"],
                scopes=options["scopes"],
                lifetime_days=days,
                actor=None,
            )
        except ApiClientError as error:
            raise CommandError(str(error.message)) from error
        self.stdout.write(f"client_id={client.client_id}")
        self.stdout.write(f"client_secret={secret}")
        self.stdout.write(f"scope={client.scope}")
        self.stdout.write(f"expires_at={client.expires_at.isoformat()}")
        self.stderr.write("The secret is shown only this once: the portal keeps only its hash.")
