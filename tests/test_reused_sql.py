"""Queries compiled once per process and reused with new keys (justice.reused_sql)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from filings.models import Party
from justice import reused_sql
from justice.accounts.models import Membership, User
from justice.reused_sql import prefetched, reused
from tests.accounts.factories import MembershipFactory, UserFactory
from tests.filings.conftest import make_jurisdiction
from tests.hearings.conftest import court_case

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def nothing_compiled_yet() -> Iterator[None]:
    compiled, templates = dict(reused_sql._compiled), dict(reused_sql._templates)
    reused_sql._compiled.clear()
    reused_sql._templates.clear()
    yield
    reused_sql._compiled.clear()
    reused_sql._templates.clear()
    reused_sql._compiled.update(compiled)
    reused_sql._templates.update(templates)


@pytest.fixture
def compilations(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The SQL of each compilation of a whole query (subqueries excluded), by Django's own compiler."""
    compiled: list[str] = []
    plain = SQLCompiler.as_sql

    def counted(self: SQLCompiler, *args: object, **kwargs: object) -> tuple[str, object]:
        sql, params = plain(self, *args, **kwargs)  # type: ignore[arg-type]
        compiled.append(sql)
        return sql, params

    monkeypatch.setattr(SQLCompiler, "as_sql", counted)
    return compiled


def people_by_key(pk: int) -> QuerySet[User]:
    return User.objects.filter(pk=pk)


def parties_with_people(case_pk: int) -> QuerySet[Party]:
    return Party.objects.select_related("user").filter(case_id=case_pk).order_by("pk")


@override_settings(REUSED_SQL_CHECK=False)
def test_the_sql_is_compiled_for_the_first_key_then_reused_with_each_other_key(compilations: list[str]) -> None:
    alice, bob, carol = UserFactory(), UserFactory(), UserFactory()
    assert list(reused("test:person", people_by_key, alice.pk)) == [alice]
    # The first time: the query itself, once again with the same key, once with another key.
    assert len(compilations) == 3
    with CaptureQueriesContext(connection) as executed:
        assert list(reused("test:person", people_by_key, bob.pk)) == [bob]
        assert list(reused("test:person", people_by_key, carol.pk)) == [carol]
        assert list(reused("test:person", people_by_key, carol.pk + 1000)) == []
    assert len(compilations) == 3
    assert [str(carol.pk + 1000) in query["sql"] for query in executed.captured_queries] == [False, False, True]


def test_related_rows_and_values_come_back_as_from_the_plain_query(django_assert_num_queries) -> None:
    j = make_jurisdiction("Reuse")
    # A party with an account, one without and counsel.
    for case in (court_case(j, lawyer=j.lawyer), court_case(j)):
        expected = [(p.pk, p.user and p.user.email) for p in parties_with_people(case.pk)]
        with django_assert_num_queries(1):
            parties = list(reused("test:parties", parties_with_people, case.pk))
            assert [(p.pk, p.user and p.user.email) for p in parties] == expected
    membership = MembershipFactory()

    def roles(user_pk: int) -> QuerySet[Membership, tuple[str, int]]:
        return Membership.objects.filter(user_id=user_pk).values_list("role", "organisation")

    for user in (UserFactory(), membership.user):
        assert list(reused("test:roles", roles, user.pk)) == list(roles(user.pk))


def test_a_key_standing_in_several_places_is_put_in_each() -> None:
    alice, bob = UserFactory(), UserFactory()

    def twice(pk: int) -> QuerySet[User]:
        return User.objects.filter(pk=pk).exclude(pk__gt=pk)

    assert list(reused("test:twice", twice, alice.pk)) == [alice]
    assert list(reused("test:twice", twice, bob.pk)) == [bob]
    assert reused_sql._compiled["test:twice", "default"].slots == ((0, 0), (1, 0))  # type: ignore[union-attr]


def test_a_name_covering_two_shapes_fails_under_the_tests_check() -> None:
    person = UserFactory(is_active=False)
    assert list(reused("test:shape", people_by_key, person.pk)) == [person]
    with pytest.raises(AssertionError, match="more than one shape"):
        list(reused("test:shape", lambda pk: User.objects.filter(pk=pk, is_active=True), person.pk))


@pytest.mark.parametrize(
    "build",
    [
        pytest.param(lambda pk: User.objects.filter(pk=pk, date_joined__lte=timezone.now()), id="clock"),
        pytest.param(lambda pk: User.objects.filter(pk__gte=pk, pk__lt=pk + 1), id="key-derived-parameter"),
        pytest.param(lambda pk: User.objects.filter(pk=pk)[: pk % 5 + 1], id="key-in-the-sql-text"),
    ],
)
def test_a_query_that_is_not_its_keys_alone_is_compiled_each_time(build, caplog) -> None:
    people = [UserFactory() for _ in range(3)]
    with caplog.at_level(logging.WARNING, logger="justice.reused_sql"):
        for person in people:
            assert list(reused("test:not-reusable", build, person.pk)) == [person]
    assert reused_sql._compiled["test:not-reusable", "default"] is None
    assert len(caplog.records) == 1
    assert caplog.records[0].getMessage().startswith("The query 'test:not-reusable' is compiled each time: ")


def test_a_reused_query_chained_further_is_a_plain_query_again() -> None:
    alice, bob = UserFactory(first_name="Alice"), UserFactory(first_name="Bob")
    list(reused("test:chained", people_by_key, alice.pk))
    assert list(reused("test:chained", people_by_key, bob.pk).filter(first_name="Alice")) == []
    assert reused("test:chained", people_by_key, bob.pk).count() == 1
    assert reused("test:chained", people_by_key, bob.pk).exists()
    assert reused("test:chained", people_by_key, bob.pk).first() == bob
    assert list(reused("test:chained", people_by_key, bob.pk).values_list("first_name", flat=True)) == ["Bob"]
    # As a subquery, and printed: with its own key, never the one its copied template was built with.
    assert list(User.objects.filter(pk__in=reused("test:chained", people_by_key, bob.pk))) == [bob]
    printed = str(reused("test:chained", people_by_key, bob.pk).query)
    assert f"= {bob.pk}" in printed and f"= {alice.pk}" not in printed


def test_prefetched_rows_answer_the_relation_without_a_query(django_assert_num_queries) -> None:
    case = court_case(make_jurisdiction("Prefetch"))
    parties = list(Party.objects.filter(case=case))
    case = type(case).objects.get(pk=case.pk)
    prefetched(case, parties=parties)
    with django_assert_num_queries(0):
        assert list(case.parties.all()) == parties
