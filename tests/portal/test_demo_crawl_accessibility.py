"""Every page each demo account reaches by following links from its space passes axe-core's WCAG 2.1 AA rules, with
nothing blocked by the Content Security Policy: the demo data of ``make run`` (``seed_demo``: accounts, and a case
with its exhibits, hearing and decision, filings waiting in queues, a police procedure), crawled in headless
Chromium, two links deep from the dashboard, per role. Each role reaches the demo's pages that concern it, every
link answers (no link to a page the account may not open), and none leads to the demo objects of other people."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command
from django.utils import timezone

from hearings.models import Hearing
from justice.accounts.models import User
from tests.accounts.test_seed_demo import OPENS, demo_pages
from tests.portal.test_accessibility import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("evidence_dirs")]

from tests.evidence.conftest import evidence_dirs  # noqa: E402, F401  (fixture: a private store per test)

ROLES = ("citoyen", "avocat", "greffier", "juge", "procureur", "policier", "admin-tribunal")
# Links not to follow: they sign out, download files, or change something on a GET-free path.
SKIPPED = ("/account/logout/", "/download", ".pdf", ".ics", ".json", ".csv", ".jsonl", ".txt", "/feed/", "/admin/")
MAX_PAGES = 40


def links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href], header a[href]", "(as) => as.map((a) => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or any(skip in parts.path for skip in SKIPPED):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def is_page(page: Any, url: str) -> bool:
    """Whether ``url`` is an HTML page to audit; a linked file (the log's signed checkpoint, in plain text) is not,
    but it must open too."""
    response = page.request.get(url)
    assert response.status < 400, f"{url} answers {response.status}"
    return bool(response.headers.get("content-type", "").startswith("text/html"))


# The demo pages each role reaches from its space within two links (tests.accounts.test_seed_demo: those it may
# open at all).
REACHED = {
    "citoyen": {"case", "hearing", "decision", "referral", "pre-complaint"},
    "avocat": {"case", "hearing", "decision", "referral", "submission"},
    "greffier": {"case", "hearing", "decision", "submission review"},
    "juge": {"case", "hearing", "decision"},
    "procureur": {"transmission", "transmission review"},
    "policier": {"transmission", "pre-complaint review"},
    "admin-tribunal": set(),
}


@pytest.mark.parametrize("role", ROLES)
def test_the_pages_a_demo_account_reaches_are_accessible(live_server: Any, page: Any, settings: Any, role: str) -> None:
    settings.DEMO = True
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server, User.objects.get(email=f"{role}@demo.justice.localhost"))
    seen: set[str] = set()
    queue = ["/dashboard/"]
    for depth in range(3):
        following: list[str] = []
        for path in queue:
            if path in seen or len(seen) >= MAX_PAGES:
                continue
            seen.add(path)
            if not is_page(page, live_server.url + path):
                continue
            assert_accessible(page, live_server.url + path)
            if depth < 2:
                following += links(page, live_server.url)
        queue = following
    assert len(seen) >= 3, seen
    pages = demo_pages()
    missed = {name for name in REACHED[role] if pages[name] not in seen}
    assert not missed, f"{role} does not reach {missed}: {sorted(seen)}"
    led_to = {name for name, url in pages.items() if url in seen and name not in OPENS[role]}
    assert not led_to, f"{role} is led to {led_to}"


@pytest.mark.parametrize("role", [role for role in ROLES if OPENS[role]])
def test_every_demo_page_an_account_may_open_is_accessible(
    live_server: Any, page: Any, settings: Any, role: str
) -> None:
    """The demo pages of the role, reached by links or not, and what they lead to in one more step for the role's
    work: the agenda on the hearing's day, the appointment's page."""
    settings.DEMO = True
    call_command("seed_demo", verbosity=0)
    sign_in(page, live_server, User.objects.get(email=f"{role}@demo.justice.localhost"))
    pages = demo_pages()
    paths = [pages[name] for name in sorted(OPENS[role])]
    hearing = Hearing.objects.get()
    if role in ("greffier", "juge"):
        day = timezone.localtime(hearing.starts_at).date().isoformat()
        paths.append(f"/hearings/courts/{hearing.case.court_id}/agenda/?day={day}&span=day")
    if role == "citoyen":
        paths.append(pages["pre-complaint"] + "appointment/")
    for path in paths:
        assert is_page(page, live_server.url + path), path
        assert_accessible(page, live_server.url + path)
