"""The suite's database is a real PostgreSQL server, and it enforces the access log's append-only trigger."""

from __future__ import annotations

import dj_database_url
import pytest
from django.db import ProgrammingError, connection, transaction

from justice.audit.models import AccessEvent
from justice.audit.services import access_record
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.integration.conftest import IntegrationEnv

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# SQLSTATE of the trigger's RAISE ... USING ERRCODE = 'insufficient_privilege' (audit migration 0002).
INSUFFICIENT_PRIVILEGE = "42501"


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
    access_record(
        actor=clerk,
        subjects=[citizen],
        action=AccessEvent.Action.VIEW,
        obj=citizen,
        what="identity",
        purpose="review of a filing",
    )
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
