"""Demo organisations, one account per role, and a small set of cases and filings made through the services (see
``seed_demo_set``), for ``make run``. Refuses to run unless the DEMO setting is on. Running it again changes nothing.
"""

from __future__ import annotations

from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from evidence.demo import seed_demo_transmission
from evidence.keys import log_signer
from filings.demo import (
    DemoPeople,
    demo_pdf,
    seed_demo_case,
    seed_demo_pre_complaint,
    seed_demo_routes,
    seed_demo_submission,
)
from filings.models import Room
from hearings.demo import seed_demo_decision, seed_demo_hearing
from justice.accounts.models import Membership, Organisation, User
from justice.signing import sealing_signer

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
    help = (
        "Create demo organisations, rooms, one account per role and a few cases and filings (only with the DEMO "
        "setting on)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.DEMO:
            raise CommandError("seed_demo only runs with the DEMO setting on; it is refused in production.")
        try:
            # The demo's evidence is sealed in the transparency log, its decision signed with the sealing certificate.
            log_signer()
            sealing_signer()
        except ImproperlyConfigured as error:
            raise CommandError(
                f"{error} The demo data needs the transparency log's key and the sealing certificate: run "
                "`manage.py translog_keygen --if-missing` and `manage.py sealing_keygen --if-missing` first (make run "
                "does)."
            ) from error
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
            accounts = {email.split("@")[0]: User.objects.get(email=email) for email, *_rest in ACCOUNTS}
            with translation.override(settings.LANGUAGE_CODE):
                summary = seed_demo_set(accounts=accounts, organisations=organisations)
        self.stdout.write(self.style.SUCCESS(f"Demo accounts (password for all: {DEMO_PASSWORD}):"))
        for label, email in rows:
            self.stdout.write(f"  {label:<32} {email}")
        self.stdout.write(
            "Staff accounts use two-factor authentication: in demo mode the code is shown on the sign-in page."
        )
        self.stdout.write("Demo data:")
        for line in summary:
            self.stdout.write(f"  {line}")

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


def seed_demo_set(*, accounts: dict[str, User], organisations: dict[str, Organisation]) -> list[str]:
    """The demo's cases and filings, made through the services as the pages would make them, so that every role
    has something to open: the citizen's case (filed by the lawyer, with exhibits, registered by the clerk, a
    hearing listed, an order issued), the lawyer's submission in the clerk's queue, the citizen's pre-complaint with
    an appointment chosen in the police unit's queue, and a procedure the unit sent, acknowledged by the
    prosecutor's office. Returns what it made, one line each."""
    people = DemoPeople(
        citizen=accounts["citoyen"],
        lawyer=accounts["avocat"],
        clerk=accounts["greffier"],
        judge=accounts["juge"],
        prosecutor=accounts["procureur"],
        officer=accounts["policier"],
    )
    case = seed_demo_case(people=people, organisations=organisations)
    hearing = seed_demo_hearing(case=case, clerk=people.clerk, judge=people.judge)
    decision = seed_demo_decision(case=case, clerk=people.clerk, judge=people.judge)
    submission = seed_demo_submission(people=people, case=case)
    pre_complaint = seed_demo_pre_complaint(people=people, organisations=organisations)
    unit, office = organisations["CP-DEMO"], organisations["PR-DEMO"]
    transmission = seed_demo_transmission(
        officer=people.officer,
        unit=unit,
        office=office,
        files={
            "pv-audition-suspect.pdf": demo_pdf(
                title="Procès-verbal d’audition libre",
                issuer=unit.name,
                facts=[("Personne entendue", "Sam Lefèvre"), ("Qualité", "suspect, audition libre")],
                paragraphs=["La personne entendue déclare ne pas reconnaître les faits et ne pas souhaiter d’avocat."],
            ),
            "pv-constatations.pdf": demo_pdf(
                title="Procès-verbal de constatations",
                issuer=unit.name,
                facts=[("Lieu", "Boulangerie du Marché, 5 place du Marché, 45000 Démo")],
                paragraphs=["Vitrine brisée, tiroir-caisse arraché ; traces de pas relevées et photographiées."],
            ),
        },
    )
    return [
        f"case {case.reference} at {case.court.name}: hearing on "
        f"{timezone.localtime(hearing.starts_at):%d/%m/%Y %H:%M}, decision “{decision.title}” "
        f"({decision.get_status_display()})",
        f"submission no. {submission.pk} in case {case.reference}, waiting for the clerk",
        f"pre-complaint no. {pre_complaint.pk} at {unit.name}, appointment chosen by the citizen",
        f"procedure {transmission.procedure_number} sent to {office.name} ({transmission.get_status_display()})",
    ]
