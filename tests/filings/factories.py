"""Factories and ready-made content for filings: complete sections, routes, claim types, and filings in any state
(reached through the services, so their history is the real one)."""

from __future__ import annotations

import uuid
from typing import Any

import factory

from filings import services
from filings.models import AssuranceLevel, ClaimType, Filing, PostcodeRoute
from justice.accounts.models import Organisation, User
from tests.accounts.factories import OrganisationFactory, UserFactory

POSTCODE = "45000"


class ClaimTypeFactory(factory.django.DjangoModelFactory[ClaimType]):
    class Meta:
        model = ClaimType
        django_get_or_create = ("code",)

    code = "small_claim"
    name = "Petit litige (jusqu’à 5 000 €)"
    name_en = "Small claim (up to €5,000)"
    max_amount = 5000
    amount_required = True


class PostcodeRouteFactory(factory.django.DjangoModelFactory[PostcodeRoute]):
    class Meta:
        model = PostcodeRoute

    postcode = POSTCODE
    commune = ""
    police_unit = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.POLICE_UNIT)
    prosecutor_office = factory.SubFactory(OrganisationFactory, kind=Organisation.Kind.PROSECUTOR_OFFICE)


def criminal_sections(**overrides: dict[str, Any]) -> dict[str, Any]:
    """A complete pre-complaint or complaint, as the forms store it."""
    sections: dict[str, Any] = {
        "offence": {"category": "theft", "description": "Mon vélo a été volé devant la gare."},
        "when_where": {
            "date_from": "2026-03-02",
            "date_to": None,
            "time": "vers 18 h",
            "postcode": POSTCODE,
            "commune": "Démo",
            "place": "Parvis de la gare",
        },
        "suspect": {"suspect_known": "no", "suspect_description": ""},
        "damage": {"has_damage": "yes", "damage_description": "Vélo bleu, cadre n° 1234", "estimated_value": "450"},
        "people": {
            "victim_is_filer": "yes",
            "victim_first_name": "Camille",
            "victim_last_name": "Martin",
            "victim_birth_date": "1990-05-17",
            "victim_address": "3 rue des Lilas, 45000 Démo",
            "victim_phone": "",
            "witnesses": "",
        },
    }
    for name, values in overrides.items():
        sections[name] = {**sections[name], **values}
    return sections


def civil_sections(*, court: Organisation, claim_type: ClaimType | None = None, respondents: int = 1) -> dict[str, Any]:
    claim_type = claim_type or ClaimTypeFactory.create()
    return {
        "claimant": {
            "first_name": "Camille",
            "last_name": "Martin",
            "birth_date": "1990-05-17",
            "address": "3 rue des Lilas, 45000 Démo",
            "phone": "",
        },
        "claim": {
            "court": court.code,
            "claim_type": claim_type.code,
            "statement": "Mon ancien propriétaire ne me rend pas mon dépôt de garantie.",
            "amount": "1200.00",
            "legal_aid": False,
        },
        "respondents": [
            {"name": f"Bailleur n° {n + 1}", "address": f"{n + 1} avenue du Parc, 45000 Démo", "email": ""}
            for n in range(respondents)
        ],
    }


def draft(
    *,
    filer: User | None = None,
    kind: str = Filing.Kind.PRE_COMPLAINT,
    sections: dict[str, Any] | None = None,
    **kw: Any,
) -> Filing:
    return services.filing_create_draft(
        filer=filer or UserFactory(),
        kind=kind,
        idempotency_key=uuid.uuid4(),
        sections=criminal_sections() if sections is None else sections,
        **kw,
    )


def submitted(*, level: str = AssuranceLevel.SUBSTANTIAL, **kw: Any) -> Filing:
    filing = draft(**kw)
    return services.filing_submit(filing=filing, actor=filing.filer, assurance_level=level)
