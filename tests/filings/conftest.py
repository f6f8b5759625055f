"""Organisations and people of a small jurisdiction: a court with its clerk and judge, a prosecutor's office, a
police unit that serves the postcode 45000, a bar with a lawyer, and citizens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from filings.models import ClaimType, PostcodeRoute
from justice.accounts.models import Membership, Organisation, User
from tests.accounts.factories import OrganisationFactory, UserFactory, staff_member
from tests.filings.factories import POSTCODE, ClaimTypeFactory


@dataclass
class Jurisdiction:
    court: Organisation
    office: Organisation
    unit: Organisation
    bar: Organisation
    route: PostcodeRoute
    claim_type: ClaimType
    clerk: User
    office_clerk: User
    judge: User
    prosecutor: User
    police: User
    lawyer: User


def make_jurisdiction(name: str) -> Jurisdiction:
    court = OrganisationFactory(kind=Organisation.Kind.COURT, name=f"Tribunal de {name}", code=f"TJ-{name}")
    office = OrganisationFactory(kind=Organisation.Kind.PROSECUTOR_OFFICE, name=f"Parquet de {name}", code=f"PR-{name}")
    unit = OrganisationFactory(kind=Organisation.Kind.POLICE_UNIT, name=f"Commissariat de {name}", code=f"CP-{name}")
    bar = OrganisationFactory(kind=Organisation.Kind.BAR, name=f"Barreau de {name}", code=f"BAR-{name}")
    return Jurisdiction(
        court=court,
        office=office,
        unit=unit,
        bar=bar,
        route=PostcodeRoute.objects.create(
            postcode=POSTCODE if name == "DEMO" else "99999", police_unit=unit, prosecutor_office=office
        ),
        claim_type=ClaimTypeFactory.create(),
        clerk=staff_member(Membership.Role.CLERK, organisation=court).user,
        office_clerk=staff_member(Membership.Role.CLERK, organisation=office).user,
        judge=staff_member(Membership.Role.JUDGE, organisation=court).user,
        prosecutor=staff_member(Membership.Role.PROSECUTOR, organisation=office).user,
        police=staff_member(Membership.Role.POLICE_OFFICER, organisation=unit).user,
        lawyer=staff_member(Membership.Role.LAWYER, organisation=bar).user,
    )


@pytest.fixture
def place() -> Jurisdiction:
    """The jurisdiction of the postcode 45000, where the filings of the tests go."""
    return make_jurisdiction("DEMO")


@pytest.fixture
def elsewhere() -> Jurisdiction:
    """Another jurisdiction, whose staff must see nothing of the first one's filings and cases."""
    return make_jurisdiction("AILLEURS")


@pytest.fixture
def citizen() -> User:
    return UserFactory(first_name="Camille", last_name="Martin")
