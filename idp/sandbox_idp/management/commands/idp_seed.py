"""Create the sandbox identities and register the portal as a client (idempotent)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction
from oauth2_provider.models import get_application_model

from sandbox_idp.identities import IDENTITIES, PASSWORD


class Command(BaseCommand):
    help = "Create the sandbox identities and the portal's client registration."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--client-id", required=True)
        parser.add_argument("--client-secret", required=True)
        parser.add_argument("--redirect-uri", action="append", required=True, dest="redirect_uris")

    def handle(self, *args: Any, **options: Any) -> None:
        application_model = get_application_model()
        with transaction.atomic():
            for identity in IDENTITIES:
                user, _created = User.objects.update_or_create(
                    username=identity.username,
                    defaults={
                        "first_name": identity.given_name,
                        "last_name": identity.family_name,
                        "email": identity.email,
                    },
                )
                user.set_password(PASSWORD)
                user.save()
            application, _created = application_model.objects.get_or_create(
                client_id=options["client_id"],
                defaults={"name": "Justice en ligne"},
            )
            application.name = "Justice en ligne"
            application.client_secret = options["client_secret"]
            application.client_type = application_model.CLIENT_CONFIDENTIAL
            application.authorization_grant_type = application_model.GRANT_AUTHORIZATION_CODE
            application.algorithm = application_model.RS256_ALGORITHM
            application.redirect_uris = " ".join(options["redirect_uris"])
            application.skip_authorization = False
            application.save()
        self.stdout.write(f"Sandbox identities (password for all: {PASSWORD}):")
        for identity in IDENTITIES:
            note = f"  [misbehaves: {identity.misbehaviour.value}]" if identity.misbehaviour else ""
            self.stdout.write(f"  {identity.username:<24} {identity.given_name} {identity.family_name}{note}")
