"""Demo data of the filings app, created by ``seed_demo``: where pre-complaints and complaints of the demo town go,
and a few filings made through the services, as the forms would: a civil referral a lawyer files for the demo
citizen (exhibits included), accepted by the clerk and registered as a case; the lawyer's submission in that case,
waiting in the clerk's queue; the citizen's pre-complaint, with the appointment the police unit proposed and the
citizen chose.

Each piece is created once: a filing carries a fixed idempotency key, and a second run finds it and leaves it as it
is. Sending a referral or a submission needs the substantial level of assurance: the demo filers are taken to have
signed in through the identity provider, as the demo's README has them do."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from evidence.ingest import stage_stream
from evidence.permissions import upload_limit
from filings import services
from filings.models import AssuranceLevel, Case, ClaimType, Filing, PostcodeRoute
from justice import pdf
from justice.accounts.models import Organisation, User

DEMO_POSTCODES = ("45000",)
# Fixed idempotency keys: the demo's filings are found again by them.
_KEYS = uuid.UUID("6f6a2c1e-3d0b-4c55-9a51-2f2d0e5f6a01")
REFERRAL_KEY = uuid.uuid5(_KEYS, "civil-referral")
SUBMISSION_KEY = uuid.uuid5(_KEYS, "submission")
PRE_COMPLAINT_KEY = uuid.uuid5(_KEYS, "pre-complaint")


@dataclass(frozen=True)
class DemoPeople:
    citizen: User
    lawyer: User
    clerk: User
    judge: User
    prosecutor: User
    officer: User


def seed_demo_routes(*, organisations: dict[str, Organisation]) -> None:
    for postcode in DEMO_POSTCODES:
        PostcodeRoute.objects.update_or_create(
            postcode=postcode,
            commune="",
            defaults={"police_unit": organisations["CP-DEMO"], "prosecutor_office": organisations["PR-DEMO"]},
        )


def demo_pdf(*, title: str, issuer: str, facts: list[tuple[str, str]], paragraphs: list[str]) -> bytes:
    """A short document of the demo (a lease, a record), made with the portal's own PDF layout."""
    blocks: list[Any] = [pdf.facts(facts)]
    for text in paragraphs:
        blocks += [pdf.space(), pdf.paragraph(text)]
    return pdf.render_pdf(title=title, blocks=blocks, issuer=issuer)


def _add_exhibit(*, filing: Filing, actor: User, name: str, title: str, content: bytes) -> None:
    staged = stage_stream([content], sent_name=name, max_bytes=upload_limit(actor))
    services.exhibit_upload(filing=filing, actor=actor, upload=staged, title=title)


# The demo citizen's details, as the forms ask for them.
CITIZEN_BIRTH_DATE = "1990-05-17"
CITIZEN_ADDRESS = "3 rue des Lilas, 45000 Démo"


def _referral_sections(*, court: Organisation, client: User) -> dict[str, Any]:
    return {
        "claimant": {
            "first_name": client.first_name,
            "last_name": client.last_name,
            "birth_date": CITIZEN_BIRTH_DATE,
            "address": CITIZEN_ADDRESS,
            "phone": "",
        },
        "claim": {
            "court": court.code,
            "claim_type": "landlord_tenant",
            "statement": (
                "J’ai loué un appartement au 14 rue des Acacias à Démo du 1er avril 2022 au 31 janvier 2025. "
                "J’ai rendu les clés le jour de la sortie ; l’état des lieux de sortie ne relève aucune dégradation. "
                "Le bailleur ne m’a pas restitué le dépôt de garantie de 1 200 euros, malgré ma lettre de mise en "
                "demeure du 15 mars 2025. Je demande sa restitution, majorée comme le prévoit la loi."
            ),
            "amount": "1200.00",
            "legal_aid": False,
        },
        "respondents": [{"name": "SCI Les Tilleuls", "address": "8 boulevard Victor-Hugo, 45000 Démo", "email": ""}],
    }


def seed_demo_case(*, people: DemoPeople, organisations: dict[str, Organisation]) -> Case:
    """The lawyer's referral for the citizen, with three exhibits, accepted by the clerk: the demo court's case."""
    court, bar = organisations["TJ-DEMO"], organisations["BAR-DEMO"]
    filing = Filing.objects.filter(filer=people.lawyer, idempotency_key=REFERRAL_KEY).first()
    if filing is not None and filing.case is not None:
        return filing.case
    # In the catalogue that migrations start every installation with; made again if it was removed since.
    ClaimType.objects.get_or_create(
        code="landlord_tenant",
        defaults={"name": "Litige entre propriétaire et locataire", "name_en": "Landlord-tenant dispute"},
    )
    filing = services.filing_create_draft(
        filer=people.lawyer,
        kind=Filing.Kind.CIVIL_REFERRAL,
        idempotency_key=REFERRAL_KEY,
        sections=_referral_sections(court=court, client=people.citizen),
        on_behalf_of=people.citizen,
        bar=bar,
    )
    tenant = [("Bailleur", "SCI Les Tilleuls"), ("Locataire", people.citizen.get_full_name())]
    for name, title, content in (
        (
            "bail-14-rue-des-acacias.pdf",
            "Bail d’habitation du 1er avril 2022",
            demo_pdf(
                title="Contrat de location — logement vide",
                issuer="SCI Les Tilleuls",
                facts=[*tenant, ("Logement", "14 rue des Acacias, 45000 Démo"), ("Dépôt de garantie", "1 200 €")],
                paragraphs=[
                    "Le dépôt de garantie est restitué dans un délai d’un mois à compter de la remise des clés."
                ],
            ),
        ),
        (
            "etat-des-lieux-sortie.pdf",
            "État des lieux de sortie du 31 janvier 2025",
            demo_pdf(
                title="État des lieux de sortie",
                issuer="SCI Les Tilleuls",
                facts=[*tenant, ("Date", "31 janvier 2025")],
                paragraphs=[
                    "Pièces principales, cuisine, salle d’eau : bon état, conforme à l’état des lieux d’entrée."
                ],
            ),
        ),
        (
            "mise-en-demeure.pdf",
            "Lettre de mise en demeure du 15 mars 2025",
            demo_pdf(
                title="Mise en demeure de restituer le dépôt de garantie",
                issuer=people.citizen.get_full_name(),
                facts=[("Destinataire", "SCI Les Tilleuls"), ("Envoi", "lettre recommandée, 15 mars 2025")],
                paragraphs=[
                    "Je vous mets en demeure de me restituer le dépôt de garantie de 1 200 euros sous huit jours."
                ],
            ),
        ),
    ):
        _add_exhibit(filing=filing, actor=people.lawyer, name=name, title=title, content=content)
    filing = services.filing_submit(filing=filing, actor=people.lawyer, assurance_level=AssuranceLevel.SUBSTANTIAL)
    filing = services.filing_review(filing=filing, actor=people.clerk, decision=Filing.Decision.ACCEPTED)
    if filing.case is None:  # accepting a referral registers its case
        raise RuntimeError(f"the demo referral {filing.pk} was accepted but no case was registered")
    return filing.case


def seed_demo_submission(*, people: DemoPeople, case: Case) -> Filing:
    """The lawyer's written observations in the case, with an exhibit, sent and waiting for the clerk's review."""
    existing = Filing.objects.filter(filer=people.lawyer, idempotency_key=SUBMISSION_KEY).first()
    if existing is not None:
        return existing
    filing = services.filing_create_draft(
        filer=people.lawyer,
        kind=Filing.Kind.SUBMISSION,
        idempotency_key=SUBMISSION_KEY,
        case=case,
        sections={
            "submission": {
                "title": "Observations sur les retenues invoquées par le bailleur",
                "statement": (
                    "Le bailleur invoque des frais de remise en peinture. L’état des lieux de sortie n’en relève pas "
                    "la nécessité, et les quittances produites établissent que les loyers ont été payés jusqu’au "
                    "terme du bail : aucune retenue n’est justifiée."
                ),
            }
        },
    )
    _add_exhibit(
        filing=filing,
        actor=people.lawyer,
        name="quittances-2024.pdf",
        title="Quittances de loyer de 2024",
        content=demo_pdf(
            title="Quittances de loyer — année 2024",
            issuer="SCI Les Tilleuls",
            facts=[("Locataire", people.citizen.get_full_name()), ("Loyer mensuel", "600 € charges comprises")],
            paragraphs=["Les loyers de janvier à décembre 2024 ont été reçus à leur échéance."],
        ),
    )
    return services.filing_submit(filing=filing, actor=people.lawyer, assurance_level=AssuranceLevel.SUBSTANTIAL)


def _next_weekdays(count: int, *, after_days: int) -> list[datetime.date]:
    day = timezone.localdate() + datetime.timedelta(days=after_days)
    days: list[datetime.date] = []
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += datetime.timedelta(days=1)
    return days


def seed_demo_pre_complaint(*, people: DemoPeople, organisations: dict[str, Organisation]) -> Filing:
    """The citizen's pre-complaint (a bicycle stolen in the demo town), with two appointment times proposed by the
    police unit; the citizen chose the first, which the unit has yet to confirm."""
    existing = Filing.objects.filter(filer=people.citizen, idempotency_key=PRE_COMPLAINT_KEY).first()
    if existing is not None:
        return existing
    facts_day = timezone.localdate() - datetime.timedelta(days=4)
    filing = services.filing_create_draft(
        filer=people.citizen,
        kind=Filing.Kind.PRE_COMPLAINT,
        idempotency_key=PRE_COMPLAINT_KEY,
        sections={
            "offence": {
                "category": "theft",
                "description": (
                    "J’avais attaché mon vélo au parc à vélos de la gare vers 8 h. À mon retour vers 18 h 30, "
                    "l’antivol avait été coupé et le vélo n’était plus là."
                ),
            },
            "when_where": {
                "date_from": facts_day.isoformat(),
                "date_to": None,
                "time": "entre 8 h et 18 h 30",
                "postcode": DEMO_POSTCODES[0],
                "commune": "Démo",
                "place": "Parc à vélos de la gare, place de l’Europe",
            },
            "suspect": {"suspect_known": "no", "suspect_description": ""},
            "damage": {
                "has_damage": "yes",
                "damage_description": "Vélo de ville bleu, marque Démocycle, gravage n° DM-45-0817",
                "estimated_value": "450",
            },
            "people": {
                "victim_is_filer": "yes",
                "victim_first_name": people.citizen.first_name,
                "victim_last_name": people.citizen.last_name,
                "victim_birth_date": CITIZEN_BIRTH_DATE,
                "victim_address": CITIZEN_ADDRESS,
                "victim_phone": "",
                "witnesses": "",
            },
        },
    )
    filing = services.filing_submit(filing=filing, actor=people.citizen, assurance_level=AssuranceLevel.LOW)
    unit = organisations["CP-DEMO"]
    place = f"{unit.name}, {unit.address} — accueil des victimes"
    slots = services.appointment_propose(
        filing=filing,
        actor=people.officer,
        slots=[
            services.ProposedSlot(
                starts_at=datetime.datetime.combine(day, at, timezone.get_current_timezone()), place=place
            )
            for day, at in zip(_next_weekdays(2, after_days=3), (datetime.time(10), datetime.time(15, 30)), strict=True)
        ],
    )
    services.appointment_pick(filing=filing, actor=people.citizen, slot_id=slots[0].pk)
    filing.refresh_from_db()
    return filing
