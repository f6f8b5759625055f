"""Every page each demo account reaches by following links from its space passes axe-core's WCAG 2.1 AA rules, with
nothing blocked by the Content Security Policy: the demo data of ``make run`` (``seed_demo``), crawled in headless
Chromium, two links deep from the dashboard, per role."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.management import call_command

from justice.accounts.models import User
from tests.portal.test_accessibility import assert_accessible, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROLES = ("citoyen", "avocat", "greffier", "juge", "procureur", "policier", "admin-tribunal")
# Links not to follow: they sign out, download files, or change something on a GET-free path.
SKIPPED = ("/account/logout/", "/download", ".pdf", ".ics", ".json", ".csv", ".jsonl", ".txt", "/feed/", "/admin/")
MAX_PAGES = 30


def links(page: Any, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all("main a[href], header a[href]", "(as) => as.map((a) => a.href)")
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if f"{parts.scheme}://{parts.netloc}" != base or any(skip in parts.path for skip in SKIPPED):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


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
            assert_accessible(page, live_server.url + path)
            if depth < 2:
                following += links(page, live_server.url)
        queue = following
    assert len(seen) >= 3, seen
