"""Case reference numbers are gap-free per court and year, also when registrations run at the same time.

The concurrent test runs threads with a connection each. On PostgreSQL (the integration run) the counter row lock
makes them wait their turn, and none may fail. SQLite's in-memory test database answers a lock conflict with an
error instead of waiting, so there a thread retries the whole registration, as a person clicking again would: the
numbers must still come out gap-free. The window between reading and writing the counter is widened on purpose,
so that a counter without a lock would hand out the same number twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest
from django.db import OperationalError, connection
from django.db.models.signals import pre_save

from filings import services
from filings.models import Case, CaseReferenceCounter, Filing
from filings.services import review as review_service
from justice.accounts.models import User
from tests.filings.factories import civil_sections, submitted

THREADS = 8


@pytest.fixture
def slow_case_creation() -> Iterator[None]:
    def pause(**kwargs: object) -> None:
        time.sleep(0.05)

    pre_save.connect(pause, sender=Case, dispatch_uid="slow_case_creation")
    yield
    pre_save.disconnect(sender=Case, dispatch_uid="slow_case_creation")


@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_get_consecutive_numbers(place, citizen, slow_case_creation) -> None:
    filings = [
        submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
        for _ in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    errors: list[BaseException] = []
    retries: list[int] = []

    def register(filing_pk: int) -> None:
        try:
            clerk = User.objects.get(pk=place.clerk.pk)
            barrier.wait(timeout=30)
            for attempt in range(200):
                try:
                    services.filing_review(
                        filing=Filing.objects.get(pk=filing_pk), actor=clerk, decision=Filing.Decision.ACCEPTED
                    )
                    retries.append(attempt)
                    return
                except OperationalError as error:
                    if connection.vendor != "sqlite" or "locked" not in str(error):
                        raise
                    time.sleep(0.01)
            raise AssertionError("never got the lock")
        except BaseException as error:  # reported to the test thread below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(filing.pk,)) for filing in filings]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(retries) == THREADS
    if connection.vendor == "postgresql":
        assert sum(retries) == 0, "with the row lock, registrations wait instead of failing"

    cases = list(Case.objects.filter(court=place.court).order_by("sequence"))
    assert [case.sequence for case in cases] == list(range(1, THREADS + 1))
    assert len({case.reference for case in cases}) == THREADS
    assert CaseReferenceCounter.objects.get(court=place.court).last_sequence == THREADS
    assert Filing.objects.filter(status=Filing.Status.DOCKETED, case__isnull=False).count() == THREADS


@pytest.mark.django_db
def test_a_failed_registration_gives_its_number_back(place, citizen, monkeypatch) -> None:
    first = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    second = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))

    def broken(**kwargs: object) -> None:
        raise RuntimeError("the parties could not be written")

    monkeypatch.setattr(review_service, "case_add_parties_from_filing", broken)
    with pytest.raises(RuntimeError):
        services.filing_review(filing=first, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    assert Filing.objects.get(pk=first.pk).status == Filing.Status.SUBMITTED
    assert not Case.objects.exists()
    monkeypatch.undo()

    services.filing_review(filing=second, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    assert Case.objects.get().sequence == 1


@pytest.mark.django_db(transaction=True)
def test_taking_a_number_outside_a_transaction_is_refused(place) -> None:
    from filings.services.cases import case_number_take

    with pytest.raises(RuntimeError, match="inside the transaction"):
        case_number_take(court=place.court, year=2026)
