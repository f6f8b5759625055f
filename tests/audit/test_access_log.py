"""The personal-data access log: recorded on reads by others, shown to the person, never changed."""

from __future__ import annotations

import pytest
from django.test import Client

from justice.accounts.models import Membership
from justice.appendonly import AppendOnlyError
from justice.audit.models import AccessEvent
from justice.audit.services import access_record
from tests.accounts.factories import UserFactory, enable_totp, staff_member

pytestmark = pytest.mark.django_db


def record(actor, subject) -> AccessEvent:
    recorded = access_record(
        actor=actor, subjects=[subject], action=AccessEvent.Action.VIEW, obj=subject, what="profile", purpose="test"
    )
    assert recorded == 1
    return AccessEvent.objects.get(actor=actor, subject=subject)


def test_access_events_cannot_be_updated_or_deleted_through_the_orm() -> None:
    event = record(UserFactory(), UserFactory())
    event.purpose = "changed"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).update(purpose="changed")
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        AccessEvent.objects.bulk_update([event], ["purpose"])
    event.refresh_from_db()
    assert event.purpose == "test"


def test_reading_ones_own_data_is_not_recorded() -> None:
    person = UserFactory()
    assert (
        access_record(
            actor=person, subjects=[person], action=AccessEvent.Action.VIEW, obj=person, what="x", purpose="y"
        )
        == 0
    )
    assert not AccessEvent.objects.exists()


def test_members_page_records_that_the_admin_read_each_members_data(client: Client) -> None:
    admin = staff_member(Membership.Role.ORGANISATION_ADMIN)
    judge = staff_member(Membership.Role.JUDGE, organisation=admin.organisation)
    client.force_login(admin.user)
    client.get(f"/organisations/{admin.organisation.pk}/members/")
    event = AccessEvent.objects.get(subject=judge.user)
    assert event.actor == admin.user and event.actor_organisation == admin.organisation
    assert not AccessEvent.objects.filter(subject=admin.user).exists()


def test_the_site_admin_reading_a_user_record_is_logged(client: Client) -> None:
    superuser = UserFactory(is_staff=True, is_superuser=True)
    enable_totp(superuser)
    citizen = UserFactory()
    client.force_login(superuser)
    assert client.get(f"/admin/accounts/user/{citizen.pk}/change/").status_code == 200
    assert AccessEvent.objects.filter(subject=citizen, actor=superuser).count() == 1


def test_each_person_sees_only_accesses_to_their_own_data(client: Client) -> None:
    clerk = staff_member(Membership.Role.CLERK)
    alice, bob = UserFactory(), UserFactory()
    access_record(
        actor=clerk.user,
        subjects=[alice],
        action=AccessEvent.Action.VIEW,
        obj=alice,
        what="Alice's complaint",
        purpose="case review",
        organisation=clerk.organisation,
    )
    access_record(
        actor=clerk.user,
        subjects=[bob],
        action=AccessEvent.Action.DOWNLOAD,
        obj=bob,
        what="Bob's secret file",
        purpose="case review",
    )
    client.force_login(alice)
    response = client.get("/account/access-log/", HTTP_ACCEPT_LANGUAGE="en")
    body = response.content.decode()
    assert response.status_code == 200
    assert str(clerk.user) in body and clerk.organisation.name in body and "Alice&#x27;s complaint" in body
    assert "Bob's secret file" not in body


def test_an_empty_access_log_says_so(client: Client) -> None:
    client.force_login(UserFactory())
    response = client.get("/account/access-log/", HTTP_ACCEPT_LANGUAGE="en")
    assert "Nobody else has accessed your data so far." in response.content.decode()


def test_the_access_log_is_paginated_with_a_bounded_number_of_queries(
    client: Client, django_assert_max_num_queries
) -> None:
    person = UserFactory()
    readers = [staff_member(Membership.Role.CLERK) for _ in range(5)]
    for i in range(120):
        reader = readers[i % 5]
        access_record(
            actor=reader.user,
            subjects=[person],
            action=AccessEvent.Action.VIEW,
            obj=person,
            what=f"item {i}",
            purpose="review",
            organisation=reader.organisation,
        )
    client.force_login(person)
    # 12, plus the session rules' constant share (staff check for the idle timeout, activity written to the session),
    # the header's unread notifications count, and the language of the session's first page recorded for emails.
    with django_assert_max_num_queries(17):
        response = client.get("/account/access-log/?page=2")
    assert response.status_code == 200
    assert len(response.context["page_obj"].object_list) == 50


def test_one_read_records_each_person_but_the_reader_with_the_same_values() -> None:
    clerk = staff_member(Membership.Role.CLERK)
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    recorded = access_record(
        actor=clerk.user,
        subjects=[alice, clerk.user, bob],
        subject_ids=[bob.pk, carol.pk, clerk.user.pk],
        action=AccessEvent.Action.VIEW,
        obj=clerk.organisation,
        what="Your name in the list",
        purpose="Review",
        organisation=clerk.organisation,
    )
    # Bob, read once though named twice, is recorded once.
    assert recorded == 3
    stored = AccessEvent.objects.order_by("subject_id")
    assert [event.subject for event in stored] == [alice, bob, carol]
    assert {
        (e.actor, e.actor_organisation, e.action, e.what, e.object_type, e.object_id, e.purpose, e.created_at)
        for e in stored
    } == {
        (
            clerk.user,
            clerk.organisation,
            "view",
            "Your name in the list",
            "accounts.organisation",
            str(clerk.organisation.pk),
            "Review",
            stored[0].created_at,
        )
    }


@pytest.mark.parametrize("named_as", ["subject", "actor"])
def test_a_person_the_log_names_cannot_be_deleted(named_as: str) -> None:
    """The log has no foreign-key constraint in the database (see AccessEvent): Django's PROTECT still refuses."""
    from django.db.models import ProtectedError

    reader, person = staff_member(Membership.Role.CLERK).user, UserFactory()
    record(reader, person)

    with pytest.raises(ProtectedError):
        (person if named_as == "subject" else reader).delete()
    assert AccessEvent.objects.filter(actor=reader, subject=person).exists()
