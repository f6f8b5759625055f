"""Pages that list filings and cases run a bounded number of queries, whatever the number of rows."""

from __future__ import annotations

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext

from filings import services
from filings.models import Filing
from filings.views import follow, review
from justice.accounts.models import Membership, User
from justice.accounts.permissions import active_roles
from tests.accounts.factories import UserFactory, staff_member
from tests.filings.factories import civil_sections, criminal_sections, submitted

pytestmark = pytest.mark.django_db

ROWS = 1000
# The queue view itself: the organisation (by its key: the user's roles are read by the middleware), the grouped
# counts, one page of filings (their ids of people only), the access-log insert for the people listed, the header's
# unread notifications count, and, the table not being in the cache yet, its rows with their filers.
QUEUE_VIEW_QUERIES = 6


def received(place, *, count: int = ROWS) -> list[Filing]:
    """``count`` filings sent to the court and its police unit, by 40 people, some through a lawyer."""
    filers = [UserFactory() for _ in range(40)]
    now = timezone.now()
    civil = civil_sections(court=place.court)
    criminal = criminal_sections()
    rows = []
    for n in range(count):
        pre_complaint = n % 5 == 0
        rows.append(
            Filing(
                kind=Filing.Kind.PRE_COMPLAINT if pre_complaint else Filing.Kind.CIVIL_REFERRAL,
                status=[Filing.Status.SUBMITTED, Filing.Status.SUBMITTED, Filing.Status.REJECTED][n % 3],
                filer=place.lawyer if n % 7 == 0 else filers[n % len(filers)],
                on_behalf_of=filers[(n + 1) % len(filers)] if n % 7 == 0 else None,
                recipient=place.unit if pre_complaint else place.court,
                content=criminal if pre_complaint else civil,
                idempotency_key=uuid.uuid4(),
                submitted_at=now - datetime.timedelta(minutes=n),
            )
        )
    return Filing.objects.bulk_create(rows)


@pytest.mark.parametrize(
    "query",
    ["", "?page=2", "?status=rejected", "?kind=civil_referral&page=3", "?status=submitted&kind=submission"],
)
def test_the_review_queue_view_runs_under_ten_queries_with_a_thousand_filings(
    django_assert_max_num_queries, place, query: str
) -> None:
    received(place)
    request = RequestFactory().get(f"/filings/received/{place.court.pk}/{query}")
    request.user = User.objects.get(pk=place.clerk.pk)
    active_roles(request.user)  # as the session and MFA middleware do on every request of staff
    with django_assert_max_num_queries(QUEUE_VIEW_QUERIES):
        response = review.queue(request, organisation_pk=place.court.pk)
    assert response.status_code == 200


def test_a_whole_queue_request_costs_the_same_with_ten_or_a_thousand_filings(client: Client, place) -> None:
    """Around the view, the middleware adds a fixed cost (session, user, allauth's session tracking, the staff MFA
    check): what matters is that nothing grows with the number of filings."""
    url = f"/filings/received/{place.court.pk}/?page=1"
    client.force_login(place.clerk)
    received(place, count=30)
    client.get(url)  # the session is now tracked, as after a real sign-in
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    received(place, count=ROWS)
    client.get(url)  # the first page's rows changed: its table is rendered (and cached) once
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_the_queue_takes_its_organisation_from_the_roles_query_the_request_already_made(client: Client, place) -> None:
    client.force_login(place.clerk)
    url = f"/filings/received/{place.court.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    assert place.court.name in response.content.decode()
    memberships = [q["sql"] for q in queries.captured_queries if 'FROM "accounts_membership"' in q["sql"]]
    organisations = [q["sql"] for q in queries.captured_queries if '"accounts_organisation"' in q["sql"]]
    assert len(memberships) == 1 and organisations == memberships  # read with the roles, by a join
    # Only where the user reviews: not another court, nor where their membership is revoked or not a reviewing one.
    assert client.get(f"/filings/received/{place.unit.pk}/").status_code == 404
    Membership.objects.create(user=place.clerk, organisation=place.unit, role=Membership.Role.CLERK)
    assert client.get(f"/filings/received/{place.unit.pk}/").status_code == 404
    Membership.objects.filter(user=place.clerk, organisation=place.court).update(revoked_at=timezone.now())
    assert client.get(url).status_code == 404


def test_the_queue_reads_full_rows_only_to_render_its_table_and_logs_who_was_listed(client: Client, place) -> None:
    from justice.audit.models import AccessEvent

    filings = received(place, count=30)
    client.force_login(place.clerk)
    url = f"/filings/received/{place.court.pk}/"
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    def filing_reads() -> tuple[list[str], str]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return [q["sql"] for q in queries.captured_queries if 'FROM "filings_filing"' in q["sql"]], body

    before = AccessEvent.objects.count()
    reads, body = filing_reads()
    assert [sql for sql in reads if "GROUP BY" not in sql and "JOIN" in sql] == []  # the table from the cache
    listed = [f for f in filings if f.recipient_id == place.court.pk and f.status == Filing.Status.SUBMITTED]
    listed.sort(key=lambda f: (f.submitted_at, f.pk))
    people = {p for f in listed[: review.PAGE_SIZE] for p in (f.filer_id, f.on_behalf_of_id) if p is not None}
    logged = AccessEvent.objects.order_by("pk")[before:]
    assert sorted(e.subject_id for e in logged) == sorted(people)
    assert {(e.actor_id, e.actor_organisation_id, e.object_id) for e in logged} == {
        (place.clerk.pk, place.court.pk, str(place.court.pk))
    }
    assert f"Civil referral no. {listed[0].pk}" in body and str(listed[0].filer) in body
    Filing.objects.filter(pk=listed[0].pk).update(status=Filing.Status.REJECTED, updated_at=timezone.now())
    reads, body = filing_reads()
    assert len([sql for sql in reads if "GROUP BY" not in sql and "JOIN" in sql]) == 1  # rendered again
    assert f"Civil referral no. {listed[0].pk}" not in body and f"Civil referral no. {listed[1].pk}" in body


def test_the_queue_rows_kept_in_memory_are_the_courts_and_follow_the_language(client: Client, place) -> None:
    """The rows show nothing of their reader: another clerk of the court gets the rows kept (no full read), in the
    language each asks for; a member of another court never gets them (the page is refused)."""
    received(place, count=6)
    url = f"/filings/received/{place.court.pk}/"

    def full_reads(reader, language: str) -> tuple[int, str]:
        client.force_login(reader)
        with CaptureQueriesContext(connection) as queries:
            body = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        table = body.split("<table>", 1)[1].split("</table>", 1)[0]
        return len(
            [q for q in queries.captured_queries if 'FROM "filings_filing"' in q["sql"] and "JOIN" in q["sql"]]
        ), table

    other_clerk = staff_member(Membership.Role.CLERK, organisation=place.court).user
    reads, english = full_reads(place.clerk, "en")
    assert reads == 1 and "Review" in english
    assert full_reads(other_clerk, "en") == (0, english)
    reads, french = full_reads(other_clerk, "fr")
    assert reads == 1 and "Examiner" in french and "Review" not in french
    assert full_reads(place.clerk, "fr") == (0, french)
    client.force_login(place.office_clerk)
    assert client.get(url).status_code == 404


def test_the_queue_lists_oldest_first_with_counts(client: Client, place) -> None:
    filings = received(place, count=60)
    client.force_login(place.clerk)
    response = client.get(f"/filings/received/{place.court.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    rows = response.context["rows"]
    waiting = [f for f in filings if f.recipient == place.court and f.status == Filing.Status.SUBMITTED]
    oldest_first = sorted(waiting, key=lambda f: (f.submitted_at or timezone.now(), f.pk))
    assert [f.pk for f in rows] == [f.pk for f in oldest_first][:25]
    assert response.context["total"] == len(waiting)
    assert f"Waiting for review: {len(waiting)}" in response.content.decode()
    rejected = client.get(f"/filings/received/{place.court.pk}/?status=rejected").context["rows"]
    assert {f.status for f in rejected} == {Filing.Status.REJECTED}


@pytest.mark.parametrize(("who", "url"), [("lawyer", "/filings/"), ("lawyer", "/dashboard/"), ("clerk", "/dashboard/")])
def test_my_cases_and_dashboards_cost_the_same_with_ten_or_a_thousand_filings(
    client: Client, place, who: str, url: str
) -> None:
    client.force_login(getattr(place, who))
    received(place, count=10)
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    received(place, count=ROWS)
    client.get(url)  # tables whose rows changed are rendered (and cached) once
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # "My cases" counts the filings only when there are more than a page of them (ten fit on one).
    assert len(many) == len(few) + (1 if url == "/filings/" else 0)


def _filing_counts(queries: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('SELECT COUNT(*) AS "__count" FROM "filings_filing"')
    ]


def test_my_cases_of_a_person_whose_filings_fit_on_a_page_runs_no_count(client: Client, citizen) -> None:
    from tests.filings.factories import draft

    filings = [draft(filer=citizen) for _ in range(follow.PAGE_SIZE)]
    client.force_login(citizen)
    client.get("/filings/")  # the session is now set up, the bell counted
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en")
    assert _filing_counts(queries) == []
    assert [filing for filing, _next_step in response.context["rows"]] == sorted(
        filings, key=lambda f: (f.updated_at, f.pk), reverse=True
    )
    assert response.context["page_obj"].paginator.count == follow.PAGE_SIZE
    assert "fr-pagination" not in response.content.decode()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/filings/?page=1", HTTP_ACCEPT_LANGUAGE="en")
    assert _filing_counts(queries) == [] and len(response.context["rows"]) == follow.PAGE_SIZE


def test_my_cases_paginates_a_longer_list(client: Client, citizen) -> None:
    from tests.filings.factories import draft

    filings = {draft(filer=citizen).pk for _ in range(follow.PAGE_SIZE + 1)}
    client.force_login(citizen)
    client.get("/filings/")
    with CaptureQueriesContext(connection) as queries:
        first = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en")
    assert len(_filing_counts(queries)) == 1
    assert len(first.context["rows"]) == follow.PAGE_SIZE
    assert first.context["page_obj"].has_next() and not first.context["page_obj"].has_previous()
    assert 'href="?page=2"' in first.content.decode()
    second = client.get("/filings/?page=2", HTTP_ACCEPT_LANGUAGE="en")
    assert [filing.pk for filing, _next_step in second.context["rows"]] == [min(filings)]  # the oldest changed
    assert {filing.pk for filing, _next_step in first.context["rows"]} | {min(filings)} == filings
    assert 'href="?page=1"' in second.content.decode()
    assert client.get("/filings/?page=9").context["page_obj"].number == 2  # past the end: the last page
    assert client.get("/filings/?page=x").context["page_obj"].number == 1


def test_my_cases_words_next_steps_in_the_page_language(client: Client, citizen) -> None:
    from tests.filings.factories import draft

    for _ in range(3):
        draft(filer=citizen)
    client.force_login(citizen)
    english = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    french = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        in_french = str(gettext("Complete the form and send it. A draft not sent within %(days)s days is deleted.")) % {
            "days": 30
        }
    assert english.count("Complete the form and send it. A draft not sent within 30 days is deleted.") == 3
    assert in_french.startswith("Compl") and french.count(in_french) == 3


def test_my_cases_heading_is_shared_per_language_and_lawyer_link_and_its_tables_follow_the_person(
    client: Client, place, citizen
) -> None:
    """The heading and links are kept per process for each language and for lawyers or not; the two tables are kept
    together, under the versions of both, so a new filing shows at once."""
    from django.core.cache import caches

    from tests.filings.factories import draft

    caches["layout"].clear()
    client.force_login(citizen)
    empty = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Claim a filing made at a counter" in empty and "Refer a civil dispute for a client" not in empty
    assert "You have not started any filing yet." in empty
    lawyers = Client()
    lawyers.force_login(place.lawyer)
    assert "Refer a civil dispute for a client" in lawyers.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    filing = draft(filer=citizen)
    again = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Refer a civil dispute for a client" not in again
    assert "You have not started any filing yet." not in again and f"/filings/{filing.pk}/" in again
    french = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    with translation.override("fr"):
        heading, claim = gettext("My cases"), gettext("Claim a filing made at a counter")
    assert f"<h1>{heading}</h1>" in french and claim in french and claim != "Claim a filing made at a counter"


def test_my_cases_reads_full_rows_only_to_render_its_tables(client: Client, place, citizen) -> None:
    """The tables' versions come from a light query (no joins); the full rows are read when a table is rendered,
    that is when a row changed, and the page shows the change."""
    from filings import services
    from tests.filings.factories import submitted

    filing = submitted(filer=citizen, sections=criminal_sections())
    services.filing_review(filing=filing, actor=place.police, decision=Filing.Decision.ACCEPTED)
    client.force_login(citizen)
    client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en")

    def filing_reads() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            body = client.get("/filings/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert f"Pre-complaint no. {filing.pk}" in body and place.unit.name in body
        return [q["sql"] for q in queries.captured_queries if 'FROM "filings_filing"' in q["sql"]]

    cached = filing_reads()
    assert len(cached) == 1 and "JOIN" not in cached[0]
    services.filing_cancel(filing=submitted(filer=citizen, sections=criminal_sections()), actor=citizen)
    rendered = filing_reads()
    assert len(rendered) == 2 and "JOIN" in rendered[1]
    assert filing_reads() == cached


def test_cached_tables_show_a_change_at_once(client: Client, place, citizen) -> None:
    """ "My cases" keeps its rendered rows in the cache, under a key made of what the rows show: a change of status
    is on the next page view, in the language asked for."""
    from filings import services
    from tests.filings.factories import submitted

    def badges(language: str) -> list[str]:
        page = client.get("/filings/", HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return re.findall(r'<p class="fr-badge[^"]*">([^<]+)</p>', page)

    filing = submitted(filer=citizen, sections=criminal_sections())
    client.force_login(citizen)
    with translation.override("en"):
        sent_en, cancelled_en = str(Filing.Status.SUBMITTED.label), str(Filing.Status.CANCELLED.label)
    with translation.override("fr"):
        sent_fr = str(Filing.Status.SUBMITTED.label)
    assert badges("en") == badges("en") == [sent_en]  # the second from the cache
    assert badges("fr") == [sent_fr]
    services.filing_cancel(filing=filing, actor=citizen)
    assert badges("en") == [cancelled_en]


def test_the_queue_heading_kept_in_memory_follows_the_counts_the_court_and_the_language(
    client: Client, place, citizen
) -> None:
    """The heading is kept under the language, the court and the counts it shows: a new filing, a review or a new
    name of the court shows at once."""
    from django.core.cache import caches

    caches["layout"].clear()
    received(place, count=9)  # seven civil referrals to the court, two of them rejected: five waiting
    client.force_login(place.clerk)
    url = f"/filings/received/{place.court.pk}/"

    def heading(language: str = "en") -> str:
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        return page.split("<h1>", 1)[1].split("<form", 1)[0]

    first = heading()
    assert "Waiting for review: 5" in first and "Civil referral: 5" in first and heading() == first
    french = heading("fr")
    assert ": 5" in french and "Waiting" not in french
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    assert "Waiting for review: 6" in heading() and "Civil referral: 6" in heading()
    services.filing_review(filing=filing, actor=place.clerk, decision="accepted")
    assert "Waiting for review: 5" in heading()
    place.court.name = "Tribunal renommé"
    place.court.save()
    assert "Filings received by Tribunal renommé" in heading()


def test_the_queue_filters_show_the_values_chosen_and_errors_though_cached(client: Client, place) -> None:
    received(place, count=5)
    client.force_login(place.clerk)
    url = f"/filings/received/{place.court.pk}/"

    def selected(query: str) -> list[str]:
        page = client.get(url + query, HTTP_ACCEPT_LANGUAGE="en").content.decode()
        return re.findall(r'<option value="([^"]*)"[^>]*selected', page)

    assert selected("?status=rejected&kind=civil_referral") == ["rejected", "civil_referral"]
    assert selected("?status=rejected&kind=civil_referral") == ["rejected", "civil_referral"]  # from the cache
    assert selected("?status=docketed") == ["docketed", ""]
    invalid = client.get(url + "?status=nonsense", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Select a valid choice" in invalid
    assert "Select a valid choice" not in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_case_page_lists_its_filings_without_joining_their_people(client: Client, place, citizen) -> None:
    from filings import services
    from tests.filings.factories import submitted

    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    filing.refresh_from_db()
    client.force_login(citizen)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(f"/filings/cases/{filing.case_id}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert f"Civil referral no. {filing.pk}" in body and str(citizen) in body
    (listing,) = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "filings_filing"."id"')]
    assert "JOIN" not in listing


def test_the_case_page_parts_kept_in_memory_follow_what_they_show(client: Client, place, citizen) -> None:
    """The case's summary and tables are kept under what they show: a renamed party, another status, a new date, a
    party more, another language, and whether the reader may send a submission each show at once."""
    from django.core.cache import caches

    from filings.models import Case, Party

    caches["layout"].clear()
    filing = submitted(filer=citizen, kind=Filing.Kind.CIVIL_REFERRAL, sections=civil_sections(court=place.court))
    services.filing_review(filing=filing, actor=place.clerk, decision=Filing.Decision.ACCEPTED)
    filing.refresh_from_db()
    case = filing.case
    assert case is not None
    client.force_login(citizen)

    def page(language: str = "en") -> str:
        return client.get(f"/filings/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE=language).content.decode()

    first = page()
    assert str(citizen) in first and ">Open<" in first
    # What the reader may do is part of the key: the clerk sees the same case without the party's button.
    can_submit = f'href="/filings/cases/{case.pk}/submission/'
    assert can_submit in first
    client.force_login(place.clerk)
    assert str(citizen) in page() and can_submit not in page()
    client.force_login(citizen)
    french = page("fr")
    assert "Registered on" in first and "Parties" in first and "Registered on" not in french and str(citizen) in french
    citizen.first_name = "Dominique"
    citizen.save()
    assert "Dominique" in page()
    Case.objects.filter(pk=case.pk).update(status=Case.Status.CLOSED)
    assert ">Closed<" in page()
    Filing.objects.filter(pk=filing.pk).update(submitted_at=datetime.datetime(2026, 1, 2, 3, 4, tzinfo=datetime.UTC))
    assert "01/02/2026" in page()
    Party.objects.create(case=case, role=Party.Role.RESPONDENT, name="Société Exemple")
    assert "Société Exemple" in page()


def test_the_queue_counts_are_kept_until_a_service_changes_or_deletes_a_filing_received(
    client: Client, place, django_capture_on_commit_callbacks
) -> None:
    from filings import services
    from filings.models import RejectionReason

    filings = received(place, count=30)

    def counts(user: User, organisation) -> tuple[int, int]:
        """What the queue says is waiting and how many of its queries were a count."""
        client.force_login(user)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/filings/received/{organisation.pk}/")
        return response.context["waiting"], len([q for q in queries.captured_queries if "GROUP BY" in q["sql"]])

    waiting = len([f for f in filings if f.recipient_id == place.court.pk and f.status == Filing.Status.SUBMITTED])
    assert counts(place.clerk, place.court) == (waiting, 1)
    assert counts(place.clerk, place.court) == (waiting, 0)
    first = next(f for f in filings if f.recipient_id == place.court.pk and f.status == Filing.Status.SUBMITTED)
    with django_capture_on_commit_callbacks(execute=True):
        services.filing_review(
            filing=first,
            actor=place.clerk,
            decision=Filing.Decision.REJECTED,
            rejection_reason=RejectionReason.INCOMPLETE,
        )
    assert counts(place.clerk, place.court) == (waiting - 1, 1)
    # The retention of unconfirmed pre-complaints empties the police unit's queue.
    unit_waiting = len([f for f in filings if f.recipient_id == place.unit.pk and f.status == Filing.Status.SUBMITTED])
    assert counts(place.police, place.unit) == (unit_waiting, 1)
    assert counts(place.police, place.unit) == (unit_waiting, 0)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.pre_complaint_purge_unconfirmed(now=timezone.now() + datetime.timedelta(days=400)) > 0
    assert counts(place.police, place.unit) == (0, 1)
    assert counts(place.clerk, place.court) == (waiting - 1, 0)  # the court's filings were not touched
