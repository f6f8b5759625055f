"""A person's active roles and their organisations are read by one query, kept on the person for the request."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from justice.accounts.models import Membership, Organisation, User
from justice.accounts.permissions import active_organisation, active_roles
from tests.accounts.factories import MembershipFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_roles_and_their_organisations_come_from_one_query() -> None:
    court = OrganisationFactory(kind=Organisation.Kind.COURT, address="1 rue du Palais")
    office = OrganisationFactory(kind=Organisation.Kind.PROSECUTOR_OFFICE)
    elsewhere = OrganisationFactory(kind=Organisation.Kind.COURT)
    clerk = MembershipFactory(organisation=court, role=Membership.Role.CLERK).user
    MembershipFactory(user=clerk, organisation=office, role=Membership.Role.ORGANISATION_ADMIN)
    MembershipFactory(user=clerk, organisation=elsewhere, revoked_at=timezone.now())
    person = User.objects.get(pk=clerk.pk)

    with CaptureQueriesContext(connection) as queries:
        roles = active_roles(person)
        found = active_organisation(person, court.pk)
        assert active_organisation(person, office.pk) is not None
        assert active_organisation(person, elsewhere.pk) is None  # revoked there
        assert active_roles(person) is roles
    assert len(queries) == 1
    assert roles == {(Membership.Role.CLERK, court.pk), (Membership.Role.ORGANISATION_ADMIN, office.pk)}
    assert found == court
    # A whole row, as the database holds it: nothing left to load, and saved as an update, not an insert.
    assert found is not None and not found.get_deferred_fields() and not found._state.adding
    assert (found.name, found.kind, found.code, found.address, found.created_at) == (
        court.name,
        court.kind,
        court.code,
        "1 rue du Palais",
        court.created_at,
    )


def test_nobody_and_people_without_a_role_have_no_organisation() -> None:
    citizen = UserFactory()
    court = OrganisationFactory()
    assert active_roles(AnonymousUser()) == frozenset()
    assert active_organisation(AnonymousUser(), court.pk) is None
    assert active_organisation(citizen, court.pk) is None
    inactive = MembershipFactory(organisation=court, user=UserFactory(is_active=False)).user
    assert active_organisation(User.objects.get(pk=inactive.pk), court.pk) is None
