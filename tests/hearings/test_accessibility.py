"""The pages of decisions and open data pass axe-core's WCAG 2.1 AA rules in a real headless browser, with nothing
blocked by the Content Security Policy (the statistics chart is inline SVG without style attributes)."""

from __future__ import annotations

import pytest

from hearings import decisions
from tests.evidence.conftest import evidence_dirs  # noqa: F401  (fixture: a private store per test)
from tests.hearings.conftest import Court, court_case
from tests.hearings.test_opendata import REASONS
from tests.portal.test_accessibility import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("evidence_dirs")]


def test_statistics_and_open_data_pages(live_server, page) -> None:
    for path in ("/hearings/statistics/", "/hearings/open-data/"):
        assert_accessible(page, live_server.url + path)


def test_decision_pages_of_the_bench_and_of_a_party(live_server, page, court: Court) -> None:
    case = court_case(court.j, lawyer=court.j.lawyer)
    fields = decisions.TemplateFields(title="Jugement", reasons=REASONS, operative_part="Condamne le bailleur.")
    draft = decisions.decision_generate(case=case, actor=court.j.judge, fields=fields)

    sign_in(page, live_server, court.j.clerk)
    for path in (
        f"/hearings/cases/{case.pk}/decisions/new/",
        f"/hearings/decisions/{draft.pk}/",
    ):
        assert_accessible(page, live_server.url + path)
    # Signed with Playwright's loop running in this thread: justice.signing runs pyHanko outside it.
    decisions.decision_issue(decision=draft, actor=court.j.clerk)
    for path in (f"/hearings/courts/{court.j.court.pk}/open-data/", f"/filings/cases/{case.pk}/"):
        assert_accessible(page, live_server.url + path)
    page.context.clear_cookies()
    sign_in(page, live_server, case.parties.get(role="claimant").user)
    assert_accessible(page, live_server.url + f"/hearings/decisions/{draft.pk}/")


def test_hearing_request_and_scanned_decision_pages(live_server, page, court: Court) -> None:
    from hearings import services
    from tests.hearings.test_opendata import scanned_pdf

    case = court_case(court.j)
    request = services.hearing_request(
        case=case, actor=court.j.judge, purpose="merits", estimated_minutes=45, notes="Deux témoins."
    )
    scan = decisions.decision_upload(
        case=case, actor=court.j.judge, title="Jugement", content=scanned_pdf(), name="scan.pdf"
    )
    sign_in(page, live_server, court.j.clerk)
    for path in (
        f"/hearings/cases/{case.pk}/request/",
        f"/hearings/courts/{court.j.court.pk}/agenda/",
        f"/hearings/{request.pk}/",
        f"/hearings/{request.pk}/change/",
        f"/hearings/decisions/{scan.pk}/",
        f"/hearings/decisions/{scan.pk}/text/",
    ):
        assert_accessible(page, live_server.url + path)
    decisions.decision_issue(decision=scan, actor=court.j.clerk)
    assert_accessible(page, live_server.url + f"/hearings/courts/{court.j.court.pk}/open-data/")
