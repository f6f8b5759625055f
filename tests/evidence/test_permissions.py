"""Who sees an item: the uploader and active members of the uploader's organisation; for anyone else it does not
exist (404), exactly like a missing item. Predicates, selectors and pages say the same, role by role."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import Client
from django.utils import timezone

from evidence.models import CustodyEvent, EvidenceItem
from evidence.permissions import can_download_evidence, can_view_evidence
from evidence.selectors import evidence_get, evidence_list
from justice.accounts.models import Membership, User
from tests.accounts.factories import UserFactory, staff_member
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer() -> Membership:
    return staff_member(Membership.Role.POLICE_OFFICER)


@pytest.fixture
def item(officer: Membership) -> EvidenceItem:
    return sealed_item(uploader=officer.user, organisation=officer.organisation)


def same_unit(officer: Membership) -> User:
    return staff_member(Membership.Role.POLICE_OFFICER, organisation=officer.organisation).user


def revoked_member_of_the_unit(officer: Membership) -> User:
    member = staff_member(Membership.Role.POLICE_OFFICER, organisation=officer.organisation)
    Membership.objects.filter(pk=member.pk).update(revoked_at=timezone.now())
    return member.user


def other_unit(officer: Membership) -> User:
    return staff_member(Membership.Role.POLICE_OFFICER).user


def prosecutor_elsewhere(officer: Membership) -> User:
    return staff_member(Membership.Role.PROSECUTOR).user


def citizen(officer: Membership) -> User:
    return UserFactory()


def deactivated_uploader(officer: Membership) -> User:
    User.objects.filter(pk=officer.user.pk).update(is_active=False)
    return User.objects.get(pk=officer.user.pk)


ROLES: list[tuple[str, Callable[[Membership], User], bool]] = [
    ("uploader", lambda officer: officer.user, True),
    ("active member of the uploader's unit", same_unit, True),
    ("revoked member of the uploader's unit", revoked_member_of_the_unit, False),
    ("member of another unit", other_unit, False),
    ("prosecutor of another office (no case link yet)", prosecutor_elsewhere, False),
    ("citizen", citizen, False),
    ("deactivated uploader", deactivated_uploader, False),
]


@pytest.mark.parametrize(("who", "make_user", "allowed"), ROLES, ids=[r[0] for r in ROLES])
def test_access_role_by_role(
    officer: Membership, item: EvidenceItem, who: str, make_user: Callable[[Membership], User], allowed: bool
) -> None:
    user = make_user(officer)
    assert can_view_evidence(user, item) is allowed
    assert can_download_evidence(user, item) is allowed
    assert (item in evidence_list(user=user)) is allowed
    if allowed:
        assert evidence_get(user=user, pk=item.pk) == item
    else:
        with pytest.raises(Http404):
            evidence_get(user=user, pk=item.pk)


@pytest.mark.parametrize(("who", "make_user", "allowed"), ROLES[:-1], ids=[r[0] for r in ROLES[:-1]])
def test_pages_answer_404_to_whoever_may_not_see_the_item(
    client: Client,
    officer: Membership,
    item: EvidenceItem,
    who: str,
    make_user: Callable[[Membership], User],
    allowed: bool,
) -> None:
    client.force_login(make_user(officer))
    page = client.get(f"/evidence/{item.pk}/")
    download = client.post(f"/evidence/{item.pk}/download/", {"purpose": "curiosity"})
    assert page.status_code == (200 if allowed else 404)
    assert download.status_code == (200 if allowed else 404)
    if not allowed:
        # Nothing about the attempt lands in the item's custody chain, and nothing leaks.
        assert list(item.custody_events.values_list("action", flat=True)) == [CustodyEvent.Action.SEALED]
        assert client.get(f"/evidence/{uuid.uuid4()}/").status_code == 404


def test_anonymous_visitors_see_nothing_and_are_sent_to_sign_in_alike_for_real_and_missing_items(
    client: Client, item: EvidenceItem
) -> None:
    anonymous = AnonymousUser()
    assert not can_view_evidence(anonymous, item) and not can_download_evidence(anonymous, item)
    real, missing = client.get(f"/evidence/{item.pk}/"), client.get(f"/evidence/{uuid.uuid4()}/")
    assert real.status_code == missing.status_code == 302
    assert real["Location"].startswith("/account/login/") and missing["Location"].startswith("/account/login/")
    assert client.post(f"/evidence/{item.pk}/download/", {"purpose": "x"}).status_code == 302
    assert item.custody_events.count() == 1


def test_a_citizens_item_is_seen_by_the_citizen_only(client: Client) -> None:
    owner, other = UserFactory(), UserFactory()
    item = sealed_item(uploader=owner)
    assert item.organisation is None
    assert can_view_evidence(owner, item) and not can_view_evidence(other, item)
    assert not can_view_evidence(staff_member(Membership.Role.CLERK).user, item)


def test_quarantined_items_are_visible_but_not_downloadable(officer: Membership, item: EvidenceItem) -> None:
    EvidenceItem.objects.filter(pk=item.pk).update(status=EvidenceItem.Status.QUARANTINED)
    item.refresh_from_db()
    assert can_view_evidence(officer.user, item) and not can_download_evidence(officer.user, item)
