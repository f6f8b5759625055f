"""A court with two rooms and two judges, and cases with a party who has an account and a lawyer under mandate."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from filings import services as filings_services
from filings.models import Case, Mandate, Party, Room
from hearings.services import local_zone
from justice.accounts.models import Membership, User
from tests.accounts.factories import UserFactory, staff_member
from tests.filings.conftest import Jurisdiction, make_jurisdiction


@dataclass
class Court:
    j: Jurisdiction
    room_a: Room
    room_b: Room
    judge2: User


def court_case(j: Jurisdiction, *, party_user: User | None = None, lawyer: User | None = None) -> Case:
    case = filings_services.case_open(court=j.court, kind=Case.Kind.CIVIL, actor=j.clerk)
    party_user = party_user or UserFactory()
    claimant = Party.objects.create(case=case, role=Party.Role.CLAIMANT, user=party_user, name=str(party_user))
    Party.objects.create(case=case, role=Party.Role.RESPONDENT, name="Bailleur SARL", address="1 avenue du Parc")
    if lawyer is not None:
        Mandate.objects.create(lawyer=lawyer, bar=j.bar, client=party_user, party=claimant)
        Party.objects.create(case=case, role=Party.Role.COUNSEL, user=lawyer, organisation=j.bar, represents=claimant)
    return case


def next_monday(at: int = 10, minute: int = 0, weeks: int = 1) -> datetime.datetime:
    today = timezone.localdate()
    monday = today + datetime.timedelta(days=7 * weeks - today.weekday())
    return datetime.datetime.combine(monday, datetime.time(at, minute), local_zone())


@pytest.fixture
def court() -> Court:
    j = make_jurisdiction("DEMO")
    return Court(
        j=j,
        room_a=Room.objects.create(court=j.court, name="Salle A", location="1er étage"),
        room_b=Room.objects.create(court=j.court, name="Salle B"),
        judge2=staff_member(Membership.Role.JUDGE, organisation=j.court).user,
    )
