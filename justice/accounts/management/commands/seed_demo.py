"""Demo organisations and one account per role, for ``make run``. Refuses to run unless the DEMO setting is on."""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from filings.demo import seed_demo_routes
from filings.models import Room
from justice.accounts.models import Membership, Organisation, User

DEMO_PASSWORD = "demo-justice-2026"  # noqa: S105 - demo accounts exist only when settings.DEMO is on

ORGANISATIONS = [
    # code, kind, name, address
    ("TJ-DEMO", Organisation.Kind.COURT, "Tribunal judiciaire de Démo-sur-Loire", "1 place de la Justice, 45000 Démo"),
    ("PR-DEMO", Organisation.Kind.PROSECUTOR_OFFICE, "Parquet de Démo-sur-Loire", "1 place de la Justice, 45000 Démo"),
    ("CP-DEMO", Organisation.Kind.POLICE_UNIT, "Commissariat de Démo-Centre", "12 rue de la Paix, 45000 Démo"),
    ("BAR-DEMO", Organisation.Kind.BAR, "Barreau de Démo-sur-Loire", "3 rue des Avocats, 45000 Démo"),
]
ROOMS = [("Salle 1", "Rez-de-chaussée, aile nord", 60), ("Salle 2", "1er étage, aile sud", 30)]
ACCOUNTS = [
    # email, first name, last name, organisation code, role (None: citizen)
    ("citoyen@demo.justice.localhost", "Camille", "Martin", None, None),
    ("avocat@demo.justice.localhost", "Maître Alex", "Durand", "BAR-DEMO", Membership.Role.LAWYER),
    ("greffier@demo.justice.localhost", "Dominique", "Bernard", "TJ-DEMO", Membership.Role.CLERK),
    ("juge@demo.justice.localhost", "Claude", "Petit", "TJ-DEMO", Membership.Role.JUDGE),
    ("procureur@demo.justice.localhost", "Sacha", "Robert", "PR-DEMO", Membership.Role.PROSECUTOR),
    ("policier@demo.justice.localhost", "Lou", "Richard", "CP-DEMO", Membership.Role.POLICE_OFFICER),
    ("admin-tribunal@demo.justice.localhost", "Morgan", "Moreau", "TJ-DEMO", Membership.Role.ORGANISATION_ADMIN),
]


class Command(BaseCommand):
    help = "Create demo organisations, rooms and one account per role (only with the DEMO setting on)."

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("seed_demo only runs with the DEMO setting on; it is refused in production.")
        with transaction.atomic():
            organisations = {}
            for code, kind, name, address in ORGANISATIONS:
                organisations[code], _ = Organisation.objects.update_or_create(
                    code=code, defaults={"kind": kind, "name": name, "address": address}
                )
            for name, location, capacity in ROOMS:
                Room.objects.update_or_create(
                    court=organisations["TJ-DEMO"], name=name, defaults={"location": location, "capacity": capacity}
                )
            seed_demo_routes(organisations=organisations)
            rows = []
            for email, first_name, last_name, org_code, role in ACCOUNTS:
                user = self._account(email, first_name, last_name)
                if role is not None and org_code is not None:
                    Membership.objects.active().get_or_create(
                        user=user, organisation=organisations[org_code], role=role
                    )
                    self._totp(user)
                rows.append((Membership.Role(role).label if role else "Citoyen / citizen", email))
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD}):"))
        for label, email in rows:
            self.stdout.write(f"  {label:<32} {email}")
        self.stdout.write(
            "Staff accounts use two-factor authentication: in demo mode the code is shown on the sign-in page."
        )

    def _account(self, email: str, first_name: str, last_name: str) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"first_name": first_name, "last_name": last_name, "is_demo": True}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        EmailAddress.objects.update_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        return user

    def _totp(self, user: User) -> None:
        if not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
            TOTP.activate(user, generate_totp_secret())
