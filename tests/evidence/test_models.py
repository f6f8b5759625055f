"""Seals and custody events are written once: neither the ORM nor (on PostgreSQL) the database lets them change."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from evidence.models import CustodyEvent, Seal
from justice.appendonly import AppendOnlyError
from tests.accounts.factories import UserFactory
from tests.evidence.factories import sealed_item

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [Seal, CustodyEvent])
def test_rows_cannot_be_updated_or_deleted_through_the_orm(model: type[Seal] | type[CustodyEvent]) -> None:
    sealed_item(uploader=UserFactory())
    row = model.objects.get()
    with pytest.raises(AppendOnlyError):
        row.save()
    with pytest.raises(AppendOnlyError):
        row.delete()
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).update(pk=row.pk)
    with pytest.raises(AppendOnlyError):
        model.objects.filter(pk=row.pk).delete()
    with pytest.raises(AppendOnlyError):
        model.objects.bulk_update([row], ["pk"])


@pytest.mark.integration  # the trigger exists on PostgreSQL, which the integration run uses
@pytest.mark.parametrize("table", ["evidence_seal", "evidence_custodyevent"])
def test_postgresql_refuses_update_and_delete_whatever_the_client(table: str) -> None:
    sealed_item(uploader=UserFactory())
    for statement in (f"UPDATE {table} SET id = id", f"DELETE FROM {table}"):  # noqa: S608
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(statement)
