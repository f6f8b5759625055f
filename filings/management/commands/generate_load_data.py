"""Fill a database with a country-sized volume of synthetic users, cases, filings and sealed evidence, for the
load benchmark (benchmarks/load.py). Rows are inserted in bulk (no log, no files): the point is the size of the
tables the pages query, not the content. Refuses to run outside DEBUG/DEMO unless told --yes-i-mean-it."""

from __future__ import annotations

import datetime
import hashlib
import random
import uuid
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils import timezone

from evidence.models import EvidenceItem, Seal
from evidence.seal import seal_record
from evidence.storage import StorageLocation
from filings.models import Case, CaseReferenceCounter, ClaimType, Filing, Party
from filings.services.cases import case_reference
from justice.accounts.models import Membership, Organisation, User

BATCH = 5_000
EMAIL_DOMAIN = "load.justice.localhost"
# Everyone generated shares this password (hashed once): the benchmark signs in a few of them.
PASSWORD = "load-justice-2026"  # noqa: S105 - synthetic accounts of a throwaway benchmark database


class Command(BaseCommand):
    help = "Generate synthetic users, cases (with their filings and parties) and sealed evidence items in bulk."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--users", type=int, default=10_000)
        parser.add_argument("--cases", type=int, default=100_000)
        parser.add_argument("--evidence", type=int, default=1_000_000)
        parser.add_argument("--courts", type=int, default=20)
        parser.add_argument("--waiting", type=int, default=2_000, help="filings waiting in the courts' queues")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--yes-i-mean-it", action="store_true", help="allow it outside DEBUG / DEMO")

    def handle(self, *args: Any, **options: Any) -> None:
        if not (settings.DEBUG or getattr(settings, "DEMO", False) or options["yes_i_mean_it"]):
            raise CommandError("this fills the database with synthetic data: pass --yes-i-mean-it to confirm")
        if User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists():
            raise CommandError("synthetic data is already there; use a fresh database")
        rng = random.Random(options["seed"])  # noqa: S311 - reproducible synthetic data, not secrets
        now = timezone.now()
        password = make_password(PASSWORD)
        with transaction.atomic():
            courts = self._courts(options["courts"])
            claim_type = ClaimType.objects.order_by("pk").first() or ClaimType.objects.create(
                code="load-small-claim", name="Petit litige", name_en="Small claim"
            )
            staff = self._staff(courts, password)
        citizens = self._citizens(options["users"] - len(staff), password)
        self.stdout.write(f"{len(citizens)} citizens, {len(staff)} staff in {len(courts)} courts")
        cases = self._cases(options["cases"], courts, citizens, staff, claim_type, rng, now)
        self.stdout.write(f"{len(cases)} cases with their filings and parties")
        self._waiting(options["waiting"], courts, citizens, rng, now)
        self._evidence(options["evidence"], cases, citizens, rng, now)
        self.stdout.write(f"{options['evidence']} sealed evidence items")

    def _courts(self, count: int) -> list[Organisation]:
        return Organisation.objects.bulk_create(
            Organisation(kind=Organisation.Kind.COURT, name=f"Tribunal de charge {n:02d}", code=f"TJLOAD{n:02d}")
            for n in range(1, count + 1)
        )

    def _staff(self, courts: list[Organisation], password: str) -> dict[int, User]:
        """One clerk a court (the benchmark's clerk is the first one's)."""
        users = User.objects.bulk_create(
            User(email=f"greffe-{court.code.lower()}@{EMAIL_DOMAIN}", password=password, first_name="Greffe")
            for court in courts
        )
        Membership.objects.bulk_create(
            Membership(user=user, organisation=court, role=Membership.Role.CLERK)
            for user, court in zip(users, courts, strict=True)
        )
        return {court.pk: user for user, court in zip(users, courts, strict=True)}

    def _citizens(self, count: int, password: str) -> list[User]:
        created: list[User] = []
        for start in range(0, count, BATCH):
            created += User.objects.bulk_create(
                User(email=f"citoyen-{n:06d}@{EMAIL_DOMAIN}", password=password, first_name="Citoyen", last_name=f"{n}")
                for n in range(start, min(count, start + BATCH))
            )
        return created

    def _cases(
        self,
        count: int,
        courts: list[Organisation],
        citizens: list[User],
        staff: dict[int, User],
        claim_type: ClaimType,
        rng: random.Random,
        now: datetime.datetime,
    ) -> list[Case]:
        year = now.year
        sequences = dict.fromkeys((court.pk for court in courts), 0)
        cases: list[Case] = []
        for start in range(0, count, BATCH):
            batch: list[Case] = []
            claimants: list[User] = []
            for n in range(start, min(count, start + BATCH)):
                court = courts[n % len(courts)]
                sequences[court.pk] += 1
                opened = now - datetime.timedelta(minutes=count - n)
                batch.append(
                    Case(
                        reference=case_reference(court=court, year=year, sequence=sequences[court.pk]),
                        court=court,
                        year=year,
                        sequence=sequences[court.pk],
                        kind=Case.Kind.CIVIL,
                        claim_type=claim_type,
                        opened_at=opened,
                        opened_by=staff[court.pk],
                    )
                )
                claimants.append(citizens[rng.randrange(len(citizens))])
            with transaction.atomic():
                batch = Case.objects.bulk_create(batch)
                Filing.objects.bulk_create(
                    Filing(
                        kind=Filing.Kind.CIVIL_REFERRAL,
                        status=Filing.Status.DOCKETED,
                        filer=claimant,
                        recipient=case.court,
                        case=case,
                        content={"statement": {"text": "Litige de charge synthétique."}},
                        idempotency_key=uuid.UUID(int=rng.getrandbits(128)),
                        created_at=case.opened_at,
                        updated_at=case.opened_at,
                        submitted_at=case.opened_at,
                        assurance_level="substantial",
                        reviewed_at=case.opened_at,
                        reviewed_by=staff[case.court_id],
                        review_decision=Filing.Decision.ACCEPTED,
                    )
                    for case, claimant in zip(batch, claimants, strict=True)
                )
                Party.objects.bulk_create(
                    party
                    for case, claimant in zip(batch, claimants, strict=True)
                    for party in (
                        Party(case=case, role=Party.Role.CLAIMANT, user=claimant),
                        Party(case=case, role=Party.Role.RESPONDENT, name=f"Défendeur {case.sequence}"),
                    )
                )
            cases += batch
        CaseReferenceCounter.objects.bulk_create(
            CaseReferenceCounter(court_id=court_pk, year=year, last_sequence=last)
            for court_pk, last in sequences.items()
        )
        return cases

    def _waiting(
        self, count: int, courts: list[Organisation], citizens: list[User], rng: random.Random, now: datetime.datetime
    ) -> None:
        Filing.objects.bulk_create(
            (
                Filing(
                    kind=Filing.Kind.CIVIL_REFERRAL,
                    status=Filing.Status.SUBMITTED,
                    filer=citizens[rng.randrange(len(citizens))],
                    recipient=courts[n % len(courts)],
                    content={"statement": {"text": "Demande en attente."}},
                    idempotency_key=uuid.UUID(int=rng.getrandbits(128)),
                    submitted_at=now - datetime.timedelta(minutes=n),
                    assurance_level="substantial",
                )
                for n in range(count)
            ),
            batch_size=BATCH,
        )

    def _evidence(
        self, count: int, cases: list[Case], citizens: list[User], rng: random.Random, now: datetime.datetime
    ) -> None:
        for start in range(0, count, BATCH):
            items: list[EvidenceItem] = []
            for n in range(start, min(count, start + BATCH)):
                case = cases[n % len(cases)]
                items.append(
                    EvidenceItem(
                        size=rng.randrange(10_000, 50_000_000),
                        media_type="application/pdf",
                        original_name=f"piece-{n:07d}.pdf",
                        uploaded_by=citizens[rng.randrange(len(citizens))],
                        case_ref=case.reference,
                        channel=EvidenceItem.Channel.WEB,
                        status=EvidenceItem.Status.AVAILABLE,
                        created_at=now - datetime.timedelta(seconds=count - n),
                    )
                )
            with transaction.atomic():
                EvidenceItem.objects.bulk_create(items)
                Seal.objects.bulk_create(self._seal(item) for item in items)

    @staticmethod
    def _seal(item: EvidenceItem) -> Seal:
        sha256 = hashlib.sha256(item.storage_key.bytes).hexdigest()
        key = f"{item.storage_key.hex[:2]}/{item.storage_key}"
        location = StorageLocation(backend="s3", bucket="evidence", key=key, version_id="")
        return Seal(
            item=item,
            sha256=sha256,
            size=item.size,
            sealed_at=item.created_at,
            record=seal_record(
                evidence_id=str(item.pk),
                sha256=sha256,
                size=item.size,
                media_type=item.media_type,
                user_id=item.uploaded_by_id,
                role="citizen",
                organisation_code=None,
                assurance_level="substantial",
                channel=item.channel,
                received_at=item.created_at,
                location=location,
            ),
        )
