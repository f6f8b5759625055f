"""The suite's database is a real PostgreSQL server, and it enforces the access log's append-only trigger."""

from __future__ import annotations

import dj_database_url
import psycopg
import pytest
from django.db import ProgrammingError, connection, transaction

from justice.accounts.models import User
from justice.audit.models import AccessEvent
from justice.audit.services import access_record
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.integration.conftest import IntegrationEnv

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# SQLSTATE of the trigger's RAISE ... USING ERRCODE = 'insufficient_privilege' (audit migration 0002).
INSUFFICIENT_PRIVILEGE = "42501"


def record_identity_read(clerk: User, citizen: User) -> None:
    access_record(
        actor=clerk,
        subjects=[citizen],
        action=AccessEvent.Action.VIEW,
        obj=citizen,
        what="identity",
        purpose="review of a filing",
    )


def test_database_is_the_postgresql_server_of_database_url(integration_env: IntegrationEnv) -> None:
    expected = dj_database_url.parse(integration_env.database_url)
    assert connection.vendor == "postgresql"
    assert (connection.settings_dict["HOST"], str(connection.settings_dict["PORT"])) == (
        expected["HOST"],
        str(expected["PORT"]),
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version(), current_database()")
        version, database = cursor.fetchone()
    assert version.startswith("PostgreSQL ")
    assert database == connection.settings_dict["NAME"]


@pytest.mark.parametrize(
    "statement",
    [
        pytest.param("UPDATE audit_accessevent SET purpose = 'rewritten' WHERE id = %s", id="update"),
        pytest.param("DELETE FROM audit_accessevent WHERE id = %s", id="delete"),
    ],
)
def test_database_refuses_to_change_or_remove_an_access_event_whatever_the_client(statement: str) -> None:
    clerk = MembershipFactory().user
    citizen = UserFactory()
    record_identity_read(clerk, citizen)
    event = AccessEvent.objects.get(subject=citizen)

    # The savepoint keeps the test's transaction usable after the refused statement.
    with (
        pytest.raises(ProgrammingError, match="append-only") as refused,
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement, [event.pk])

    assert getattr(refused.value.__cause__, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
    stored = AccessEvent.objects.get(pk=event.pk)
    assert (stored.subject_id, stored.actor_id, stored.purpose) == (citizen.pk, clerk.pk, "review of a filing")


def test_the_access_log_has_only_the_indexes_its_reads_need_and_no_foreign_key() -> None:
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, AccessEvent._meta.db_table)
    assert not [name for name, c in constraints.items() if c["foreign_key"]]
    indexed = sorted(tuple(c["columns"]) for c in constraints.values() if c["index"] or c["primary_key"])
    assert indexed == [("actor_id",), ("id",), ("subject_id", "created_at")]


@pytest.mark.django_db(transaction=True)
def test_recording_an_access_locks_no_row_of_the_people_it_names() -> None:
    """A foreign-key check locks the row it points to (FOR KEY SHARE) until the commit: with one per person named,
    every view of a queue locked each of its people and its reader. Checked at once here (constraints immediate),
    before the commit, from a second connection that asks for those rows without waiting."""
    clerk = MembershipFactory().user
    citizen = UserFactory()
    settings = connection.settings_dict
    with (
        transaction.atomic(),
        psycopg.connect(
            host=settings["HOST"],
            port=settings["PORT"],
            user=settings["USER"],
            password=settings["PASSWORD"],
            dbname=settings["NAME"],
            autocommit=True,
        ) as other,
    ):
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        record_identity_read(clerk, citizen)
        locked = other.execute(
            "SELECT id FROM accounts_user WHERE id = ANY(%s) ORDER BY id FOR UPDATE NOWAIT", [[clerk.pk, citizen.pk]]
        ).fetchall()
    assert locked == sorted([(clerk.pk,), (citizen.pk,)])
    assert AccessEvent.objects.filter(actor=clerk, subject=citizen).count() == 1
